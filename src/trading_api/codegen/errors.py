"""Errors of the code generation pipeline: each names the module and the cause."""

from __future__ import annotations


class GenerationError(Exception):
    """Generation cannot go on; nothing has been written for the run that raised it."""
