"""Dependencies say what the code uses: each runtime dependency is imported by the pipeline, each
third-party import of the pipeline is a declared runtime dependency, and every package installed
has its exact version in constraints.txt."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Modules that run in LibreOffice's own Python (the UNO worker), not in the venv.
OUTSIDE_VENV = {"uno", "com", "unohelper"}


def name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement, 1)[0].lower().replace("_", "-")


def imported_distributions(folder: Path) -> dict[str, set[str]]:
    """Distribution → the files of `folder` that import one of its modules."""
    by_module = packages_distributions()
    local = {p.stem for top in (ROOT / "pipeline", ROOT / "tests") for p in top.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in OUTSIDE_VENV or top in local | {"pipeline"}:
                    continue
                for dist in by_module.get(top, [top]):
                    found.setdefault(name(dist), set()).add(path.name)
    return found


def test_runtime_dependencies_are_what_the_pipeline_imports():
    declared = {name(r) for r in PROJECT["dependencies"]}
    used = imported_distributions(ROOT / "pipeline")
    assert declared == set(used), {"declared, not imported": declared - set(used),
                                   "imported, not declared": {d: used[d] for d in
                                                              set(used) - declared}}


def test_tests_import_only_declared_packages():
    declared = {name(r) for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]}
    used = imported_distributions(ROOT / "tests")
    assert set(used) <= declared, {d: used[d] for d in set(used) - declared}


def test_every_installed_requirement_has_an_exact_pin():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            package, version = line.split("==")
            pins[name(package)] = version
    from importlib.metadata import requires, version
    wanted = {name(r) for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]}
    closure, todo = set(), list(wanted)
    while todo:  # what the declared packages pull in, as installed
        package = todo.pop()
        if package in closure:
            continue
        closure.add(package)
        for requirement in map(Requirement, requires(package) or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(name(requirement.name))
    missing = {p for p in closure if p not in pins}
    assert not missing, missing
    assert all(pins[p] == version(p) for p in closure), \
        {p: (pins[p], version(p)) for p in closure if pins[p] != version(p)}
