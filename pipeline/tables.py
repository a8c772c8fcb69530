"""Tables built from data: the main indicator table, the 十三五 evaluation, major projects by
category and by county, and, in the city plan of a workspace, the counties' projects rolled up
and their targets side by side — as document-model tables (merged cells, note line), never as
text.

Headers, captions, notes and the words of group and total rows come from `datasets.yaml`; every
number printed is a value of the data files or a sum computed here from them.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .chinese import cn_number
from .data import PlanData, Project, Value
from .errors import PlanError
from .model import Inline, Merge, Source, Span, Table

if TYPE_CHECKING:
    from .workspace_data import CountyData

PERIOD_YEARS = re.compile(r"(\d{4})\D+(\d{4})")


def plan_years(period: str) -> dict[str, int]:
    """2021—2025年 → base year 2020 (the year before the plan), target year 2025."""
    match = PERIOD_YEARS.search(period)
    if not match:
        raise PlanError(f"规划期限“{period}”中找不到起止年份（应写作 2021—2025年），无法生成指标表的表头",
                        "plan.yaml", code="E140")
    return {"base_year": int(match.group(1)) - 1, "target_year": int(match.group(2))}


@dataclass(frozen=True)
class TableInputs:
    """What a table is built from: the plan's data, the county plans' (city plan of a
    workspace), and the directive's further arguments: table("indicators_by_county", "pm25")."""
    data: PlanData
    period: str
    counties: tuple[CountyData, ...] = ()
    args: tuple[str, ...] = ()

    @property
    def years(self) -> dict[str, int]:
        return plan_years(self.period)


def build_table(name: str, inputs: TableInputs, source: Source) -> Table:
    data = inputs.data
    spec = data.schema.tables.get(name)
    if spec is None:
        raise PlanError(f"没有名为“{name}”的数据表（可用：{'、'.join(data.schema.tables)}）",
                        code="E141")
    if inputs.args and name not in TAKES_ARGUMENTS:
        raise PlanError(f"表“{name}”只写表名，不带其他参数（实际多写了“{'、'.join(inputs.args)}”）",
                        code="E034")
    records = data.require(spec["dataset"])
    years = inputs.years if any("{" in h for h in spec["header"]) else {}
    header = [[Span(text.format(**years))] for text in spec["header"]]
    aligns = ["left" if text in spec.get("left", ()) else "" for text in spec["header"]]
    table = Table(header, [], aligns, source, caption=spec["caption"],
                  landscape=spec.get("landscape", False))
    BUILDERS[name](table, records, spec, inputs)
    return table


def cells(*texts: str, bold: bool = False) -> list[list[Inline]]:
    return [[Span(t, bold=bold)] if t else [] for t in texts]


