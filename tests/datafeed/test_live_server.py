"""End to end: a real `trading-api serve` (simulator), the generated client, a real WS client.

Everything goes over the network: REST through the generated `DatafeedClient` (or raw `httpx`
where the exact wire shape matters) and WebSocket frames through the `websockets` client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from ws.harness import Client, client

from trading_api.clients import ApiStatusError, ApiValidationError, DatafeedClient
from trading_api.models import Bar, QuotesRequest

from .helpers import assert_consistent, merged
from .live_server import LiveDatafeed, datafeed_server

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

TIMEOUT = 10.0
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDatafeed]:
    with datafeed_server(tmp_path_factory.mktemp("serve"), TICK_INTERVAL="0.05", SEED="7") as live:
        yield live
    # Whatever the tests sent, the server never answered with a 5xx.
    assert live.server_errors() == []


def _hour_ago_aligned(days_back: int) -> int:
    """An hour boundary ``days_back`` days ago (Unix seconds): complete, settled history."""
    return (int(time.time()) // 3600 - 24 * days_back) * 3600


def _weekend_before_last() -> tuple[date, date]:
    """(Friday, Saturday) of a weekend at least a week in the past."""
    today = datetime.now(UTC).date()
    saturday = today - timedelta(days=today.weekday() + 2 + 7)
    return saturday - timedelta(days=1), saturday


def _unix(day: date, hour: int, minute: int, zone: ZoneInfo | None = None) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone or UTC).timestamp())


# -- REST through the generated client ----------------------------------------------------------


async def test_config_search_and_resolve(server: LiveDatafeed) -> None:
    async with DatafeedClient(server.base_url) as api:
        config = await api.get_config()
        assert {"1", "5", "15", "60", "1D", "1W"} <= set(config.supported_resolutions)
        assert {"NASDAQ", "FX", "CRYPTO"} <= {e.value for e in config.exchanges}
        assert {"stock", "forex", "crypto"} <= {t.value for t in config.symbols_types}

        hits = await api.search_symbols(query="aap")
        assert hits[0].ticker == "AAPL" and hits[0].exchange == "NASDAQ"
        crypto = await api.search_symbols(type="crypto")
        assert crypto and {hit.type for hit in crypto} == {"crypto"}
        nasdaq = await api.search_symbols(exchange="NASDAQ", limit=2)
        assert len(nasdaq) == 2 and {hit.exchange for hit in nasdaq} == {"NASDAQ"}
        assert await api.search_symbols(query="no such thing") == []

        info = await api.resolve_symbol("NASDAQ:AAPL")
        assert (info.ticker, info.exchange, info.timezone) == ("AAPL", "NASDAQ", "America/New_York")
        assert info.session == "0930-1600:23456" and info.pricescale == 100 and info.minmov == 1
        assert info.has_intraday and info.has_daily
        assert set(info.supported_resolutions) <= set(config.supported_resolutions)
        assert (await api.resolve_symbol("aapl")) == info

        with pytest.raises(ApiStatusError) as caught:
            await api.resolve_symbol("NOPE")
        assert caught.value.status_code == 404
        assert caught.value.code == "unknown_symbol"
        assert caught.value.message == "unknown symbol 'NOPE'"


async def test_bars_units_and_range(server: LiveDatafeed) -> None:
    to = _hour_ago_aligned(days_back=2)
    start = to - 86_400
    async with DatafeedClient(server.base_url) as api:
        hourly = await api.get_bars(symbol="BTCUSD", resolution="60", from_=start, to=to)
        minutes = await api.get_bars(symbol="BTCUSD", resolution="1", from_=start, to=start + 600)
    # from/to are seconds, Bar.time is milliseconds; [from, to): the bar at `to` is excluded.
    assert not hourly.no_data and hourly.next_time is None
    assert [bar.time for bar in hourly.bars] == [(start + 3600 * i) * 1000 for i in range(24)]
    assert [bar.time for bar in minutes.bars] == [(start + 60 * i) * 1000 for i in range(10)]
    assert_consistent(hourly.bars)
    assert_consistent(minutes.bars)
    assert minutes.bars[0].open == hourly.bars[0].open
    # The wire spelling the TradingView front ends read.
    async with httpx.AsyncClient() as http:
        raw = await http.get(
            server.url("/bars"),
            params={"symbol": "BTCUSD", "resolution": "60", "from": start, "to": to},
        )
    body = raw.json()
    assert set(body) == {"bars", "noData"}  # nextTime is absent, never null
    assert set(body["bars"][0]) == {"time", "open", "high", "low", "close", "volume"}


async def test_coarser_bars_aggregate_the_minutes_over_the_wire(server: LiveDatafeed) -> None:
    friday, _ = _weekend_before_last()
    day_start, day_end = _unix(friday, 0, 0), _unix(friday + timedelta(days=1), 0, 0)
    async with DatafeedClient(server.base_url) as api:
        minutes = await api.get_bars(symbol="AAPL", resolution="1", from_=day_start, to=day_end)
        hours = await api.get_bars(symbol="AAPL", resolution="60", from_=day_start, to=day_end)
        daily = await api.get_bars(symbol="AAPL", resolution="1D", from_=day_start, to=day_end)
    bars = minutes.bars
    # A regular US session: 09:30-16:00 New York, 390 one-minute bars.
    assert len(bars) == 390 and bars[0].time == _unix(friday, 9, 30, NEW_YORK) * 1000
    assert daily.bars == [merged(bars, day_start * 1000)]
    # Hourly bars are aligned on the session open (09:30, 10:30, ... 15:30: 7 bars).
    assert [b.time for b in hours.bars] == [bars[60 * i].time for i in range(7)]
    assert hours.bars == [merged(bars[60 * i : 60 * i + 60], bars[60 * i].time) for i in range(7)]


async def test_empty_range_has_no_data_and_points_at_the_previous_bar(server: LiveDatafeed) -> None:
    friday, saturday = _weekend_before_last()
    async with DatafeedClient(server.base_url) as api:
        weekend = await api.get_bars(
            symbol="AAPL",
            resolution="1",
            from_=_unix(saturday, 0, 0),
            to=_unix(saturday + timedelta(days=2), 0, 0),
        )
        friday_bars = await api.get_bars(
            symbol="AAPL", resolution="1", from_=_unix(friday, 0, 0), to=_unix(saturday, 0, 0)
        )
        before_history = await api.get_bars(symbol="AAPL", resolution="1D", from_=0, to=86_400)
        empty_range = await api.get_bars(
            symbol="BTCUSD", resolution="1", from_=_unix(saturday, 12, 0), to=_unix(saturday, 12, 0)
        )
    assert weekend.no_data and weekend.bars == []
    # nextTime: the latest bar before `from`, in milliseconds like bar times (Friday 15:59 NY).
    assert weekend.next_time == _unix(friday, 15, 59, NEW_YORK) * 1000
    assert weekend.next_time == friday_bars.bars[-1].time
    assert before_history.no_data and before_history.next_time is None
    assert empty_range.no_data and empty_range.next_time == _unix(saturday, 11, 59) * 1000


async def test_count_back_returns_the_last_bars_before_to(server: LiveDatafeed) -> None:
    to = _hour_ago_aligned(days_back=1)
    async with DatafeedClient(server.base_url) as api:
        last = await api.get_bars(symbol="ETHUSD", resolution="15", from_=to, to=to, count_back=7)
    assert [bar.time for bar in last.bars] == [(to - 900 * i) * 1000 for i in range(7, 0, -1)]


async def test_quotes(server: LiveDatafeed) -> None:
    async with DatafeedClient(server.base_url) as api:
        quotes = await api.get_quotes(QuotesRequest(symbols=["AAPL", "NOPE", "FX:EURUSD"]))
    assert [quote.n for quote in quotes] == ["AAPL", "NOPE", "FX:EURUSD"]
    aapl, nope, eurusd = quotes
    assert aapl.s == "ok" and eurusd.s == "ok"
    for quote in (aapl, eurusd):
        values = quote.v
        assert values.lp is not None and values.bid is not None and values.ask is not None
        assert values.bid < values.ask and values.spread == pytest.approx(values.ask - values.bid)
        assert values.low_price is not None and values.high_price is not None
        assert values.low_price <= values.lp <= values.high_price
    assert aapl.v.original_name == "NASDAQ:AAPL" and aapl.v.exchange == "NASDAQ"
    assert nope.s == "error" and nope.errmsg == "unknown symbol 'NOPE'"


async def test_every_advertised_resolution_returns_data(server: LiveDatafeed) -> None:
    now = int(time.time())
    async with DatafeedClient(server.base_url) as api:
        config = await api.get_config()
        symbols = [hit.ticker for hit in await api.search_symbols(limit=100)]
        assert len(symbols) >= 10
        for symbol in symbols:
            info = await api.resolve_symbol(symbol)
            assert set(info.supported_resolutions) == set(config.supported_resolutions)
            for resolution in info.supported_resolutions:
                found = await api.get_bars(
                    symbol=symbol, resolution=resolution, from_=now, to=now, count_back=3
                )
                assert len(found.bars) == 3, (symbol, resolution, found)
                assert_consistent(found.bars)
                assert found.bars[-1].time <= now * 1000
    # The same through a from/to range of about five bars (what a chart asks first).
    spans = {"1D": 86_400, "1W": 7 * 86_400, "1M": 31 * 86_400}
    async with DatafeedClient(server.base_url) as api:
        for resolution in config.supported_resolutions:
            span = 5 * (spans[resolution] if resolution in spans else 60 * int(resolution))
            found = await api.get_bars(
                symbol="BTCUSD", resolution=resolution, from_=now - span, to=now
            )
            assert 4 <= len(found.bars) <= 6 and not found.no_data, (resolution, found)


# -- bad input over HTTP -------------------------------------------------------------------------

_PAST = 1_700_000_000  # 2023-11-14, inside the simulated history


def _bars_query(**overrides: Any) -> dict[str, Any]:
    query: dict[str, Any] = {"symbol": "AAPL", "resolution": "1D", "from": _PAST, "to": _PAST}
    query.update(overrides)
    return {name: value for name, value in query.items() if value is not None}


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        (_bars_query(symbol="NOPE"), 404, "unknown symbol 'NOPE'"),
        (_bars_query(resolution="1440"), 400, "resolution '1440' is not served for AAPL"),
        (_bars_query(to=_PAST - 1), 400, f"from ({_PAST}) must not be after to ({_PAST - 1})"),
        (
            _bars_query(resolution="1", **{"from": 0, "to": 2_000_000_000}),
            400,
            "more than 20000 bars at resolution '1'",
        ),
        (_bars_query(countBack=20_001), 400, "countBack (20001) exceeds the maximum of 20000"),
    ],
)
async def test_domain_errors_are_4xx_with_a_message(
    server: LiveDatafeed, query: dict[str, Any], status: int, needle: str
) -> None:
    async with httpx.AsyncClient(timeout=TIMEOUT * 3) as http:
        response = await http.get(server.url("/bars"), params=query)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"} and needle in body["message"]


@pytest.mark.parametrize(
    ("method", "path", "request_args", "location"),
    [
        ("GET", "/bars", {"params": _bars_query(countBack=0)}, ["query", "countBack"]),
        ("GET", "/bars", {"params": _bars_query(countBack=-3)}, ["query", "countBack"]),
        ("GET", "/bars", {"params": _bars_query(**{"from": None})}, ["query", "from"]),
        ("GET", "/bars", {"params": _bars_query(to=None)}, ["query", "to"]),
        ("GET", "/bars", {"params": _bars_query(symbol=None)}, ["query", "symbol"]),
        ("GET", "/bars", {"params": _bars_query(resolution=None)}, ["query", "resolution"]),
        # Outside the resolution pattern (what parses): minutes not dividing a day, seconds,
        # multi-day, text.
        ("GET", "/bars", {"params": _bars_query(resolution="7")}, ["query", "resolution"]),
        ("GET", "/bars", {"params": _bars_query(resolution="1S")}, ["query", "resolution"]),
        ("GET", "/bars", {"params": _bars_query(resolution="2D")}, ["query", "resolution"]),
        ("GET", "/bars", {"params": _bars_query(resolution="bogus")}, ["query", "resolution"]),
        ("GET", "/bars", {"params": _bars_query(**{"from": "yesterday"})}, ["query", "from"]),
        ("GET", "/bars", {"params": _bars_query(to="1.5")}, ["query", "to"]),
        ("GET", "/search", {"params": {"limit": 0}}, ["query", "limit"]),
        ("GET", "/search", {"params": {"limit": 101}}, ["query", "limit"]),
        ("POST", "/quotes", {"json": {"symbols": []}}, ["body", "symbols"]),
        ("POST", "/quotes", {"json": {"symbols": [""]}}, ["body", "symbols", 0]),
        ("POST", "/quotes", {"json": {"symbols": "AAPL"}}, ["body", "symbols"]),
        ("POST", "/quotes", {"json": {}}, ["body", "symbols"]),
        ("POST", "/quotes", {}, ["body"]),
    ],
)
async def test_request_validation_errors_are_422_naming_the_field(
    server: LiveDatafeed,
    method: str,
    path: str,
    request_args: dict[str, Any],
    location: list[str | int],
) -> None:
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        response = await http.request(method, server.url(path), **request_args)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    assert location in [issue["loc"] for issue in detail], detail
    assert all(issue["msg"] for issue in detail)


async def test_error_statuses_match_the_served_openapi(server: LiveDatafeed) -> None:
    """Each error body has the shape the spec declares for its status (what clients parse)."""
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        spec = (await http.get(f"{server.base_url}/api/v1/openapi.json")).json()
        (bars_path,) = [path for path in spec["paths"] if path.endswith("/datafeed/bars")]
        declared = spec["paths"][bars_path]["get"]["responses"]
        cases = [
            _bars_query(symbol="NOPE"),
            _bars_query(resolution="1440"),
            _bars_query(to=_PAST - 1),
            _bars_query(countBack=20_001),
            _bars_query(countBack=0),
            _bars_query(to=None),
        ]
        seen = set()
        for query in cases:
            response = await http.get(server.url("/bars"), params=query)
            status = str(response.status_code)
            assert status in declared, (status, sorted(declared))
            schema = declared[status]["content"]["application/json"]["schema"]["$ref"]
            body = response.json()
            fields = {"#/components/schemas/ErrorResponse": {"code", "message"}}
            fields["#/components/schemas/HTTPValidationError"] = {"detail"}
            assert set(body) == fields[schema], (status, schema, body)
            seen.add(status)
    assert seen == {"400", "404", "422"}


async def test_client_raises_typed_errors(server: LiveDatafeed) -> None:
    async with DatafeedClient(server.base_url) as api:
        with pytest.raises(ApiStatusError) as unknown:
            await api.get_bars(symbol="AAPL", resolution="1440", from_=_PAST, to=_PAST)
        assert not isinstance(unknown.value, ApiValidationError)
        assert unknown.value.status_code == 400 and "'1440'" in unknown.value.message
        with pytest.raises(ApiValidationError) as invalid:
            await api.get_bars(symbol="AAPL", resolution="1D", from_=_PAST, to=_PAST, count_back=0)
        assert [issue.loc for issue in invalid.value.errors] == [["query", "countBack"]]
        with pytest.raises(ApiValidationError) as empty:
            await api.get_quotes(QuotesRequest.model_construct(symbols=[]))
        assert [issue.loc for issue in empty.value.errors] == [["body", "symbols"]]


# -- WebSocket ----------------------------------------------------------------------------------


def _topic(route: str, payload: dict[str, Any]) -> str:
    """The topic a client computes from what it sent (it sends no nulls or defaults here)."""
    return f"{route}:" + json.dumps(payload, sort_keys=True, separators=(",", ":"))


async def _updates(ws: Client, topic: str, count: int) -> list[dict[str, Any]]:
    """The next ``count`` updates of ``topic`` (other frames are skipped)."""
    found: list[dict[str, Any]] = []
    async with asyncio.timeout(TIMEOUT):
        while len(found) < count:
            message = await ws.recv()
            if message["type"].endswith(".update") and message["payload"]["topic"] == topic:
                found.append(message["payload"]["payload"])
    return found


async def test_ws_bars_and_quotes_stream_and_unsubscribe_stops_them(server: LiveDatafeed) -> None:
    bars_request = {"symbol": "BTCUSD", "resolution": "1"}
    quotes_request = {"symbols": ["BTCUSD"], "fast_symbols": ["ETHUSD"]}
    bars_topic, quotes_topic = _topic("bars", bars_request), _topic("quotes", quotes_request)
    async with client(server.ws_url) as ws:
        subscribed = await ws.subscribe("bars", bars_request)
        assert subscribed["payload"]["topic"] == bars_topic
        subscribed = await ws.subscribe("quotes", quotes_request)
        assert subscribed["payload"]["topic"] == quotes_topic

        bars = [Bar.model_validate(data) for data in await _updates(ws, bars_topic, 6)]
        now_ms = time.time() * 1000
        assert_consistent(bars, ordered=False)
        times = [bar.time for bar in bars]
        assert times == sorted(times) and all(t % 60_000 == 0 for t in times)
        assert now_ms - 120_000 < times[-1] <= now_ms  # the minute in progress, in ms
        # The forming bar is updated in place: same time, new close, a range that only widens.
        in_place = [(a, b) for a, b in pairwise(bars) if a.time == b.time]
        assert in_place, times
        for before, after in in_place:
            assert before != after
            assert after.open == before.open
            assert after.high >= before.high and after.low <= before.low
            assert after.volume >= before.volume

        quotes = await _updates(ws, quotes_topic, 4)
        assert {quote["n"] for quote in quotes} <= {"BTCUSD", "ETHUSD"}
        assert all(quote["s"] == "ok" and quote["v"]["lp"] > 0 for quote in quotes)

        # Unsubscribe bars: after the response, quotes keep flowing but no bar update follows.
        await ws.send("bars.unsubscribe", bars_request)
        response = await ws.recv_type("bars.unsubscribe.response")
        assert response["payload"] == {
            "status": "ok",
            "message": "unsubscribed",
            "topic": bars_topic,
        }
        afterwards: list[dict[str, Any]] = []
        async with asyncio.timeout(TIMEOUT):
            while sum(m["type"] == "quotes.update" for m in afterwards) < 10:
                afterwards.append(await ws.recv())
        assert [m for m in afterwards if m["type"] != "quotes.update"] == []

        await ws.send("quotes.unsubscribe", quotes_request)
        response = await ws.recv_type("quotes.unsubscribe.response")
        assert response["payload"]["status"] == "ok"
        # Nothing left to unsubscribe from: the connection says so and stays open.
        await ws.send("bars.unsubscribe", bars_request)
        response = await ws.recv_type("bars.unsubscribe.response")
        assert response["payload"]["status"] == "error"
        assert await ws.ping_until_pong("still open") == []  # and no update came after all


async def test_ws_bars_match_rest_history(server: LiveDatafeed) -> None:
    """The first update of a daily subscription is the REST history's last (forming) bar."""
    request = {"symbol": "ETHUSD", "resolution": "1D"}
    async with client(server.ws_url) as ws:
        await ws.subscribe("bars", request)
        (first,) = await _updates(ws, _topic("bars", request), 1)
    now = int(time.time())
    async with DatafeedClient(server.base_url) as api:
        history = await api.get_bars(
            symbol="ETHUSD", resolution="1D", from_=now, to=now + 1, count_back=2
        )
    live, latest = Bar.model_validate(first), history.bars[-1]
    assert live.time == latest.time == (now // 86_400) * 86_400_000
    assert live.open == latest.open  # the day's open is settled; the rest keeps moving


@pytest.mark.parametrize(
    "request_payload",
    [
        {"symbol": "NOPE", "resolution": "1"},
        {"symbol": "AAPL", "resolution": "7"},
        {"symbol": "AAPL", "resolution": "1440"},
    ],
)
async def test_ws_bad_bars_subscription_gets_an_error_and_the_connection_stays_usable(
    server: LiveDatafeed, request_payload: dict[str, str]
) -> None:
    route = "bars"
    topic = _topic(route, request_payload)
    async with client(server.ws_url) as ws:
        # A request the server refuses (unknown symbol, resolution not served or malformed):
        # the subscribe is answered with status error and the reason, and no producer starts.
        await ws.send(f"{route}.subscribe", request_payload)
        response = await ws.recv_type(f"{route}.subscribe.response")
        assert response["payload"]["status"] == "error"
        assert response["payload"]["topic"] == topic
        reason = response["payload"]["message"]
        assert ("unknown symbol" in reason) or ("resolution" in reason), reason
        await ws.send(f"{route}.unsubscribe", request_payload)
        response = await ws.recv_type(f"{route}.unsubscribe.response")
        assert response["payload"]["status"] == "error"  # it never was subscribed

        # Malformed payloads are rejected before any producer starts, and answered too.
        await ws.send("bars.subscribe", {"symbol": "AAPL"})
        invalid = await ws.recv_type("error")
        assert invalid["payload"]["code"] == "validation_error"
        assert [d["loc"] for d in invalid["payload"]["details"]] == [["resolution"]]
        response = await ws.recv_type("bars.subscribe.response")
        assert response["payload"]["status"] == "error"
        assert response["payload"]["topic"] == _topic("bars", {"symbol": "AAPL"})

        # The same connection still works.
        await ws.ping_until_pong("alive")
        good = {"symbol": "EURUSD", "resolution": "5"}
        await ws.subscribe("bars", good)
        (update,) = await _updates(ws, _topic("bars", good), 1)
        assert Bar.model_validate(update).time % 300_000 == 0


async def test_ws_quotes_for_an_unknown_symbol_are_error_quotes(server: LiveDatafeed) -> None:
    request = {"symbols": ["NOPE", "AAPL"]}
    async with client(server.ws_url) as ws:
        topic = (await ws.subscribe("quotes", request))["payload"]["topic"]
        assert topic == _topic("quotes", request)  # the default fast_symbols left out
        quotes = {q["n"]: q for q in await _updates(ws, topic, 2)}
    assert quotes["NOPE"]["s"] == "error" and "unknown symbol 'NOPE'" in quotes["NOPE"]["errmsg"]
    assert quotes["AAPL"]["s"] == "ok"
    invalid: list[dict[str, list[str]]] = [
        {"symbols": []},
        {"symbols": [], "fast_symbols": []},
        {"symbols": [""]},
    ]
    for payload in invalid:
        async with client(server.ws_url) as ws:
            await ws.send("quotes.subscribe", payload)
            error = await ws.recv_type("error")
            assert error["payload"]["code"] == "validation_error", payload
            response = await ws.recv_type("quotes.subscribe.response")
            assert response["payload"]["status"] == "error", payload


async def test_slow_history_request_does_not_stall_live_updates(tmp_path: Path) -> None:
    """A cold multi-year history request runs off the event loop; WS updates keep flowing."""
    request = {"symbols": ["BTCUSD"]}
    with datafeed_server(tmp_path, TICK_INTERVAL="0.02") as fresh:  # cold caches
        async with client(fresh.ws_url) as ws, httpx.AsyncClient(timeout=120) as http:
            topic = (await ws.subscribe("quotes", request))["payload"]["topic"]
            await _updates(ws, topic, 2)
            arrivals: list[float] = []

            async def listen() -> None:
                while True:
                    await ws.recv()
                    arrivals.append(time.perf_counter())

            listener = asyncio.create_task(listen())
            started = time.perf_counter()
            response = await http.get(
                fresh.url("/bars"),
                params={
                    "symbol": "MSFT",
                    "resolution": "240",
                    "from": 0,
                    "to": 2_000_000_000,
                    "countBack": 5000,
                },
            )
            finished = time.perf_counter()
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    assert response.status_code == 200 and len(response.json()["bars"]) > 4000
    duration = finished - started
    if duration < 0.5:
        pytest.skip(f"the history request took only {duration:.2f} s: nothing to observe")
    inside = [t for t in arrivals if started <= t <= finished]
    gaps = [b - a for a, b in pairwise([started, *inside, finished])]
    # Blocking the loop would leave one gap as long as the request.
    assert max(gaps) < duration / 2, (duration, max(gaps), len(inside))
