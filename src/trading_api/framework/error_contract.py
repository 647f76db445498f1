"""What every operation's OpenAPI responses say about errors, added by the framework.

Routes declare their domain errors (`error_responses`); the framework completes each module's
document with what the HTTP layer itself answers, so no route can forget it:

- 400 `malformed_body` and 413 `payload_too_large` (`framework.limits`) on every operation
  that takes a JSON body;
- 422 (FastAPI's `HTTPValidationError`) only where some request can fail validation: FastAPI
  declares it on every operation with parameters, even when each one accepts any text.
"""

from __future__ import annotations

from typing import Any

from trading_api.framework.errors import JSON, MalformedBodyError, document_error
from trading_api.framework.limits import PayloadTooLargeError
from trading_api.models.errors import ErrorResponse

_FREE_TEXT_KEYS = {"type", "title", "description", "default", "examples"}
_REF = "#/components/schemas/ErrorResponse"


def complete_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Add the shared 400/413 and drop impossible 422s in every operation of `document`."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                for error in (MalformedBodyError, PayloadTooLargeError):
                    answer = responses.setdefault(str(error.http_status), {})
                    document_error(answer, error)
                    answer["content"][JSON].setdefault("schema", {"$ref": _REF})
                document.setdefault("components", {}).setdefault("schemas", {}).setdefault(
                    "ErrorResponse", ErrorResponse.model_json_schema()
                )
            if not _can_fail_validation(operation):
                responses.pop("422", None)
    return document


def _can_fail_validation(operation: dict[str, Any]) -> bool:
    if "requestBody" in operation:
        return True
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path" and parameter.get("required", False):
            return True  # missing → 422
        schema = parameter.get("schema", {})
        if schema.get("type") != "string" or set(schema) - _FREE_TEXT_KEYS:
            return True  # typed or constrained
    return False
