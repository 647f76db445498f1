"""Fixtures for the WebSocket runtime tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import LiveServer, live_server


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    """One real uvicorn server for the session; tests use distinct topics to stay independent."""
    with live_server() as running:
        yield running


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
