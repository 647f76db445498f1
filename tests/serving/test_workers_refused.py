"""`serve --workers N` refuses, before building the app or forking, what cannot be one API:
several workers on SQLite, several workers without Redis, fewer than one worker."""

from __future__ import annotations

import pytest

from trading_api.cli import EXIT_USAGE, main

POSTGRES_URL = "postgresql://postgres:pw@127.0.0.1:1/trading"
"""Never connected to: the refusals come first."""


def _refusal(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:  # argparse's usage errors
        code = main(["serve", *args])
        raise SystemExit(code)
    assert exited.value.code == EXIT_USAGE
    return capsys.readouterr().err


def test_several_workers_on_sqlite_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRADING_API_REDIS_URL", "redis://127.0.0.1:1/0")
    message = _refusal(capsys, "--workers", "2")
    assert "--workers 2 needs PostgreSQL" in message
    assert "TRADING_API_DATABASE_URL=postgresql://" in message


def test_several_workers_without_redis_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRADING_API_DATABASE_URL", POSTGRES_URL)
    monkeypatch.delenv("TRADING_API_REDIS_URL", raising=False)
    message = _refusal(capsys, "--workers", "3")
    assert "--workers 3 needs Redis" in message and "TRADING_API_REDIS_URL=redis://" in message
    assert ":pw@" not in message


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_fewer_than_one_worker_is_refused(workers: str, capsys: pytest.CaptureFixture[str]) -> None:
    message = _refusal(capsys, "--workers", workers)
    assert f"argument --workers: expected a number of processes >= 1, got {workers!r}" in message


def test_reload_serves_one_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--reload serves one process" in _refusal(capsys, "--reload", "--workers", "2")


def test_a_bad_drain_time_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRADING_API_DRAIN_SECONDS", "-1")
    assert "invalid TRADING_API_DRAIN_SECONDS='-1'" in _refusal(capsys)
