"""The spec never says one thing and the server another, for errors.

Every error response the merged OpenAPI document declares — each (operation, status, code),
the codes being the examples of an `ErrorResponse` answer — is produced against live servers,
and each body validates against the declared schema. A declared answer no request can produce
fails, and so does a request answered otherwise. Also: 405 and `OPTIONS` list every method of
the path in `Allow`, and a body holding `NaN`/`Infinity` or undecodable bytes never turns into
a 500.

One server runs every module; a second pair runs the broker against a datafeed server that the
test stops, for the broker's 503 (market data unavailable); a broker on a PostgreSQL of its own
that the test stops answers 503 `database_unavailable` (then 2xx again once PostgreSQL is back,
without a restart); two core servers answer readiness 503s: one whose Redis stopped
(`not_ready`), one told to stop and draining (`draining`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from broker.live import trading_server, ws_session, ws_url
from cluster.redis_server import start_redis
from jsonschema import Draft202012Validator
from storage.postgres_server import PostgresServer, start_postgres
from support import ROOT, bearer, together, wait_for
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from trading_api.framework.errors import DatabaseUnavailableError
from trading_api.framework.limits import DEFAULT_MAX_BODY_BYTES

pytestmark = pytest.mark.slow

SYMBOL = "ETHUSD"  # trades 24x7: market orders fill whenever the test runs
NOBODY = "NO-SUCH-ACCOUNT"
TIMEOUT = 30.0
MARKET, LIMIT, BUY = 2, 1, 1  # TradingView OrderType.Market, OrderType.Limit, Side.Buy
HUGE_QTY = 100_000  # a valid quantity whose margin exceeds the demo account's equity
MALFORMED = b'{"symbol": '
ORDER_LIMITS = {"TRADING_API_ORDER_BURST": "40", "TRADING_API_ORDER_RATE": "0.2"}
"""Orders per key: more than the other requests place, few enough to provoke 429 quickly."""
ORDER_BURST = int(ORDER_LIMITS["TRADING_API_ORDER_BURST"])
PLACE_KEY, CLOSE_KEY = "contract-place", "contract-close"
"""Idempotency keys the set-up uses once: reusing them with another request is refused."""


@dataclass(frozen=True)
class Request:
    """One request to an operation: its path parameters, query and body."""

    path: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    content: bytes | None = None
    """Raw body (sent as JSON) instead of `body`."""
    headers: dict[str, str] = field(default_factory=dict)

    def with_params(self, **params: Any) -> Request:
        return dataclasses.replace(self, params={**self.params, **params})

    def with_path(self, **path: str) -> Request:
        return dataclasses.replace(self, path={**self.path, **path})

    def with_symbol(self, symbol: str) -> Request:
        """The same request naming `symbol` wherever it names one."""
        if "symbol" in self.path:
            return self.with_path(symbol=symbol)
        if "symbol" in self.params:
            return self.with_params(symbol=symbol)
        assert isinstance(self.body, dict) and "symbol" in self.body, self
        return dataclasses.replace(self, body={**self.body, "symbol": symbol})


@dataclass(frozen=True)
class State:
    """What a broker server holds for the requests to refer to."""

    ask: float
    working_order: str = ""
    bracket_order: str = ""
    filled_order: str = ""
    position: str = ""


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict[str, Any]

    def send(self, http: httpx.Client, base_url: str, request: Request) -> httpx.Response:
        url = base_url + self.template.format(**request.path)
        content = request.content
        if content is None and request.body is not None:
            content = json.dumps(request.body).encode()
        headers = {**request.headers}
        if content is not None:
            headers["content-type"] = "application/json"
        return http.request(
            self.method, url, params=request.params, content=content, headers=headers
        )


def _order(**fields: Any) -> dict[str, Any]:
    return {"symbol": SYMBOL, "type": MARKET, "side": BUY, "qty": 1, **fields}


def _leverage(**fields: Any) -> dict[str, Any]:
    return {"symbol": SYMBOL, "orderType": MARKET, "side": BUY, "leverage": 10, **fields}


def valid_request(operation_id: str, state: State) -> Request:
    """A request each operation accepts: the base that each error case changes one thing of."""
    bars = {"symbol": "AAPL", "resolution": "1D", "from": 1_700_000_000, "to": 1_700_600_000}
    requests = {
        "datafeed_search_symbols": Request(params={"query": "A"}),
        "datafeed_resolve_symbol": Request(path={"symbol": "AAPL"}),
        "datafeed_get_bars": Request(params=bars),
        "datafeed_get_quotes": Request(body={"symbols": ["AAPL"]}),
        "broker_get_orders": Request(),
        "broker_get_order": Request(path={"order_id": state.working_order}),
        "broker_place_order": Request(body=_order()),
        "broker_preview_order": Request(body=_order()),
        "broker_modify_order": Request(path={"order_id": state.working_order}, body={"qty": 2}),
        "broker_cancel_order": Request(path={"order_id": state.working_order}),
        "broker_get_positions": Request(),
        "broker_get_position": Request(path={"position_id": state.position}),
        "broker_close_position": Request(path={"position_id": state.position}),
        "broker_edit_position_brackets": Request(
            path={"position_id": state.position}, body={"takeProfit": round(state.ask * 2, 2)}
        ),
        "broker_get_executions": Request(path={"symbol": SYMBOL}),
        "broker_get_account": Request(),
        "broker_get_connection_status": Request(),
        "broker_get_leverage_info": Request(
            params={"symbol": SYMBOL, "orderType": MARKET, "side": BUY}
        ),
        "broker_set_leverage": Request(body=_leverage()),
        "broker_preview_leverage": Request(body=_leverage()),
        "broker_get_accounts": Request(),
        "broker_create_ws_ticket": Request(),
        "core_get_readiness": Request(),
    }
    return requests[operation_id]


Key = tuple[str, int, str | None]
"""(operationId, status, `ErrorResponse` code or None for a 422 validation error)."""
Make = Callable[[Request, State], Request]

GENERIC: dict[str, Make] = {
    "account_not_found": lambda r, s: r.with_params(accountId=NOBODY),
    "order_not_found": lambda r, s: r.with_path(order_id="ORD-404"),
    "position_not_found": lambda r, s: r.with_path(position_id="POS-404"),
    "unknown_symbol": lambda r, s: r.with_symbol("NOPE"),
    "malformed_body": lambda r, s: dataclasses.replace(r, content=MALFORMED),
    "payload_too_large": lambda r, s: dataclasses.replace(
        r, content=b" " * (DEFAULT_MAX_BODY_BYTES + 1)
    ),
    "market_data_unavailable": lambda r, s: r,  # sent to the broker whose datafeed is gone
    "database_unavailable": lambda r, s: r,  # sent to the broker whose PostgreSQL is down
    "not_ready": lambda r, s: r,  # sent to the core server whose Redis is gone
    "draining": lambda r, s: r,  # sent to the core server that is shutting down
    "unauthenticated": lambda r, s: dataclasses.replace(
        r, headers={**r.headers, "Authorization": "Bearer tapi_no-such-key"}
    ),
}
"""How to provoke each code on any operation declaring it."""

SPECIFIC: dict[Key, Make] = {
    ("broker_place_order", 409, "insufficient_margin"): lambda r, s: dataclasses.replace(
        r, body=_order(qty=HUGE_QTY)
    ),
    # sent until the key's bucket is empty (`_drained`): refused orders count too
    ("broker_place_order", 429, "rate_limited"): lambda r, s: dataclasses.replace(
        r, body=_order(qty=HUGE_QTY)
    ),
    ("broker_place_order", 400, "invalid_order"): lambda r, s: dataclasses.replace(
        r, body=_order(qty=1.0005)  # off the quantity step
    ),
    ("broker_place_order", 409, "idempotency_key_reused"): lambda r, s: dataclasses.replace(
        r, headers={"Idempotency-Key": PLACE_KEY}
    ),
    ("broker_close_position", 409, "idempotency_key_reused"): lambda r, s: dataclasses.replace(
        r.with_params(amount=0.002), headers={"Idempotency-Key": CLOSE_KEY}
    ),
    ("broker_modify_order", 409, "insufficient_margin"): lambda r, s: dataclasses.replace(
        r, body={"qty": HUGE_QTY}
    ),
    ("broker_modify_order", 409, "order_not_modifiable"): lambda r, s: r.with_path(
        order_id=s.filled_order
    ),
    ("broker_cancel_order", 409, "order_not_modifiable"): lambda r, s: r.with_path(
        order_id=s.filled_order
    ),
    # a bracket order accepts only its own price
    ("broker_modify_order", 400, "invalid_order"): lambda r, s: r.with_path(
        order_id=s.bracket_order
    ),
    ("broker_close_position", 400, "invalid_order"): lambda r, s: r.with_params(amount=999_999),
    # a long position's take-profit must be above the market
    ("broker_edit_position_brackets", 400, "invalid_order"): lambda r, s: dataclasses.replace(
        r, body={"takeProfit": round(s.ask / 2, 2)}
    ),
    ("broker_set_leverage", 400, "invalid_leverage"): lambda r, s: dataclasses.replace(
        r, body=_leverage(leverage=1000)
    ),
    ("datafeed_get_bars", 400, "invalid_range"): lambda r, s: r.with_params(to=1_600_000_000),
    ("datafeed_get_bars", 400, "range_too_large"): lambda r, s: r.with_params(countBack=20_001),
    ("datafeed_get_bars", 400, "unknown_resolution"): lambda r, s: r.with_params(
        resolution="2"
    ),  # valid, not served
    ("datafeed_get_bars", 422, None): lambda r, s: r.with_params(countBack=0),
    ("datafeed_search_symbols", 422, None): lambda r, s: r.with_params(limit=0),
    ("datafeed_get_quotes", 422, None): lambda r, s: dataclasses.replace(r, body={"symbols": []}),
    ("broker_close_position", 422, None): lambda r, s: r.with_params(amount=0),
    ("broker_get_leverage_info", 422, None): lambda r, s: r.with_params(side=7),
}
"""Cases no generic change provokes. Every other broker 422: an empty `accountId`."""


def how_to_provoke(key: Key) -> Make:
    operation_id, status, code = key
    if key in SPECIFIC:
        return SPECIFIC[key]
    if code is not None and code in GENERIC:
        return GENERIC[code]
    if code is None and operation_id.startswith("broker_"):
        return lambda r, s: r.with_params(accountId="")
    raise AssertionError(f"{operation_id} declares {status} {code or ''}: nothing provokes it")


# -- the served contract ------------------------------------------------------------------------


def operations(spec: dict[str, Any]) -> dict[str, Operation]:
    return {
        op["operationId"]: Operation(method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }


def declared_errors(spec: dict[str, Any]) -> Iterator[Key]:
    for operation_id, operation in operations(spec).items():
        for status, response in operation.spec["responses"].items():
            if int(status) < 400:
                continue
            media = response["content"]["application/json"]
            codes = list(media.get("examples", {})) if int(status) != 422 else [None]
            assert codes, f"{operation_id} {status}: no code documented"
            for code in codes:
                yield operation_id, int(status), code


def assert_declared(spec: dict[str, Any], operation: Operation, response: httpx.Response) -> Any:
    """The response's status is declared and its body validates against the declared schema."""
    declared = operation.spec["responses"]
    status = str(response.status_code)
    assert status in declared, (operation.template, status, response.text)
    schema = declared[status]["content"]["application/json"]["schema"]
    body = response.json()
    Draft202012Validator({**schema, "components": spec["components"]}).validate(body)
    return body


