"""Retries: what is retried (statuses, transport failures, only repeatable requests), how often
(`max_retries` per client and per call), with which key, and how long the client waits."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from trading_api.client_runtime import Backoff
from trading_api.client_runtime._retry import can_repeat
from trading_api.clients import (
    ApiConnectionError,
    ApiTimeoutError,
    BadRequestError,
    ConflictError,
    RateLimitError,
    UnavailableError,
)
from trading_api.models import HealthStatus, QuotesRequest

from .mock import HEALTH, Script, make_client, run

TRY_AGAIN = {"code": "try_again", "message": "later"}


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_statuses_are_retried_until_success(kind: str, status: int) -> None:
    script = Script([(status, TRY_AGAIN), (status, TRY_AGAIN), (200, HEALTH)])
    core = make_client(kind, "CoreClient", script)
    assert isinstance(run(core.get_health()), HealthStatus)
    assert len(script.seen) == 3


@pytest.mark.parametrize(("status", "family"), [(400, BadRequestError), (409, ConflictError)])
def test_other_statuses_are_not_retried(kind: str, status: int, family: type) -> None:
    script = Script([(status, TRY_AGAIN), (200, HEALTH)])
    with pytest.raises(family):
        run(make_client(kind, "CoreClient", script).get_health())
    assert len(script.seen) == 1


def test_max_retries_per_client_and_per_call(kind: str) -> None:
    script = Script([(503, TRY_AGAIN)])
    with pytest.raises(UnavailableError):
        run(make_client(kind, "CoreClient", script, max_retries=3).get_health())
    assert len(script.seen) == 4
    script.seen.clear()
    with pytest.raises(UnavailableError):
        run(make_client(kind, "CoreClient", script, max_retries=3).get_health(max_retries=1))
    assert len(script.seen) == 2
    script.seen.clear()
    with pytest.raises(UnavailableError):
        run(make_client(kind, "CoreClient", script).get_health())  # the default: 2 retries
    assert len(script.seen) == 3


@pytest.mark.parametrize(
    ("failure", "family"),
    [
        (httpx.ConnectError("refused"), ApiConnectionError),
        (httpx.ReadError("connection reset by peer"), ApiConnectionError),
        # a kept-alive connection the server closed (keep-alive timeout) as the call went out
        (httpx.RemoteProtocolError("Server disconnected without a response"), ApiConnectionError),
        (httpx.ReadTimeout("slow"), ApiTimeoutError),
    ],
)
def test_connection_failures_and_timeouts_are_retried(
    kind: str, failure: Exception, family: type
) -> None:
    script = Script([failure, (200, HEALTH)])
    assert isinstance(run(make_client(kind, "CoreClient", script).get_health()), HealthStatus)
    assert len(script.seen) == 2
    with pytest.raises(family):
        run(make_client(kind, "CoreClient", Script([failure])).get_health())


def test_a_post_carries_one_idempotency_key_across_its_retries_and_a_new_one_per_call(
    kind: str,
) -> None:
    script = Script([(503, TRY_AGAIN), (200, [])])
    datafeed = make_client(kind, "DatafeedClient", script)
    run(datafeed.get_quotes(QuotesRequest(symbols=["AAPL"])))
    first, retry = (request.headers["Idempotency-Key"] for request in script.seen)
    assert first == retry and len(first) == 36  # a UUID
    script.seen.clear()
    run(datafeed.get_quotes(QuotesRequest(symbols=["AAPL"])))
    assert script.seen[0].headers["Idempotency-Key"] != first


def test_the_callers_idempotency_key_is_sent_and_kept(kind: str) -> None:
    script = Script([(503, TRY_AGAIN), (200, [])])
    datafeed = make_client(kind, "DatafeedClient", script)
    run(datafeed.get_quotes(QuotesRequest(symbols=["A"]), extra_headers={"idempotency-key": "k1"}))
    assert [request.headers["Idempotency-Key"] for request in script.seen] == ["k1", "k1"]


def test_only_requests_safe_to_repeat_are_retried() -> None:
    def request(method: str, **headers: str) -> httpx.Request:
        return httpx.Request(method, "http://api.test/x", headers=headers)

    assert all(can_repeat(request(method)) for method in ("GET", "HEAD", "PUT", "DELETE"))
    assert not can_repeat(request("POST")) and not can_repeat(request("PATCH"))
    assert can_repeat(request("POST", **{"Idempotency-Key": "k"}))


def _answer(**headers: str) -> httpx.Response:
    return httpx.Response(503, headers=headers)


def test_backoff_grows_exponentially_with_jitter_up_to_its_cap() -> None:
    backoff = Backoff(initial=0.5, maximum=4.0)
    for attempt, full in enumerate([0.5, 1.0, 2.0, 4.0, 4.0]):
        delays = {backoff.delay(attempt, None) for _ in range(50)}
        assert all(0.75 * full <= delay <= full for delay in delays)
        assert len(delays) > 1  # jittered


def test_retry_after_is_honoured_in_seconds_milliseconds_and_as_a_date() -> None:
    backoff = Backoff(initial=0.5, max_retry_after=60)
    assert backoff.delay(0, _answer(**{"retry-after": "3"})) == 3.0
    assert backoff.delay(0, _answer(**{"retry-after-ms": "250"})) == 0.25
    date = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8 <= backoff.delay(0, _answer(**{"retry-after": date})) <= 10
    assert backoff.delay(0, _answer(**{"retry-after": "3600"})) <= 0.5  # too long: computed
    assert backoff.delay(0, _answer(**{"retry-after": "soon"})) <= 0.5


def test_retries_wait_what_retry_after_says(kind: str) -> None:
    waits: list[float] = []
    script = Script([(429, TRY_AGAIN), (200, HEALTH)], headers={"retry-after": "0"})

    class Recording(Backoff):
        def delay(self, attempt: int, response: httpx.Response | None) -> float:
            waits.append(super().delay(attempt, response))
            return waits[-1]

    run(make_client(kind, "CoreClient", script, backoff=Recording()).get_health())
    assert waits == [0.0]
    limited = Script([(429, TRY_AGAIN)], headers={"retry-after": "0"})
    with pytest.raises(RateLimitError):
        run(make_client(kind, "CoreClient", limited, backoff=Recording()).get_health(max_retries=0))
    assert waits == [0.0] and len(limited.seen) == 1  # no retry: no wait
