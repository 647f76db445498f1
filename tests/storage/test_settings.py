"""TRADING_API_DATABASE_* settings: defaults, accepted URLs and errors naming the variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trading_api.storage import StorageSettings
from trading_api.storage.engine import create_engine
from trading_api.storage.settings import SettingsError, default_database_path


def test_default_is_a_sqlite_file_in_the_user_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # platformdirs on Linux

    settings = StorageSettings.from_env({})

    assert default_database_path() == tmp_path / "trading-api" / "trading.db"
    assert settings.url.render_as_string() == f"sqlite+aiosqlite:///{default_database_path()}"
    assert settings.auto_migrate is True  # the server's own file migrates at start
    explicit = StorageSettings.from_env({"TRADING_API_DATABASE_URL": "sqlite:////srv/t.db"})
    assert explicit.auto_migrate is False  # a database named by URL is refused until upgraded


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:////srv/t.db", "sqlite+aiosqlite:////srv/t.db"),
        ("postgresql://u:secret@db:5432/trading", "postgresql+asyncpg://u:***@db:5432/trading"),
        ("postgresql+asyncpg://db/trading", "postgresql+asyncpg://db/trading"),
    ],
)
def test_plain_urls_get_the_async_driver(raw: str, expected: str) -> None:
    settings = StorageSettings.from_env({"TRADING_API_DATABASE_URL": raw})

    assert settings.describe() == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("not a url", "not a database URL"),
        ("mysql://db/trading", "expected a sqlite:/// or postgresql:// URL"),
        ("postgresql+psycopg2://db/trading", "use the postgresql+asyncpg driver"),
        ("sqlite://", "SQLite needs a file path"),
    ],
)
def test_unusable_urls_are_refused_naming_the_variable(raw: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=f"TRADING_API_DATABASE_URL.*{re.escape(reason)}"):
        StorageSettings.from_env({"TRADING_API_DATABASE_URL": raw})


def test_a_refused_url_never_repeats_its_password() -> None:
    raw = "postgresql+psycopg2://trader:s3cret@db/trading"
    with pytest.raises(SettingsError, match="TRADING_API_DATABASE_URL") as raised:
        StorageSettings.from_env({"TRADING_API_DATABASE_URL": raw})
    assert "s3cret" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_auto_migrate_is_a_boolean() -> None:
    env = {"TRADING_API_DATABASE_AUTO_MIGRATE": "TRUE"}
    assert StorageSettings.from_env(env).auto_migrate is True
    with pytest.raises(SettingsError, match="TRADING_API_DATABASE_AUTO_MIGRATE"):
        StorageSettings.from_env({"TRADING_API_DATABASE_AUTO_MIGRATE": "maybe"})


def test_the_sqlite_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "trading.db"

    create_engine(StorageSettings.from_env({"TRADING_API_DATABASE_URL": f"sqlite:///{path}"}))

    assert path.parent.is_dir()
