"""Build-time code generation (needs the `codegen` extra: jinja2, black, isort).

Server code never imports this package; only the build hook, the CLI and the dev server
(`serve --reload` in a source checkout) do.
"""

from trading_api.codegen.clean import remove_outputs
from trading_api.codegen.errors import GenerationError, MissingToolError
from trading_api.codegen.pipeline import (
    Report,
    default_layout,
    generate,
    generate_or_keep_stale,
    outputs_current,
)

__all__ = [
    "GenerationError",
    "MissingToolError",
    "Report",
    "default_layout",
    "generate",
    "generate_or_keep_stale",
    "outputs_current",
    "remove_outputs",
]
