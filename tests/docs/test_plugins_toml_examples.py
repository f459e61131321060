"""Every ```toml block of the plugin docs loads through ``load_settings`` without error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storysync.plugins.config import load_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"
TOML_BLOCK = re.compile(r"```toml\n(.*?)```", re.DOTALL)
EXAMPLES = [
    pytest.param(block, id=f"{name}#{index}")
    for name in ("plugins.md", "writing-plugins.md")
    for index, block in enumerate(TOML_BLOCK.findall((DOCS / name).read_text()))
]


def test_the_plugin_guide_has_toml_examples() -> None:
    assert sum(1 for param in EXAMPLES if param.id.startswith("plugins.md")) >= 6


@pytest.mark.parametrize("block", [param for param in EXAMPLES if "[build-system]" not in param.values[0]])
def test_toml_example_loads(block: str, tmp_path: Path) -> None:
    config = tmp_path / "storysync.toml"
    config.write_text(block)

    load_settings(config, environ={"HOME": str(tmp_path)}, cwd=tmp_path)
