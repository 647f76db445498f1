"""Classified differences between two AsyncAPI 3 documents of one module.

Operations are written from the server's side: `receive` messages are what a client sends
(request direction), `send` messages and replies are what it reads (response direction).
"""

from __future__ import annotations

from trading_api.contracts.changes import Change, Changes
from trading_api.contracts.rules import Direction
from trading_api.contracts.schemas import JSON, SchemaComparer

_DIRECTIONS: tuple[Direction, ...] = ("request", "response")


def classify_asyncapi(old: JSON, new: JSON) -> list[Change]:
    changes = Changes()
    _channels(changes, old.get("channels", {}), new.get("channels", {}))
    _operations(changes, old.get("operations", {}), new.get("operations", {}))
    _messages(changes, old, new)
    return changes.list()


def _channels(changes: Changes, old: JSON, new: JSON) -> None:
    for key in sorted(old.keys() - new.keys()):
        changes.add("channel-removed", f"channel {key}", "channel removed")
    for key in sorted(new.keys() - old.keys()):
        changes.add("channel-added", f"channel {key}", "channel added")
    for key in sorted(old.keys() & new.keys()):
        before, after = old[key], new[key]
        if before.get("address") != after.get("address"):
            detail = f"address {before.get('address')!r} → {after.get('address')!r}"
            changes.add("channel-address-changed", f"channel {key}", detail)
        for name in sorted(before.get("messages", {}).keys() - after.get("messages", {}).keys()):
            changes.add("message-removed", f"channel {key}", f"message '{name}' removed")


def _operations(changes: Changes, old: JSON, new: JSON) -> None:
    for key in sorted(old.keys() - new.keys()):
        changes.add("operation-removed", f"operation {key}", "operation removed")
    for key in sorted(new.keys() - old.keys()):
        changes.add("operation-added", f"operation {key}", "operation added")
    for key in sorted(old.keys() & new.keys()):
        location = f"operation {key}"
        before, after = old[key], new[key]
        if before.get("action") != after.get("action"):
            detail = f"action {before.get('action')!r} → {after.get('action')!r}"
            changes.add("operation-action-changed", location, detail)
            continue
        old_flows, new_flows = _flows(before), _flows(after)
        for direction in _DIRECTIONS:
            was, now = old_flows.get(direction, set()), new_flows.get(direction, set())
            for name in sorted(was - now):
                changes.add("message-removed", location, f"message '{name}' removed", direction)
            for name in sorted(now - was):
                changes.add("message-added", location, f"message '{name}' added", direction)


def _flows(operation: JSON) -> dict[Direction, set[str]]:
    """The message names an operation carries, by who sends them."""
    first: Direction = "request" if operation.get("action") == "receive" else "response"
    flows: dict[Direction, set[str]] = {first: _names(operation.get("messages", []))}
    replies = _names(operation.get("reply", {}).get("messages", []))
    if replies:
        flows.setdefault("response", set()).update(replies)
    return flows


def _names(references: list[JSON]) -> set[str]:
    return {str(reference.get("$ref", "")).rsplit("/", 1)[-1] for reference in references}


def _messages(changes: Changes, old: JSON, new: JSON) -> None:
    """Payloads of messages present in both, in every direction they travel."""
    schemas = SchemaComparer(old, new, changes)
    before = old.get("components", {}).get("messages", {})
    after = new.get("components", {}).get("messages", {})
    directions = _directions(old)
    for name, directions_now in _directions(new).items():
        directions.setdefault(name, set()).update(directions_now)
    for name in sorted(before.keys() & after.keys()):
        if before[name].get("name") != after[name].get("name"):
            detail = f"name {before[name].get('name')!r} → {after[name].get('name')!r}"
            changes.add("message-name-changed", f"message {name}", detail)
        used = directions.get(name) or set(_DIRECTIONS)  # declared only: both ways
        for direction in _DIRECTIONS:
            if direction in used:
                location = f"message {name} payload"
                old_payload, new_payload = before[name].get("payload"), after[name].get("payload")
                schemas.compare(old_payload, new_payload, location, direction)


def _directions(document: JSON) -> dict[str, set[Direction]]:
    found: dict[str, set[Direction]] = {}
    for operation in document.get("operations", {}).values():
        for direction, names in _flows(operation).items():
            for name in names:
                found.setdefault(name, set()).add(direction)
    return found
