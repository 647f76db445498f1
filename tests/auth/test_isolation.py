"""Two users on one live server: neither reads, changes, cancels nor subscribes to the other's
account — a foreign account answers exactly like one that does not exist. Also: anonymous and
revoked keys (401), and browser WebSocket tickets (single use)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from broker.live import fresh_sqlite_url, trading_server, ws_url
from support import Server, bearer, run_cli_here
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from ws.harness import Client, client

from trading_api.auth.store import NewUser
from trading_api.storage import StorageSettings
from trading_api.storage.settings import database_url

from .users import add_user

pytestmark = pytest.mark.slow

BROKER = "/api/v1/broker"
NOBODY = "ACC-NOBODY"
TIMEOUT = 30.0
RESTING = {"symbol": "ETHUSD", "type": 1, "side": 1, "qty": 1, "limitPrice": 1.0}
"""A buy limit far below the market: it rests (TradingView OrderType.Limit, Side.Buy)."""


@dataclass
class Two:
    server: Server
    database: str
    alice: NewUser
    bob: NewUser
    alice_order: str

    def http(self, user: NewUser | None) -> httpx.Client:
        headers = bearer(user.key) if user is not None else {}
        return httpx.Client(base_url=self.server.base_url + BROKER, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def two() -> Iterator[Two]:
    url = fresh_sqlite_url()
    storage = StorageSettings(url=database_url(url))
    alice = asyncio.run(add_user("alice", storage=storage))
    bob = asyncio.run(add_user("bob", storage=storage))
    with trading_server(TRADING_API_DATABASE_URL=url) as server:
        with httpx.Client(base_url=server.base_url + BROKER, headers=bearer(alice.key)) as http:
            order = http.post("/orders", json=RESTING, timeout=TIMEOUT).raise_for_status()
        yield Two(server, url, alice, bob, order.json()["id"])


def _same_as_missing(answer: httpx.Response, missing: httpx.Response, account: str) -> None:
    """`answer` (about `account`) is what an account that does not exist gets."""
    assert answer.status_code == missing.status_code == 404
    assert answer.json() == {
        **missing.json(),
        "message": missing.json()["message"].replace(NOBODY, account),
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/orders", None),
        ("GET", "/orders/{order}", None),
        ("PUT", "/orders/{order}", {"qty": 2}),
        ("DELETE", "/orders/{order}", None),
        ("GET", "/positions", None),
        ("GET", "/account", None),
        ("GET", "/connection", None),
        ("GET", "/executions/ETHUSD", None),
        ("POST", "/orders", RESTING),
    ],
)
def test_another_users_account_is_answered_like_a_missing_one(
    two: Two, method: str, path: str, body: Any
) -> None:
    target = path.format(order=two.alice_order)
    with two.http(two.bob) as bob:
        foreign = bob.request(method, target, params={"accountId": two.alice.account_id}, json=body)
        missing = bob.request(method, target, params={"accountId": NOBODY}, json=body)
    _same_as_missing(foreign, missing, two.alice.account_id)


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PUT", {"qty": 2}), ("DELETE", None)])
def test_another_users_order_is_not_found_in_ones_own_account(
    two: Two, method: str, body: Any
) -> None:
    with two.http(two.bob) as bob:
        answer = bob.request(method, f"/orders/{two.alice_order}", json=body)
    assert answer.status_code == 404 and answer.json()["code"] == "order_not_found"


def test_the_owner_still_sees_the_order_untouched(two: Two) -> None:
    with two.http(two.alice) as alice:
        order = alice.get(f"/orders/{two.alice_order}").raise_for_status().json()
    assert (order["qty"], order["status"]) == (1, 6)  # OrderStatus.Working


def test_each_user_lists_only_their_accounts_and_defaults_to_the_first(two: Two) -> None:
    for user in (two.alice, two.bob):
        with two.http(user) as http:
            accounts = http.get("/accounts").raise_for_status().json()
            summary = http.get("/account").raise_for_status().json()
        assert [account["id"] for account in accounts] == [user.account_id]
        assert summary["account"]["id"] == user.account_id


async def _subscribe(two: Two, user: NewUser, account: str) -> dict[str, Any]:
    async with client(ws_url(two.server.base_url), additional_headers=bearer(user.key)) as ws:
        return await _ack(ws, account)


async def _ack(ws: Client, account: str) -> dict[str, Any]:
    await ws.send("orders.subscribe", {"accountId": account})
    answer = await ws.recv_type("orders.subscribe.response")
    payload: dict[str, Any] = answer["payload"]
    return payload


@pytest.mark.anyio
async def test_a_ws_subscription_to_another_users_account_is_refused_like_a_missing_one(
    two: Two,
) -> None:
    foreign = await _subscribe(two, two.bob, two.alice.account_id)
    missing = await _subscribe(two, two.bob, NOBODY)
    own = await _subscribe(two, two.alice, two.alice.account_id)

    assert foreign["status"] == missing["status"] == "error"
    assert foreign["message"] == missing["message"].replace(NOBODY, two.alice.account_id)
    assert own["status"] == "ok"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer tapi_unknown"}, {"Authorization": "Basic YWxpY2U6eA=="}],
)
def test_requests_without_a_valid_key_get_401_with_www_authenticate(
    two: Two, headers: dict[str, str]
) -> None:
    answer = httpx.get(f"{two.server.base_url}{BROKER}/orders", headers=headers, timeout=TIMEOUT)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["code"] == "unauthenticated"


async def _handshake(url: str, **headers: str) -> int:
    try:
        async with connect(url, additional_headers=headers, open_timeout=TIMEOUT):
            return 101
    except InvalidStatus as refused:
        assert refused.response.status_code != 101
        return refused.response.status_code


@pytest.mark.anyio
async def test_a_ws_handshake_without_a_valid_key_gets_401(two: Two) -> None:
    url = ws_url(two.server.base_url)
    assert await _handshake(url) == 401
    assert await _handshake(url, Authorization="Bearer tapi_unknown") == 401
    assert await _handshake(url, **bearer(two.bob.key)) == 101


@pytest.mark.anyio
async def test_a_ws_ticket_opens_one_connection_only(two: Two) -> None:
    with two.http(two.alice) as alice:
        issued = alice.post("/ws-ticket").raise_for_status().json()
    assert issued["expiresIn"] == 30
    url = f"{ws_url(two.server.base_url)}?ticket={issued['ticket']}"

    async with client(url) as ws:  # a browser: no Authorization header
        assert (await _ack(ws, two.alice.account_id))["status"] == "ok"
        assert (await _ack(ws, two.bob.account_id))["status"] == "error"

    assert await _handshake(url) == 401  # used once already
    assert await _handshake(f"{ws_url(two.server.base_url)}?ticket=forged") == 401
    anonymous = httpx.post(f"{two.server.base_url}{BROKER}/ws-ticket", timeout=TIMEOUT)
    assert anonymous.status_code == 401


def test_a_revoked_key_is_refused_at_once(two: Two) -> None:
    storage = StorageSettings(url=database_url(two.database))
    carol = asyncio.run(add_user("carol", storage=storage))
    with two.http(carol) as http:
        assert http.get("/account").status_code == 200
        revoked = run_cli_here(
            ["keys", "revoke", carol.key_id], TRADING_API_DATABASE_URL=two.database
        )
        assert revoked.returncode == 0, revoked.stderr
        answer = http.get("/account")
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