# -- servers ------------------------------------------------------------------------------------


@dataclass
class Live:
    base_url: str
    http: httpx.Client
    spec: dict[str, Any]
    state: State

    def send(self, operation_id: str, request: Request) -> httpx.Response:
        return operations(self.spec)[operation_id].send(self.http, self.base_url, request)


def _prepare(http: httpx.Client, base_url: str) -> State:
    """A working order with a bracket, a filled order and an open position."""
    broker = f"{base_url}/api/v1/broker"
    price = _ask(http, base_url)
    working = http.post(
        f"{broker}/orders",
        json=_order(type=LIMIT, limitPrice=round(price / 2, 2), takeProfit=round(price / 1.5, 2)),
        headers={"Idempotency-Key": PLACE_KEY},
    ).raise_for_status()
    filled = http.post(f"{broker}/orders", json=_order()).raise_for_status()
    orders = http.get(f"{broker}/orders").raise_for_status().json()
    (bracket,) = [o["id"] for o in orders if o.get("parentId") == working.json()["id"]]
    (position,) = http.get(f"{broker}/positions").raise_for_status().json()
    closing = {"amount": 0.001}
    headers = {"Idempotency-Key": CLOSE_KEY}
    http.delete(f"{broker}/positions/{position['id']}", params=closing, headers=headers)
    return State(
        ask=price,
        working_order=working.json()["id"],
        bracket_order=bracket,
        filled_order=filled.json()["id"],
        position=position["id"],
    )


