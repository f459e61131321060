"""The dependency rule of DESIGN: core imports only the stdlib and msgspec, nothing of ours outside core."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import storysync.core

CORE = Path(storysync.core.__file__).parent
ALLOWED_THIRD_PARTY = {"msgspec"}
FORBIDDEN_OWN = ("storysync.adapters", "storysync.plugins", "storysync.cli")
IO_MODULES = {"socket", "sqlite3", "subprocess", "urllib.request", "http.client", "shutil"}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = path.parent.relative_to(CORE.parent).parts
                base = ".".join(("storysync",) + package[: len(package) - node.level + 1])
                found.append((f"{base}.{node.module}" if node.module else base, node.lineno))
            else:
                found.append((node.module or "", node.lineno))
    return found


def test_core_imports_only_stdlib_msgspec_and_itself():
    core_files = sorted(CORE.rglob("*.py"))
    assert len(core_files) > 5
    violations = []
    for path in core_files:
        for module, line in _imports(path):
            top = module.split(".")[0]
            if module.startswith(FORBIDDEN_OWN) or top in {"core", "adapters", "plugins", "cli"}:
                violations.append(f"{path.relative_to(CORE)}:{line} imports {module}")
            elif top == "storysync" or top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY or top == "__future__":
                if module in IO_MODULES:
                    violations.append(f"{path.relative_to(CORE)}:{line} imports I/O module {module}")
            else:
                violations.append(f"{path.relative_to(CORE)}:{line} imports third-party {module}")
    assert not violations, "\n".join(violations)


def test_the_checker_sees_absolute_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import httpx\nfrom storysync.adapters import http\n")
    assert [module for module, _ in _imports(probe)] == ["httpx", "storysync.adapters"]


def test_importing_the_package_does_not_import_heavy_libraries():
    import subprocess

    code = (
        "import sys, storysync.core, storysync.plugins.bootstrap, storysync.cli.app, storysync.plugins.builtin.browsers;"
        "heavy = [m for m in ('selenium', 'playwright', 'httpx') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
