"""`trading-api users add` / `keys list|add|revoke` on a fresh SQLite file: the first test in a
subprocess, as an operator runs it; the others run the same `main` in this process (a
subprocess pays the CLI's imports again, seconds each on two cores).

The key is the last line of stdout, and the database holds only its SHA-256.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, clean_env, run_cli_here

pytestmark = pytest.mark.slow


def _settings(database: Path) -> dict[str, str]:
    return {
        "TRADING_API_DATABASE_URL": f"sqlite:///{database}",
        "TRADING_API_DATABASE_AUTO_MIGRATE": "true",
    }


def _cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli_here(args, **_settings(database))


def _cli_process(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trading_api", *args],
        cwd=ROOT,
        env=clean_env(**_settings(database)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _rows(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def test_users_add_prints_the_key_last_and_stores_only_its_hash(tmp_path: Path) -> None:
    database = tmp_path / "trading.db"

    added = _cli_process(database, "users", "add", "carol", "--balance", "2500")

    assert added.returncode == 0, added.stderr
    key = added.stdout.splitlines()[-1]
    assert key.startswith("tapi_") and len(key) >= len("tapi_") + 43
    [(user_id, name)] = _rows(database, "SELECT id, name FROM users")
    assert name == "carol"
    [(balance, owner)] = _rows(database, "SELECT balance, owner_id FROM accounts")
    assert (balance, owner) == ("2500", user_id)
    [(digest, prefix, last4)] = _rows(database, "SELECT sha256, prefix, last4 FROM api_keys")
    assert digest == hashlib.sha256(key.encode()).hexdigest()
    assert (prefix, last4) == (key[:9], key[-4:])
    for path in tmp_path.iterdir():  # the database file, its WAL and shared memory
        assert key.encode() not in path.read_bytes(), path.name


def test_keys_are_listed_added_and_revoked(tmp_path: Path) -> None:
    database = tmp_path / "trading.db"
    first = _cli(database, "users", "add", "dave").stdout.splitlines()[-1]

    added = _cli(database, "keys", "add", "dave")
    second = added.stdout.splitlines()[-1]
    listing = _cli(database, "keys", "list", "--user", "dave").stdout

    assert second.startswith("tapi_") and second != first
    lines = listing.splitlines()
    assert len(lines) == 2 and all("active" in line for line in lines)
    assert first not in listing and second not in listing
    assert f"{first[:9]}…{first[-4:]}" in lines[0]
    key_id = lines[0].split()[0]

    revoked = _cli(database, "keys", "revoke", key_id)

    assert revoked.returncode == 0 and key_id in revoked.stdout
    [(revoked_at,)] = _rows(database, f"SELECT revoked_at FROM api_keys WHERE id = '{key_id}'")
    assert revoked_at is not None
    again = _cli(database, "keys", "revoke", key_id)
    assert again.returncode == 1 and "no active API key" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "no spaces"), "invalid user name"),
        (("keys", "add", "nobody"), "no user named 'nobody'"),
        (("keys", "list", "--user", "nobody"), "no user named 'nobody'"),
    ],
)
def test_bad_requests_exit_1_naming_the_problem(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    refused = _cli(tmp_path / "trading.db", *args)

    assert refused.returncode == 1
    assert message in refused.stderr


def test_a_second_user_of_the_same_name_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "trading.db"
    assert _cli(database, "users", "add", "erin").returncode == 0

    refused = _cli(database, "users", "add", "erin")

    assert refused.returncode == 1 and "already exists" in refused.stderr


def test_a_negative_balance_is_a_usage_error(tmp_path: Path) -> None:
    refused = _cli(tmp_path / "trading.db", "users", "add", "frank", "--balance", "-5")

    assert refused.returncode == 2 and "expected a number > 0" in refused.stderr
