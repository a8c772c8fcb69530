"""Findings as editors read them (path:line:col: 级别 CODE 说明) and as tools read them (JSON);
the rule table of the README, generated from styles/rules.yaml."""
from __future__ import annotations

from pathlib import Path

from .config import load_rule_specs
from .registry import RULES
from .runner import Finding

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示", "off": "关闭"}
VERSION_NAMES = {"draft": "初稿", "review": "征求意见稿", "final": "报批稿"}
JSON_KEYS = ("file", "line", "col", "severity", "code", "message")  # other tools read these


def to_text(findings: list[Finding], shown=lambda file: file) -> list[str]:
    return [f"{shown(f.file)}:{f.line}:{f.col}: {SEVERITY_NAMES[f.severity]} {f.code} {f.message}"
            for f in findings]


def to_json(findings: list[Finding], shown=lambda file: file) -> list[dict]:
    return [{"file": shown(f.file), "line": f.line, "col": f.col, "severity": f.severity,
             "code": f.code, "message": f.message} for f in findings]


def summary(findings: list[Finding]) -> str:
    if not findings:
        return "未发现问题。"
    counts = {name: sum(1 for f in findings if f.severity == key)
              for key, name in SEVERITY_NAMES.items() if key != "off"}
    fixable = sum(1 for f in findings if f.fixes)
    text = f"共 {len(findings)} 处：" + "，".join(f"{name} {n}" for name, n in counts.items() if n)
    return text + (f"；其中 {fixable} 处可用 plan check --fix 改正。" if fixable else "。")


def rules_table(root: Path) -> str:
    """The rules as a Markdown table: code, rule, default severity, wrong and right examples."""
    specs = load_rule_specs(root, VERSION_NAMES)
    rows = ["| 代码 | 规则 | 默认级别 | 错例 | 正例 | --fix |", "|---|---|---|---|---|---|"]
    for code, spec in specs.items():
        if isinstance(spec.severity, str):
            level = SEVERITY_NAMES[spec.severity]
        else:
            level = "；".join(f"{VERSION_NAMES.get(v, v)}{SEVERITY_NAMES[s]}"
                             for v, s in spec.severity.items())
        fix = "✓" if code in RULES and RULES[code].fixable else ""
        rows.append(f"| {code} | {spec.title} | {level} | {cell(spec.wrong)} | {cell(spec.right)} "
                    f"| {fix} |")
    return "\n".join(rows)


def cell(example: str) -> str:
    lines = [line.replace("|", "\\|") for line in example.strip().split("\n") if line.strip()]
    return "<br>".join(f"`{line}`" for line in lines)