def _ask(http: httpx.Client, base_url: str) -> float:
    """The symbol's ask from any datafeed server (the broker's own, or its remote one)."""
    quotes = http.post(f"{base_url}/api/v1/datafeed/quotes", json={"symbols": [SYMBOL]})
    ask = quotes.raise_for_status().json()[0]["v"]["ask"]
    assert isinstance(ask, float)
    return ask


def _fresh_database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Server settings of an empty database: no state (or used key) from an earlier run."""
    path = tmp_path_factory.mktemp("db") / "trading.db"
    return {
        "TRADING_API_DATABASE_URL": f"sqlite:///{path}",
        "TRADING_API_DATABASE_AUTO_MIGRATE": "true",
    }


@dataclass
class Started:
    """A server a set-up left in the state its errors need; `Live` once the spec is known."""

    base_url: str
    http: httpx.Client
    state: State | None = None

    def live(self, spec: dict[str, Any], state: State) -> Live:
        return Live(self.base_url, self.http, spec, self.state or state)


@dataclass
class Outage:
    """A broker server on a PostgreSQL of its own, halted (`resume` brings it back)."""

    live: Live
    postgres: PostgresServer
    api_key: str


@dataclass(frozen=True)
class Servers:
    live: Live
    no_market: Live
    stopped_datafeed: str
    """The base URL of `no_market`'s datafeed server (stopped): no answer may reveal it."""
    no_database: Outage
    unready: Live
    draining: Live


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Every server the tests get errors from, set up at once (in the time of the slowest)."""
    with together(
        _every_module(_fresh_database(tmp_path_factory)),
        _no_market(_fresh_database(tmp_path_factory)),
        _no_database(),
        _unready(),
        _draining(),
    ) as (everything, (no_market, datafeed), (no_database, postgres, api_key), unready, draining):
        spec = everything.http.get(f"{everything.base_url}/api/v1/openapi.json")
        live = everything.live(spec.raise_for_status().json(), everything.state)
        yield Servers(
            live=live,
            no_market=no_market.live(live.spec, live.state),
            stopped_datafeed=datafeed,
            no_database=Outage(no_database.live(live.spec, live.state), postgres, api_key),
            unready=unready.live(live.spec, live.state),
            draining=draining.live(live.spec, live.state),
        )


@pytest.fixture(scope="module")
def live(servers: Servers) -> Live:
    """Every module in one server, on a database of its own."""
    return servers.live


@pytest.fixture(scope="module")
def no_database(servers: Servers) -> Outage:
    """A broker server whose PostgreSQL stopped after the server started (and checked a key)."""
    return servers.no_database


@contextmanager
def _every_module(database: dict[str, str]) -> Iterator[Started]:
    with (
        trading_server(**database, **ORDER_LIMITS) as server,
        httpx.Client(timeout=TIMEOUT, headers=bearer(server.api_key)) as http,
    ):
        yield Started(server.base_url, http, _prepare(http, server.base_url))


@contextmanager
def _no_market(database: dict[str, str]) -> Iterator[tuple[Started, str]]:
    """A broker server whose datafeed server stopped after the broker's state was made."""
    with (
        trading_server(["datafeed"]) as datafeed,
        trading_server(
            ["broker"], TRADING_API_BROKER_DATAFEED_URL=datafeed.base_url, **database
        ) as broker,
        httpx.Client(timeout=TIMEOUT, headers=bearer(broker.api_key)) as http,
    ):
        state = _prepare_remote(http, broker.base_url, datafeed.base_url)
        datafeed.process.terminate()
        datafeed.process.wait(timeout=15)
        yield Started(broker.base_url, http, state), datafeed.base_url


