"""Change detection: each contract change gets its own classified log line; no change, no write."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from support import run_cli, snapshot

from trading_api.codegen.specdiff import METADATA_ONLY, diff_asyncapi, diff_openapi
from trading_api.framework.module import Module
from trading_api.framework.module_app import build_module_app

Colour = enum.Enum("Colour", {"RED": "red", "GREEN": "green"})
# named "Colour" on purpose: the same schema, one value more
ColourWithBlue = enum.Enum(  # type: ignore[misc]
    "Colour", {"RED": "red", "GREEN": "green", "BLUE": "blue"}
)


def _spec(
    *,
    with_limit: bool = False,
    price_type: type = int,
    colour: type = Colour,
    description: str = "Things.",
) -> dict[str, Any]:
    model: Any = type(  # built at run time: `list[model]` is no static type
        "Thing", (BaseModel,), {"__annotations__": {"price": price_type, "colour": colour}}
    )
    router = APIRouter()

    async def list_things(symbol: str) -> list[BaseModel]:
        return []

    async def list_things_limited(symbol: str, limit: int = 10) -> list[BaseModel]:
        return []

    endpoint = list_things_limited if with_limit else list_things
    router.add_api_route(
        "/things",
        endpoint,
        methods=["GET"],
        response_model=list[model],
        name="list_things",
        description=description,
    )

    class Demo(Module):
        name = "demo"

        def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
            return {"v1": [router]}

    return build_module_app(Demo(), "v1").openapi()


def test_added_query_parameter() -> None:
    assert diff_openapi(_spec(), _spec(with_limit=True)) == [
        "compatible: GET /things: added query parameter 'limit' (integer, optional)"
    ]


def test_retyped_property() -> None:
    assert diff_openapi(_spec(), _spec(price_type=float)) == [
        "BREAKING: Thing.price: retyped integer → number"  # a response now carries floats
    ]


def test_added_enum_value() -> None:
    assert diff_openapi(_spec(colour=Colour), _spec(colour=ColourWithBlue)) == [
        "BREAKING: Colour: added values 'blue'"  # exhaustive readers meet an unknown value
    ]


def test_description_only_is_metadata() -> None:
    assert diff_openapi(_spec(), _spec(description="Other words.")) == [METADATA_ONLY]


def test_identical_specs_have_no_changes() -> None:
    assert diff_openapi(_spec(), _spec()) == []


def test_pipeline_logs_change_and_rewrites_nothing_when_unchanged(generated_copy: Path) -> None:
    src = generated_copy / "src"  # generated once already
    before = snapshot(src)
    again = run_cli(["generate"], src=src)
    assert again.returncode == 0, again.stderr
    assert "everything up to date" in again.stdout
    assert snapshot(src) == before

    stamp = src / "trading_api/.codegen-stamp.json"
    stamp.unlink()  # force the full comparison path: specs compared, clients fingerprinted
    full = run_cli(["generate"], src=src)
    assert full.returncode == 0, full.stderr
    assert "0 file(s) written" in full.stdout
    assert "core_openapi.json: no changes" in full.stdout
    after = snapshot(src)
    assert after.pop("trading_api/.codegen-stamp.json")
    before.pop("trading_api/.codegen-stamp.json")
    assert after == before

    api = src / "trading_api/modules/core/api.py"
    api.write_text(
        api.read_text().replace(
            "async def get_health() -> HealthStatus:",
            "async def get_health(verbose: bool = False) -> HealthStatus:",
        )
    )
    changed = run_cli(["generate"], src=src)
    assert changed.returncode == 0, changed.stderr
    assert (
        "compatible: GET /health: added query parameter 'verbose' (boolean, optional)"
        in changed.stdout
    )
    client = (src / "trading_api/clients/core.py").read_text()
    assert "verbose: bool | None = None" in client


def _asyncapi(*, with_status: bool = False, tick_type: type = int) -> dict[str, Any]:
    from trading_api.ws import WsRouter, build_asyncapi

    request = type("TickRequest", (BaseModel,), {"__annotations__": {"symbol": str}})
    tick = type("Tick", (BaseModel,), {"__annotations__": {"value": tick_type}})
    ticks = type(
        "TicksRouter",
        (WsRouter,),
        {"route": "ticks", "request_model": request, "data_type": tick},
    )
    routers = [ticks()]
    if with_status:
        status = type(
            "StatusRouter",
            (WsRouter,),
            {"route": "status", "request_model": request, "data_type": str},
        )
        routers.append(status())
    return build_asyncapi(title="demo", version="1", address="/api/v1/demo/ws", routers=routers)


def test_asyncapi_added_route_lists_its_operations_and_messages() -> None:
    changes = diff_asyncapi(_asyncapi(), _asyncapi(with_status=True))
    assert any(line.startswith("compatible: operation status") for line in changes), changes
    assert all(line.startswith("compatible: ") for line in changes)


def test_asyncapi_payload_schema_change_is_itemised() -> None:
    assert diff_asyncapi(_asyncapi(), _asyncapi(tick_type=float)) == [
        "BREAKING: Tick.value: retyped integer → number"
    ]
