"""Errors of the code generation pipeline: each names the module (or the tool) and the cause."""

from __future__ import annotations

CODEGEN_EXTRA_HINT = "install the codegen tools: pip install 'trading-api[codegen]'"


class GenerationError(Exception):
    """Generation cannot go on; nothing has been written for the run that raised it."""


class MissingToolError(GenerationError):
    """A code generation tool (jinja2, black, isort) is not installed.

    Not the fault of any module: reported with the extra that provides it.
    """

    def __init__(self, tools: list[str]) -> None:
        self.tools = tools
        super().__init__(
            f"missing code generation tool(s): {', '.join(tools)}; {CODEGEN_EXTRA_HINT}"
        )

    def __reduce__(self) -> tuple[type[MissingToolError], tuple[list[str]]]:
        return (MissingToolError, (self.tools,))  # raised in the formatting worker, re-raised here