@contextmanager
def _no_database() -> Iterator[tuple[Started, PostgresServer, str]]:
    postgres = start_postgres()
    database = {
        "TRADING_API_DATABASE_URL": postgres.url.render_as_string(hide_password=False),
        "TRADING_API_DATABASE_AUTO_MIGRATE": "true",
    }
    try:
        with (
            trading_server(["broker"], **database) as server,
            httpx.Client(timeout=TIMEOUT, headers=bearer(server.api_key)) as http,
        ):
            http.get(f"{server.base_url}/api/v1/broker/account").raise_for_status()
            postgres.halt()  # pooled connections are cut: the next use finds out
            yield Started(server.base_url, http), postgres, server.api_key
    finally:
        postgres.stop()


@contextmanager
def _unready() -> Iterator[Started]:
    """A core server in cluster mode whose Redis stopped: not ready."""
    redis = start_redis()
    try:
        with (
            trading_server(["core"], TRADING_API_REDIS_URL=redis.url) as server,
            httpx.Client(timeout=TIMEOUT) as http,
        ):
            redis.stop()
            yield Started(server.base_url, http)
    finally:
        redis.close()


@contextmanager
def _draining() -> Iterator[Started]:
    """A core server told to stop, still serving for its drain time (until SIGINT)."""
    with (
        trading_server(["core"], TRADING_API_DRAIN_SECONDS="60") as server,
        httpx.Client(timeout=TIMEOUT) as http,
    ):
        server.process.send_signal(signal.SIGTERM)
        ready = f"{server.base_url}/api/v1/core/ready"
        wait_for(lambda: http.get(ready).status_code == 503, timeout=TIMEOUT, what="draining")
        yield Started(server.base_url, http)
        server.process.send_signal(signal.SIGINT)  # ends the drain time at once


