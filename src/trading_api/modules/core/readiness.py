"""Readiness: whether this process should get traffic (health only says that it answers)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any

from trading_api.framework.module import Module
from trading_api.models import ReadinessStatus
from trading_api.modules.core.errors import DrainingError, NotReadyError
from trading_api.serving.drain import PROCESS_DRAIN

if TYPE_CHECKING:
    from trading_api.cluster import Cluster

_log = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0
"""Seconds one check may take: a hung engine is reported, a probe never hangs."""


class Readiness:
    """Checks the draining flag, then Redis (cluster mode) and every module's engines at once."""

    def __init__(self) -> None:
        self._modules: Sequence[Module] = ()
        self._cluster: Cluster | None = None

    def watch(self, modules: Sequence[Module], cluster: Cluster | None) -> None:
        """Called when the app knows every mounted module and its cluster (None: one process)."""
        self._modules = modules
        self._cluster = cluster

    async def check(self) -> ReadinessStatus:
        if PROCESS_DRAIN.draining:
            raise DrainingError("this server is shutting down: send requests to another one")
        problems = await self._problems()
        if problems:
            raise NotReadyError("not ready: " + "; ".join(problems))
        return ReadinessStatus(status="ready")

    async def _problems(self) -> list[str]:
        checks: list[tuple[str, Awaitable[Any]]] = []
        if self._cluster is not None:
            checks.append(("Redis", self._cluster.problem()))
        checks += [(module.name, module.readiness_problems()) for module in self._modules]
        results = await asyncio.gather(
            *(asyncio.wait_for(check, CHECK_TIMEOUT) for _, check in checks),
            return_exceptions=True,
        )
        problems: list[str] = []
        for (source, _), result in zip(checks, results, strict=True):
            if isinstance(result, TimeoutError):
                problems.append(f"{source}: no answer within {CHECK_TIMEOUT:g}s")
            elif isinstance(result, BaseException):  # a failing check is a problem, not a 500
                _log.error("readiness check of %s failed", source, exc_info=result)
                problems.append(f"{source}: readiness check failed ({type(result).__name__})")
            elif isinstance(result, str):
                problems.append(result)
            elif result:
                problems.extend(result)
        return problems
