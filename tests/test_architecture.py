"""Architectural rules, made executable."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ("flask", "jinja2", "wtforms", "webui", "flask_wtf")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_engine_imports_no_web_code():
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & set(WEB))
                 for p in (ROOT / "engine").rglob("*.py") if _imports(p) & set(WEB)}
    assert offenders == {}


def test_adapters_import_no_web_code():
    offenders = [str(p) for p in (ROOT / "adapters").rglob("*.py") if _imports(p) & set(WEB)]
    assert offenders == []


def test_only_runtime_touches_bpmn_workflow_instances():
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "engine").rglob("*.py")
             if "BpmnWorkflow(" in p.read_text(encoding="utf-8")]
    assert users == ["engine/runtime.py"]


def test_modules_stay_small():
    big = {p.relative_to(ROOT).as_posix(): n for p in [*(ROOT / "engine").rglob("*.py"), *(ROOT / "webui").rglob("*.py"),
                                                      *(ROOT / "adapters").rglob("*.py")]
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert big == {}
