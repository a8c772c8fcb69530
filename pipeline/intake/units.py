"""The units that send a 报送表: `units:` in workspace.yaml (a workspace's units serve the whole
compilation) or else in plan.yaml, each with its kind and deadline."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import PlanError
from ..files import read_text
from ..printable import printable
from ..yamlfile import Field, check_fields, compose_safely

KINDS = ("科室", "县区")
COUNTY_SUFFIX = "生态环境局"  # 章贡区生态环境局 reports for 章贡区
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNIT_SCHEMA = {
    "name": Field(str, "单位名称"),
    "kind": Field(str, "单位类别", KINDS),
    "deadline": Field((str, dt.date), "报送截止日期"),
    "county": Field(str, "所属县（市、区）"),
}


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str  # 科室 | 县区
    deadline: str = ""  # YYYY-MM-DD
    county: str = ""  # the 县（市、区） a 县区 unit reports for
    listed_in: str = "plan.yaml"  # the file whose units: names it

    @property
    def deadline_text(self) -> str:
        """2020年6月30日, as a form states a date."""
        if not self.deadline:
            return "（未定）"
        year, month, day = (int(p) for p in self.deadline.split("-"))
        return f"{year}年{month}月{day}日"


def load_units(root: Path) -> list[Unit]:
    """The units listed, in their order; [] when neither workspace.yaml nor plan.yaml lists
    any."""
    for shown in ("workspace.yaml", "plan.yaml"):
        if not (root / shown).is_file():
            continue
        data, node = compose_safely(read_text(root / shown, shown))
        if not isinstance(data, dict) or data.get("units") is None:
            continue
        lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        if not isinstance(data["units"], list):
            raise PlanError("units 应为报送单位的列表", shown, lines.get("units"), code="E950")
        items = next(v for k, v in node.value if k.value == "units").value
        units: list[Unit] = []
        for raw, item in zip(data["units"], items):
            units.append(unit_of(raw, item.start_mark.line + 1, units, shown))
        return units
    return []


def unit_of(raw: object, line: int, before: list[Unit], shown: str = "plan.yaml") -> Unit:
    spec = check_fields(raw, UNIT_SCHEMA, shown, {}, line, "报送单位")
    name = str(spec.get("name") or "").strip()
    if not name or re.search(r"[/\\:*?\"<>|\x00-\x1f\x7f]", name):
        raise PlanError(f"报送单位应写明名称（name），且不能含有 / \\ : * ? \" < > | 或控制字符，"
                        f"实际为“{printable(name, one_line=True)}”", shown, line, code="E950")
    if any(u.name == name for u in before):
        raise PlanError(f"报送单位“{name}”重复", shown, line, code="E950")
    kind = spec.get("kind")
    if kind is None:
        raise PlanError(f"报送单位“{name}”应写明类别（kind：{' 或 '.join(KINDS)}）", shown,
                        line, code="E950")
    deadline = spec.get("deadline", "")
    deadline = deadline.isoformat() if isinstance(deadline, dt.date) else str(deadline).strip()
    if deadline and not DATE.match(deadline):
        raise PlanError(f"报送单位“{name}”的截止日期应写成 2020-06-30，实际为“{deadline}”",
                        shown, line, code="E950")
    county = str(spec.get("county") or "").strip()
    if kind == "县区" and not county:
        county = name.removesuffix(COUNTY_SUFFIX)
        if county == name:
            raise PlanError(f"县区单位“{name}”应写明所属县（市、区）（county）", shown, line,
                            code="E950")
    return Unit(name, kind, deadline, county, shown)


def find_unit(units: list[Unit], name: str) -> Unit:
    for unit in units:
        if unit.name == name:
            return unit
    shown = units[0].listed_in if units else "plan.yaml"
    known = "、".join(u.name for u in units) or "（workspace.yaml 与 plan.yaml 中都没有 units）"
    raise PlanError(f"{shown} 的 units 中没有“{name}”（已列出：{known}）", shown, code="E951")
