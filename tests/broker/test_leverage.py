"""Leverage per symbol within [min, max] on a step grid; it sets the margin."""

import pytest

from trading_api.models.broker import (
    LeverageInfoParams,
    LeverageSetParams,
    OrderType,
    Side,
)
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.errors import InvalidLeverageError

from .helpers import FREE, SYMBOL, market_order

pytestmark = pytest.mark.anyio

RULES = FREE.leverage
ASK = 100.5


def _params(leverage: float) -> LeverageSetParams:
    return LeverageSetParams(
        symbol=SYMBOL, order_type=OrderType.Market, side=Side.Buy, leverage=leverage
    )


async def test_info_reports_default_and_bounds(broker: Broker) -> None:
    info = broker.leverage_info(
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
    info = broker.leverage_info(
        LeverageInfoParams(symbol=SYMBOL, order_type=OrderType.Market, side=Side.Buy)
    )
    assert info.leverage == leverage
    assert broker.equity().margin_used == pytest.approx(qty * ASK / leverage)


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
    assert broker.preview_leverage(_params(leverage)).errors
    assert broker.leverage_info(_params(leverage)).leverage == RULES.default


async def test_preview_explains_margin_change_and_warns_on_high_leverage(
    broker: Broker,
) -> None:
    qty = 4
    await broker.place_order(market_order(Side.Buy, qty))
    high = RULES.warn_above + RULES.step

    preview = broker.preview_leverage(_params(high))

    assert preview.errors == []
    assert preview.warnings and "magnifies losses" in preview.warnings[0]
    before, after = qty * ASK / RULES.default, qty * ASK / high
    assert f"{before:.2f} USD -> {after:.2f} USD" in preview.infos[1]
    assert broker.leverage_info(_params(high)).leverage == RULES.default  # preview only
