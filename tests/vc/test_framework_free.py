"""`mosaics.vc` never imports Django or any other part of Mosaics (import-linter checks it too)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

VC = Path(__file__).resolve().parents[2] / "mosaics" / "vc"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_module_of_the_core_imports_django_or_the_rest_of_mosaics() -> None:
    offending = []
    for path in sorted(VC.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in {"django", "django_tasks", "django_tasks_db"} or (
                top == "mosaics" and not (name == "mosaics.vc" or name.startswith("mosaics.vc."))
            ):
                offending.append(f"{path.relative_to(VC)}: {name}")
    assert offending == []


def test_the_core_imports_without_django_installed_in_the_process() -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        "sys.modules['django'] = None\n"  # any import of django now raises ImportError
        "import mosaics.vc\n"
        "for m in pkgutil.walk_packages(mosaics.vc.__path__, 'mosaics.vc.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
