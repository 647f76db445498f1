"""Every classification rule on a hand-made spec pair, forwards and backwards.

Schema rules run twice: inside a request body (what a client sends) and inside a response
(what it reads); the expected verdicts are written here, not read from the rule table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trading_api.contracts.asyncapi import classify_asyncapi
from trading_api.contracts.compare import compare
from trading_api.contracts.openapi import classify_openapi
from trading_api.contracts.render import render_rule_table
from trading_api.contracts.rules import RULES
from trading_api.contracts.sources import Contracts

from .specs import JSON, Edit, asyncapi, edited, openapi

ROOT = Path(__file__).resolve().parents[2]
STRING, INTEGER = {"type": "string"}, {"type": "integer"}


def _object(required: list[str] | None = None, **properties: Any) -> JSON:
    return {"type": "object", "properties": properties, "required": required or []}


def _verdicts(changes: list[Any]) -> list[tuple[str, str | None, bool]]:
    return [(change.rule.id, change.direction, change.breaking) for change in changes]


# rule, old schema, new schema, breaking in a request, in a response, rule of the reverse edit
SCHEMA_CASES = [
    (
        "property-removed",
        _object(a=STRING, b=STRING),
        _object(a=STRING),
        True,
        True,
        "property-added-optional",
    ),
    (
        "property-added-required",
        _object(["a"], a=STRING),
        _object(["a", "b"], a=STRING, b=STRING),
        True,
        False,
        "property-removed",
    ),
    (
        "property-added-optional",
        _object(a=STRING),
        _object(a=STRING, b=STRING),
        False,
        False,
        "property-removed",
    ),
    (
        "property-became-required",
        _object(a=STRING),
        _object(["a"], a=STRING),
        True,
        False,
        "property-became-optional",
    ),
    (
        "property-became-optional",
        _object(["a"], a=STRING),
        _object(a=STRING),
        False,
        True,
        "property-became-required",
    ),
    ("type-changed", _object(a=STRING), _object(a=INTEGER), True, True, "type-changed"),
    (
        "type-widened",
        _object(a=INTEGER),
        _object(a={"type": "number"}),
        False,
        True,
        "type-narrowed",
    ),
    (
        "type-widened",
        _object(a=STRING),
        _object(a={"anyOf": [STRING, {"type": "null"}]}),
        False,
        True,
        "type-narrowed",
    ),
    ("type-widened", _object(a=INTEGER), _object(a={}), False, True, "type-narrowed"),
    (
        "type-narrowed",
        _object(a=STRING),
        _object(a={"type": "string", "enum": ["x"]}),
        True,
        False,
        "type-widened",
    ),
    (
        "enum-value-added",
        _object(a={"enum": ["x"]}),
        _object(a={"enum": ["x", "y"]}),
        False,
        True,
        "enum-value-removed",
    ),
    (
        "enum-value-removed",
        _object(a={"enum": ["x", "y"]}),
        _object(a={"enum": ["x"]}),
        True,
        False,
        "enum-value-added",
    ),
    (
        "constraint-tightened",
        _object(a={"type": "string", "maxLength": 10}),
        _object(a={"type": "string", "maxLength": 5}),
        True,
        False,
        "constraint-relaxed",
    ),
    (
        "constraint-tightened",
        _object(a=STRING),
        _object(a={"type": "string", "pattern": "^[A-Z]+$"}),
        True,
        False,
        "constraint-relaxed",
    ),
    (
        "constraint-tightened",
        _object(a=STRING),
        _object(a={"type": "string", "format": "date"}),
        True,
        False,
        "constraint-relaxed",
    ),
    (
        "constraint-relaxed",
        _object(a={"type": "integer", "minimum": 1}),
        _object(a={"type": "integer", "minimum": 0}),
        False,
        True,
        "constraint-tightened",
    ),
    (
        "constraint-tightened",
        _object(a=STRING),
        {**_object(a=STRING), "additionalProperties": False},
        True,
        False,
        "constraint-relaxed",
    ),
    (
        "enum-names-changed",
        _object(a={"enum": [1, 2]}),
        _object(a={"enum": [1, 2], "x-enum-varnames": ["ONE", "TWO"]}),
        True,
        True,
        "enum-names-changed",
    ),
    (
        "default-changed",
        _object(a={"type": "integer", "default": 10}),
        _object(a={"type": "integer", "default": 20}),
        True,
        False,
        "default-changed",
    ),
    (
        "schema-changed",
        _object(a={"type": "string", "x-kind": "a"}),
        _object(a={"type": "string", "x-kind": "b"}),
        True,
        True,
        "schema-changed",
    ),
]


def _using(schema: JSON, direction: str) -> JSON:
    """The demo API with `schema` as the request body model or as the response model."""
    document = openapi()
    document["components"]["schemas"]["ThingIn" if direction == "request" else "Thing"] = schema
    return document


@pytest.mark.parametrize("direction", ["request", "response"])
@pytest.mark.parametrize(
    ("rule", "old", "new", "in_request", "in_response", "reverse"), SCHEMA_CASES
)
def test_schema_rule_in_both_directions(
    rule: str,
    old: JSON,
    new: JSON,
    in_request: bool,
    in_response: bool,
    reverse: str,
    direction: str,
) -> None:
    breaking = in_request if direction == "request" else in_response
    changes = classify_openapi(_using(old, direction), _using(new, direction))
    assert _verdicts(changes) == [(rule, direction, breaking)]
    back = classify_openapi(_using(new, direction), _using(old, direction))
    assert [change.rule.id for change in back] == [reverse]
    assert _verdicts(back)[0][1] == direction


def _op(document: JSON, method: str = "get") -> JSON:
    operation: JSON = document["paths"]["/things"][method]
    return operation


def _set(path: Callable[[JSON], JSON], key: str, value: Any) -> Callable[[JSON], None]:
    return lambda document: path(document).__setitem__(key, value)


def _drop(path: Callable[[JSON], Any], key: Any) -> Callable[[JSON], None]:
    return lambda document: path(document).__delitem__(key)


_params: Callable[[JSON], list[JSON]] = lambda d: _op(d)["parameters"]  # noqa: E731
_responses: Callable[[JSON], JSON] = lambda d: _op(d)["responses"]  # noqa: E731
_post: Callable[[JSON], JSON] = lambda d: _op(d, "post")  # noqa: E731
_body: Callable[[JSON], JSON] = lambda d: _op(d, "post")["requestBody"]  # noqa: E731
_added_param: Callable[[bool], Edit] = lambda required: lambda d: _params(d).append(  # noqa: E731
    {"in": "query", "name": "side", "required": required, "schema": STRING}
)


def _no_body(document: JSON) -> None:
    del document["paths"]["/things"]["post"]["requestBody"]


def _optional_body(document: JSON) -> None:
    _body(document)["required"] = False


def _no_edit(document: JSON) -> None:
    return None


# rule, edit of the old document, edit of the new one, breaking, rule(s) of the reverse edit
OPENAPI_CASES = [
    (
        "operation-removed",
        _no_edit,
        _drop(lambda d: d["paths"]["/things"], "post"),
        True,
        ["operation-added"],
    ),
    (
        "operation-id-changed",
        _no_edit,
        _set(_op, "operationId", "things"),
        True,
        ["operation-id-changed"],
    ),
    ("operation-deprecated", _no_edit, _set(_op, "deprecated", True), False, []),
    ("parameter-added-required", _no_edit, _added_param(True), True, ["parameter-removed"]),
    ("parameter-added-optional", _no_edit, _added_param(False), False, ["parameter-removed"]),
    (
        "parameter-became-required",
        _no_edit,
        lambda d: _params(d)[1].__setitem__("required", True),
        True,
        ["parameter-became-optional"],
    ),
    (
        "parameter-became-optional",
        _no_edit,
        lambda d: _params(d)[0].__setitem__("required", False),
        False,
        ["parameter-became-required"],
    ),
    ("request-body-removed", _no_edit, _no_body, True, ["request-body-added-required"]),
    ("request-body-added-optional", _no_body, _optional_body, False, ["request-body-removed"]),
    (
        "request-body-became-optional",
        _no_edit,
        _optional_body,
        False,
        ["request-body-became-required"],
    ),
    (
        "media-type-changed",
        _no_edit,
        lambda d: _responses(d)["200"].__setitem__("content", {"text/csv": {"schema": STRING}}),
        True,
        ["media-type-changed"],
    ),
    (
        "response-status-removed",
        _no_edit,
        _drop(_responses, "422"),
        True,
        ["response-error-status-added"],
    ),
    (
        "response-success-status-added",
        _no_edit,
        lambda d: _responses(d).__setitem__("202", {"description": "later"}),
        True,
        ["response-status-removed"],
    ),
    (
        "server-changed",
        _no_edit,
        lambda d: d.__setitem__("servers", [{"url": "/api/v2/demo"}]),
        True,
        ["server-changed"],
    ),
]


@pytest.mark.parametrize(("rule", "old_edit", "new_edit", "breaking", "reverse"), OPENAPI_CASES)
def test_openapi_rule_and_its_reverse(
    rule: str, old_edit: Edit, new_edit: Edit, breaking: bool, reverse: list[str]
) -> None:
    old, new = edited(openapi(), old_edit), edited(openapi(), new_edit)
    assert _verdicts(classify_openapi(old, new)) == [(rule, None, breaking)]
    assert [change.rule.id for change in classify_openapi(new, old)] == reverse


def test_changed_success_status_is_a_removal_and_an_addition() -> None:
    def created(document: JSON) -> None:
        _responses(document)["201"] = _responses(document).pop("200")

    changes = classify_openapi(openapi(), edited(openapi(), created))
    assert _verdicts(changes) == [
        ("response-status-removed", None, True),
        ("response-success-status-added", None, True),
    ]


def test_a_model_shared_by_many_operations_is_reported_once_per_direction() -> None:
    def drop_note(document: JSON) -> None:
        del document["components"]["schemas"]["Thing"]["properties"]["note"]

    changes = classify_openapi(openapi(), edited(openapi(), drop_note))  # GET 200 and POST 201
    assert [(c.location, c.direction) for c in changes] == [("Thing.note", "response")]


def test_metadata_changes_are_not_contract_changes() -> None:
    def describe(document: JSON) -> None:
        _op(document)["description"] = "Other words."
        document["components"]["schemas"]["Thing"]["title"] = "A thing"

    assert classify_openapi(openapi(), edited(openapi(), describe)) == []


_channel: Callable[[JSON], JSON] = lambda d: d["channels"]["demo.ws"]  # noqa: E731
_operations: Callable[[JSON], JSON] = lambda d: d["operations"]  # noqa: E731
_messages: Callable[[JSON], JSON] = lambda d: d["components"]["messages"]  # noqa: E731
_schemas: Callable[[JSON], JSON] = lambda d: d["components"]["schemas"]  # noqa: E731
_message_ref = {"$ref": "#/channels/demo.ws/messages/Extra"}

ASYNCAPI_CASES = [
    (
        "channel-removed",
        _drop(lambda d: d["channels"], "demo.ws"),
        True,
        [("channel-added", None, False)],
    ),
    (
        "channel-address-changed",
        _set(_channel, "address", "/api/v2/demo/ws"),
        True,
        [("channel-address-changed", None, True)],
    ),
    (
        "operation-removed",
        _drop(_operations, "demo.update"),
        True,
        [("operation-added", None, False)],
    ),
    (
        "operation-action-changed",
        lambda d: _operations(d)["demo.update"].__setitem__("action", "receive"),
        True,
        [("operation-action-changed", None, True)],
    ),
    ("message-removed", _drop(lambda d: _channel(d)["messages"], "Update"), True, []),
    (
        "message-name-changed",
        lambda d: _messages(d)["Update"].__setitem__("name", "demo.tick"),
        True,
        [("message-name-changed", None, True)],
    ),
]


@pytest.mark.parametrize(("rule", "edit", "breaking", "reverse"), ASYNCAPI_CASES)
def test_asyncapi_rule_and_its_reverse(
    rule: str, edit: Edit, breaking: bool, reverse: list[tuple[str, str | None, bool]]
) -> None:
    new = edited(asyncapi(), edit)
    assert _verdicts(classify_asyncapi(asyncapi(), new)) == [(rule, None, breaking)]
    assert _verdicts(classify_asyncapi(new, asyncapi())) == reverse


# message added to an operation: what the server receives (request) or sends (response)
MESSAGE_CASES = [
    ("demo.subscribe", "messages", "request", False),
    ("demo.update", "messages", "response", True),
]


@pytest.mark.parametrize(("operation", "key", "direction", "breaking"), MESSAGE_CASES)
def test_message_added_to_an_operation_in_both_directions(
    operation: str, key: str, direction: str, breaking: bool
) -> None:
    new = edited(asyncapi(), lambda d: _operations(d)[operation][key].append(_message_ref))
    assert _verdicts(classify_asyncapi(asyncapi(), new)) == [("message-added", direction, breaking)]
    assert _verdicts(classify_asyncapi(new, asyncapi())) == [("message-removed", direction, True)]


# payload edits: Request travels client → server, Tick and Ack server → client
PAYLOAD_CASES = [
    (
        lambda d: _schemas(d)["Tick"]["properties"].pop("value"),
        ("property-removed", "response", True),
    ),
    (
        lambda d: _schemas(d)["Tick"]["properties"].__setitem__("at", STRING),
        ("property-added-optional", "response", False),
    ),
    (
        lambda d: _schemas(d)["Request"]["required"].clear(),
        ("property-became-optional", "request", False),
    ),
    (
        lambda d: _schemas(d)["Request"]["properties"]["symbol"].__setitem__("enum", ["A"]),
        ("type-narrowed", "request", True),
    ),
    (
        lambda d: _messages(d)["Ack"].__setitem__("payload", INTEGER),
        ("type-changed", "response", True),
    ),
]


@pytest.mark.parametrize(("edit", "verdict"), PAYLOAD_CASES)
def test_message_payloads_are_compared_in_the_direction_they_travel(
    edit: Edit, verdict: tuple[str, str | None, bool]
) -> None:
    assert _verdicts(classify_asyncapi(asyncapi(), edited(asyncapi(), edit))) == [verdict]


def test_spec_files_added_and_removed() -> None:
    core, broker = {"core_openapi.json": openapi()}, {"broker_openapi.json": openapi()}
    report = compare(Contracts("old", core), Contracts("new", {**core, **broker}))
    assert [(c.rule.id, c.spec, c.breaking) for c in report.changes] == [
        ("spec-added", "broker_openapi.json", False)
    ]
    report = compare(Contracts("old", {**core, **broker}), Contracts("new", broker))
    assert [(c.rule.id, c.spec, c.breaking) for c in report.changes] == [
        ("spec-removed", "core_openapi.json", True)
    ]


def test_every_rule_has_a_case() -> None:
    covered = {"spec-added", "spec-removed", "message-added", "message-removed"}
    for rule, *_, reverse in SCHEMA_CASES:
        covered |= {rule, reverse}
    for rule, *_, reverses in OPENAPI_CASES:
        covered |= {rule, *reverses}
    for rule, _, _, verdicts in ASYNCAPI_CASES:
        covered |= {rule, *(verdict[0] for verdict in verdicts)}
    covered |= {verdict[0] for _, verdict in PAYLOAD_CASES}
    assert set(RULES) - covered == set()


def test_docs_hold_the_rule_table() -> None:
    assert render_rule_table() in (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")


def test_rules_without_a_direction_break_both_ways_or_neither() -> None:
    directional = {
        "property-added-required",
        "property-became-required",
        "property-became-optional",
    }
    directional |= {"type-widened", "type-narrowed", "enum-value-added", "enum-value-removed"}
    directional |= {
        "constraint-tightened",
        "constraint-relaxed",
        "default-changed",
        "message-added",
    }
    assert {rule.id for rule in RULES.values() if rule.request != rule.response} == directional


def _with_side(document: JSON, side: JSON) -> JSON:
    schemas = document["components"]["schemas"]
    schemas["Side"] = {"type": "integer", "enum": [1, -1]}
    schemas["Thing"]["properties"]["side"] = side
    return document


def test_a_reference_and_an_inline_schema_compare_by_content() -> None:
    """`Side | null` becoming an inline enum of the same values only drops `null`."""
    old = _with_side(
        openapi(), {"anyOf": [{"$ref": "#/components/schemas/Side"}, {"type": "null"}]}
    )
    new = _with_side(openapi(), {"type": "integer", "enum": [1, -1]})
    assert _verdicts(classify_openapi(old, new)) == [("type-narrowed", "response", False)]
    renamed = _with_side(openapi(), {"$ref": "#/components/schemas/Direction"})
    renamed["components"]["schemas"]["Direction"] = {"type": "integer", "enum": [1, -1, 0]}
    back = classify_openapi(_with_side(openapi(), {"$ref": "#/components/schemas/Side"}), renamed)
    assert [(c.rule.id, c.location) for c in back] == [("enum-value-added", "Thing.side")]
