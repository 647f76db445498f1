"""A new module folder (hyphenated name, two API versions) is picked up by build, CLI and server."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from support import clean_env, copy_tree, run_cli, serve

SIGNALS = '''
from collections.abc import Mapping, Sequence

from fastapi import APIRouter

from trading_api.framework import Module

v1 = APIRouter()
v2 = APIRouter()


@v1.get("/signals")
async def list_signals() -> list[str]:
    """Current signal names."""
    return ["momentum"]


@v2.get("/signals")
async def list_signals_v2(limit: int = 10) -> list[str]:
    """Current signal names, at most `limit`."""
    return ["momentum", "carry"][:limit]


class TradingSignalsModule(Module):
    name = "trading-signals"
    description = "Signals."

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return {"v1": [v1], "v2": [v2]}
'''


@pytest.mark.slow
def test_hyphenated_module_with_v2_is_discovered_generated_and_mounted(tmp_path: Path) -> None:
    src = copy_tree(tmp_path / "tree") / "src"
    package = src / "trading_api/modules/trading_signals"
    package.mkdir()
    (package / "__init__.py").write_text(SIGNALS)

    assert "  - trading_signals" in run_cli(["list-modules"], src=src).stdout
    result = run_cli(["generate"], src=src)
    assert result.returncode == 0, result.stderr
    index = (src / "trading_api/clients/__init__.py").read_text()
    assert "TradingSignalsClient" in index and "TradingSignalsV2Client" in index
    assert (src / "trading_api/clients/trading_signals_v2.py").is_file()

    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    with serve(command, cwd=tmp_path, env=clean_env(PYTHONPATH=str(src))) as server:
        assert httpx.get(f"{server.base_url}/api/v1/trading-signals/signals").json() == ["momentum"]
        assert httpx.get(f"{server.base_url}/api/v2/trading-signals/signals?limit=1").json() == [
            "momentum"
        ]
        v2 = httpx.get(f"{server.base_url}/api/v2/openapi.json").json()
        versions = httpx.get(f"{server.base_url}/api/v1/core/versions").json()
    assert list(v2["paths"]) == ["/api/v2/trading-signals/signals"]
    assert versions["available"] == ["v1", "v2"]
    assert {"module": "trading-signals", "versions": ["v1", "v2"]} in versions["modules"]
