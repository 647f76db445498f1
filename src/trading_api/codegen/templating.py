"""The Jinja2 environment shared by the generators (templates render Python source)."""

from __future__ import annotations

import textwrap
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
    env.filters["wrap_at"] = wrap_at
    return env


def wrap_at(text: str, indent: int, lead: int = 0, hanging: int = 4, width: int = 100) -> str:
    """Wrap docstring text that starts at column `indent + lead` to the line length black keeps.

    black never splits strings, so generated docstrings must already fit (ruff's E501); later
    lines are indented `indent + hanging` (the Google style of an `Args:` entry).
    """
    lines = textwrap.wrap(
        text,
        width=width - indent,
        initial_indent=" " * lead,
        subsequent_indent=" " * hanging,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return ("\n" + " " * indent).join(lines)[lead:]
