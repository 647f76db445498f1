"""What `trading-api serve` loads to start on SQLite, and the collector it leaves (issue 13).

One real server (uvicorn, every module, a migrated SQLite database that `AUTO_MIGRATE` finds
current) answers its first 200, then exits on Ctrl+C and reports the modules it imported and
the state of its garbage collector. What the start does not need stays unimported: Alembic (the
schema is current), SQLAlchemy's PostgreSQL dialect and asyncpg (a SQLite URL), redis (no
`TRADING_API_REDIS_URL`), the code generator (the contracts are not stale) and `pydantic.v1`
(only FastAPI's check for v1 models would import it: `trading_api.framework.v1_check`). The
collector, paused while the server started (`trading_api.serving.startup_gc`), runs again,
with what start-up built frozen out of its scans.
"""

from __future__ import annotations

import gc
import json
import signal
import sys
from pathlib import Path

from storage.databases import migrated_database  # isort: skip (ruff: first-party)
from support import ROOT, clean_env, run_cli_here, serve, wait_for, wait_until_healthy

NOT_AT_START = (
    "alembic",
    "sqlalchemy.dialects.postgresql",
    "asyncpg",
    "redis",
    "trading_api.codegen",
    "pydantic.v1",
)

TIMEOUT = 30.0
"""Upper bound of each wait (the test waits for conditions, never for time)."""
REPORT = "start-report:"
SERVE_AND_REPORT = f"""
import atexit, gc, json, runpy, sys
def report():
    loaded = sorted(m for m in sys.modules if m.startswith({NOT_AT_START!r}))
    state = {{"loaded": loaded, "gc": gc.isenabled(), "frozen": gc.get_freeze_count()}}
    print({REPORT!r}, json.dumps(state), flush=True)
atexit.register(report)
runpy.run_module("trading_api", run_name="__main__")
"""
"""`python -m trading_api serve …`, reporting what it imported and its collector on exit."""


def test_a_sqlite_server_starts_without_what_it_does_not_use(tmp_path: Path) -> None:
    url = f"sqlite:///{migrated_database('sqlite', tmp_path).url.database}"  # nothing to migrate
    env = clean_env(TRADING_API_DATABASE_URL=url, TRADING_API_DATABASE_AUTO_MIGRATE="true")
    env.pop("TRADING_API_REDIS_URL", None)
    command = [sys.executable, "-c", SERVE_AND_REPORT, "serve", "--port", "0"]

    with serve(command, cwd=ROOT, env=env) as server:
        wait_until_healthy(server.base_url)
        server.process.send_signal(signal.SIGINT)  # Ctrl+C: exits normally (SIGTERM: killed
        server.process.wait(timeout=TIMEOUT)  # by the signal uvicorn raises again at the end)

    line = wait_for(
        lambda: next((line for line in server.output if line.startswith(REPORT)), None),
        timeout=TIMEOUT,
        what="the server's report on exit",
    )
    assert isinstance(line, str)
    state = json.loads(line.removeprefix(REPORT))
    assert state["loaded"] == []
    assert state["gc"] is True
    assert state["frozen"] > 10_000  # what start-up built, kept out of every later scan


def test_a_start_that_fails_leaves_the_collector_running() -> None:
    result = run_cli_here(["serve"], TRADING_API_MODULES="no_such_module")  # restored after

    assert result.returncode == 2, result.stderr
    assert "no_such_module" in result.stderr
    assert gc.isenabled()
