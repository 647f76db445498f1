"""The migrations ship in the wheel: an installed package upgrades a database by itself."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import clean_env

pytestmark = pytest.mark.slow

MIGRATIONS = "trading_api/storage/migrations/"


def test_the_wheel_holds_the_migrations(built_dist) -> None:  # type: ignore[no-untyped-def]
    names = set(zipfile.ZipFile(built_dist.wheel).namelist())
    assert {
        MIGRATIONS + "env.py",
        MIGRATIONS + "script.py.mako",
        MIGRATIONS + "versions/v0001_initial_schema.py",
    } <= names


def test_an_installed_wheel_migrates_a_database(built_dist, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    venv = tmp_path / "env"
    env = clean_env()
    server_extra = f"{built_dist.wheel}[server]"
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    subprocess.run(
        # the server extra carries the storage stack (SQLAlchemy, drivers, Alembic)
        ["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"), server_extra],
        check=True,
        env=env,
    )
    database = tmp_path / "data" / "trading.db"
    result = subprocess.run(
        [str(venv / "bin" / "trading-api"), "db", "upgrade"],
        cwd=tmp_path,
        env=clean_env(TRADING_API_DATABASE_URL=f"sqlite:///{database}"),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert "upgraded from an empty database to revision" in result.stdout
    assert database.is_file()
