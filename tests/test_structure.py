"""Features meet only through the engine, the models and ``quizapp/shared``.

A feature package (a blueprint's package under ``quizapp/``) imports no other feature; the
app-level modules that compose features (``create_app``, the demo, the CLI) may.
"""

from __future__ import annotations

import ast
from pathlib import Path

import quizapp

APP = Path(quizapp.__file__).parent
FEATURES = {"admin", "auth", "competitions", "estimates", "main", "practice", "questions",
            "surveys"}
# Packages under quizapp/ that are not features: shared by all, or composing them.
NOT_FEATURES = {"demo", "engine", "models", "shared", "static", "templates", "translations"}


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_every_package_is_a_known_feature_or_shared():
    packages = {p.name for p in APP.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert packages - NOT_FEATURES == FEATURES


def test_no_feature_imports_another():
    crossings = []
    for feature in sorted(FEATURES):
        for path in sorted((APP / feature).rglob("*.py")):
            for module in _imported_modules(path):
                parts = module.split(".")
                if parts[0] == "quizapp" and len(parts) > 1 and parts[1] in FEATURES - {feature}:
                    crossings.append(f"{path.relative_to(APP)} imports {module}")
    assert crossings == []


def test_shared_code_imports_no_feature():
    crossings = [f"{path.relative_to(APP)} imports {module}"
                 for package in ("engine", "models", "shared")
                 for path in sorted((APP / package).rglob("*.py"))
                 for module in _imported_modules(path)
                 if module.split(".")[:1] == ["quizapp"] and module.split(".")[1:2]
                 and module.split(".")[1] in FEATURES]
    assert crossings == []
