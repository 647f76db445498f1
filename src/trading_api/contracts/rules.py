"""The rule table: what each kind of contract change means for a client already deployed.

A schema a client *sends* (parameters, request bodies, messages the server receives) may only
accept more; a schema a client *reads* (responses, messages the server sends) may only produce
less. So many rules break in one direction only; docs/contracts.md shows the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["request", "response"]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    request: bool
    """Breaking where the client sends the value (or for a rule without a direction)."""
    response: bool
    """Breaking where the client reads the value."""
    why: str

    def breaking(self, direction: Direction | None) -> bool:
        return self.response if direction == "response" else self.request


def _rule(id: str, summary: str, breaking: bool, why: str) -> Rule:
    return Rule(id, summary, breaking, breaking, why)


_SPEC_RULES = [
    _rule("spec-removed", "a module's spec file removed", True, "every operation in it is gone"),
    _rule("spec-added", "a module's spec file added", False, "nothing existing changes"),
    _rule(
        "server-changed",
        "OpenAPI `servers` URL changed",
        True,
        "every path moved under another prefix",
    ),
]
_OPERATION_RULES = [
    _rule(
        "operation-removed",
        "endpoint or WebSocket operation removed",
        True,
        "calls to it fail (404, or no answer)",
    ),
    _rule("operation-added", "endpoint or WebSocket operation added", False, "opt-in"),
    _rule(
        "operation-id-changed",
        "OpenAPI operationId changed",
        True,
        "generated clients rename the method",
    ),
    _rule(
        "operation-deprecated",
        "operation marked deprecated",
        False,
        "still served; a warning to plan a move",
    ),
    _rule(
        "parameter-added-required",
        "required parameter added",
        True,
        "existing calls lack it: 422",
    ),
    _rule("parameter-added-optional", "optional parameter added", False, "existing calls valid"),
    _rule(
        "parameter-removed",
        "parameter removed",
        True,
        "the server ignores what the client sends: its intent is silently lost",
    ),
    _rule(
        "parameter-became-required",
        "parameter became required",
        True,
        "calls that omit it get 422",
    ),
    _rule("parameter-became-optional", "parameter became optional", False, "calls still valid"),
    _rule(
        "request-body-added-required",
        "required request body added",
        True,
        "existing calls send none: 422",
    ),
    _rule(
        "request-body-added-optional",
        "optional request body added",
        False,
        "existing calls valid",
    ),
    _rule(
        "request-body-removed",
        "request body removed",
        True,
        "what the client sends is ignored or rejected",
    ),
    _rule(
        "request-body-became-required",
        "request body became required",
        True,
        "calls without a body get 422",
    ),
    _rule(
        "request-body-became-optional",
        "request body became optional",
        False,
        "calls still valid",
    ),
    _rule(
        "media-type-changed",
        "request or response media types changed",
        True,
        "the client encodes or decodes another format",
    ),
    _rule(
        "response-status-removed",
        "documented response status removed (success or error)",
        True,
        "clients branch on status codes; a changed status is a removal plus an addition",
    ),
    _rule(
        "response-success-status-added",
        "2xx response status added",
        True,
        "a client decoding the old success status meets another one",
    ),
    _rule(
        "response-error-status-added",
        "4xx/5xx (or default) response status added",
        False,
        "clients already handle unknown errors (generated clients raise ApiError)",
    ),
]
_SCHEMA_RULES = [
    Rule(
        "property-removed",
        "property removed (or renamed: removed + added)",
        True,
        True,
        "readers miss the field; a sent field is ignored or rejected",
    ),
    Rule(
        "property-added-required",
        "required property added",
        True,
        False,
        "senders lack it (422); readers ignore unknown fields",
    ),
    Rule(
        "property-added-optional",
        "optional property added",
        False,
        False,
        "senders may omit it; readers ignore unknown fields",
    ),
    Rule(
        "property-became-required",
        "property became required",
        True,
        False,
        "senders that omit it get 422; readers now always get it",
    ),
    Rule(
        "property-became-optional",
        "property became optional",
        False,
        True,
        "readers that rely on its presence fail",
    ),
    Rule(
        "type-changed",
        "type changed incompatibly (e.g. string → integer)",
        True,
        True,
        "neither old nor new values fit the other",
    ),
    Rule(
        "type-widened",
        "type accepts more (integer → number, T → T | null, union option added)",
        False,
        True,
        "readers meet values they cannot decode",
    ),
    Rule(
        "type-narrowed",
        "type accepts less (number → integer, T | null → T, union option removed)",
        True,
        False,
        "senders' values may be rejected",
    ),
    Rule(
        "enum-value-added",
        "enum value added",
        False,
        True,
        "exhaustive readers (switch, Enum decoding in generated clients) fail on it",
    ),
    Rule(
        "enum-value-removed",
        "enum value removed",
        True,
        False,
        "senders of the value get 422; readers just never see it",
    ),
    _rule(
        "enum-names-changed",
        "enum member names (`x-enum-varnames`, `x-enumNames`) changed",
        True,
        "generated clients rename their enum members (the wire values stay)",
    ),
    Rule(
        "constraint-tightened",
        "constraint tightened (min raised, max lowered, pattern/format added, …)",
        True,
        False,
        "values valid before are rejected",
    ),
    Rule(
        "constraint-relaxed",
        "constraint relaxed (min lowered, max raised, pattern/format removed, …)",
        False,
        True,
        "readers validating the old bounds meet values outside them",
    ),
    Rule(
        "default-changed",
        "default value changed",
        True,
        False,
        "a sender that omits the value gets other behaviour",
    ),
    Rule(
        "schema-changed",
        "any other schema change",
        True,
        True,
        "not provably compatible, so reviewed as breaking",
    ),
]
_ASYNCAPI_RULES = [
    _rule("channel-removed", "WebSocket channel removed", True, "connections to it fail"),
    _rule("channel-added", "WebSocket channel added", False, "opt-in"),
    _rule(
        "channel-address-changed",
        "channel address (URL path) changed",
        True,
        "clients connect to the old address",
    ),
    _rule(
        "operation-action-changed",
        "operation action changed (send ↔ receive)",
        True,
        "the message flows the other way",
    ),
    _rule(
        "message-removed",
        "message removed from a channel or operation",
        True,
        "senders get errors; readers wait for a message that never comes",
    ),
    Rule(
        "message-added",
        "message added to an existing operation",
        False,
        True,
        "the server accepts more; or sends a message type exhaustive readers do not know",
    ),
    _rule(
        "message-name-changed",
        "message name (its wire `type`) changed",
        True,
        "clients dispatch on the name",
    ),
]

RULES: dict[str, Rule] = {
    rule.id: rule for rule in _SPEC_RULES + _OPERATION_RULES + _SCHEMA_RULES + _ASYNCAPI_RULES
}
