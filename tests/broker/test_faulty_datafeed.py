"""A broker whose datafeed server goes bad: HTML or wrong-shaped 200s, negative prices, or no
answer at all. The connection turns Disconnected, orders are refused with the declared 503
(no URL in the message), a resting order survives, and all recovers by itself.

The datafeed is a tiny HTTP server of the test's own on loopback, switched between modes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from support import Server, bearer

from trading_api.models.market import QuoteData, QuoteValues

from .live import TIMEOUT, replica, trading_server

pytestmark = pytest.mark.slow

SYMBOL = "ETHUSD"
BID, ASK = 2000.0, 2000.5
RESTING = {"symbol": SYMBOL, "type": 1, "side": 1, "qty": 1, "limitPrice": 1000.0}
MARKET = {"symbol": SYMBOL, "type": 2, "side": 1, "qty": 1}
CONNECTED, DISCONNECTED = 1, 3  # TradingView ConnectionStatus


class FakeDatafeed(ThreadingHTTPServer):
    """Answers `/resolve/{symbol}` and `/quotes` like a datafeed server, or badly (`mode`)."""

    daemon_threads = True
    mode = "ok"
    silence = threading.Event()
    """Set when the server should answer again (a "silent" request waits for it)."""

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeDatafeed

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # /api/v1/datafeed/resolve/{symbol}
        info = replica().resolve(self.path.rsplit("/", 1)[-1])
        self._answer(200, info.model_dump_json(by_alias=True, exclude_none=True).encode())

    def do_POST(self) -> None:  # /api/v1/datafeed/quotes
        length = int(self.headers.get("content-length", 0))
        symbols = json.loads(self.rfile.read(length))["symbols"]
        mode = self.server.mode
        if mode == "silent":
            self.server.silence.wait(TIMEOUT)
            return
        if mode == "html":
            self._answer(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
            return
        if mode == "shape":
            self._answer(200, b'{"quotes": "soon"}')
            return
        bid, ask = (-BID, -ASK) if mode == "negative" else (BID, ASK)
        quotes = [
            QuoteData(s="ok", n=symbol, v=QuoteValues(bid=bid, ask=ask, lp=bid))
            for symbol in symbols
        ]
        body = json.dumps([q.model_dump(by_alias=True, exclude_none=True) for q in quotes])
        self._answer(200, body.encode())

    def _answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Setup:
    datafeed: FakeDatafeed
    broker: Server
    http: httpx.Client
    resting: str

    def connection(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.get("/connection").raise_for_status().json()
        return answer

    def wait_for_status(self, status: int) -> dict[str, Any]:
        """Poll `/connection` until it reports `status` (the quote feed polls every 0.2 s)."""
        for _ in range(int(TIMEOUT / 0.05)):
            connection = self.connection()
            if connection["status"] == status:
                return connection
            threading.Event().wait(0.05)  # pace of the polling, not a stand-in for a condition
        raise AssertionError(f"connection never reached {status}: {self.connection()}")


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    datafeed = FakeDatafeed(("127.0.0.1", 0), _Handler)
    threading.Thread(target=datafeed.serve_forever, daemon=True).start()
    env = {
        "TRADING_API_BROKER_DATAFEED_URL": datafeed.url,
        "TRADING_API_BROKER_QUOTE_INTERVAL": "0.2",
        "TRADING_API_BROKER_DATAFEED_TIMEOUT": "1",
    }
    try:
        with trading_server(["broker"], **env) as broker:
            base = f"{broker.base_url}/api/v1/broker"
            with httpx.Client(base_url=base, headers=bearer(broker.api_key), timeout=30) as http:
                resting = http.post("/orders", json=RESTING).raise_for_status().json()["id"]
                yield Setup(datafeed, broker, http, resting)
    finally:
        datafeed.silence.set()
        datafeed.shutdown()


@pytest.mark.parametrize("mode", ["html", "shape", "negative", "silent"])
def test_a_faulty_datafeed_disconnects_refuses_orders_and_recovers(setup: Setup, mode: str) -> None:
    setup.datafeed.silence.clear()
    setup.datafeed.mode = mode

    down = setup.wait_for_status(DISCONNECTED)
    refused = setup.http.post("/orders", json=MARKET)

    assert down["disconnectType"] is not None
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "market_data_unavailable"
    for message in (refused.json()["message"], down["message"]):
        assert setup.datafeed.url not in message and "127.0.0.1" not in message

    setup.datafeed.mode = "ok"
    setup.datafeed.silence.set()
    assert setup.wait_for_status(CONNECTED)["status"] == CONNECTED
    order = setup.http.get(f"/orders/{setup.resting}").raise_for_status().json()
    assert order["status"] == 6  # still Working
    placed = setup.http.post("/orders", json=MARKET)
    assert placed.status_code == 201 and placed.json()["status"] == 2  # Filled
