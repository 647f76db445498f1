"""`serve --reload` in a checkout: contracts follow the code; a broken module keeps the last good
server serving, flagged stale; a stale checkout says so at start and in health."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from support import clean_env, serve, wait_for

pytestmark = pytest.mark.slow

# A reload generates (FastAPI, every module, black) then starts a worker: generous on a busy CI.
RELOAD_TIMEOUT = 180.0
UPTIME = '''    @router.get("/uptime")
    async def get_uptime() -> float:
        """Seconds since start."""
        return 0.0

    return router
'''
UPTIME_PATH = "/api/v1/core/uptime"
SWAGGER_SPEC_URL = re.compile(r"url: '([^']+)'")


def _json(url: str) -> Any:
    """The JSON body, or None while nothing answers (a worker starting, a port not yet served)."""
    try:
        response = httpx.get(url, timeout=10)
    except httpx.TransportError:
        return None
    return response.json() if response.status_code == 200 else None


def _paths(base_url: str, spec_url: str = "/api/v1/openapi.json") -> dict[str, Any]:
    paths: dict[str, Any] = (_json(base_url + spec_url) or {}).get("paths", {})
    return paths


def _workers(supervisor: int) -> list[str]:
    """The supervisor's worker processes (its spawned children; not multiprocessing's resource
    tracker), from /proc."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _fresh_client_has(src: Path, method: str) -> bool:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from trading_api.clients import CoreClient; print(hasattr(CoreClient, {method!r}))",
        ],
        env=clean_env(PYTHONPATH=str(src)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    return probe.stdout.strip() == "True"


def test_reload_regenerates_contracts_and_keeps_the_last_good_state_on_errors(
    generated_copy: Path,
) -> None:
    tree = generated_copy
    src = tree / "src"
    api = src / "trading_api/modules/core/api.py"
    command = [sys.executable, "-m", "trading_api", "serve", "--reload", "--port", "0"]
    with serve(command, cwd=tree, env=clean_env(PYTHONPATH=str(src))) as server:
        base = server.base_url
        health_url = f"{base}/api/v1/core/health"
        first = cast(
            "dict[str, Any]",
            wait_for(lambda: _json(health_url), timeout=RELOAD_TIMEOUT, what="first worker"),
        )
        assert first["contracts"] == {"stale": False}
        assert UPTIME_PATH not in _paths(base)

        good = api.read_text().replace("    return router\n", UPTIME)
        api.write_text(good)
        wait_for(lambda: UPTIME_PATH in _paths(base), timeout=RELOAD_TIMEOUT, what="new spec")
        # the previous worker stopped before the new one accepted: it can never answer again
        assert len(_workers(server.process.pid)) == 1
        swagger = httpx.get(f"{base}/api/v1/docs", timeout=10).text
        spec_url = SWAGGER_SPEC_URL.search(swagger)
        assert spec_url is not None, swagger
        assert UPTIME_PATH in _paths(base, spec_url.group(1))
        assert _fresh_client_has(src, "get_uptime")

        api.write_text(good + '\n\nraise RuntimeError("broken on purpose")\n')
        line = len(api.read_text().splitlines())
        location = f"{api.resolve()}:{line}"

        def stale_health() -> Any:
            health = _json(health_url)
            return health if health and health["contracts"]["stale"] else None

        stale = cast(
            "dict[str, Any]",
            wait_for(stale_health, timeout=RELOAD_TIMEOUT, what="stale health"),
        )
        assert location in stale["contracts"]["reason"]
        assert "RuntimeError: broken on purpose" in stale["contracts"]["reason"]
        wait_for(
            lambda: any(location in line for line in server.output),
            timeout=RELOAD_TIMEOUT,
            what="file:line on the console",
        )
        assert UPTIME_PATH in _paths(base)  # the last good contracts …
        assert httpx.get(base + UPTIME_PATH, timeout=10).json() == 0.0  # … and code still serve
        client = src / "trading_api/clients/core.py"
        assert "async def get_uptime" in client.read_text()  # the previous files are kept

        api.write_text(good.replace('"/uptime"', '"/uptime-seconds"'))
        wait_for(
            lambda: (_json(health_url) or {}).get("contracts") == {"stale": False}
            and f"{UPTIME_PATH}-seconds" in _paths(base),
            timeout=RELOAD_TIMEOUT,
            what="recovery",
        )


def test_ctrl_c_while_a_reloaded_worker_starts_stops_the_server(generated_copy: Path) -> None:
    """The new worker waits for its turn to accept; interrupted meanwhile, it must not wait for
    ever (and hold the supervisor, which waits for it)."""
    src = generated_copy / "src"
    api = src / "trading_api/modules/core/api.py"
    command = [sys.executable, "-m", "trading_api", "serve", "--reload", "--port", "0"]
    with serve(command, cwd=generated_copy, env=clean_env(PYTHONPATH=str(src))) as server:
        health_url = f"{server.base_url}/api/v1/core/health"
        wait_for(lambda: _json(health_url), timeout=RELOAD_TIMEOUT, what="first worker")
        api.write_text(api.read_text().replace("    return router\n", UPTIME))
        wait_for(  # the new worker runs (its signal handlers are set) and generates
            lambda: sum("codegen: Generating" in line for line in server.output) == 2,
            timeout=RELOAD_TIMEOUT,
            what="the new worker generating",
        )
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=60)  # TimeoutExpired: the supervisor hangs


def test_a_stale_checkout_warns_at_start_and_in_health(
    generated_copy: Path, tmp_path: Path
) -> None:
    src = generated_copy / "src"
    reason = "module 'core': import failed at /somewhere/api.py:3: RuntimeError: boom"
    (src / "trading_api/.codegen-stale").write_text(reason + "\n")
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    with serve(command, cwd=tmp_path, env=clean_env(PYTHONPATH=str(src))) as server:
        health = httpx.get(f"{server.base_url}/api/v1/core/health", timeout=10).json()
        console = "".join(server.output)
    assert health["contracts"] == {"stale": True, "reason": reason}
    assert "the generated contracts are STALE" in console and reason in console
