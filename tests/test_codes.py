"""One registry of codes: every code a stage uses is registered once, and none of them is also
a drafting rule's code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.check.registry import RULES
from pipeline.codes import CODES, registry

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
CODE = re.compile(r"[\"']([A-Z]\d{3})[\"']")


def used_codes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "codes.py":  # the registry itself
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for code in CODE.findall(line):
                found.setdefault(code, []).append(f"{path.relative_to(PACKAGE)}:{n}")
    return found


def test_every_code_used_is_registered():
    unknown = {c: places for c, places in used_codes().items()
               if c not in CODES and c not in RULES}
    assert not unknown, unknown


def test_stage_and_rule_codes_are_apart():
    assert not set(CODES) & set(RULES)


def test_a_code_registered_twice_is_refused():
    with pytest.raises(ValueError, match="E001"):
        registry(("E001", "甲"), ("E001", "乙"))


def test_each_registered_code_is_used():
    unused = set(CODES) - set(used_codes()) - {"E000"}
    assert not unused, sorted(unused)
