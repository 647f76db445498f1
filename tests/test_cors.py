"""Browser frontends on another origin: CORS is off by default, opt-in by origin."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from broker.live import trading_server
from support import ROOT, clean_env

pytestmark = pytest.mark.slow

FRONTEND = "http://frontend.test:3000"
PREFLIGHT = {"Origin": FRONTEND, "Access-Control-Request-Method": "PUT"}


def test_allowed_origin_gets_preflight_and_response_headers() -> None:
    with trading_server(
        ["broker"], TRADING_API_ALLOWED_ORIGINS=f"{FRONTEND}/, http://x.test"
    ) as server:
        leverage = f"{server.base_url}/api/v1/broker/leverage"
        preflight = httpx.options(leverage, headers=PREFLIGHT)
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["access-control-allow-origin"] == FRONTEND
        assert "PUT" in preflight.headers["access-control-allow-methods"]
        answer = httpx.get(f"{server.base_url}/api/v1/core/health", headers={"Origin": FRONTEND})
        assert answer.headers["access-control-allow-origin"] == FRONTEND
        other = httpx.options(leverage, headers={**PREFLIGHT, "Origin": "http://evil.test"})
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers


def test_without_the_setting_no_origin_is_allowed() -> None:
    with trading_server(["broker"]) as server:
        leverage = f"{server.base_url}/api/v1/broker/leverage"
        preflight = httpx.options(leverage, headers=PREFLIGHT)
        assert preflight.status_code == 204  # plain OPTIONS: what the path allows
        assert preflight.headers["allow"] == "GET, PUT, OPTIONS"
        assert "access-control-allow-origin" not in preflight.headers


def test_a_malformed_origin_stops_the_server_naming_the_variable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "trading_api", "serve", "--port", "0", "--modules", "broker"],
        cwd=ROOT,
        env=clean_env(TRADING_API_ALLOWED_ORIGINS="frontend.test"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "TRADING_API_ALLOWED_ORIGINS" in result.stderr and "Traceback" not in result.stderr
