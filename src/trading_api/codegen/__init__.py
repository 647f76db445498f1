"""Build-time code generation (needs the `codegen` extra: jinja2, black, isort, autoflake).

Run-time code never imports this package.
"""

from trading_api.codegen.clean import remove_outputs
from trading_api.codegen.errors import GenerationError
from trading_api.codegen.pipeline import Report, default_layout, generate

__all__ = ["GenerationError", "Report", "default_layout", "generate", "remove_outputs"]
