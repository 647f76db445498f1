"""Events of an operation: written to the outbox with it, delivered after its commit.

`outbox_events` turns an operation's `Changes` into wire models in the order subscribers
expect (orders, executions, positions, then equity) and writes each to the outbox of the
transaction (`UnitOfWork.emit`); `deliver` hands them to a `BrokerEvents` sink once the
transaction has committed. A listener that fails is logged and never undoes a trade.
`event_of` turns an outbox row back into its event (workers relaying each other's commits).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from trading_api.models.broker import EquityData, Execution, PlacedOrder, Position
from trading_api.modules.broker.accounts import AccountBook, Changes
from trading_api.modules.broker.events import BrokerEvents
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.positions import PositionState, position_model
from trading_api.storage import UnitOfWork

_log = logging.getLogger(__name__)

Kind = Literal["order", "execution", "position", "equity"]
_MODELS: dict[Kind, type[BaseModel]] = {
    "order": PlacedOrder,
    "execution": Execution,
    "position": Position,
    "equity": EquityData,
}


@dataclass(frozen=True, slots=True)
class Event:
    kind: Kind
    model: BaseModel


def position_snapshot(
    book: AccountBook, pos: PositionState, quotes: Mapping[str, PriceQuote]
) -> Position:
    take_profit = book.orders.get(pos.take_profit_id) if pos.take_profit_id else None
    stop = book.orders.get(pos.stop_id) if pos.stop_id else None
    return position_model(
        pos,
        quotes.get(pos.symbol),
        take_profit.model if take_profit else None,
        stop.model if stop else None,
    )


def events_of(book: AccountBook, changes: Changes, quotes: Mapping[str, PriceQuote]) -> list[Event]:
    """What subscribers hear about `changes`: orders, executions, positions, then equity."""
    events = [Event("order", state.model.model_copy()) for state in changes.orders.values()]
    events += [Event("execution", execution) for execution in changes.executions]
    events += [
        Event("position", position_snapshot(book, pos, quotes))
        for pos in changes.positions.values()
    ]
    if changes.equity or changes.money:
        events.append(Event("equity", book.equity(quotes)))
    return events


def write_outbox(work: UnitOfWork, events: Sequence[Event]) -> None:
    """Record `events` in the transaction's outbox (sequence numbers per account)."""
    for event in events:
        work.emit(event.kind, event.model.model_dump(mode="json", by_alias=True))


def event_of(kind: str, payload: dict[str, Any]) -> Event:
    """The event an outbox row records (`write_outbox` wrote it); ValueError if unknown."""
    for name, model in _MODELS.items():
        if name == kind:
            return Event(name, model.model_validate(payload))
    raise ValueError(f"unknown broker event kind {kind!r}")


def deliver(sink: BrokerEvents, account_id: str, events: Sequence[Event]) -> None:
    """Hand committed events to `sink`, in order."""
    for event in events:
        try:
            model = event.model
            if isinstance(model, PlacedOrder):
                sink.order_updated(account_id, model)
            elif isinstance(model, Execution):
                sink.execution_added(account_id, model)
            elif isinstance(model, Position):
                sink.position_updated(account_id, model)
            elif isinstance(model, EquityData):
                sink.equity_updated(account_id, model)
        except Exception:
            _log.exception("broker event listener failed")
