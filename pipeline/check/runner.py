"""Run every rule over the chapters of one version, apply severities and silence markers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, PlanError
from ..layout import load_layout
from ..load import load_plan
from .config import load_glossary, load_rule_specs
from .registry import RULES, Context, Hit, runner_rule
from .slips import reading_problems
from ..files import read_text
from .text import ChapterText, CoverText, Marker

SILENCE_CODE = "X001"
runner_rule(SILENCE_CODE)


@dataclass(frozen=True)
class CharFix:
    """--fix: put `new` where `old` stands, at line and column of the file (see registry.Edit:
    one character replaced, deleted or inserted)."""
    line: int
    col: int
    old: str
    new: str


@dataclass(frozen=True)
class Finding(Diagnostic):
    """A Diagnostic of `plan check`: always at a file, line and column, with what --fix does."""
    fixes: tuple[CharFix, ...] = ()


def found(file: str, line: int, col: int, severity: str, code: str, message: str,
          fixes: tuple[CharFix, ...] = ()) -> Finding:
    return Finding(code, severity, message, file, line, col, fixes=fixes)


def check_plan(root: Path, version: str = "draft") -> list[Finding]:
    plan = load_plan(root)
    if version not in plan.meta.versions:
        raise PlanError(f"plan.yaml 中没有版本“{version}”（可用：{'、'.join(plan.meta.versions)}）",
                        "plan.yaml", code="E301")
    layout = load_layout(plan.meta.layout, plan.root)
    if plan.meta.numbering not in layout["numbering"]:
        raise PlanError(f"版式方案 {layout.name} 没有编号方案“{plan.meta.numbering}”",
                        "plan.yaml", code="E403")
    specs = load_rule_specs(plan.root, plan.meta.versions)
    ctx = Context(plan.meta, version, len(layout.scheme(plan.meta.numbering)),
                  load_glossary(plan.root), {code: s.options for code, s in specs.items()}, plan,
                  layout)
    cover = CoverText(read_text(plan.root / "plan.yaml", "plan.yaml"))
    texts = [cover, *(ChapterText(ch) for ch in plan.chapters if version in ch.versions)]
    findings: list[Finding] = []
    for code, rule in RULES.items():
        severity = specs[code].severity_for(version)
        if rule.run is None or severity == "off":
            continue
        findings += [finding(hit, code, severity) for hit in rule.run(texts, ctx)]
    findings = silence(findings, texts, specs, version)
    findings += [found(d.file or "plan.yaml", d.line or 1, d.col or 1, d.severity, d.code,
                       d.message) for d in reading_problems(texts, ctx)]
    order = {t.file: i for i, t in enumerate(texts)}  # plan.yaml, data files (D703) first
    return sorted(set(findings), key=lambda f: (order.get(f.file, -1), f.file, f.line, f.col,
                                                f.code, f.message))


def finding(hit: Hit, code: str, severity: str) -> Finding:
    line, col = hit.text.position(hit.offset)
    fixes = tuple(CharFix(*hit.text.position(e.offset), e.old, e.new) for e in hit.edits)
    return found(hit.text.file, line, col, severity, code, hit.message, fixes)


def silence(findings: list[Finding], texts: list[ChapterText], specs, version: str
            ) -> list[Finding]:
    """Each code of a marker silences one finding on the marker's line: the first one after the
    marker, else the last one before it. A marker that silences nothing is itself reported."""
    silenced: set[int] = set()
    unused: list[Finding] = []
    for text in texts:
        for marker in text.markers:
            for code in marker.codes:
                index = pick(findings, silenced, text.file, marker, code)
                if index is not None:
                    silenced.add(index)
                elif code not in specs:
                    unused.append(marker_finding(text, marker, f"忽略标记中的“{code}”不是已知的规则代码"))
                elif specs[code].severity_for(version) != "off":
                    unused.append(marker_finding(text, marker, f"忽略标记未放过任何问题：本行没有 {code}"
                                                 f"（{specs[code].title}），请删去该标记"))
    kept = [f for i, f in enumerate(findings) if i not in silenced]
    severity = specs[SILENCE_CODE].severity_for(version)
    if severity != "off":
        kept += [found(f.file, f.line, f.col, severity, f.code, f.message) for f in unused]
    return kept


def pick(findings: list[Finding], silenced: set[int], file: str, marker: Marker, code: str
         ) -> int | None:
    same_line = [i for i, f in enumerate(findings) if i not in silenced and f.file == file
                 and f.line == marker.line and f.code == code]
    after = [i for i in same_line if findings[i].col >= marker.end_col]
    before = [i for i in same_line if findings[i].col < marker.col]
    if after:
        return min(after, key=lambda i: findings[i].col)
    return max(before, key=lambda i: findings[i].col) if before else None


def marker_finding(text: ChapterText, marker: Marker, message: str) -> Finding:
    return found(text.file, marker.line, marker.col, "", SILENCE_CODE, message)
