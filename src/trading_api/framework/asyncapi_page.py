"""A self-contained HTML page for an AsyncAPI document: no scripts, no CDN, readable offline."""

from __future__ import annotations

import json
from html import escape
from typing import Any

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4} code,pre{font:13px ui-monospace,monospace}
pre{background:#f8f8f8;padding:.6rem;overflow:auto}
"""
_DIRECTION = {"receive": "client → server", "send": "server → client"}


def render_asyncapi_page(document: dict[str, Any]) -> str:
    """Channels with their operations (direction, message, payload, reply), then the schemas."""
    info = document.get("info", {})
    title, version = escape(info.get("title", "")), escape(str(info.get("version", "")))
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{title} <small>{version}</small></h1>",
        f"<p>{escape(info.get('description', ''))}</p>",
        '<p>Frames are JSON text: <code>{"type": "&lt;route&gt;.&lt;operation&gt;", '
        "\"payload\": {…}}</code>. <a href='asyncapi.json'>AsyncAPI 3.0 document</a>.</p>",
    ]
    messages = document.get("components", {}).get("messages", {})
    for key, channel in document.get("channels", {}).items():
        parts.append(f"<h2><code>{escape(channel.get('address', key))}</code></h2>")
        parts.append(f"<p>{escape(channel.get('description', ''))}</p>")
        parts.append(
            "<table><tr><th>type</th><th>direction</th><th>payload</th><th>reply</th>"
            "<th>summary</th></tr>"
        )
        for operation in _operations_of(document, key):
            for message_ref in operation.get("messages", []):
                message = messages.get(message_ref["$ref"].rsplit("/", 1)[-1], {})
                reply = [
                    messages.get(ref["$ref"].rsplit("/", 1)[-1], {}).get("name", "")
                    for ref in operation.get("reply", {}).get("messages", [])
                ]
                parts.append(
                    f"<tr><td><code>{escape(message.get('name', ''))}</code></td>"
                    f"<td>{_DIRECTION.get(operation.get('action', ''), '')}</td>"
                    f"<td>{_schema_link(message.get('payload', {}))}</td>"
                    f"<td><code>{escape(', '.join(reply))}</code></td>"
                    f"<td>{escape(operation.get('summary', ''))}</td></tr>"
                )
        parts.append("</table>")
    parts.append("<h2>Schemas</h2>")
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        parts.append(
            f"<h3 id='{escape(name)}'>{escape(name)}</h3>"
            f"<pre>{escape(json.dumps(schema, indent=2, sort_keys=True))}</pre>"
        )
    parts.append("</body></html>")
    return "".join(parts)


def _operations_of(document: dict[str, Any], channel_key: str) -> list[dict[str, Any]]:
    ref = f"#/channels/{channel_key}"
    return [
        operation
        for _, operation in sorted(document.get("operations", {}).items())
        if operation.get("channel", {}).get("$ref") == ref
    ]


def _schema_link(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = escape(schema["$ref"].rsplit("/", 1)[-1])
        return f"<a href='#{name}'>{name}</a>"
    return f"<code>{escape(json.dumps(schema))}</code>"
