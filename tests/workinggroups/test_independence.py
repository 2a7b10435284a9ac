"""`workinggroups` never imports `consultation`: the dependency points one way."""

import ast
from pathlib import Path

import workinggroups

APP = Path(workinggroups.__file__).parent


def test_no_module_of_workinggroups_imports_consultation():
    offenders = []
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [
                f"{path.relative_to(APP)}: {name}" for name in names if name.split(".")[0] == "consultation"
            ]
    assert offenders == []


def test_no_template_of_workinggroups_uses_consultation_urls_or_tags():
    for path in (APP / "templates").rglob("*.html"):
        text = path.read_text()
        assert "consultation:" not in text, path
        assert "{% load consultation" not in text, path