def _prepare_remote(http: httpx.Client, broker_url: str, datafeed_url: str) -> State:
    price = _ask(http, datafeed_url)
    broker = f"{broker_url}/api/v1/broker"
    working = http.post(f"{broker}/orders", json=_order(type=LIMIT, limitPrice=round(price / 2, 2)))
    http.post(f"{broker}/orders", json=_order()).raise_for_status()
    (position,) = http.get(f"{broker}/positions").raise_for_status().json()
    return State(
        ask=price, working_order=working.raise_for_status().json()["id"], position=position["id"]
    )


# -- tests --------------------------------------------------------------------------------------


def test_every_declared_error_is_produced_with_the_declared_body(servers: Servers) -> None:
    live = servers.live
    declared = sorted(declared_errors(live.spec), key=lambda key: (key[0], key[1], key[2] or ""))
    assert len(declared) > 50  # the broker, the datafeed, and the shared 400 and 422
    elsewhere = {
        "market_data_unavailable": servers.no_market,
        "database_unavailable": servers.no_database.live,
        "not_ready": servers.unready,
        "draining": servers.draining,
    }
    problems = []
    for key in declared:
        operation_id, status, code = key
        server = elsewhere.get(code or "", live)
        request = how_to_provoke(key)(valid_request(operation_id, server.state), server.state)
        response = server.send(operation_id, request)
        for _ in range(ORDER_BURST if code == "rate_limited" else 0):
            if response.status_code == status:
                break
            response = server.send(operation_id, request)  # until the burst is used up
        operation = operations(live.spec)[operation_id]
        if response.status_code != status:
            problems.append(f"{key}: got {response.status_code} {response.text[:200]}")
            continue
        body = assert_declared(live.spec, operation, response)
        if code is not None and body["code"] != code:
            problems.append(f"{key}: got code {body['code']!r}")
        if code == "database_unavailable" and not response.headers["retry-after"].isdigit():
            problems.append(f"{key}: Retry-After {response.headers['retry-after']!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.anyio
async def test_a_database_outage_is_a_503_and_passes_without_a_restart(
    no_database: Outage,
) -> None:
    """Down: the WebSocket handshake (its key cannot be checked) answers 503. Back: REST
    answers 2xx again on the same server. Down again: a WebSocket opened meanwhile has its
    subscription refused with `status: error` naming the reason."""
    outage, url = no_database.live, ws_url(no_database.live.base_url)
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers=bearer(no_database.api_key)):
            pass
    assert refused.value.response.status_code == 503
    assert json.loads(refused.value.response.body or b"")["code"] == "database_unavailable"

    accounts = f"{outage.base_url}/api/v1/broker/accounts"
    no_database.postgres.resume()
    try:
        answer = wait_for(
            lambda: (served := outage.http.get(accounts)).status_code == 200 and served,
            timeout=TIMEOUT,
            what="the broker serving again once PostgreSQL is back",
        )
        assert isinstance(answer, httpx.Response)
        account_id = answer.json()[0]["id"]
        async with ws_session(url, no_database.api_key) as ws:
            no_database.postgres.halt()
            await ws.send("equity.subscribe", {"accountId": account_id})
            response = await ws.wait_for("equity.subscribe.response")
    finally:
        if no_database.postgres.running:
            no_database.postgres.halt()  # as the fixture promises the other tests
    assert response["status"] == "error", response
    assert response["message"] == DatabaseUnavailableError().message, response


