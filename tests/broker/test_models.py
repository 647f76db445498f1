"""Wire models: TradingView spellings, enum values, validation rules, JSON schemas."""

import pytest
from pydantic import BaseModel, ValidationError

import trading_api.models as all_models
import trading_api.models.broker as broker_models
from trading_api.models.broker import (
    Brackets,
    ConnectionStatus,
    CurrentQuotes,
    DisconnectType,
    EquityData,
    OrderDuration,
    OrderStatus,
    OrderType,
    ParentType,
    PlacedOrder,
    Position,
    PreOrder,
    Side,
    StopType,
)


def test_enum_values_match_the_broker_api() -> None:
    assert [(s.name, s.value) for s in OrderStatus] == [
        ("Canceled", 1),
        ("Filled", 2),
        ("Inactive", 3),
        ("Placing", 4),
        ("Rejected", 5),
        ("Working", 6),
    ]
    assert [(t.name, t.value) for t in OrderType] == [
        ("Limit", 1),
        ("Market", 2),
        ("Stop", 3),
        ("StopLimit", 4),
    ]
    assert (Side.Buy.value, Side.Sell.value) == (1, -1)
    assert [(t.name, t.value) for t in ParentType] == [
        ("Order", 1),
        ("Position", 2),
        ("IndividualPosition", 3),
    ]
    assert [(t.name, t.value) for t in StopType] == [
        ("StopLoss", 0),
        ("TrailingStop", 1),
        ("GuaranteedStop", 2),
    ]
    assert [(t.name, t.value) for t in ConnectionStatus] == [
        ("Connected", 1),
        ("Connecting", 2),
        ("Disconnected", 3),
        ("Error", 4),
    ]
    assert [t.name for t in DisconnectType] == [
        "LogOut",
        "FailedRestoring",
        "Offline",
        "APIError",
        "TwoFactorRequired",
        "CancelAuthorization",
        "TimeOutForAuthorization",
        "OauthError",
        "BrokenConnection",
        "FailedSignIn",
    ]
    assert [t.value for t in DisconnectType] == list(range(10))


def test_wire_names_are_camel_case_and_python_names_snake_case() -> None:
    order = PlacedOrder.model_validate(
        {
            "id": "ORD-1",
            "symbol": "ACME",
            "type": 1,
            "side": -1,
            "qty": 2,
            "limitPrice": 10.5,
            "status": 6,
            "filledQty": 0,
            "updateTime": 1,
        }
    )
    assert (order.limit_price, order.side, order.status) == (10.5, Side.Sell, OrderStatus.Working)
    wire = order.model_dump(mode="json", by_alias=True)
    assert {"limitPrice", "filledQty", "updateTime"} <= wire.keys()
    equity = EquityData(equity=1, balance=1, unrealized_pl=0, realized_pl=0)
    assert {"unrealizedPL", "realizedPL"} <= equity.model_dump(by_alias=True).keys()
    position = Position(
        id="P", symbol="ACME", qty=1, long_qty=1, short_qty=0, side=Side.Buy, avg_price=1
    )
    assert {"avgPrice", "longQty", "shortQty", "unrealizedPL"} <= position.model_dump(
        by_alias=True
    ).keys()


def test_absent_optional_fields_are_left_out_not_null() -> None:
    order = PlacedOrder(
        id="ORD-1", symbol="ACME", type=OrderType.Market, side=Side.Buy, qty=1, status=6
    )
    assert order.model_dump(mode="json", by_alias=True) == {
        "id": "ORD-1",
        "symbol": "ACME",
        "type": 2,
        "side": 1,
        "qty": 1.0,
        "status": 6,
        "filledQty": 0.0,
    }
    # An explicit null in a request means "absent", and never reaches the wire.
    wire = {**order.model_dump(by_alias=True), "avgPrice": None}
    assert PlacedOrder.model_validate(wire).model_dump(by_alias=True) == order.model_dump(
        by_alias=True
    )
    # A model shared by requests and responses refuses null, so that both schemas agree.
    with pytest.raises(ValidationError, match="null is not allowed"):
        OrderDuration.model_validate({"type": "GTT", "datetime": None})


