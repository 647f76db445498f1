"""The `Module` base class: what a feature module contributes to the app and to the build."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from fastapi import APIRouter
from starlette.websockets import WebSocket

from trading_api.framework.naming import ModuleNames

if TYPE_CHECKING:
    from trading_api.framework.registry import ModuleRegistry
    from trading_api.ws import WsRouter


WsHandler = Callable[[WebSocket], Awaitable[None]]


class WsGate(Protocol):
    """Who may open a module's WebSocket (e.g. `trading_api.auth.ws.WsGate`)."""

    @property
    def security_schemes(self) -> Mapping[str, dict[str, Any]]:
        """AsyncAPI security schemes; any one of them opens the WebSocket."""
        ...

    def wrap(self, endpoint: WsHandler) -> WsHandler:
        """The endpoint behind the gate: refuses the handshake of anyone else."""
        ...


class Module(ABC):
    """A feature area: a service, REST routers per API version and optional WebSocket routers.

    Subclasses live in `trading_api/modules/<package>/__init__.py`; discovery finds them, the build
    generates their contracts and clients, and the app mounts each version at
    `/api/<version>/<name>`. Instantiating a module must be cheap and side-effect free: the build
    does it to read the module's OpenAPI document.
    """

    name: ClassVar[str]
    """URL segment (`/api/v1/<name>`); spelled like the package (`-` may stand for `_`)."""

    description: ClassVar[str] = ""
    """One line shown in the OpenAPI tag and the generated client's docstring."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not getattr(cls, "__abstractmethods__", None) and not isinstance(
            cls.__dict__.get("name"), str
        ):
            raise TypeError(f"{cls.__qualname__} must set the class attribute `name`")

    @property
    def names(self) -> ModuleNames:
        return ModuleNames(self.name)

    @abstractmethod
    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        """REST routers per API version, e.g. `{"v1": [router]}`; a new key adds a version."""

    def ws_routers(self) -> Mapping[str, Sequence[WsRouter[Any, Any]]]:
        """WebSocket routers per API version (served at `/api/<version>/<name>/ws`)."""
        return {}

    def ws_gate(self) -> WsGate | None:
        """What guards the module's WebSocket handshake (default: open to every client)."""
        return None

    @property
    def tags(self) -> list[dict[str, str]]:
        """OpenAPI tags of this module's operations."""
        return [{"name": self.name, "description": self.description}]

    @property
    def versions(self) -> list[str]:
        """API versions this module serves, oldest first (`v1`, `v2`, …)."""
        found = set(self.api_routers()) | set(self.ws_routers())
        return sorted(found, key=version_order)

    def attach(self, registry: ModuleRegistry) -> None:  # noqa: B027 (optional hook)
        """Called by the server (never the build) once it knows every mounted module.

        Override to use the registry, or to load settings and data so that bad ones stop the
        server at start-up with a clear message (raise; the app reports it by module name).
        """

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Start and stop background work with the server (not run by the build)."""
        yield

    async def readiness_problems(self) -> list[str]:
        """What keeps this module from serving now (e.g. its database does not answer), each
        naming the engine and never a secret; empty when ready. Called by every readiness
        probe (core `GET /ready`) while the server runs: keep it cheap and bounded in time."""
        return []


def version_order(version: str) -> tuple[int, str]:
    """Sort key of API versions: `v2` before `v10`; names that are not `v<N>` go last."""
    digits = version.lstrip("v")
    return (int(digits), version) if digits.isdigit() else (10**9, version)
