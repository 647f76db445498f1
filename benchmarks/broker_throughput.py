"""Broker throughput: the matching engine in-process, then the generated client against a server.

1. Engine (no HTTP): market orders placed and filled one after another, and resting limit
   orders all filled by one quote (`Broker.on_quote`), both with `ManualMarketData`.
2. Live server (`trading-api serve --port 0`, every module, simulated quotes): `place_order`
   through the generated `BrokerClient` from C concurrent workers; orders/second sustained and
   the p50/p99 latency of one call. The same run of `GET /health` (`CoreClient`) is the floor
   set by the HTTP stack (httpx, uvicorn, FastAPI) on this machine, for comparison.
   The server's CPU time per call (Linux `/proc`) is printed too: the one-process httpx
   driver usually saturates its own core first, so calls/s is a floor of what the server
   sustains, and ~1 / (CPU per call) its single-core ceiling.

Each figure is the median of ``--rounds`` runs. Run from the project root::

    .venv/bin/python benchmarks/broker_throughput.py
    .venv/bin/python benchmarks/broker_throughput.py --orders 4000 --concurrency 1,8,32 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from _common import ROOT, serve

from trading_api.clients import BrokerClient, CoreClient
from trading_api.models import OrderType, PreOrder, Side
from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.market import ManualMarketData

SYMBOL = "AAPL"
BID, ASK = 100.0, 100.02
RICH = EngineConfig(initial_balance=1e12)  # margin never limits the engine benchmark


def market_ticket(n: int) -> PreOrder:
    """Buy, sell, buy, …: the position stays within one lot, margin stays tiny."""
    side = Side.Buy if n % 2 == 0 else Side.Sell
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=1)


# -- 1. the engine in-process ------------------------------------------------------------------


async def engine_market_orders(count: int) -> float:
    """Market orders placed and filled sequentially: orders per second."""
    market = ManualMarketData()
    market.set_quote(SYMBOL, bid=BID, ask=ASK)
    broker = Broker(market, config=RICH)
    tickets = [market_ticket(n) for n in range(count)]
    start = time.perf_counter()
    for ticket in tickets:
        await broker.place_order(ticket)
    return count / (time.perf_counter() - start)


async def engine_resting_fills(count: int) -> float:
    """`count` resting buy limits, then one quote that reaches all: fills per second."""
    market = ManualMarketData()
    market.set_quote(SYMBOL, bid=BID, ask=ASK)
    broker = Broker(market, config=RICH)
    market.add_listener(broker.on_quote)
    limit = BID - 1.0
    for _ in range(count):
        await broker.place_order(
            PreOrder(symbol=SYMBOL, type=OrderType.Limit, side=Side.Buy, qty=1, limit_price=limit)
        )
    start = time.perf_counter()
    await market.push(SYMBOL, bid=limit - 0.5, ask=limit - 0.25)
    elapsed = time.perf_counter() - start
    assert not broker.watched_symbols() - {SYMBOL}
    assert sum(1 for order in broker.orders() if order.avg_price == limit - 0.25) == count
    return count / elapsed


# -- 2. the generated client against a live server -----------------------------------------------


@dataclass
class LiveServer:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (NaN where /proc is missing)."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def live_server() -> Iterator[LiveServer]:
    """`trading-api serve --port 0` in a subprocess (see tests/support.py)."""
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    with serve(command, cwd=ROOT) as server:
        yield LiveServer(server.base_url, server.process.pid)


@dataclass
class ClientRun:
    rate: float  # calls per second
    p50_ms: float
    p99_ms: float
    server_cpu_ms: float  # server CPU time per call


async def client_round(
    server: LiveServer, orders: int, concurrency: int, operation: str
) -> ClientRun:
    """`orders` calls of `operation` (place_order or get_health) from `concurrency` workers
    sharing one client (connection pool)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    tickets = iter([market_ticket(n) for n in range(orders)])
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        broker = BrokerClient(server.base_url, http_client=http)
        core = CoreClient(server.base_url, http_client=http)

        async def worker() -> None:
            for ticket in tickets:  # shared iterator: each ticket is used once
                start = time.perf_counter()
                if operation == "place_order":
                    await broker.place_order(ticket)
                else:
                    await core.get_health()
                latencies.append(time.perf_counter() - start)

        await broker.get_account()  # warm the connection and the server
        cpu = server.cpu_seconds()
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        cpu = server.cpu_seconds() - cpu
    latencies.sort()
    return ClientRun(
        rate=orders / elapsed,
        p50_ms=1000 * statistics.median(latencies),
        p99_ms=1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        server_cpu_ms=1000 * cpu / orders,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000, help="orders per client round")
    parser.add_argument("--concurrency", default="1,16,64", help="client workers, comma-separated")
    parser.add_argument("--engine-orders", type=int, default=5000, help="orders per engine round")
    parser.add_argument("--rounds", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    levels = [int(level) for level in args.concurrency.split(",")]

    print(f"engine, in-process ({args.engine_orders} orders, median of {args.rounds})")
    market = [asyncio.run(engine_market_orders(args.engine_orders)) for _ in range(args.rounds)]
    print(f"  market orders placed and filled   {statistics.median(market):10,.0f} orders/s")
    resting = [asyncio.run(engine_resting_fills(args.engine_orders)) for _ in range(args.rounds)]
    print(f"  resting limits filled by a quote  {statistics.median(resting):10,.0f} orders/s")

    print(f"\ngenerated clients -> live server ({args.orders} calls/round, market orders)")
    for concurrency in levels:
        for operation in ("place_order", "get_health"):
            runs: list[ClientRun] = []
            for _ in range(args.rounds):
                with live_server() as server:  # a fresh server: each round starts empty
                    run = client_round(server, args.orders, concurrency, operation)
                    runs.append(asyncio.run(run))
            print(
                f"  concurrency {concurrency:3}  {operation:12} "
                f"{statistics.median(r.rate for r in runs):8,.0f} calls/s   "
                f"p50 {statistics.median(r.p50_ms for r in runs):7.2f} ms   "
                f"p99 {statistics.median(r.p99_ms for r in runs):7.2f} ms   "
                f"server CPU {statistics.median(r.server_cpu_ms for r in runs):5.2f} ms/call"
            )


if __name__ == "__main__":
    main()
