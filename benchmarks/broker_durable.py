"""Durable broker throughput: market orders placed and filled through the generated client.

A live server (`trading-api serve --port 0 --modules datafeed,broker`, static CSV quotes) per
database, each order one `POST /orders` that fills at once (one transaction: order, fill,
position, balance, outbox events), from 1 and 16 concurrent callers:

- ``memory``: SQLite on ``/dev/shm`` — RAM-backed, the very same code path and SQL; the
  baseline the durable runs are compared with (the old in-memory engine is gone);
- ``sqlite``: the default backend, a file on disk (WAL, ``synchronous=NORMAL``);
- ``postgresql``: the tests' PostgreSQL 16 from the ``pgserver`` wheel, on loopback TCP.

Prints orders/s and the server's CPU time per order (Linux ``/proc``): with one async worker
the server is CPU-bound, so ``1 / CPU per order`` is its ceiling. Run from the project root::

    .venv/bin/python benchmarks/broker_durable.py [--orders 400] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _common import ROOT, clean_env, cpu_seconds, serve
from broker.live import write_daily_csv
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from storage.postgres_server import start_postgres

from trading_api.clients import BrokerClient
from trading_api.models import OrderType, PreOrder, Side

SYMBOL = "ACME"
CONCURRENCY = (1, 16)


def ticket(n: int) -> PreOrder:
    """Buy, sell, buy, …: one lot at most, margin never limits the run."""
    side = Side.Buy if n % 2 == 0 else Side.Sell
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=1)


@dataclass
class Run:
    rate: float
    cpu_ms: float


async def place(base_url: str, api_key: str, orders: int, concurrency: int, pid: int) -> Run:
    async with BrokerClient(base_url, api_key=api_key, timeout=60) as client:
        await client.place_order(ticket(0))  # warm-up: connections, first-use imports
        queue = iter(range(orders))

        async def worker() -> None:
            for n in queue:
                placed = await client.place_order(ticket(n))
                assert placed.status == 2, placed  # Filled

        cpu, start = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed, used = time.perf_counter() - start, cpu_seconds(pid) - cpu
    return Run(orders / elapsed, used / orders * 1000)


@contextmanager
def database_urls() -> Iterator[dict[str, str]]:
    """Backend name → the URL of a new, empty database."""
    with tempfile.TemporaryDirectory() as disk, tempfile.TemporaryDirectory(dir="/dev/shm") as ram:
        server = start_postgres()
        try:
            name = f"bench_{uuid.uuid4().hex[:12]}"
            asyncio.run(_create_database(server.url.render_as_string(hide_password=False), name))
            yield {
                "memory": f"sqlite:///{ram}/trading.db",
                "sqlite": f"sqlite:///{disk}/trading.db",
                "postgresql": server.url.set(database=name).render_as_string(hide_password=False),
            }
        finally:
            server.stop()


async def _create_database(server_url: str, name: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


def measure(url: str, prices: Path, orders: int, rounds: int) -> dict[int, Run]:
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    command += ["--modules", "datafeed,broker"]
    env = clean_env(
        TRADING_API_DATABASE_URL=url,
        TRADING_API_DATABASE_AUTO_MIGRATE="true",
        TRADING_API_DATAFEED_DATA_DIR=str(prices),
        TRADING_API_ORDER_RATE="1000000",  # the per-key order limit would be the figure
        TRADING_API_ORDER_BURST="1000000",
    )
    results: dict[int, Run] = {}
    with serve(command, cwd=ROOT, env=env) as server:
        for concurrency in CONCURRENCY:
            runs = [
                asyncio.run(
                    place(server.base_url, server.api_key, orders, concurrency, server.process.pid)
                )
                for _ in range(rounds)
            ]
            results[concurrency] = Run(
                statistics.median(r.rate for r in runs), statistics.median(r.cpu_ms for r in runs)
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=400, help="orders per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per figure (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as prices, database_urls() as urls:
        write_daily_csv(Path(prices), SYMBOL, (50.0, 50.5))
        table = {
            name: measure(url, Path(prices), args.orders, args.rounds) for name, url in urls.items()
        }
    print(f"{args.orders} market orders per round, median of {args.rounds} rounds")
    print(f"{'database':<12}{'callers':>8}{'orders/s':>10}{'CPU ms/order':>14}{'vs memory':>11}")
    for name, results in table.items():
        for concurrency, run in results.items():
            ratio = run.rate / table["memory"][concurrency].rate
            print(f"{name:<12}{concurrency:>8}{run.rate:>10.0f}{run.cpu_ms:>14.2f}{ratio:>10.0%}")


if __name__ == "__main__":
    main()