def grouped(records: list[Any], key: Callable[[Any], str]) -> list[tuple[str, list[Any]]]:
    """Records by group in the order each group first appears; order kept within a group."""
    groups: dict[str, list[Any]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return list(groups.items())


def indicator_rows(table: Table, records: list, spec: dict, inputs: TableInputs) -> None:
    forms = inputs.data.schema.forms
    number = 0
    for category, items in grouped(records, lambda r: r.category):
        if len(items) > 1:
            table.merges.append(Merge(len(table.rows), 0, rows=len(items)))
        for item in items:
            number += 1
            unit = item.unit or forms.empty_cell
            table.rows.append(cells(category, str(number), item.name, unit, forms.cell(item.base),
                                    forms.cell(item.target), item.attribute))
    if any(i.base.cumulative or i.target.cumulative for i in records):
        table.note = spec["note"]


def evaluation_rows(table: Table, records: list, spec: dict, inputs: TableInputs) -> None:
    forms = inputs.data.schema.forms
    for number, item in enumerate(records, start=1):
        table.rows.append(cells(str(number), item.name, item.unit or forms.empty_cell,
                                forms.cell(item.target), forms.cell(item.actual),
                                spec["outcomes"][item.outcome]))


def investment_sum(projects: list[Project]) -> Decimal:
    return sum((p.investment.number for p in projects), Decimal(0))


def money(amount: Decimal, projects: list[Project]) -> str:
    """Every amount of a column with the most decimals any project was given: 3.50, 12.80."""
    places = max((len(p.investment.text.partition(".")[2]) for p in projects), default=0)
    return f"{amount:.{places}f}"


def project_rows(table: Table, records: list[Project], spec: dict, inputs: TableInputs) -> None:
    last = len(table.header) - 1
    # The amounts' column: the one headed as the data file heads investment (总投资（亿元）).
    money_col = spec["header"].index(inputs.data.schema.datasets["projects"].column("investment").label)
    number = 0
    for index, (category, items) in enumerate(grouped(records, lambda r: r.category), start=1):
        row = len(table.rows)
        label = spec["group"].format(category=category, count=len(items))
        table.rows.append(cells(cn_number(index), label, "", "",
                                money(investment_sum(items), records), "", "", bold=True))
        table.merges += [Merge(row, 1, cols=money_col - 1), Merge(row, money_col + 1,
                                                                   cols=last - money_col)]
        for item in items:
            number += 1
            table.rows.append(cells(str(number), item.name, item.content, item.county,
                                    money(item.investment.number, records), item.period,
                                    item.owner))
    row = len(table.rows)
    table.rows.append(cells(spec["total"].format(count=len(records)), "", "", "",
                            money(investment_sum(records), records), "", "", bold=True))
    table.merges += [Merge(row, 0, cols=money_col), Merge(row, money_col + 1,
                                                          cols=last - money_col)]


def county_rows(table: Table, records: list[Project], spec: dict, inputs: TableInputs) -> None:
    rolled = rollup(records, inputs.counties)
    records = rolled.projects
    last = inputs.data.schema.datasets["projects"].extra["county_last"]
    counties = grouped(records, lambda r: r.county)
    counties.sort(key=lambda group: group[0] in last)  # stable: counties keep the data's order
    for county, items in counties:
        table.rows.append(cells(county, str(len(items)), money(investment_sum(items), records)))
    table.rows.append(cells(spec["total"], str(len(records)),
                            money(investment_sum(records), records), bold=True))
    if rolled.files:
        table.note = spec["rollup_note"].format(
            own=rolled.own, counties="、".join(rolled.names), added=rolled.added,
            shared=rolled.shared, files="、".join(rolled.files))


@dataclass(frozen=True)
class Rollup:
    projects: list[Project]  # the plan's own, then each county's that the plan does not list
    own: int
    added: int
    shared: int  # county projects the plan lists too: counted once, with the plan's figures
    names: list[str]  # the counties whose projects were read
    files: list[str]


def project_key(project: Project) -> tuple[str, str]:
    return project.county.strip(), re.sub(r"\s+", "", project.name)


def rollup(own: list[Project], counties: tuple[CountyData, ...]) -> Rollup:
    """The plan's projects with the county plans' own lists, each project once: a county's row
    with the county and name of a row already counted is the same project."""
    seen = {project_key(p) for p in own}
    added: list[Project] = []
    shared = 0
    names, files = [], []
    for county in counties:
        if county.data.projects is None:
            continue
        names.append(county.name)
        files.append(county.file("projects"))
        for project in county.data.projects:
            if project_key(project) in seen:
                shared += 1
                continue
            seen.add(project_key(project))
            added.append(project)
    return Rollup(own + added, len(own), len(added), shared, names, files)


def county_target_rows(table: Table, records: list, spec: dict, inputs: TableInputs) -> None:
    """One row for the plan itself, one for each county plan; one column for each indicator the
    directive names, with each plan's target as its data writes it."""
    forms = inputs.data.schema.forms
    ids = inputs.args
    known = {r.id: r for r in records}
    if not ids:
        raise PlanError("对比表须写明要对比的指标 id，如 {{ table(\"indicators_by_county\", "
                        f"\"pm25\", \"forest\") }}（可用：{'、'.join(known)}）", code="E034")
    missing = [i for i in ids if i not in known]
    if missing:
        raise PlanError(f"{inputs.data.files['indicators']} 中没有 id 为“{'、'.join(missing)}”的指标"
                        f"（已有：{'、'.join(known)}）", code="E034")
    counties = [c for c in inputs.counties if c.data.indicators is not None]
    for key in ids:
        item = known[key]
        names = {r.name for c in counties for r in c.data.indicators if r.id == key}
        name = names.pop() if len(names) == 1 else item.name  # as the counties name it
        unit = forms.unit_text(item.unit)
        text = spec["column"].format(name=name, unit=unit) if unit else \
            spec["column_no_unit"].format(name=name)
        table.header.append([Span(text)])
        table.aligns.append("")
    table.aligns[0] = "left"
    table.rows.append(cells(spec["city_row"], *(forms.cell(known[k].target) for k in ids)))
    for county in counties:
        theirs = {r.id: r for r in county.data.indicators}
        row = []
        for key in ids:
            item = theirs.get(key)
            if item is None:
                row.append(forms.empty_cell)
                continue
            unit = "" if item.unit == known[key].unit else f"（{forms.unit_text(item.unit)}）"
            row.append(forms.cell(item.target) + unit)
        table.rows.append(cells(county.name, *row))
    files = "、".join(c.file("indicators") for c in counties)
    table.note = spec["note" if files else "note_alone"].format(files=files, **inputs.years)


BUILDERS: dict[str, Callable[[Table, list, dict, TableInputs], None]] = {
    "indicators": indicator_rows,
    "evaluation": evaluation_rows,
    "projects": project_rows,
    "projects_by_county": county_rows,
    "indicators_by_county": county_target_rows,
}
TAKES_ARGUMENTS = ("indicators_by_county",)


def value_total(projects: list[Project]) -> Value:
    """The grand total as a value, for sentences: {{ projects.total }}."""
    total = money(investment_sum(projects), projects)
    return Value(total, Decimal(total))
