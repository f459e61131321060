"""The ``storysync`` command line: thin; it parses arguments, calls ``bootstrap`` and renders results."""

from .app import main

__all__ = ["main"]
