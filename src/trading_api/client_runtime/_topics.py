"""Topic keys computed client-side, by the rule the server answers with (docs/websocket.md).

`route + ":" +` canonical JSON of the request as sent: top-level nulls and fields equal to their
declared default left out, keys sorted, no whitespace, non-ASCII escaped. The client sends
exactly the reduced payload, so the topic names what went over the wire.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII as `\\uXXXX` (what the server produces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def request_payload(request: BaseModel, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The wire payload of `request`: wire names, JSON values, nulls and defaults left out.

    `defaults` maps wire names to the JSON defaults the AsyncAPI document declares.
    """
    dumped = request.model_dump(mode="json", by_alias=True)
    return {
        key: value
        for key, value in dumped.items()
        if value is not None and (key not in defaults or defaults[key] != value)
    }


def topic_key(route: str, payload: Mapping[str, Any]) -> str:
    """`route:` + canonical JSON of a payload built by `request_payload`."""
    return f"{route}:{canonical_json(payload)}"
