"""The layout shows the architecture, and stays that way.

docs/architecture.md claims: one folder per feature with the same vocabulary;
no flat prefixed modules; no function-level imports of project code (Django's
`AppConfig.ready` excepted); the import order itself is the import-linter
contract in pyproject.toml, which `make lint` runs (and a test below runs too).
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONSULTATION = REPO / "consultation"
PROJECT_PACKAGES = ("consultation", "workinggroups", "core", "accounts", "jobs", "config")

FEATURES = {
    "pages",
    "privacy",
    "comments",
    "reactions",
    "proposals",
    "versions",
    "record",
    "restrictions",
    "stages",
    "signoffs",
    "subscriptions",
    "participation",
    "consensus",
    "report",
    "exports",
    "opinions",
    "api",
    "search",
}
# The vocabulary every feature uses, and the few modules a feature has beyond it.
VOCABULARY = {
    "__init__",
    "services",
    "selectors",
    "forms",
    "views",
    "admin",
    "consumers",
    "routing",
    "signals",
}
FEATURE_EXTRAS = {
    "comments": {"sanitise"},
    "reactions": {"broadcast"},
    "versions": {"diff", "responses"},
    "record": {"feeds"},
    "consensus": {"statistics"},
    "report": {"builder", "render", "pdf_layout"},
    "exports": {"render"},
    "opinions": {"method"},
    "pages": {"context_processors", "cache"},
    "api": {"http", "schemas"},
}
ROOT_MODULES = {"__init__", "apps", "blocks", "rules", "explain", "signals", "urls", "wagtail_hooks"}
OTHER_PACKAGES = {"models", "templatetags", "management", "migrations", "demo", "templates"}


def python_files(*roots):
    for root in roots:
        for path in (REPO / root).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_flat_prefixed_modules_remain():
    prefixed = [
        path.relative_to(REPO)
        for path in CONSULTATION.rglob("*.py")
        if path.stem.startswith(("views_", "forms_", "selectors_", "services_"))
    ]
    assert prefixed == []


def test_consultation_root_holds_only_the_wiring_and_one_folder_per_feature():
    modules = {path.stem for path in CONSULTATION.glob("*.py")}
    packages = {path.name for path in CONSULTATION.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert modules <= ROOT_MODULES, modules - ROOT_MODULES
    assert packages == FEATURES | OTHER_PACKAGES


def test_each_feature_uses_the_shared_vocabulary():
    odd = {}
    for feature in FEATURES:
        modules = {path.stem for path in (CONSULTATION / feature).glob("*.py")}
        extra = modules - VOCABULARY - FEATURE_EXTRAS.get(feature, set())
        if extra:
            odd[feature] = extra
    assert odd == {}


def _function_level_project_imports(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (
                inner.level or (inner.module or "").split(".")[0] in PROJECT_PACKAGES
            ):
                found.append((node.name, inner.module))
            elif isinstance(inner, ast.Import) and any(
                a.name.split(".")[0] in PROJECT_PACKAGES for a in inner.names
            ):
                found.append((node.name, inner.names[0].name))
    return found


def test_no_function_level_imports_of_project_code():
    allowed = {("consultation/apps.py", "ready")}  # Django's convention for connecting receivers
    found = []
    for path in python_files("consultation", "workinggroups", "site"):
        rel = str(path.relative_to(REPO))
        for function, module in _function_level_project_imports(path):
            if (rel, function) not in allowed:
                found.append((rel, function, module))
    assert found == []


def test_the_import_contracts_hold():
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'site'}{os.pathsep}{REPO}"}
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=REPO, env=env, capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 kept, 0 broken" in result.stdout
