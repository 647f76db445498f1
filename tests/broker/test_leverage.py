"""Leverage per symbol within [min, max] on a step grid; it sets the margin."""

import pytest

from trading_api.models.broker import (
    LeverageInfoParams,
    LeverageSetParams,
    OrderType,
    Side,
)
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.errors import InvalidLeverageError, UnknownSymbolError

from .helpers import FREE, SYMBOL, market_order

pytestmark = pytest.mark.anyio

RULES = FREE.leverage
ASK = 100.5


def _params(leverage: float) -> LeverageSetParams:
    return LeverageSetParams(
        symbol=SYMBOL, order_type=OrderType.Market, side=Side.Buy, leverage=leverage
    )


async def test_info_reports_default_and_bounds(broker: Broker) -> None:
    info = await broker.leverage_info(
        LeverageInfoParams(symbol=SYMBOL, order_type=OrderType.Limit, side=Side.Sell)
    )

    assert (info.leverage, info.min, info.max, info.step) == (
        RULES.default,
        RULES.min,
        RULES.max,
        RULES.step,
    )
    assert SYMBOL in info.title


async def test_set_within_bounds_changes_info_and_margin(broker: Broker) -> None:
    qty, leverage = 10, 25.0
    await broker.place_order(market_order(Side.Buy, qty))

    result = await broker.set_leverage(_params(leverage))

    assert result.leverage == leverage
    info = await broker.leverage_info(
        LeverageInfoParams(symbol=SYMBOL, order_type=OrderType.Market, side=Side.Buy)
    )
    assert info.leverage == leverage
    assert (await broker.equity()).margin_used == pytest.approx(qty * ASK / leverage)


@pytest.mark.parametrize(
    ("leverage", "reason"),
    [
        (RULES.min / 2, "outside"),
        (RULES.max + RULES.step, "outside"),
        (RULES.min + RULES.step / 2, "multiple"),
    ],
)
async def test_set_outside_bounds_or_off_grid_is_refused(
    broker: Broker, leverage: float, reason: str
) -> None:
    with pytest.raises(InvalidLeverageError, match=reason):
        await broker.set_leverage(_params(leverage))
    assert (await broker.preview_leverage(_params(leverage))).errors
    assert (await broker.leverage_info(_params(leverage))).leverage == RULES.default


async def test_preview_explains_margin_change_and_warns_on_high_leverage(
    broker: Broker,
) -> None:
    qty = 4
    await broker.place_order(market_order(Side.Buy, qty))
    high = RULES.warn_above + RULES.step

    preview = await broker.preview_leverage(_params(high))

    assert preview.errors == []
    assert preview.warnings and "magnifies losses" in preview.warnings[0]
    before, after = qty * ASK / RULES.default, qty * ASK / high
    assert f"{before:.2f} USD -> {after:.2f} USD" in preview.infos[1]
    assert (await broker.leverage_info(_params(high))).leverage == RULES.default  # preview only


async def test_every_leverage_call_refuses_an_unknown_symbol(broker: Broker) -> None:
    unknown = _params(RULES.default).model_copy(update={"symbol": "NOPE"})
    with pytest.raises(UnknownSymbolError):
        await broker.leverage_info(unknown)
    with pytest.raises(UnknownSymbolError):
        await broker.preview_leverage(unknown)
    with pytest.raises(UnknownSymbolError):
        await broker.set_leverage(unknown)
