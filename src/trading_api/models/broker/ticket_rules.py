"""Cross-field rules of order tickets and brackets, stated in their JSON schema.

The validators (`order_price_problems`, `Brackets`) enforce them; these `allOf` entries say the
same to client generators and fuzzers. In a request `null` counts as absent, so a field is "set"
when it is present with a number. Rules that compare values (bracket sides, the market) cannot
be stated in JSON Schema and stay domain refusals (docs/broker.md).
"""

from collections.abc import Iterable

from pydantic.config import JsonDict, JsonValue

from trading_api.models.broker.enums import OrderType, StopType


def _set(*names: str) -> JsonDict:
    """Each of `names` is present with a number."""
    required: list[JsonValue] = [*names]
    number: JsonDict = {"type": "number"}
    return {"required": required, "properties": {name: number for name in names}}


def _set_unless(name: str, key: str, values: Iterable[int | None]) -> JsonDict:
    """`name` is set unless `key` is absent or one of `values`."""
    allowed: list[JsonValue] = [None if value is None else int(value) for value in values]
    return {"anyOf": [{"properties": {key: {"enum": allowed}}}, _set(name)]}


ONE_STOP: list[JsonValue] = [
    {"not": _set("stopLoss", "guaranteedStop")},
    {"not": _set("guaranteedStop", "trailingStopPips")},
]
"""A stop-loss or a guaranteed stop, not both; a guaranteed stop cannot trail."""

TICKET: list[JsonValue] = [
    *ONE_STOP,
    _set_unless("limitPrice", "type", (OrderType.Market, OrderType.Stop)),
    _set_unless("stopPrice", "type", (OrderType.Limit, OrderType.Market)),
    _set_unless("trailingStopPips", "stopType", (StopType.StopLoss, StopType.GuaranteedStop, None)),
]
"""`ONE_STOP`; limit and stop-limit orders need `limitPrice`, stop and stop-limit orders
`stopPrice`, the `TrailingStop` stop type `trailingStopPips`."""
