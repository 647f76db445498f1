"""Typed errors: one class per status family, the declared body parsed into its model."""

from __future__ import annotations

import httpx
import pytest

from trading_api.client_runtime import HTTPValidationError
from trading_api.clients import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnavailableError,
    UnprocessableEntityError,
)
from trading_api.models import ErrorResponse

from .mock import Script, answering, make_client, run

ERROR = {"code": "order_not_found", "message": "no order 'X-1'"}


@pytest.mark.parametrize(
    ("status", "family"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, UnavailableError),
        (418, ApiStatusError),
    ],
)
def test_each_status_family_raises_its_class(
    kind: str, status: int, family: type[ApiStatusError]
) -> None:
    broker = make_client(kind, "BrokerClient", answering(status, ERROR), max_retries=0)
    with pytest.raises(family) as raised:
        run(broker.get_order("X-1"))
    error = raised.value
    assert type(error) is family and isinstance(error, ApiError)
    assert (error.status_code, error.code, error.message) == (
        status,
        ERROR["code"],
        ERROR["message"],
    )
    assert error.request.url == "http://api.test/api/v1/broker/orders/X-1"


def test_a_declared_error_body_is_parsed_into_its_model(kind: str) -> None:
    broker = make_client(kind, "BrokerClient", answering(404, ERROR))
    with pytest.raises(NotFoundError) as raised:
        run(broker.get_order("X-1"))
    assert raised.value.body == ErrorResponse(**ERROR)
    assert "GET http://api.test/api/v1/broker/orders/X-1 returned 404: no order" in str(
        raised.value
    )


def test_an_undeclared_status_keeps_the_json_and_a_foreign_body_the_text(kind: str) -> None:
    core = make_client(kind, "CoreClient", answering(404, {"detail": "Not Found"}))
    with pytest.raises(NotFoundError) as raised:
        run(core.get_health())
    assert raised.value.body == {"detail": "Not Found"} and raised.value.code is None
    assert raised.value.message == "Not Found"

    proxy = make_client(kind, "CoreClient", answering(502, b"<html>bad gateway</html>"))
    with pytest.raises(InternalServerError) as page:
        run(proxy.get_health(max_retries=0))
    assert page.value.body == page.value.message == "<html>bad gateway</html>"


def test_422_parses_the_validation_list(kind: str) -> None:
    detail = [{"loc": ["query", "limit"], "msg": "too big", "type": "less_than_equal"}]
    broker = make_client(kind, "BrokerClient", answering(422, {"detail": detail}))
    with pytest.raises(UnprocessableEntityError) as raised:
        run(broker.get_order("X-1"))
    assert isinstance(raised.value.body, HTTPValidationError)
    assert raised.value.errors[0].loc == ["query", "limit"]
    assert raised.value.message == raised.value.body.model_dump_json()


@pytest.mark.parametrize(
    ("failure", "family"),
    [
        (httpx.ConnectError("refused"), ApiConnectionError),
        (httpx.ReadTimeout("slow"), ApiTimeoutError),
    ],
)
def test_transport_failures_raise_connection_and_timeout_errors(
    kind: str, failure: Exception, family: type[ApiConnectionError]
) -> None:
    core = make_client(kind, "CoreClient", Script([failure]), max_retries=0)
    with pytest.raises(family) as raised:
        run(core.get_health())
    assert raised.value.__cause__ is failure
    assert raised.value.request.url == "http://api.test/api/v1/core/health"
