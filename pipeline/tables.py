"""Tables built from data: the main indicator table, the 十三五 evaluation, major projects by
category and by county — as document-model tables (merged cells, note line), never as text.

Headers, captions, notes and the words of group and total rows come from `datasets.yaml`; every
number printed is a value of the data files or a sum computed here from them.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .chinese import cn_number
from .data import DataSchema, PlanData, Project, Value
from .errors import PlanError
from .model import Inline, Merge, Source, Span, Table

PERIOD_YEARS = re.compile(r"(\d{4})\D+(\d{4})")


def plan_years(period: str) -> dict[str, int]:
    """2021—2025年 → base year 2020 (the year before the plan), target year 2025."""
    match = PERIOD_YEARS.search(period)
    if not match:
        raise PlanError(f"规划期限“{period}”中找不到起止年份（应写作 2021—2025年），无法生成指标表的表头",
                        "plan.yaml", code="E140")
    return {"base_year": int(match.group(1)) - 1, "target_year": int(match.group(2))}


def build_table(name: str, data: PlanData, period: str, source: Source) -> Table:
    spec = data.schema.tables.get(name)
    if spec is None:
        raise PlanError(f"没有名为“{name}”的数据表（可用：{'、'.join(data.schema.tables)}）",
                        code="E141")
    records = data.require(spec["dataset"])
    years = plan_years(period) if any("{" in h for h in spec["header"]) else {}
    header = [[Span(text.format(**years))] for text in spec["header"]]
    aligns = ["left" if text in spec.get("left", ()) else "" for text in spec["header"]]
    table = Table(header, [], aligns, source, caption=spec["caption"],
                  landscape=spec.get("landscape", False))
    BUILDERS[name](table, records, spec, data.schema)
    return table


def cells(*texts: str, bold: bool = False) -> list[list[Inline]]:
    return [[Span(t, bold=bold)] if t else [] for t in texts]


def grouped(records: list[Any], key: Callable[[Any], str]) -> list[tuple[str, list[Any]]]:
    """Records by group in the order each group first appears; order kept within a group."""
    groups: dict[str, list[Any]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return list(groups.items())


def indicator_rows(table: Table, records: list, spec: dict, schema: DataSchema) -> None:
    forms = schema.forms
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


def evaluation_rows(table: Table, records: list, spec: dict, schema: DataSchema) -> None:
    forms = schema.forms
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


def project_rows(table: Table, records: list[Project], spec: dict, schema: DataSchema) -> None:
    last = len(table.header) - 1
    # The amounts' column: the one headed as the data file heads investment (总投资（亿元）).
    money_col = spec["header"].index(schema.datasets["projects"].column("investment").label)
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


def county_rows(table: Table, records: list[Project], spec: dict, schema: DataSchema) -> None:
    last = schema.datasets["projects"].extra["county_last"]
    counties = grouped(records, lambda r: r.county)
    counties.sort(key=lambda group: group[0] in last)  # stable: counties keep the data's order
    for county, items in counties:
        table.rows.append(cells(county, str(len(items)), money(investment_sum(items), records)))
    table.rows.append(cells(spec["total"], str(len(records)),
                            money(investment_sum(records), records), bold=True))


BUILDERS: dict[str, Callable[[Table, list, dict, DataSchema], None]] = {
    "indicators": indicator_rows,
    "evaluation": evaluation_rows,
    "projects": project_rows,
    "projects_by_county": county_rows,
}


def value_total(projects: list[Project]) -> Value:
    """The grand total as a value, for sentences: {{ projects.total }}."""
    total = money(investment_sum(projects), projects)
    return Value(total, Decimal(total))
