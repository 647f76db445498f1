"""Generated typed streams (`DatafeedStream`, `BrokerStream`) against real servers on loopback.

Every WebSocket route of every module delivers typed updates; one connection carries all the
subscriptions of a stream; refused subscriptions raise; a server restarted on the same port is
reconnected to and every subscription renewed exactly once; the API key reaches the handshake.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import re
import subprocess
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import pytest
from pydantic import BaseModel
from support import ROOT, Server, clean_env
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as ws_serve
from ws.harness import CounterRequest, LiveServer, Tick, live_server, wait_event

from trading_api.client_runtime import BaseStream, Subscription
from trading_api.client_runtime._topics import request_payload, topic_key
from trading_api.clients import (
    BrokerClient,
    BrokerStream,
    DatafeedStream,
    StreamClosedError,
    SubscriptionDroppedError,
    SubscriptionError,
)
from trading_api.models import (
    Bar,
    BrokerConnectionStatus,
    EquityData,
    Execution,
    ExecutionsSubscriptionRequest,
    OrderStatus,
    OrderType,
    PlacedOrder,
    Position,
    PreOrder,
    QuoteData,
    QuotesSubscriptionRequest,
    Side,
)
from trading_api.ws import topic_key as server_topic_key

from .servers import trading_server
from .venvs import make_venv

pytestmark = pytest.mark.anyio

TIMEOUT = 15.0
"""Upper bound of any single wait; the tests wait for conditions, never for time."""
ACCOUNT = "DEMO-1"
SYMBOL = "BTCUSD"  # crypto: trades around the clock, so its bars and quotes always move


class Reconnect(TypedDict):
    """The stream options that make a test's reconnect quick."""

    min_reconnect_delay: float
    max_reconnect_delay: float


FAST_RECONNECT: Reconnect = {"min_reconnect_delay": 0.05, "max_reconnect_delay": 0.5}
T = TypeVar("T")


DOCS = ROOT / "docs" / "clients.md"


def accepted(server: Server, module: str) -> int:
    """WebSocket connections the server accepted on a module's endpoint (its access log)."""
    return sum(f'"WebSocket /api/v1/{module}/ws" [accepted]' in line for line in server.output)


async def first(items: Subscription[T], where: Callable[[T], bool] = lambda _: True) -> T:
    async with asyncio.timeout(TIMEOUT):
        async for item in items:
            if where(item):
                return item
    raise AssertionError(f"{items} ended")


async def market_buy(client: BrokerClient, qty: float = 0.01) -> PlacedOrder:
    order = await client.place_order(
        PreOrder(symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=qty)
    )
    assert order.status == OrderStatus.Filled, order
    return order


# -- the topic rule, client side --------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_model", "defaults"),
    [
        (ExecutionsSubscriptionRequest(account_id="DEMO-1"), {}),
        (ExecutionsSubscriptionRequest(account_id="DÉMO-ü", symbol="BTCUSD"), {}),
        (QuotesSubscriptionRequest(symbols=["AAPL"]), {"symbols": [], "fast_symbols": []}),
        (QuotesSubscriptionRequest(fast_symbols=["ÄX"]), {"symbols": [], "fast_symbols": []}),
    ],
)
def test_client_topics_equal_the_servers(
    request_model: BaseModel, defaults: dict[str, Any]
) -> None:
    route = "executions" if isinstance(request_model, ExecutionsSubscriptionRequest) else "quotes"
    payload = request_payload(request_model, defaults)
    assert topic_key(route, payload) == server_topic_key(route, request_model)
    assert None not in payload.values() and all(defaults.get(k) != v for k, v in payload.items())


# -- every route of every module --------------------------------------------------------------


@pytest.mark.slow
async def test_datafeed_routes_share_one_connection(server: Server) -> None:
    before = accepted(server, "datafeed")
    async with (
        DatafeedStream(server.base_url) as stream,
        stream.bars(symbol=SYMBOL, resolution="1") as bars,
        stream.quotes(symbols=[SYMBOL]) as quotes,
    ):
        bar, quote = await asyncio.gather(first(bars), first(quotes, lambda q: q.n == SYMBOL))
        newer = await first(bars)  # the forming bar keeps updating
        assert isinstance(bar, Bar) and isinstance(newer, Bar) and newer.time >= bar.time
        assert isinstance(quote, QuoteData) and quote.v.lp is not None
        assert quotes.topic == f'quotes:{{"symbols":["{SYMBOL}"]}}'
        assert await stream.ping() >= 0
    assert accepted(server, "datafeed") == before + 1


