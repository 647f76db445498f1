"""The Python client generator: `parser` reads an OpenAPI document, `render` writes code."""
