"""Checks and their forms: a plain-text table 检查项 | 要求 | 实测 | 结论, JSON, and the short
phrases the 实测 texts are made of."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ..chinese import display_width
from ..errors import Diagnostic


MAX_LISTED = 5                # how many deviations a 实测 text names before "等"


@dataclass(frozen=True)
class Check:
    item: str         # 检查项
    requirement: str  # 要求
    measured: str     # 实测
    ok: bool


def failures(checks: Iterable[Check], file: str) -> list[Diagnostic]:
    """The checks a PDF fails, as the build reports them: the PDF was made, out of format."""
    return [Diagnostic("E702", "warning", f"版式检查“{c.item}”不符合：要求 {c.requirement}，"
                       f"实测 {c.measured}", file) for c in checks if not c.ok]


def to_json(checks: Iterable[Check]) -> list[dict[str, Any]]:
    return [asdict(check) for check in checks]


def render_table(checks: Iterable[Check]) -> str:
    """A plain-text table 检查项 | 要求 | 实测 | 结论, columns padded by display width."""
    rows = [("检查项", "要求", "实测", "结论")]
    rows += [(c.item, c.requirement, c.measured, "符合" if c.ok else "不符合") for c in checks]
    widths = [max(display_width(row[col]) for row in rows) for col in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(pad(cell, width) for cell, width in zip(cells, widths)).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def span(values: Iterable[float], digits: int = 2) -> str:
    values = list(values)
    low, high = min(values), max(values)
    if round(low, digits) == round(high, digits):
        return f"{low:.{digits}f}"
    return f"{low:.{digits}f}–{high:.{digits}f}"


def deviations(items: list[tuple[int, float]]) -> str:
    if not items:
        return ""
    return "；不符：" + "、".join(f"第 {i + 1} 页 {v:.2f} mm" for i, v in items[:MAX_LISTED]) \
        + more(items)


def more(items: list) -> str:
    return f" 等（共 {len(items)} 处）" if len(items) > MAX_LISTED else ""


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
