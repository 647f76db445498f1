"""Client-side cost per call: the generated client vs raw httpx + per-item `model_validate`.

An `httpx.MockTransport` answers every request with the same 100-item JSON list, so the server
is out of the picture and only client work is measured: building the request, sending it through
httpx, checking the status and validating the body into `trading_api.models`. Two lists: symbol
search results, and placed orders (whose wire model checks its shape only, not the broker's
price rules: those validate the order ticket, a request).

Both sides send the same request (URL and headers, the API key included: checked on the
warm-up calls, since the mock transport would answer anything). The ratio is generated / raw
time per call: lower is better (issue 13 target for the placed orders: <= 0.65x). This shared
VM's speed drifts by up to 2x within seconds, so rounds are short, alternate which side goes
first, and the ratio is the median of each round's own ratio (both sides timed back to back),
not a ratio of medians taken over different moments.

Usage: uv run python benchmarks/client_overhead.py [--calls 200] [--rounds 41]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import operator
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from _common import paired_median
from pydantic import BaseModel

from trading_api.clients import BrokerClient, DatafeedClient
from trading_api.models import PlacedOrder, SearchSymbolResultItem

BASE_URL = "http://bench.invalid"
ITEMS = [
    {
        "symbol": f"SYM{i}",
        "full_name": f"NASDAQ:SYM{i}",
        "description": f"Symbol number {i}",
        "exchange": "NASDAQ",
        "ticker": f"SYM{i}",
        "type": "stock",
    }
    for i in range(100)
]
ORDERS = [
    {
        "id": f"ORD-{i}",
        "symbol": "ACME",
        "type": 1,
        "side": 1 if i % 2 else -1,
        "qty": 1 + i % 5,
        "limitPrice": 100.0 + i,
        "takeProfit": 120.0 + i if i % 2 else 80.0 - i / 10,
        "stopLoss": 90.0 - i / 10 if i % 2 else 130.0 + i,
        "status": 6,
        "filledQty": 0.0,
        "updateTime": 1_700_000_000_000 + i,
    }
    for i in range(100)
]


@dataclass(frozen=True)
class Scenario:
    """One endpoint answering a 100-item list: the generated call and its raw equivalent."""

    name: str
    body: bytes
    model: type[BaseModel]
    path: str
    params: dict[str, str | int]
    call: Callable[[BrokerClient, DatafeedClient], Awaitable[list[Any]]]


SCENARIOS = [
    Scenario(
        "100 SearchSymbolResultItem (datafeed search_symbols)",
        json.dumps(ITEMS).encode(),
        SearchSymbolResultItem,
        "/api/v1/datafeed/search",
        {"query": "SYM", "limit": 100},
        lambda _, datafeed: datafeed.search_symbols(query="SYM", limit=100),
    ),
    Scenario(
        "100 PlacedOrder (broker get_orders)",
        json.dumps(ORDERS).encode(),
        PlacedOrder,
        "/api/v1/broker/orders",
        {"accountId": "DEMO-1"},
        lambda broker, _: broker.get_orders(account_id="DEMO-1"),
    ),
]


Seen = list[tuple[str, list[tuple[str, str]]]]  # (URL, headers) of each request sent


def _transport(body: bytes, seen: Seen | None) -> httpx.MockTransport:
    headers = {"content-type": "application/json"}

    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append((str(request.url), sorted(request.headers.multi_items())))
        return httpx.Response(200, content=body, headers=headers)

    return httpx.MockTransport(answer)


async def generated_client(scenario: Scenario, calls: int, seen: Seen | None = None) -> float:
    async with httpx.AsyncClient(transport=_transport(scenario.body, seen)) as http:
        broker = BrokerClient(BASE_URL, api_key="tapi_bench", http_client=http)
        datafeed = DatafeedClient(BASE_URL, api_key="tapi_bench", http_client=http)
        start = time.perf_counter()
        for _ in range(calls):
            result = await scenario.call(broker, datafeed)
        elapsed = time.perf_counter() - start
    assert len(result) == 100 and isinstance(result[0], scenario.model)
    return elapsed / calls


async def raw_httpx(scenario: Scenario, calls: int, seen: Seen | None = None) -> float:
    headers = {"Authorization": "Bearer tapi_bench"}
    validate = scenario.model.model_validate
    transport = _transport(scenario.body, seen)
    async with httpx.AsyncClient(transport=transport, headers=headers) as http:
        start = time.perf_counter()
        for _ in range(calls):
            response = await http.get(f"{BASE_URL}{scenario.path}", params=scenario.params)
            response.raise_for_status()
            result = [validate(item) for item in response.json()]
        elapsed = time.perf_counter() - start
    assert len(result) == 100
    return elapsed / calls


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per side per round")
    parser.add_argument("--rounds", type=int, default=41)
    args = parser.parse_args()
    for scenario in SCENARIOS:
        ours_seen: Seen = []
        raw_seen: Seen = []
        await generated_client(scenario, 200, ours_seen)  # warm up (imports, adapters, pools)
        await raw_httpx(scenario, 200, raw_seen)
        if ours_seen != raw_seen:
            raise SystemExit(f"requests differ:\n  ours {ours_seen[0]}\n  raw  {raw_seen[0]}")
        ours: list[float] = []
        raw: list[float] = []
        sides = [(ours, generated_client), (raw, raw_httpx)]
        for number in range(args.rounds):  # interleaved, so drift affects both alike
            for samples, side in sides if number % 2 == 0 else sides[::-1]:
                samples.append(await side(scenario, args.calls))
        ours_median, raw_median = statistics.median(ours), statistics.median(raw)
        print(f"{scenario.name}, per call, median of {args.rounds} rounds x {args.calls} calls:")
        print(f"  raw httpx + model_validate per item  {raw_median * 1e6:8.1f} µs")
        print(f"  generated client                     {ours_median * 1e6:8.1f} µs")
        ratio = paired_median(ours, raw, operator.truediv)
        print(f"  ratio generated / raw, per round     {ratio:8.2f}x (median)")


if __name__ == "__main__":
    asyncio.run(main())