def test_a_ticket_becomes_an_order_without_its_ticket_only_fields() -> None:
    ticket = PreOrder.model_validate(
        {
            "symbol": "ACME",
            "type": 2,
            "side": 1,
            "qty": 2,
            "seenPrice": 10,
            "currentQuotes": {"ask": 10.1, "bid": 10},
            "isClose": False,
            "duration": {"type": "GTT", "datetime": 1_700_000_000_000},
            "customFields": {"signature": "abc"},
            "takeProfit": 12,
        }
    )
    placed = ticket.to_placed(id="ORD-1", status=OrderStatus.Working)
    wire = placed.model_dump(mode="json", by_alias=True)
    assert not {"seenPrice", "currentQuotes", "isClose"} & wire.keys()
    assert wire["duration"] == {"type": "GTT", "datetime": 1_700_000_000_000}
    assert (wire["customFields"], wire["takeProfit"]) == ({"signature": "abc"}, 12)
    assert "datetime" not in OrderDuration(type="GTC").model_dump(by_alias=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": OrderType.Limit}, "Limit orders require limitPrice"),
        ({"type": OrderType.Stop}, "Stop orders require stopPrice"),
        ({"type": OrderType.StopLimit, "limit_price": 10}, "StopLimit orders require stopPrice"),
        ({"qty": 0}, "greater than or equal to 0.001"),
        ({"qty": 1e-12}, "greater than or equal to 0.001"),
        ({"qty": 1e308}, "less than or equal to 1000000"),
        ({"qty": float("nan")}, "finite number"),
        ({"limit_price": float("inf"), "type": OrderType.Limit}, "finite number"),
        ({"trailing_stop_pips": 1e308}, "less than or equal to 1000000"),
        ({"side": True}, "expected an integer, got bool"),
        ({"side": "1"}, "expected an integer, got str"),
        ({"type": 2.0}, "expected an integer, got float"),
        ({"side": 0}, "Input should be 1 or -1"),
        (
            {"limit_price": 10, "type": OrderType.Limit, "take_profit": 9},
            "takeProfit must be above",
        ),
        ({"limit_price": 10, "type": OrderType.Limit, "stop_loss": 11}, "stopLoss must be below"),
        (
            {"side": Side.Sell, "current_quotes": CurrentQuotes(ask=10.2, bid=10), "stop_loss": 9},
            "stopLoss must be above",
        ),
        ({"seen_price": 10, "guaranteed_stop": 11}, "guaranteedStop must be below"),
        ({"stop_loss": 9, "guaranteed_stop": 8}, "mutually exclusive"),
    ],
)
def test_invalid_tickets_are_refused(fields: dict[str, object], message: str) -> None:
    ticket: dict[str, object] = {"symbol": "ACME", "type": 2, "side": 1, "qty": 1}
    ticket.update(fields)
    with pytest.raises(ValidationError, match=message):
        PreOrder.model_validate(ticket)


def test_valid_tickets_are_accepted() -> None:
    PreOrder(symbol="A", type=OrderType.Market, side=Side.Buy, qty=1, take_profit=5, stop_loss=1)
    PreOrder(
        symbol="A",
        type=OrderType.Limit,
        side=Side.Sell,
        qty=1,
        limit_price=10,
        take_profit=9,
        stop_loss=11,
    )
    Brackets(take_profit=5, trailing_stop_pips=10)


def _models() -> list[type[BaseModel]]:
    exported = (getattr(broker_models, n) for n in broker_models.__all__)
    return [c for c in exported if isinstance(c, type) and issubclass(c, BaseModel)]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_model_has_a_json_schema(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    assert schema["title"] == model.__name__


def test_broker_models_are_exported_once_from_trading_api_models() -> None:
    assert len(all_models.__all__) == len(set(all_models.__all__))
    for name in broker_models.__all__:
        assert getattr(all_models, name) is getattr(broker_models, name)


def test_a_received_placed_order_is_checked_for_its_shape_only() -> None:
    # The price rules are the ticket's (a request the broker refuses with 422); an order a
    # client receives is parsed without them, and still refused when its shape is wrong.
    wire = {"id": "ORD-1", "symbol": "ACME", "type": 1, "side": 1, "qty": 1, "status": 6}
    inconsistent = PlacedOrder.model_validate({**wire, "limitPrice": 10, "takeProfit": 9})
    assert (inconsistent.limit_price, inconsistent.take_profit) == (10, 9)
    with pytest.raises(ValidationError, match="takeProfit must be above"):
        PreOrder.model_validate({**wire, "limitPrice": 10, "takeProfit": 9})
    with pytest.raises(ValidationError, match="Input should be 1 or -1"):
        PlacedOrder.model_validate({**wire, "side": 0})
