"""Format generated Python like hand-written code: autoflake → black → isort, in-process."""

from __future__ import annotations

from trading_api.codegen.tools import load_tool

LINE_LENGTH = 100


def format_python(source: str) -> str:
    autoflake, black, isort = (load_tool(name) for name in ("autoflake", "black", "isort"))
    source = autoflake.fix_code(
        source, remove_all_unused_imports=True, remove_unused_variables=True
    )
    source = black.format_str(source, mode=black.Mode(line_length=LINE_LENGTH))
    formatted: str = isort.code(source, profile="black", line_length=LINE_LENGTH)
    return formatted