@pytest.mark.slow
async def test_broker_routes_deliver_rest_events(server: Server) -> None:
    key = server.api_key
    async with (
        BrokerClient(server.base_url, api_key=key) as client,
        BrokerStream(server.base_url, api_key=key) as stream,
        stream.orders(account_id=ACCOUNT) as orders,
        stream.executions(account_id=ACCOUNT, symbol=SYMBOL) as executions,
        stream.positions(account_id=ACCOUNT) as positions,
        stream.equity(account_id=ACCOUNT) as equity,
        stream.broker_connection(account_id=ACCOUNT) as connection,
    ):
        status = await first(connection)  # snapshots: sent on subscribe
        assert isinstance(status, BrokerConnectionStatus)
        start = await first(equity)
        assert isinstance(start, EquityData)

        order = await market_buy(client)
        filled = await first(orders, lambda o: o.id == order.id and o.status == OrderStatus.Filled)
        execution = await first(executions, lambda e: e.order_id == order.id)
        position = await first(positions, lambda p: p.symbol == SYMBOL)
        charged = await first(equity, lambda e: e.balance != start.balance)
        assert isinstance(filled, PlacedOrder) and isinstance(execution, Execution)
        assert isinstance(position, Position) and isinstance(charged, EquityData)
        assert (execution.qty, execution.side) == (order.qty, Side.Buy)


@pytest.mark.slow
async def test_refused_subscriptions_raise(server: Server) -> None:
    async with (
        DatafeedStream(server.base_url) as datafeed,
        BrokerStream(server.base_url, api_key=server.api_key) as broker,
    ):
        with pytest.raises(SubscriptionError, match="unknown symbol 'NOPE'") as refused:
            async for _ in datafeed.bars(symbol="NOPE", resolution="1"):
                pass
        assert refused.value.topic == 'bars:{"resolution":"1","symbol":"NOPE"}'
        with pytest.raises(SubscriptionError) as unknown:
            async with broker.orders(account_id="NO-SUCH-ACCOUNT"):
                pass
        assert unknown.value.topic == 'orders:{"accountId":"NO-SUCH-ACCOUNT"}'
        # the connection is unaffected: an accepted subscription still works
        bar = await first(datafeed.bars(symbol=SYMBOL, resolution="1"))
        assert isinstance(bar, Bar)