def test_a_503_does_not_reveal_the_datafeed_address(servers: Servers) -> None:
    orders = f"{servers.no_market.base_url}/api/v1/broker/orders"
    answer = servers.no_market.http.post(orders, json=_order())
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "market_data_unavailable"
    address = httpx.URL(servers.stopped_datafeed)
    for revealing in (servers.stopped_datafeed, address.host, str(address.port)):
        assert revealing not in answer.text


def test_every_code_answered_is_documented_on_its_response(live: Live) -> None:
    """The examples of each `ErrorResponse` answer are exactly the codes it can carry."""
    for operation_id, operation in operations(live.spec).items():
        for status, response in operation.spec["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            if media.get("schema") == {"$ref": "#/components/schemas/ErrorResponse"}:
                for code, example in media["examples"].items():
                    assert example["value"]["code"] == code
                    assert f"`{code}`" in response["description"], (operation_id, status)


def test_405_and_options_allow_every_method_of_the_path(live: Live) -> None:
    methods = ["DELETE", "GET", "PATCH", "POST", "PUT"]
    for template, item in live.spec["paths"].items():
        served = sorted(method.upper() for method in item)
        url = live.base_url + re.sub(r"\{[^}]+\}", "X", template)
        for method in sorted(set(methods) - set(served)):
            response = live.http.request(method, url)
            assert response.status_code == 405, (method, template, response.text)
            assert response.headers["allow"] == ", ".join([*served, "OPTIONS"]), method
            assert response.json()["code"] == "method_not_allowed"
        options = live.http.options(url)
        assert (options.status_code, options.content) == (204, b""), template
        assert options.headers["allow"] == ", ".join([*served, "OPTIONS"]), template
    leverage = live.http.delete(f"{live.base_url}/api/v1/broker/leverage")
    assert leverage.headers["allow"] == "GET, PUT, OPTIONS"


def _with_numbers(value: Any, number: float) -> Any:
    if isinstance(value, dict):
        return {key: _with_numbers(item, number) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_numbers(item, number) for item in value]
    return number if isinstance(value, int | float) else value


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_with_a_serialisable_422(live: Live, number: float) -> None:
    """Python's JSON parser reads `NaN`/`Infinity`; the 422 that echoes them must stay JSON."""
    tested = []
    for operation_id, operation in operations(live.spec).items():
        if "requestBody" not in operation.spec:
            continue
        body = valid_request(operation_id, live.state).body
        if body == _with_numbers(body, 0):
            continue  # no number to replace
        content = json.dumps(_with_numbers(body, number)).encode()
        request = dataclasses.replace(valid_request(operation_id, live.state), content=content)
        response = live.send(operation_id, request)
        assert response.status_code == 422, (operation_id, response.text)
        assert_declared(live.spec, operation, response)
        tested.append(operation_id)
    assert len(tested) >= 5, tested


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"NaN", 422), (b"1e400", 422), (b"", 422), (b"\xff\xfe{}", 400), (MALFORMED, 400)],
)
def test_odd_bodies_get_a_declared_answer(live: Live, content: bytes, status: int) -> None:
    for operation_id, operation in operations(live.spec).items():
        if "requestBody" not in operation.spec:
            continue
        request = dataclasses.replace(valid_request(operation_id, live.state), content=content)
        response = live.send(operation_id, request)
        assert response.status_code == status, (operation_id, response.text)
        assert_declared(live.spec, operation, response)


