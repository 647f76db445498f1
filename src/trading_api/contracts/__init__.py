"""Contract diffs that say what breaks a deployed client.

Compares two sets of generated specs (OpenAPI and AsyncAPI, per module) and classifies every
change with a rule from `rules.RULES`. Run-time code: it needs neither FastAPI's app nor the
codegen tools (black, jinja2), so `trading-api contracts diff` works from a plain install.
"""
