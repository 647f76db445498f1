"""`trading-api db …` on a database named by TRADING_API_DATABASE_URL: a usage error in a
subprocess, as an operator meets it; the rest run the same `main` in this process (a
subprocess pays the CLI's imports again, seconds each on two cores)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import SRC, clean_env, run_cli_here

from trading_api.storage import StorageSettings, migrate
from trading_api.storage.commands import run_db_command


def _db(settings: StorageSettings | str, *args: str) -> subprocess.CompletedProcess[str]:
    url = settings if isinstance(settings, str) else settings.url.render_as_string(False)
    return run_cli_here(["db", *args], TRADING_API_DATABASE_URL=url)


def _db_process(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trading_api", "db", *args],
        env=clean_env(PYTHONPATH=str(SRC), TRADING_API_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unmigrated_database_is_refused_naming_the_upgrade_command(
    settings: StorageSettings,
) -> None:
    refused = _db(settings, "check")

    assert refused.returncode == 1, refused.stdout
    assert "never migrated" in refused.stderr
    assert "run `trading-api db upgrade`" in refused.stderr


def test_upgrade_then_current_and_check(settings: StorageSettings) -> None:
    head = migrate.head_revision()
    before = _db(settings, "current")
    assert (before.returncode, before.stdout.split()) == (
        0, ["current:", "(none:", "never", "migrated)", "latest:", head],
    )  # fmt: skip

    upgraded = _db(settings, "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded from an empty database to revision {head}" in upgraded.stdout

    checked = _db(settings, "check")
    assert (checked.returncode, checked.stdout) == (0, f"schema is at the latest revision {head}\n")


def test_a_bad_url_is_a_usage_error_naming_the_variable() -> None:
    refused = _db_process("mysql://db/trading", "upgrade")

    assert refused.returncode == 2
    assert "TRADING_API_DATABASE_URL" in refused.stderr


def test_an_unreachable_database_is_a_clear_error() -> None:
    refused = _db("postgresql://postgres@127.0.0.1:1/none", "check")

    assert refused.returncode == 1
    assert "cannot use database postgresql+asyncpg://postgres@127.0.0.1:1/none" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_upgrading_twice_says_there_was_nothing_to_do(
    settings: StorageSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process (`run_db_command` is what the CLI runs): the second upgrade changes nothing."""
    assert run_db_command("upgrade", settings) == 0
    assert run_db_command("upgrade", settings) == 0
    assert run_db_command("current", settings) == 0

    head = migrate.head_revision()
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"{settings.describe()}: already at revision {head}"
    assert lines[2].split() == ["current:", head]
