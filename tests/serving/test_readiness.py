"""`serve --workers 2` on PostgreSQL + Redis, each a real server of its own: both workers
answer readiness 200; readiness turns 503 `not_ready` naming Redis while Redis is down (and
back to 200 after it returns), and naming the database once PostgreSQL is down, without the
password of its URL; SIGTERM to the parent refuses new connections at once while a worker
still finishes the request in flight.

Which worker answers is not exposed by the API: the test stops (SIGSTOP) one worker, so the
other alone accepts the next connection, then the other way round.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from cluster.redis_server import RedisServer, start_redis
from storage.postgres_server import PostgresServer, start_postgres
from support import ROOT, Server, clean_env, serve, wait_for

from trading_api.storage import StorageSettings, migrate
from trading_api.storage.engine import create_engine

from .raw_http import finish_slow_request, refused, start_slow_request

pytestmark = pytest.mark.slow

TIMEOUT = 30.0
"""Upper bound of any single wait; the tests wait for conditions, never for time."""
PASSWORD = "s3cret-Pw"
"""In the database URL (the test server trusts every login): never in an answer."""
WORKER = re.compile(r"Started server process \[(\d+)\]")


@dataclass
class Deployment:
    server: Server
    redis: RedisServer
    postgres: PostgresServer
    postgres_running: bool = True

    def readiness(self) -> httpx.Response:
        """`GET /ready` on a new connection (any worker may accept it)."""
        return httpx.get(f"{self.server.base_url}/api/v1/core/ready", timeout=TIMEOUT)

    def workers(self) -> list[int]:
        return [int(pid) for line in self.server.output for pid in WORKER.findall(line)]


async def _migrate(settings: StorageSettings) -> None:
    engine = create_engine(settings)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    with ThreadPoolExecutor(2) as pool:  # both start at once
        starting_redis, starting_postgres = pool.submit(start_redis), pool.submit(start_postgres)
    redis, postgres = starting_redis.result(), starting_postgres.result()
    running = Deployment(None, redis, postgres)  # type: ignore[arg-type]
    try:
        url = postgres.url.set(password=PASSWORD)
        asyncio.run(_migrate(StorageSettings(url=url)))
        env = clean_env(
            TRADING_API_DATABASE_URL=url.render_as_string(hide_password=False),
            TRADING_API_REDIS_URL=redis.url,
        )
        command = [sys.executable, "-m", "trading_api", "serve", "--port", "0", "--workers", "2"]
        with serve(command, cwd=ROOT, env=env) as server:
            running.server = server
            started = "Application startup complete."
            wait_for(
                lambda: sum(started in line for line in server.output) == 2,
                timeout=TIMEOUT,
                what="both workers started",
            )
            yield running
    finally:
        if running.postgres_running:
            postgres.stop()
        redis.close()


def test_each_worker_answers_ready(deployment: Deployment) -> None:
    workers = deployment.workers()
    assert len(set(workers)) == 2, deployment.server.output
    for stopped in workers:  # the other worker alone accepts connections meanwhile
        os.kill(stopped, signal.SIGSTOP)
        try:
            response = deployment.readiness()
        finally:
            os.kill(stopped, signal.SIGCONT)
        assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_not_ready_while_redis_is_down(deployment: Deployment) -> None:
    deployment.redis.stop()
    try:
        response = wait_for(
            lambda: (answer := deployment.readiness()).status_code == 503 and answer,
            timeout=TIMEOUT,
            what="readiness 503 without Redis",
        )
        assert isinstance(response, httpx.Response)
        body = response.json()
        assert body["code"] == "not_ready" and "Redis" in body["message"], body
    finally:
        deployment.redis.start()
    wait_for(lambda: deployment.readiness().status_code == 200, timeout=TIMEOUT, what="Redis back")


def test_not_ready_while_postgres_is_down_and_the_password_stays_secret(
    deployment: Deployment,
) -> None:
    deployment.postgres.stop()
    deployment.postgres_running = False
    response = wait_for(
        lambda: (answer := deployment.readiness()).status_code == 503 and answer,
        timeout=TIMEOUT,
        what="readiness 503 without PostgreSQL",
    )
    assert isinstance(response, httpx.Response)
    body = response.json()
    assert body["code"] == "not_ready", body
    assert f"database postgresql+asyncpg://postgres:***@127.0.0.1:{deployment.postgres.port}/" in (
        body["message"]
    )
    assert PASSWORD not in response.text


def test_sigterm_to_the_parent_refuses_connections_while_requests_finish(
    deployment: Deployment,
) -> None:
    port = int(deployment.server.base_url.rsplit(":", 1)[1])
    slow = start_slow_request(port)  # the datafeed needs no database
    process = deployment.server.process
    process.send_signal(signal.SIGTERM)
    wait_for(lambda: refused(port), timeout=TIMEOUT, what="connections refused")
    assert process.poll() is None  # the worker waits for the rest of the request
    status, body = finish_slow_request(slow)
    assert status == "HTTP/1.1 200 OK", body
    process.wait(timeout=TIMEOUT)
