"""docs/hooks.md has a section per hookspec whose signature is the spec's (DESIGN "Plugins")."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from storysync.plugins import hookspecs

HOOKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"
HOOKSPECS = sorted(name for name in dir(hookspecs) if name.startswith("storysync_"))


def documented_signature(doc: str, hook: str) -> ast.FunctionDef | None:
    """The ``def`` line of the first python block under the ``## <hook>`` heading, parsed."""
    section = re.search(rf"^## {hook}\n(.*?)(?=^## |\Z)", doc, re.MULTILINE | re.DOTALL)
    if section is None:
        return None
    block = re.search(r"```python\n(def .*?)\n```", section[1], re.DOTALL)
    if block is None:
        return None
    return ast.parse(block[1] + ": ...").body[0]


def spec_signature(hook: str) -> tuple[list[tuple[str, str]], str]:
    signature = inspect.signature(getattr(hookspecs, hook))
    parameters = [(name, str(parameter.annotation)) for name, parameter in signature.parameters.items()]
    return parameters, str(signature.return_annotation)


def test_hookspecs_are_found() -> None:
    assert len(HOOKSPECS) >= 7


@pytest.mark.parametrize("hook", HOOKSPECS)
def test_hook_is_documented_with_its_exact_signature(hook: str) -> None:
    documented = documented_signature(HOOKS_DOC.read_text(), hook)

    assert documented is not None, f"docs/hooks.md needs a '## {hook}' section with a ```python def {hook}(...)``` block"
    assert documented.name == hook
    parameters = [(arg.arg, ast.unparse(arg.annotation)) for arg in documented.args.args]
    assert (parameters, ast.unparse(documented.returns)) == spec_signature(hook)


def test_a_missing_section_is_reported() -> None:
    doc = HOOKS_DOC.read_text()
    without = re.sub(r"^## storysync_reply_sent\n.*?(?=^## )", "", doc, flags=re.MULTILINE | re.DOTALL)

    assert documented_signature(without, "storysync_reply_sent") is None


def test_a_changed_signature_is_reported() -> None:
    doc = HOOKS_DOC.read_text().replace("is_new: bool, run_id: str", "is_new: bool")
    documented = documented_signature(doc, "storysync_story_saved")

    assert [arg.arg for arg in documented.args.args] != [name for name, _ in spec_signature("storysync_story_saved")[0]]


def test_every_documented_hook_exists() -> None:
    headings = re.findall(r"^## (storysync_\w+)$", HOOKS_DOC.read_text(), re.MULTILINE)
    assert sorted(headings) == HOOKSPECS
