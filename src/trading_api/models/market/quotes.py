"""Quotes (TradingView ``QuoteData``): last price, spread and daily statistics per symbol."""

from typing import Literal, Self

from pydantic import Field, model_validator

from trading_api.models.wire import Omittable, WireModel


class QuoteValues(WireModel):
    """Quote fields (TradingView `DatafeedQuoteValues`); absent when unknown, so an error
    quote carries none of them."""

    lp: Omittable[float] = Field(default=None, description="Last price.")
    ask: Omittable[float] = Field(default=None, description="Best ask price.")
    bid: Omittable[float] = Field(default=None, description="Best bid price.")
    spread: Omittable[float] = Field(default=None, description="ask - bid.")
    open_price: Omittable[float] = Field(default=None, description="Open of the current day.")
    high_price: Omittable[float] = Field(default=None, description="High of the current day.")
    low_price: Omittable[float] = Field(default=None, description="Low of the current day.")
    prev_close_price: Omittable[float] = Field(default=None, description="Previous day's close.")
    volume: Omittable[float] = Field(default=None, description="Volume of the current day.")
    ch: Omittable[float] = Field(default=None, description="Change vs the previous close.")
    chp: Omittable[float] = Field(
        default=None, description="Change vs the previous close, percent."
    )
    short_name: Omittable[str] = Field(default=None, description="Symbol name.")
    exchange: Omittable[str] = Field(default=None, description="Exchange.")
    description: Omittable[str] = Field(default=None, description="Human-readable description.")
    original_name: Omittable[str] = Field(
        default=None, description="Full name, e.g. `NASDAQ:AAPL`."
    )


class QuoteData(WireModel):
    """Quote of one symbol: ``s="ok"`` with values, or ``s="error"`` with ``errmsg``."""

    s: Literal["ok", "error"] = Field(description="Status of this quote.")
    n: str = Field(description="Symbol the quote is for, as requested.")
    v: QuoteValues = Field(
        default_factory=QuoteValues, description="Quote values (empty for errors)."
    )
    errmsg: Omittable[str] = Field(
        default=None, description="Why the quote failed (`s=error`; an extra of ours)."
    )

    @model_validator(mode="after")
    def _status_matches_content(self) -> Self:
        if self.s == "error" and not self.errmsg:
            raise ValueError("an error quote needs an errmsg")
        if self.s == "ok" and self.v.lp is None:
            raise ValueError("an ok quote needs a last price (v.lp)")
        return self
