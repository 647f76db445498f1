"""Client-side cost per call: the generated client vs raw httpx + per-item `model_validate`.

An `httpx.MockTransport` answers every request with the same 100-item JSON list, so the server
is out of the picture and only client work is measured: building the request, sending it through
httpx, checking the status and validating the body into `trading_api.models`.

Usage: uv run python benchmarks/client_overhead.py [--calls 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx

from trading_api.clients import DatafeedClient
from trading_api.models import SearchSymbolResultItem

BASE_URL = "http://bench.invalid"
ITEMS = [
    {
        "symbol": f"SYM{i}",
        "description": f"Symbol number {i}",
        "exchange": "NASDAQ",
        "ticker": f"SYM{i}",
        "type": "stock",
    }
    for i in range(100)
]
BODY = json.dumps(ITEMS).encode()


def _transport() -> httpx.MockTransport:
    headers = {"content-type": "application/json"}
    return httpx.MockTransport(lambda request: httpx.Response(200, content=BODY, headers=headers))


async def generated_client(calls: int) -> float:
    async with httpx.AsyncClient(transport=_transport()) as http:
        client = DatafeedClient(BASE_URL, http_client=http)
        start = time.perf_counter()
        for _ in range(calls):
            result = await client.search_symbols(query="SYM", limit=100)
        elapsed = time.perf_counter() - start
    assert len(result) == 100 and isinstance(result[0], SearchSymbolResultItem)
    return elapsed / calls


async def raw_httpx(calls: int) -> float:
    async with httpx.AsyncClient(transport=_transport()) as http:
        start = time.perf_counter()
        for _ in range(calls):
            response = await http.get(
                f"{BASE_URL}/api/v1/datafeed/search", params={"query": "SYM", "limit": 100}
            )
            response.raise_for_status()
            result = [SearchSymbolResultItem.model_validate(item) for item in response.json()]
        elapsed = time.perf_counter() - start
    assert len(result) == 100
    return elapsed / calls


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    await generated_client(200)  # warm up both paths (imports, adapters, pools)
    await raw_httpx(200)
    ours: list[float] = []
    raw: list[float] = []
    for _ in range(args.rounds):  # interleaved, so drift affects both alike
        ours.append(await generated_client(args.calls))
        raw.append(await raw_httpx(args.calls))
    ours_median, raw_median = statistics.median(ours), statistics.median(raw)
    print(f"per call, median of {args.rounds} rounds x {args.calls} calls (100-item list):")
    print(f"  raw httpx + model_validate per item  {raw_median * 1e6:8.1f} µs")
    print(f"  generated DatafeedClient             {ours_median * 1e6:8.1f} µs")
    print(f"  ratio generated / raw                {ours_median / raw_median:8.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
