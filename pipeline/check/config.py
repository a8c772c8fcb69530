"""styles/rules.yaml (what each rule is called, its examples, its severity per version) and
styles/glossary.yaml (agency codes, preferred terms, units), read safely and checked."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PlanError
from ..layout import style_file
from ..yamlfile import parse_yaml
from .registry import RULES, Glossary

SEVERITIES = ("error", "warning", "info", "off")
RULES_FILE = "rules.yaml"
GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class RuleSpec:
    code: str
    title: str
    severity: str | dict[str, str]  # one for every version, or one per version
    wrong: str
    right: str
    options: dict[str, Any] = field(default_factory=dict)

    def severity_for(self, version: str) -> str:
        return self.severity if isinstance(self.severity, str) else self.severity[version]


def read_style(filename: str, root: Path) -> tuple[Any, dict[str, int], str]:
    path = style_file(filename, root)
    shown = f"styles/{filename}"
    if path is None:
        raise PlanError(f"找不到 {shown}", shown, code="E501")
    data, lines = parse_yaml(path.read_text(encoding="utf-8"), shown)
    if not isinstance(data, dict):
        raise PlanError(f"{shown} 应为“键: 值”形式的映射", shown, 1, code="E502")
    return data, lines, shown


def off_as_text(severity: Any) -> Any:
    """YAML reads a bare `off` as false: take it as the word the drafter wrote."""
    if isinstance(severity, dict):
        return {key: off_as_text(value) for key, value in severity.items()}
    return "off" if severity is False else severity


def load_rule_specs(root: Path, versions: Iterable[str]) -> dict[str, RuleSpec]:
    data, lines, shown = read_style(RULES_FILE, root)
    versions = list(versions)
    specs: dict[str, RuleSpec] = {}
    for code, entry in data.items():
        at = lines.get(str(code), 1)

        def fail(message: str) -> PlanError:
            return PlanError(f"规则 {code}：{message}", shown, at, code="E503")

        if code not in RULES:
            raise fail(f"不是已知的规则代码（已知：{'、'.join(sorted(RULES))}）")
        if not isinstance(entry, dict):
            raise fail("应为含 title、severity、wrong、right 的映射")
        unknown = set(entry) - {"title", "severity", "wrong", "right", "options"}
        if unknown:
            raise fail(f"有未知的键：{'、'.join(map(str, unknown))}")
        for key in ("title", "wrong", "right"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise fail(f"缺少 {key}（规则名称、错例、正例都要写）")
        severity = off_as_text(entry.get("severity"))
        by_version = severity if isinstance(severity, dict) else {v: severity for v in versions}
        missing = [v for v in versions if v not in by_version]
        if missing:
            raise fail(f"severity 没有给出版本 {'、'.join(missing)} 的级别")
        bad = [str(s) for s in by_version.values() if s not in SEVERITIES]
        if bad:
            raise fail(f"severity 只能是 {'、'.join(SEVERITIES)}，实际为“{'、'.join(bad)}”")
        options = entry.get("options") or {}
        rule = RULES.get(code)
        needed = [name for name in (rule.options if rule else ()) if name not in options]
        if needed:
            raise fail(f"缺少选项 options.{'、options.'.join(needed)}")
        specs[code] = RuleSpec(code, entry["title"].strip(), severity, entry["wrong"],
                               entry["right"], options)
    absent = [code for code in RULES if code not in specs]
    if absent:
        raise PlanError(f"{shown} 缺少规则 {'、'.join(absent)} 的条目", shown, 1, code="E504")
    return specs


def load_glossary(root: Path) -> Glossary:
    data, lines, shown = read_style(GLOSSARY_FILE, root)

    def fail(key: str, message: str) -> PlanError:
        return PlanError(f"{key}：{message}", shown, lines.get(key, 1), code="E505")

    agencies = data.get("agencies") or {}
    if not isinstance(agencies, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in agencies.items()):
        raise fail("agencies", "应为“代字: 发文机关全称”的映射")
    terms = []
    for entry in data.get("terms") or []:
        if not (isinstance(entry, dict) and isinstance(entry.get("preferred"), str)
                and isinstance(entry.get("variants"), list)
                and all(isinstance(v, str) and v for v in entry["variants"])):
            raise fail("terms", f"每一项应为 {{preferred: 规范写法, variants: [其他写法]}}，实际为“{entry}”")
        terms.append((entry["preferred"], entry["variants"]))
    units = data.get("units") or []
    if not all(isinstance(u, list) and len(u) > 1 and all(isinstance(f, str) and f for f in u)
               for u in units):
        raise fail("units", "每一项应为同一单位的几种写法的列表，规范写法在前")
    return Glossary(agencies, terms, units)
