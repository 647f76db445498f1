"""Every generated client, async and sync, against a live server: run in other virtualenvs.

`python drive.py PACKAGE BASE_URL API_KEY` imports the clients from PACKAGE only
(`trading_api.clients` of a `[clients]` install, or an exported `trading_api_client`), so it
needs nothing but that package, pydantic and httpx. Prints `ok <n calls>` or fails loudly.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any

PACKAGE, BASE_URL, API_KEY = sys.argv[1:4]
api = importlib.import_module(PACKAGE)
models = importlib.import_module(f"{PACKAGE.rsplit('.', 1)[0]}.models")
calls = 0


def check(value: Any, expected: type) -> Any:
    global calls
    calls += 1
    assert isinstance(value, expected), f"{value!r} is not a {expected.__name__}"
    return value


async def resolved(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


async def drive(prefix: str) -> None:
    """The same calls through `<M>Client` (prefix "") or `Sync<M>Client` (prefix "Sync")."""
    core = getattr(api, f"{prefix}CoreClient")(BASE_URL)
    datafeed = getattr(api, f"{prefix}DatafeedClient")(BASE_URL)
    broker = getattr(api, f"{prefix}BrokerClient")(BASE_URL, api_key=API_KEY)

    check(await resolved(core.get_health()), models.HealthStatus)
    check(await resolved(core.get_versions()), models.APIVersionInfo)
    raw = await resolved(core.with_raw_response.get_health())
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/json"
    check(raw.parse(), models.HealthStatus)

    check(await resolved(datafeed.get_config()), models.DatafeedConfiguration)
    check(await resolved(datafeed.get_server_time()), int)
    found, *_ = await resolved(datafeed.search_symbols(query="", limit=3))
    symbol = check(await resolved(datafeed.resolve_symbol(found.ticker)), models.SymbolInfo)
    now = await resolved(datafeed.get_server_time())
    bars = await resolved(
        datafeed.get_bars(symbol=found.ticker, resolution="1D", from_=now - 30 * 86400, to=now)
    )
    check(bars, models.BarsResponse)
    (quote,) = await resolved(datafeed.get_quotes(models.QuotesRequest(symbols=[found.ticker])))
    check(quote, models.QuoteData)
    try:
        await resolved(datafeed.resolve_symbol("NO-SUCH-SYMBOL"))
        raise AssertionError("an unknown symbol resolved")
    except api.NotFoundError as error:
        assert check(error.body, models.ErrorResponse).code == "unknown_symbol"

    check(await resolved(broker.get_account()), models.AccountSummary)
    check(await resolved(broker.get_connection_status()), models.BrokerConnectionStatus)
    order = models.PreOrder(symbol=symbol.ticker or found.ticker, type=2, side=1, qty=1)
    check(await resolved(broker.preview_order(order)), models.OrderPreviewResult)
    placed = check(await resolved(broker.place_order(order)), models.PlacedOrder)
    check(await resolved(broker.get_order(placed.id)), models.PlacedOrder)
    assert any(item.id == placed.id for item in await resolved(broker.get_orders()))
    position, *_ = await resolved(broker.get_positions())
    check(await resolved(broker.get_position(position.id)), models.Position)
    check(await resolved(broker.close_position(position.id)), models.Position)
    executions = await resolved(broker.get_executions(placed.symbol))
    check(executions[0], models.Execution)
    try:
        await resolved(broker.get_order("NO-SUCH-ORDER"))
        raise AssertionError("an unknown order was found")
    except api.NotFoundError as error:
        assert check(error.body, models.ErrorResponse).code == "order_not_found"
    intruder = getattr(api, f"{prefix}BrokerClient")(BASE_URL, api_key="tapi_not_a_key")
    try:
        await resolved(intruder.get_account())
        raise AssertionError("a wrong key was accepted")
    except api.AuthenticationError as error:
        assert error.status_code == 401 and error.code is not None

    for client in (core, datafeed, broker, intruder):
        await resolved(client.close())


asyncio.run(drive(""))
asyncio.run(drive("Sync"))
print("ok", calls)
