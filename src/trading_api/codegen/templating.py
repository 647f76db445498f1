"""The Jinja2 environment shared by the generators (templates render Python source)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from trading_api.codegen.tools import load_tool

if TYPE_CHECKING:
    import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> jinja2.Environment:
    """Imported lazily: a run where nothing changed renders nothing."""
    jinja = load_tool("jinja2")
    env: jinja2.Environment = jinja.Environment(
        loader=jinja.FileSystemLoader(TEMPLATES_DIR),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja.StrictUndefined,
        autoescape=False,  # Python source, not HTML
    )
    return env