def streams_examples() -> list[str]:
    """The Python examples of the "Streams" section of docs/clients.md."""
    section = DOCS.read_text(encoding="utf-8").split("\n## Streams\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


@pytest.mark.slow
async def test_streams_docs_examples_run(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = streams_examples()
    assert len(examples) == 3
    for number, source in enumerate(examples, 1):
        code = compile(
            source,
            f"docs/clients.md#streams-{number}",
            "exec",
            flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        )
        names = {"base_url": server.base_url, "api_key": server.api_key}
        await asyncio.wait_for(eval(code, names), TIMEOUT)  # a coroutine: the examples await
    printed = capsys.readouterr().out
    assert "filled at" in printed and "unknown symbol 'NOPE'" in printed


@pytest.fixture(scope="module")
def clients_only_python(built_dist: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only `<wheel>[clients]`: no FastAPI, Starlette or uvicorn."""
    return make_venv(
        tmp_path_factory.mktemp("clients-venv") / "env", f"{built_dist.wheel}[clients]"
    )


CLIENTS_ONLY_SCRIPT = textwrap.dedent("""
    import asyncio, importlib.util, sys
    from trading_api.clients import BrokerStream, DatafeedStream, SubscriptionError

    async def main(base_url, api_key):
        async with (
            DatafeedStream(base_url) as datafeed,
            BrokerStream(base_url, api_key=api_key) as broker,
        ):
            bar = await anext(datafeed.bars(symbol="BTCUSD", resolution="1"))
            quote = await anext(datafeed.quotes(symbols=["BTCUSD"]))
            equity = await anext(broker.equity(account_id="DEMO-1"))
            try:
                await anext(broker.orders(account_id="NO-SUCH-ACCOUNT"))
            except SubscriptionError as refused:
                print("refused", refused.topic)
        print(type(bar).__name__, type(quote).__name__, type(equity).__name__)

    asyncio.run(main(*sys.argv[1:]))
    print("server packages:", [m for m in ("fastapi", "starlette", "uvicorn")
                               if importlib.util.find_spec(m) is not None])
    """)


@pytest.mark.slow
def test_streams_from_a_clients_only_install(clients_only_python: Path, server: Server) -> None:
    result = subprocess.run(
        [clients_only_python, "-c", CLIENTS_ONLY_SCRIPT, server.base_url, server.api_key],
        cwd=clients_only_python.parent,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        'refused orders:{"accountId":"NO-SUCH-ACCOUNT"}',
        "Bar QuoteData EquityData",
        "server packages: []",
    ]


# -- reconnect and resubscribe ----------------------------------------------------------------


@pytest.mark.slow
async def test_restarted_server_is_resubscribed_once() -> None:
    reconnected = asyncio.Event()
    servers = contextlib.ExitStack()
    first_server = await asyncio.to_thread(servers.enter_context, trading_server())
    base_url = first_server.base_url
    port, key = int(base_url.rsplit(":", 1)[1]), first_server.api_key
    try:
        async with (
            BrokerClient(base_url, api_key=key) as client,
            DatafeedStream(base_url, **FAST_RECONNECT) as datafeed,
            BrokerStream(
                base_url, api_key=key, on_reconnect=lambda _: reconnected.set(), **FAST_RECONNECT
            ) as broker,
            datafeed.bars(symbol=SYMBOL, resolution="1") as bars,
            broker.executions(account_id=ACCOUNT) as executions,
        ):
            await first(bars)
            await asyncio.to_thread(servers.close)  # stop the server: both connections drop
            second = await asyncio.to_thread(servers.enter_context, trading_server(port))
            async with asyncio.timeout(TIMEOUT):
                await reconnected.wait()
            assert broker.reconnects == 1 and broker.connected
            renewed = await first(bars)  # renewed without a new iterator
            assert isinstance(renewed, Bar)

            one, two = await market_buy(client), await market_buy(client)
            received: list[str] = []
            async with asyncio.timeout(TIMEOUT):
                async for execution in executions:
                    received.append(execution.order_id)
                    if execution.order_id == two.id:
                        break
            assert received == [one.id, two.id]  # each update once: one subscription
            # the restarted server saw one connection per stream, none doubled
            assert (accepted(second, "broker"), accepted(second, "datafeed")) == (1, 1)
    finally:
        await asyncio.to_thread(servers.close)


# -- server-side drops and the API key, on small loopback servers --------------------------------


class CounterStream(BaseStream):
    """A hand-written stream over the ws test harness's routes (as the generator writes them)."""

    path = "/api/v1/test/ws"

    def failing(self, symbol: str) -> Subscription[Tick]:
        return self._subscribe("failing", CounterRequest(symbol=symbol), {"resolution": "1"}, Tick)

    def counter(self, symbol: str) -> Subscription[Tick]:
        return self._subscribe("counter", CounterRequest(symbol=symbol), {"resolution": "1"}, Tick)


class ClosableStream(CounterStream):
    path = "/api/v1/test/ws-closable"


async def test_producer_failure_ends_the_iterator() -> None:
    with live_server() as server:
        async with CounterStream(server.url.replace("ws://", "http://")) as stream:
            received: list[int] = []
            with pytest.raises(SubscriptionDroppedError, match="failing:"):
                async for tick in stream.failing("ACME"):
                    received.append(tick.seq)
            assert received == [0, 1]  # what arrived before the drop is delivered first
            assert stream.server_errors["producer_error"] == 1


async def subscribers(server: LiveServer, symbol: str) -> int:
    """Connections subscribed to `counter` for `symbol`, read on the server's loop."""

    async def count() -> int:
        return server.routers["counter"].subscriber_count(CounterRequest(symbol=symbol))

    result = await server.call(count())
    assert isinstance(result, int)
    return result


async def test_closing_an_iterator_unsubscribes() -> None:
    with live_server() as server:
        async with CounterStream(server.url.replace("ws://", "http://")) as stream:
            async with stream.counter("ACME") as one:
                await first(one)
                async with stream.counter("ACME") as two:  # the same request: one subscription
                    await first(two)
                    assert await subscribers(server, "ACME") == 1
                assert await subscribers(server, "ACME") == 1  # `one` still reads it
            await wait_event(server.tracker.event("stopped", "counter:ACME"))  # last one left
            async for _ in stream.counter("BREAK"):
                break
            await wait_event(server.tracker.event("stopped", "counter:BREAK"))
            assert server.tracker.starts == {"counter:ACME": 1, "counter:BREAK": 1}


async def test_lost_connection_without_reconnect_ends_iterators() -> None:
    with live_server() as server:
        url = server.url.replace("ws://", "http://")
        async with ClosableStream(url, reconnect=False) as stream, stream.counter("ACME") as ticks:
            await first(ticks)
            await server.call(server.endpoints["closable"].aclose())  # closes with 1001
            with pytest.raises(StreamClosedError, match="reconnect=False"):
                async for _ in ticks:
                    pass
            with pytest.raises(StreamClosedError):
                await stream.counter("OTHER").start()


@contextlib.asynccontextmanager
async def header_recorder() -> AsyncIterator[tuple[str, list[str | None]]]:
    """A bare WebSocket server recording each handshake's Authorization header."""
    seen: list[str | None] = []

    async def handler(connection: ServerConnection) -> None:
        seen.append(connection.request.headers.get("Authorization") if connection.request else None)
        await connection.wait_closed()

    async with ws_serve(handler, "127.0.0.1", 0) as listening:
        port = next(iter(listening.sockets)).getsockname()[1]
        yield f"http://127.0.0.1:{port}", seen


async def test_api_key_is_sent_as_bearer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADING_API_KEY", "from-env")
    async with header_recorder() as (url, seen):
        async with BrokerStream(url, api_key="secret"):
            pass
        async with BrokerStream(url):
            pass
        monkeypatch.delenv("TRADING_API_KEY")
        async with BrokerStream(url):
            pass
    assert seen == ["Bearer secret", "Bearer from-env", None]
