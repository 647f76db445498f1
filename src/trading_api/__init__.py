"""trading-api: a modular FastAPI trading backend whose contracts are produced by the build."""

from trading_api.__about__ import __version__

__all__ = ["__version__"]
