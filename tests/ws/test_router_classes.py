"""Router class contract, endpoint construction and runtime import hygiene."""

from __future__ import annotations

import subprocess
import sys
from typing import Any, Generic, TypeVar

import pytest
from pydantic import BaseModel

from trading_api.ws import WsEndpoint, WsRouter

from .harness import CounterRequest, CounterRouter, StatusRouter, Tick


def test_concrete_subclass_must_set_class_variables() -> None:
    with pytest.raises(TypeError, match="must set the class variable"):

        class Incomplete(WsRouter[CounterRequest, Tick]):
            route = "incomplete"


def test_route_name_is_validated() -> None:
    with pytest.raises(TypeError, match="not a valid route name"):

        class BadName(WsRouter[CounterRequest, Tick]):
            route = "bad.name"
            request_model = CounterRequest
            data_type = Tick


def test_request_model_must_be_pydantic() -> None:
    with pytest.raises(TypeError, match="must be a pydantic model class"):

        class BadRequest(WsRouter[CounterRequest, Tick]):
            route = "bad-request"
            request_model = dict  # type: ignore[assignment]  # the bad input under test
            data_type = Tick


DataT = TypeVar("DataT")


class TickRouterBase(WsRouter[CounterRequest, DataT], Generic[DataT]):
    """Still generic: no class variables required yet."""


def test_generic_intermediate_classes_are_allowed() -> None:
    class Concrete(TickRouterBase[Tick]):
        route = "concrete"
        request_model = CounterRequest
        data_type = Tick

    assert Concrete().route == "concrete"
    with pytest.raises(TypeError, match="is generic"):
        TickRouterBase()


def test_endpoint_rejects_duplicate_routes() -> None:
    with pytest.raises(ValueError, match="duplicate WebSocket route 'counter'"):
        WsEndpoint([CounterRouter(), StatusRouter(), CounterRouter()])
    with pytest.raises(ValueError, match="queue_size"):
        WsEndpoint([CounterRouter()], queue_size=0)
    endpoint = WsEndpoint([StatusRouter(), CounterRouter()])
    assert [r.route for r in endpoint.routers] == ["status", "counter"]


def test_topic_uses_aliases_and_validates_dicts() -> None:
    class Aliased(BaseModel):
        symbol_name: str

        model_config = {"alias_generator": lambda name: name.replace("_", "-")}

    class AliasedRouter(WsRouter[Aliased, Tick]):
        route = "aliased"
        request_model = Aliased
        data_type = Tick

    router = AliasedRouter()
    request: Any = {"symbol-name": "X"}
    assert router.topic(request) == 'aliased:{"symbol-name":"X"}'


def test_runtime_imports_no_build_tools() -> None:
    code = (
        "import sys, trading_api.ws\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'black', 'isort', 'jinja2', 'autoflake'} or m.startswith('trading_api.codegen'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
