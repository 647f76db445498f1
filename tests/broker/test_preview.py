"""Order previews: price estimate, commission and margin by the documented formulas."""

import pytest

from trading_api.models.broker import OrderPreviewResult, Side
from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.market import ManualMarketData

from .conftest import MakeBroker
from .helpers import FixedClock, limit_order, market_order

pytestmark = pytest.mark.anyio

BID, ASK = 100.3, 100.5
CONFIG = EngineConfig(commission_rate=0.002, min_commission=1.0)


def _rows(preview: OrderPreviewResult) -> dict[str, str]:
    return {row.title: row.value for section in preview.sections for row in section.rows}


@pytest.fixture
async def priced(market: ManualMarketData, clock: FixedClock, make_broker: MakeBroker) -> Broker:
    return await make_broker(market, config=CONFIG)


async def test_market_preview_uses_the_ask_and_the_formulas(priced: Broker) -> None:
    qty = 10
    preview = await priced.preview_order(market_order(Side.Buy, qty, take_profit=102.0))

    rows = _rows(preview)
    notional = qty * ASK
    assert rows["Estimated price"] == "100.5"
    assert rows["Notional"] == f"{notional:.2f} USD"
    assert rows["Commission"] == f"{max(notional * CONFIG.commission_rate, 1.0):.2f} USD"
    assert rows["Margin"] == f"{notional / CONFIG.leverage.default:.2f} USD"
    assert rows["P&L at take profit"] == f"{(102.0 - ASK) * qty:.2f} USD"
    assert preview.errors == [] and preview.warnings == []
    assert (await priced.orders()) == []  # nothing placed


async def test_small_order_pays_the_minimum_commission(priced: Broker) -> None:
    preview = await priced.preview_order(limit_order(Side.Sell, 1, 105.0))

    rows = _rows(preview)
    assert rows["Estimated price"] == "105"
    assert rows["Commission"] == f"{CONFIG.min_commission:.2f} USD"


async def test_marketable_limit_is_warned_about(priced: Broker) -> None:
    preview = await priced.preview_order(limit_order(Side.Sell, 1, BID - 1))

    assert preview.warnings == [f"The order would fill immediately at {BID:g}"]


async def test_unaffordable_order_previews_an_error(priced: Broker) -> None:
    too_many = round(CONFIG.initial_balance * CONFIG.leverage.default / ASK * 2)

    preview = await priced.preview_order(market_order(Side.Buy, too_many))

    assert preview.errors and "Insufficient margin" in preview.errors[0]


async def test_each_preview_has_its_own_confirm_id(priced: Broker) -> None:
    first = await priced.preview_order(market_order(Side.Buy, 1))
    second = await priced.preview_order(market_order(Side.Buy, 1))

    assert first.confirm_id and second.confirm_id and first.confirm_id != second.confirm_id
