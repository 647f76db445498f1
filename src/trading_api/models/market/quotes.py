"""Quotes (TradingView ``QuoteData``): last price, spread and daily statistics per symbol."""

from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator


class QuoteValues(BaseModel):
    """Quote fields; all optional because an error quote carries none of them."""

    lp: float | None = Field(default=None, description="Last price.")
    ask: float | None = Field(default=None, description="Best ask price.")
    bid: float | None = Field(default=None, description="Best bid price.")
    spread: float | None = Field(default=None, description="ask - bid.")
    open_price: float | None = Field(default=None, description="Open of the current day.")
    high_price: float | None = Field(default=None, description="High of the current day.")
    low_price: float | None = Field(default=None, description="Low of the current day.")
    prev_close_price: float | None = Field(default=None, description="Previous day's close.")
    volume: float | None = Field(default=None, description="Volume of the current day.")
    ch: float | None = Field(default=None, description="Change vs the previous close.")
    chp: float | None = Field(default=None, description="Change vs the previous close, percent.")
    short_name: str | None = Field(default=None, description="Symbol name.")
    exchange: str | None = Field(default=None, description="Exchange.")
    description: str | None = Field(default=None, description="Human-readable description.")
    original_name: str | None = Field(default=None, description="Full name, e.g. `NASDAQ:AAPL`.")


class QuoteData(BaseModel):
    """Quote of one symbol: ``s="ok"`` with values, or ``s="error"`` with ``errmsg``."""

    s: Literal["ok", "error"] = Field(description="Status of this quote.")
    n: str = Field(description="Symbol the quote is for, as requested.")
    v: QuoteValues = Field(
        default_factory=QuoteValues, description="Quote values (empty for errors)."
    )
    errmsg: str | None = Field(default=None, description="Why the quote failed (`s=error`).")

    @model_validator(mode="after")
    def _status_matches_content(self) -> Self:
        if self.s == "error" and not self.errmsg:
            raise ValueError("an error quote needs an errmsg")
        if self.s == "ok" and self.v.lp is None:
            raise ValueError("an ok quote needs a last price (v.lp)")
        return self
