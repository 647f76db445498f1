"""Helpers of the live-server broker tests: servers, a WebSocket session, replayed quotes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from storage.databases import migrated_database  # isort: skip (ruff: first-party)
from support import ROOT, Server, bearer, clean_env, serve
from websockets.asyncio.client import ClientConnection, connect
from ws.contract import ContractViolation, FrameContract, served_contract

from trading_api.models.broker import Side
from trading_api.modules.datafeed.settings import DatafeedSettings
from trading_api.modules.datafeed.simulator import SimulatorSource

TIMEOUT = 15.0
"""Upper bound of any single wait; tests wait for conditions, never for time."""
ACCOUNT = "DEMO-1"


@contextmanager
def trading_server(modules: Sequence[str] = (), **env: str) -> Iterator[Server]:
    """`trading-api serve --port 0 [--modules …]` in a subprocess, on a fresh migrated SQLite
    database unless `env` names one (``TRADING_API_DATABASE_URL``)."""
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    if modules:
        command += ["--modules", ",".join(modules)]
    if "TRADING_API_DATABASE_URL" not in env:
        env["TRADING_API_DATABASE_URL"] = fresh_sqlite_url()
    with serve(command, cwd=ROOT, env=clean_env(**env)) as server:
        yield server


def fresh_sqlite_url() -> str:
    """A new migrated SQLite database (a copy of the session's template) as a URL."""
    settings = migrated_database("sqlite", Path(tempfile.mkdtemp(prefix="trading-api-db-")))
    return f"sqlite:///{settings.url.database}"


def ws_url(base_url: str, module: str = "broker") -> str:
    return base_url.replace("http://", "ws://", 1) + f"/api/v1/{module}/ws"


@dataclass
class WsSession:
    """A real `websockets` client that records every frame it receives, in order.

    Each frame is checked against the server's AsyncAPI document: a violation fails the
    waiting test at once and the session at exit.
    """

    ws: ClientConnection
    contract: FrameContract
    frames: list[dict[str, Any]] = field(default_factory=list)
    violations: list[ContractViolation] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def _read(self) -> None:
        async for raw in self.ws:
            assert isinstance(raw, str), "the server sends text frames only"
            frame = json.loads(raw)
            try:
                self.contract.check(frame)
            except ContractViolation as violation:
                self.violations.append(violation)
            self.frames.append(frame)
            self._arrived.set()

    def assert_contract_kept(self) -> None:
        if self.violations:
            raise self.violations[0]

    async def send(self, message_type: str, payload: Any) -> None:
        await self.ws.send(json.dumps({"type": message_type, "payload": payload}))

    async def subscribe(self, route: str, payload: dict[str, Any]) -> str:
        """Subscribe and wait for the `ok` response; returns the topic."""
        await self.send(f"{route}.subscribe", payload)
        response = await self.wait_for(f"{route}.subscribe.response")
        assert response["status"] == "ok", response
        topic = response["topic"]
        assert isinstance(topic, str)
        return topic

    async def wait_for(
        self,
        message_type: str,
        where: Callable[[dict[str, Any]], bool] = lambda payload: True,
        timeout: float = TIMEOUT,
    ) -> dict[str, Any]:
        """Payload of the first frame (already received or not) of that type matching `where`.

        For updates the payload is the route's data (the envelope's `payload.payload`).
        """
        async with asyncio.timeout(timeout):
            seen = 0
            while True:
                self.assert_contract_kept()
                for frame in self.frames[seen:]:
                    if frame["type"] == message_type:
                        payload = frame["payload"]
                        data = payload["payload"] if message_type.endswith(".update") else payload
                        if where(data):
                            return dict(data)
                seen = len(self.frames)
                self._arrived.clear()
                await self._arrived.wait()

    def index(self, message_type: str, where: Callable[[dict[str, Any]], bool]) -> int:
        """Position of the first received update of that type matching `where`."""
        for position, frame in enumerate(self.frames):
            if frame["type"] == message_type and where(frame["payload"]["payload"]):
                return position
        raise AssertionError(f"no {message_type} frame matches")


@asynccontextmanager
async def ws_session(url: str, api_key: str) -> AsyncIterator[WsSession]:
    """A session authenticated with `api_key` (e.g. `Server.api_key`)."""
    contract = await served_contract(url)
    async with connect(
        url, open_timeout=TIMEOUT, close_timeout=TIMEOUT, additional_headers=bearer(api_key)
    ) as ws:
        session = WsSession(ws, contract)
        reader = asyncio.create_task(session._read())
        try:
            yield session
        finally:
            reader.cancel()
    session.assert_contract_kept()


@dataclass(frozen=True)
class AskRange:
    """The asks a simulated datafeed quoted during a time window, and its tick size."""

    low: float
    high: float
    tick: float

    def __contains__(self, price: object) -> bool:
        """Within the sampled range, widened by one tick: the path between two 1 ms samples
        is linear and rounded to ticks, so it can pass at most one tick beyond them."""
        assert isinstance(price, float)
        return self.low - self.tick - 1e-9 <= price <= self.high + self.tick + 1e-9


def replica(seed: int | None = None) -> SimulatorSource:
    """The deterministic simulator a datafeed server runs with these settings."""
    settings = DatafeedSettings.from_env()  # what a server started with this environment reads
    if seed is not None:
        settings = dataclasses.replace(settings, seed=seed)
    return SimulatorSource.from_settings(settings)


def reachable_limit(
    source: SimulatorSource, symbol: str, *, rests_for: float, within: float
) -> tuple[Side, float]:
    """A limit order the simulated market does not reach in the next `rests_for` seconds
    (while it is placed, on a loaded machine) but crosses by a few ticks within `within`
    seconds after (the quote feed polls every 0.1 s: it sees the crossing): of a buy below every
    ask and a sell above every bid of those first seconds, the one crossed first, so a test
    waits as little as the market allows (over 60 random ETHUSD starts, 1.1 s on average after
    the rest, at most 10.9 s; 6.6 s and 58.7 s for the buy alone). Simulated prices have quiet
    spells: ETHUSD stayed within three ticks for 4 + 10 s in 27 % of the starts sampled over an
    hour, for 4 + 20 s in 5 of 300 over three hours, for 4 + 40 s in 2 of 400; BTCUSD once in
    288 for 2 + 10 s, never in 300 for 4 + 20 s."""
    now = time.time()
    first = [
        source.quote(symbol, now=now + step / 100).v for step in range(round(rests_for * 100) + 1)
    ]
    margin = 0.03  # three ticks
    buy = round(min(q.ask for q in first if q.ask is not None) - 0.01, 2)
    sell = round(max(q.bid for q in first if q.bid is not None) + 0.01, 2)
    for step in range(round(within * 100) + 1):
        quote = source.quote(symbol, now=now + rests_for + step / 100).v
        if quote.ask is not None and quote.ask <= buy - margin:
            return Side.Buy, buy
        if quote.bid is not None and quote.bid >= sell + margin:
            return Side.Sell, sell
    raise AssertionError("the simulated price stays within a narrow range: no limit to test")


def asks_between(source: SimulatorSource, symbol: str, start: float, end: float) -> AskRange:
    """Every ask `source` quotes for `symbol` in `[start, end]` (Unix s), sampled each ms."""
    steps = max(1, round((end - start) * 1000))
    asks = []
    for step in range(steps + 1):
        quote = source.quote(symbol, now=start + (end - start) * step / steps)
        assert quote.v.ask is not None
        asks.append(quote.v.ask)
    info = source.resolve(symbol)
    return AskRange(min(asks), max(asks), info.minmov / info.pricescale)


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = TIMEOUT, pause: float = 0.02
) -> Any:
    """Await `check()` until it returns a truthy value (polling an endpoint), or fail."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(pause)  # pace of the polling, not a stand-in for the condition


def write_daily_csv(directory: Path, symbol: str, closes: Sequence[float]) -> Path:
    """`<symbol>.csv` with one daily bar per close (static prices: the quote is the last bar).

    The datafeed quotes such a symbol at `close ± half spread`, on its two-decimal tick.
    """
    lines = ["time,open,high,low,close,volume"]
    day = date(2024, 3, 1)
    previous = closes[0]
    for close in closes:
        low, high = min(previous, close), max(previous, close)
        lines.append(f"{day.isoformat()},{previous:.2f},{high:.2f},{low:.2f},{close:.2f},1000")
        previous = close
        day += timedelta(days=1)
    path = directory / f"{symbol}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
