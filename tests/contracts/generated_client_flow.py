"""A broker session through the client openapi-python-client generated from the merged spec.

Run by `test_openapi_python_client.py` inside a virtualenv that holds only that client
(`contract_client`): `python generated_client_flow.py BASE_URL SYMBOL API_KEY`. The client
raises on any status its spec does not declare (`raise_on_unexpected_status`), and every answer
must parse to the model the spec declares for its status; any other exception fails the run.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import httpx
from contract_client import AuthenticatedClient, Client, models
from contract_client.api.broker import (
    broker_cancel_order,
    broker_close_position,
    broker_edit_position_brackets,
    broker_get_account,
    broker_get_connection_status,
    broker_get_executions,
    broker_get_leverage_info,
    broker_get_order,
    broker_get_orders,
    broker_get_position,
    broker_get_positions,
    broker_modify_order,
    broker_place_order,
    broker_preview_leverage,
    broker_preview_order,
    broker_set_leverage,
)
from contract_client.models import (
    Brackets,
    ErrorResponse,
    LeverageSetParams,
    OrderModification,
    OrderStatus,
    OrderType,
    PreOrder,
    Side,
)
from contract_client.types import Response

BASE_URL, SYMBOL, API_KEY = sys.argv[1:4]
UNKNOWN = "NO-SUCH-THING"
SPEC = httpx.get(f"{BASE_URL}/api/v1/openapi.json", timeout=10).raise_for_status().json()
DECLARED = {
    (operation["operationId"], status): answer["content"]["application/json"]["schema"]
    for item in SPEC["paths"].values()
    for operation in item.values()
    for status, answer in operation["responses"].items()
}
"""(operationId, status) → the JSON schema the spec declares for that answer."""


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    """`value` is what the client builds for `schema`: the generated class, or a list of it."""
    if "$ref" in schema:
        return isinstance(value, getattr(models, schema["$ref"].rsplit("/", 1)[-1]))
    if schema.get("type") == "array":
        return isinstance(value, list) and all(conforms(item, schema["items"]) for item in value)
    raise AssertionError(f"no generated model for {schema}")


def expect(operation: ModuleType, response: Response[Any], status: int) -> Any:
    """The parsed answer, after checking its status and that it is the declared model."""
    name = operation.__name__.rsplit(".", 1)[-1]
    where = f"{name} → {int(response.status_code)} {response.content[:300]!r}"
    assert response.status_code == status, f"expected {status}: {where}"
    assert conforms(response.parsed, DECLARED[(name, str(status))]), f"undeclared model: {where}"
    return response.parsed


def refused(operation: ModuleType, response: Response[Any], status: int, code: str) -> None:
    error = expect(operation, response, status)
    assert isinstance(error, ErrorResponse) and error.code == code, (error, code)


def main() -> None:
    keyless = Client(base_url=BASE_URL, raise_on_unexpected_status=True, timeout=15)
    client = AuthenticatedClient(
        base_url=BASE_URL, token=API_KEY, raise_on_unexpected_status=True, timeout=15
    )
    market = PreOrder(symbol=SYMBOL, type_=OrderType.MARKET, side=Side.BUY, qty=4)

    # account, connection, leverage; no key, no answer
    anonymous = broker_get_account.sync_detailed(client=keyless)
    refused(broker_get_account, anonymous, 401, "unauthenticated")
    account = expect(broker_get_account, broker_get_account.sync_detailed(client=client), 200)
    connection = broker_get_connection_status.sync_detailed(client=client)
    expect(broker_get_connection_status, connection, 200)
    refused(
        broker_get_account,
        broker_get_account.sync_detailed(client=client, account_id=UNKNOWN),
        404,
        "account_not_found",
    )
    leverage = dict(symbol=SYMBOL, order_type=OrderType.MARKET, side=Side.BUY)
    info = broker_get_leverage_info.sync_detailed(client=client, **leverage)
    expect(broker_get_leverage_info, info, 200)
    unknown = broker_get_leverage_info.sync_detailed(
        client=client, **{**leverage, "symbol": UNKNOWN}
    )
    refused(broker_get_leverage_info, unknown, 404, "unknown_symbol")
    allowed = LeverageSetParams(leverage=5, **leverage)
    expect(
        broker_preview_leverage,
        broker_preview_leverage.sync_detailed(client=client, body=allowed),
        200,
    )
    expect(broker_set_leverage, broker_set_leverage.sync_detailed(client=client, body=allowed), 200)
    beyond = LeverageSetParams(leverage=info.parsed.max_ + 1, **leverage)
    refused(
        broker_set_leverage,
        broker_set_leverage.sync_detailed(client=client, body=beyond),
        400,
        "invalid_leverage",
    )

    # orders: a market fill, a resting limit order, modified then cancelled twice
    expect(
        broker_preview_order, broker_preview_order.sync_detailed(client=client, body=market), 200
    )
    filled = expect(
        broker_place_order, broker_place_order.sync_detailed(client=client, body=market), 201
    )
    assert filled.status is OrderStatus.FILLED, filled
    limit = PreOrder(symbol=SYMBOL, type_=OrderType.LIMIT, side=Side.BUY, qty=1, limit_price=50)
    working = expect(
        broker_place_order, broker_place_order.sync_detailed(client=client, body=limit), 201
    )
    assert working.status is OrderStatus.WORKING, working
    orders = expect(broker_get_orders, broker_get_orders.sync_detailed(client=client), 200)
    assert {filled.id, working.id} <= {order.id for order in orders}, orders
    expect(broker_get_order, broker_get_order.sync_detailed(working.id, client=client), 200)
    moved = OrderModification(limit_price=60)
    modified = broker_modify_order.sync_detailed(working.id, client=client, body=moved)
    assert expect(broker_modify_order, modified, 200).limit_price == 60
    cancelled = expect(
        broker_cancel_order, broker_cancel_order.sync_detailed(working.id, client=client), 200
    )
    assert cancelled.status is OrderStatus.CANCELED, cancelled
    again = broker_cancel_order.sync_detailed(working.id, client=client)
    refused(broker_cancel_order, again, 409, "order_not_modifiable")
    too_late = broker_modify_order.sync_detailed(working.id, client=client, body=moved)
    refused(broker_modify_order, too_late, 409, "order_not_modifiable")
    for operation, call in (
        (broker_get_order, broker_get_order.sync_detailed(UNKNOWN, client=client)),
        (broker_cancel_order, broker_cancel_order.sync_detailed(UNKNOWN, client=client)),
        (
            broker_modify_order,
            broker_modify_order.sync_detailed(UNKNOWN, client=client, body=moved),
        ),
    ):
        refused(operation, call, 404, "order_not_found")

    # refused tickets: unknown symbol, too little margin, a trading rule, an invalid body
    stranger = PreOrder(symbol=UNKNOWN, type_=OrderType.MARKET, side=Side.BUY, qty=1)
    refused(
        broker_place_order,
        broker_place_order.sync_detailed(client=client, body=stranger),
        404,
        "unknown_symbol",
    )
    huge = PreOrder(symbol=SYMBOL, type_=OrderType.MARKET, side=Side.BUY, qty=100_000)
    refused(
        broker_place_order,
        broker_place_order.sync_detailed(client=client, body=huge),
        409,
        "insufficient_margin",
    )
    closing = PreOrder(symbol=SYMBOL, type_=OrderType.MARKET, side=Side.BUY, qty=1, is_close=True)
    refused(
        broker_place_order,
        broker_place_order.sync_detailed(client=client, body=closing),
        400,
        "invalid_order",
    )
    tiny = PreOrder(symbol=SYMBOL, type_=OrderType.MARKET, side=Side.BUY, qty=1e-9)
    expect(broker_place_order, broker_place_order.sync_detailed(client=client, body=tiny), 422)

    # the position of the fill: brackets, executions, close
    positions = expect(broker_get_positions, broker_get_positions.sync_detailed(client=client), 200)
    (position,) = [p for p in positions if p.symbol == SYMBOL]
    assert position.side is Side.BUY and position.qty == 4, position
    expect(broker_get_position, broker_get_position.sync_detailed(position.id, client=client), 200)
    brackets = Brackets(take_profit=position.avg_price * 2, stop_loss=position.avg_price / 2)
    edited = broker_edit_position_brackets.sync_detailed(position.id, client=client, body=brackets)
    assert expect(broker_edit_position_brackets, edited, 200).take_profit == brackets.take_profit
    wrong_side = Brackets(take_profit=position.avg_price / 2)
    refused(
        broker_edit_position_brackets,
        broker_edit_position_brackets.sync_detailed(position.id, client=client, body=wrong_side),
        400,
        "invalid_order",
    )
    fills = broker_get_executions.sync_detailed(SYMBOL, client=client)
    assert [fill.order_id for fill in expect(broker_get_executions, fills, 200)] == [filled.id]
    closed = expect(
        broker_close_position, broker_close_position.sync_detailed(position.id, client=client), 200
    )
    assert closed.qty == 0, closed
    gone = broker_get_position.sync_detailed(position.id, client=client)
    refused(broker_get_position, gone, 404, "position_not_found")
    refused(
        broker_close_position,
        broker_close_position.sync_detailed(position.id, client=client),
        404,
        "position_not_found",
    )
    final = expect(broker_get_account, broker_get_account.sync_detailed(client=client), 200)
    assert final.equity.balance < account.equity.balance, "spread and commissions were paid"
    print("flow complete")


if __name__ == "__main__":
    main()
