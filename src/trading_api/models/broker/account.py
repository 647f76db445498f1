"""Account models: identity (`AccountMetainfo`), money (`EquityData`) and their combination."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.wire import Omittable


class AccountMetainfo(BrokerBaseModel):
    """Identity of a trading account (TradingView `AccountMetainfo`)."""

    id: str
    name: str
    currency: str = "USD"
    currency_sign: Omittable[str] = Field(default=None, description="Currency prefix, e.g. `$`.")


class EquityData(BrokerBaseModel):
    """Money of an account (an extra of ours; TradingView only asks for `equity`).

    balance = initial deposit + realizedPL - commissions; equity = balance + unrealizedPL;
    freeMargin = equity - marginUsed.
    """

    equity: float
    balance: float
    unrealized_pl: float = Field(alias="unrealizedPL")
    realized_pl: float = Field(alias="realizedPL")
    margin_used: float = Field(default=0.0, description="Margin held by open positions.")
    free_margin: float = Field(default=0.0, description="Equity not held as margin.")


class AccountSummary(BrokerBaseModel):
    """Response of `GET /account`."""

    account: AccountMetainfo
    equity: EquityData


class WsTicket(BrokerBaseModel):
    """A single-use ticket opening the broker WebSocket from a browser (docs/security.md)."""

    ticket: str = Field(description="Pass it as `?ticket=` on `/api/v1/broker/ws`.")
    expires_in: int = Field(description="Seconds it stays valid (once).")
