"""Order and leverage previews: what an order or a leverage change would cost (read-only)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from trading_api.models.broker import (
    LeveragePreviewResult,
    OrderPreviewResult,
    OrderPreviewSection,
    OrderPreviewSectionRow,
    OrderType,
    PreOrder,
    Side,
)
from trading_api.modules.broker.config import LeverageRules
from trading_api.modules.broker.costs import OrderCosts
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.money import dec


def fmt_number(value: float | Decimal) -> str:
    """Prices and quantities: up to 10 significant digits, no float noise."""
    return format(float(value), ".10g")


def fmt_money(value: float | Decimal, currency: str) -> str:
    """Amounts of money: two decimals and the currency."""
    return f"{value:.2f} {currency}"


def reference_price(order: PreOrder, quote: PriceQuote) -> float:
    """Price used to estimate costs: the quote for market orders, else the order's price."""
    if order.type == OrderType.Market:
        return quote.ask if order.side == Side.Buy else quote.bid
    if order.type == OrderType.Stop:
        assert order.stop_price is not None
        return order.stop_price
    assert order.limit_price is not None
    return order.limit_price


def _row(title: str, value: str) -> OrderPreviewSectionRow:
    return OrderPreviewSectionRow(title=title, value=value)


def order_preview(
    order: PreOrder,
    costs: OrderCosts,
    leverage: Decimal,
    currency: str,
    *,
    confirm_id: str,
    warnings: list[str],
    errors: list[str],
) -> OrderPreviewResult:
    """Preview sections: the order, its costs, and the P&L at its brackets."""
    money = partial(fmt_money, currency=currency)
    sections = [
        OrderPreviewSection(
            header="Order",
            rows=[
                _row("Symbol", order.symbol),
                _row("Side", order.side.name),
                _row("Type", order.type.name),
                _row("Quantity", fmt_number(order.qty)),
                _row("Estimated price", fmt_number(costs.price)),
            ],
        ),
        OrderPreviewSection(
            header="Costs",
            rows=[
                _row("Notional", money(costs.notional)),
                _row("Commission", money(costs.commission)),
                _row("Leverage", fmt_number(leverage)),
                _row("Margin", money(costs.margin)),
            ],
        ),
    ]
    bracket_rows = [
        _row(title, money((dec(level) - costs.price) * dec(order.qty) * order.side))
        for title, level in (
            ("P&L at take profit", order.take_profit),
            ("P&L at stop loss", order.stop_loss),
            ("P&L at guaranteed stop", order.guaranteed_stop),
        )
        if level is not None
    ]
    if bracket_rows:
        sections.append(OrderPreviewSection(header="Brackets", rows=bracket_rows))
    return OrderPreviewResult(
        sections=sections, confirm_id=confirm_id, warnings=warnings, errors=errors
    )


def leverage_preview(
    symbol: str,
    current: Decimal,
    requested: float,
    rules: LeverageRules,
    *,
    margin_before: Decimal,
    margin_after: Decimal,
    total_margin_after: Decimal,
    equity: Decimal,
    currency: str,
) -> LeveragePreviewResult:
    """Infos, warnings and errors of changing `symbol`'s leverage from `current` to `requested`."""
    errors = rules.problems(requested)
    infos = [f"Leverage of {symbol}: {fmt_number(current)} -> {fmt_number(requested)}"]
    if margin_before or margin_after:
        before, after = fmt_money(margin_before, currency), fmt_money(margin_after, currency)
        infos.append(f"Margin of the open {symbol} position: {before} -> {after}")
    warnings = []
    if requested > rules.warn_above:
        warnings.append(f"Leverage above {fmt_number(rules.warn_above)} magnifies losses")
    if total_margin_after > equity:
        total = fmt_money(total_margin_after, currency)
        errors.append(f"Margin {total} would exceed equity {fmt_money(equity, currency)}")
    return LeveragePreviewResult(infos=infos, warnings=warnings, errors=errors)
