"""Domain-rule modules import no Django, so they run and are tested without a database."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE_DIRS = [p for p in ROOT.glob("*/rules") if p.is_dir() and p.parent.name != ".venv"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_there_are_rule_modules_to_check():
    assert any(RULE_DIRS), "expected at least enterprises/rules"


def test_rule_modules_import_no_django_and_no_app_code_outside_rules():
    offenders = []
    for folder in RULE_DIRS:
        for path in folder.rglob("*.py"):
            for name in _imports(path):
                top = name.split(".")[0]
                if top in {"django", "rest_framework", "celery"} or (
                    top
                    in {"reference", "accounts", "enterprises", "tiers", "programs", "servicedesk", "reporting", "zjtx"}
                    and ".rules" not in name
                ):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
