"""Cluster mode (``TRADING_API_REDIS_URL``): what N worker processes share through Redis.

Importing the package loads no Redis client: `Cluster`, `ClusterUnavailable` and `Lease` load
it on first access (the build documents the modules where redis is not installed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from trading_api.cluster.settings import ClusterSettings

if TYPE_CHECKING:
    from trading_api.cluster.bus import Cluster, ClusterUnavailable
    from trading_api.cluster.lease import Lease

__all__ = ["Cluster", "ClusterSettings", "ClusterUnavailable", "Lease"]
_LAZY = {"Cluster": "bus", "ClusterUnavailable": "bus", "Lease": "lease"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
