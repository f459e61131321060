"""Loading the package's ``.js`` files and running script bodies the same way on both engines.

Values never enter JavaScript source: a script body is wrapped as a function and receives its
values as ``arguments``. Only code (our own ``.js`` files) is ever concatenated.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from storysync.core.errors import BrowserError


@cache
def load_script(*names: str) -> str:
    """The text of ``names`` from this package, joined in order (a shared prelude first).

    ``.js`` files ship next to the Python that loads them.
    """
    return "\n".join(resources.files(__package__).joinpath(name).read_text(encoding="utf-8") for name in names)


def settled_call(body: str, args_expression: str, timeout_ms_expression: str) -> str:
    """A JavaScript expression that runs ``body`` with the array ``args_expression`` as ``arguments``.

    The body may ``await``. The expression evaluates to a promise of ``{ok, value}`` or
    ``{ok: false, error}``, settled within ``timeout_ms_expression`` milliseconds. Both
    expressions name values the engine passes in; they are code, never the values themselves.
    """
    shim = load_script("evaluate_shim.js").strip()
    return f"({shim})(async function () {{\n{body}\n}}, {args_expression}, {timeout_ms_expression})"


def settled_value(result: Any) -> Any:
    """The script's value, or a ``BrowserError`` carrying the script's own error message."""
    if not isinstance(result, dict) or "ok" not in result:
        raise BrowserError(f"browser script returned an unexpected result: {type(result).__name__}")
    if not result["ok"]:
        raise BrowserError(f"browser script failed: {result.get('error')}")
    return result.get("value")
