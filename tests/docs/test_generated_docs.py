"""docs/configuration.md and docs/cli.md match what ``storysync.cli.docs_gen`` generates now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_generated_reference_docs_are_current(tmp_path: Path) -> None:
    # A fresh interpreter: the click group is module state that other tests' imports change.
    done = subprocess.run([sys.executable, "-m", "storysync.cli.docs_gen", "--check", str(DOCS)],
                          capture_output=True, text=True, cwd=tmp_path)

    assert done.returncode == 0, done.stderr


def test_a_stale_file_is_named_with_the_command_that_regenerates_it(tmp_path: Path) -> None:
    for name in ("configuration.md", "cli.md"):
        (tmp_path / name).write_text((DOCS / name).read_text())
    (tmp_path / "cli.md").write_text("outdated\n")

    done = subprocess.run([sys.executable, "-m", "storysync.cli.docs_gen", "--check", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path)

    assert done.returncode == 1
    assert f"{tmp_path / 'cli.md'} is stale: regenerate it with `python -m storysync.cli.docs_gen`" in done.stderr
    assert "configuration.md" not in done.stderr