def test_docs_list_every_code_with_its_status(live: Live) -> None:
    """docs/errors.md's table of codes and the spec agree (plus the undeclared framework ones)."""
    table = (ROOT / "docs/errors.md").read_text().split("## Codes", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for row in re.findall(r"^\| (`.+?) \| ([\d, ]+) \|", table, flags=re.MULTILINE):
        codes, statuses = re.findall(r"`(\w+)`", row[0]), row[1].split(", ")
        if len(statuses) == 1:  # one status for every code of the row
            statuses *= len(codes)
        pairs = zip(codes, statuses, strict=True)
        documented |= {(code, int(status)) for code, status in pairs}
    declared = {(code, status) for _, status, code in declared_errors(live.spec) if code}
    undeclared = {("not_found", 404), ("method_not_allowed", 405), ("internal_error", 500)}
    undeclared |= {("invalid_host", 400), ("origin_not_allowed", 403)}  # framework.security
    assert documented == declared | undeclared


def test_links_name_operations_and_parameters_of_the_merged_spec(live: Live) -> None:
    """Links survive the merge (operation ids get their module prefix)."""
    ops = operations(live.spec)
    links = [
        link
        for operation in ops.values()
        for response in operation.spec["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert links
    for link in links:
        target = ops[link["operationId"]].spec
        names = {parameter["name"] for parameter in target.get("parameters", [])}
        assert set(link["parameters"]) <= names, link


def test_unknown_paths_answer_the_error_shape(live: Live) -> None:
    for path in ["/nowhere", "/api/v1/broker/nowhere", "/api/v1/datafeed/resolve"]:
        response = live.http.get(live.base_url + path)
        assert response.status_code == 404, path
        assert response.json() == {"code": "not_found", "message": "Not Found"}
