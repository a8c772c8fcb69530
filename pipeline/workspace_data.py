"""What the plans of a workspace read from each other's data: the city plan reads the county
plans' data files (roll-up of projects, comparison of targets); every plan is held to the targets
of the plan above it (the city to the province's targets in its own data, a county to the city's
indicators of the same id)."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .data import PlanData, Value, load_data
from .errors import Diagnostic, PlanError
from .workspace import find_workspace


@dataclass(frozen=True)
class CountyData:
    """A county plan's data as the city plan reads it; files shown from the city's folder."""
    name: str  # 章贡区
    folder: str  # 县区/章贡区
    data: PlanData

    def file(self, dataset: str) -> str:
        return f"{self.folder}/{self.data.files[dataset]}"


def county_data(plan_root: Path) -> tuple[list[CountyData], list[Diagnostic]]:
    """The data of each county plan when `plan_root` is the city plan of a workspace. A county
    whose data cannot be read is left out of the city's tables with a warning naming its file:
    its own build reports the error, and the city plan is still built."""
    try:
        workspace, member = find_workspace(plan_root)
    except PlanError:
        return [], []  # the workspace run reports a broken workspace.yaml itself
    if not (member.city and workspace.listed):
        return [], []
    counties, warnings = [], []
    for county in workspace.counties:
        try:
            counties.append(CountyData(county.name, county.folder, load_data(county.root)))
        except PlanError as exc:
            shown = f"{county.folder}/{exc.file}" if exc.file else county.folder
            warnings.append(Diagnostic("E035", "warning", f"{county.name}规划的数据无法读取，本规划的"
                                       f"汇总表和对比表暂不含{county.name}（{exc.message}）",
                                       shown, exc.line, exc.col, exc.row))
    return counties, warnings


@dataclass(frozen=True)
class UpperTarget:
    """A target set from above, as the 衔接 check compares it."""
    id: str
    name: str
    unit: str
    target: Value
    direction: str
    place: str  # where it is written, for the message: 市级规划 data/indicators.yaml:12
    source: str


def upper_targets(plan_root: Path, data: PlanData) -> dict[str, UpperTarget]:
    """The targets set for this plan from above, by indicator id: the city's own upper_targets
    data file (the province's targets), or, for a county plan, the city plan's indicators."""
    workspace, member = find_workspace(plan_root)
    if member.city:
        rows = data.upper_targets or []
        return {r.id: UpperTarget(r.id, r.name, r.unit, r.target, r.direction,
                                  f"{r.document}，{place(r.where)}", r.source) for r in rows}
    try:
        city = load_data(workspace.root)
    except PlanError as exc:  # named as the county's drafter reaches it
        shown = os.path.relpath(workspace.root / (exc.file or ""), plan_root)
        raise replace(exc, file=Path(shown).as_posix()) from None
    return {r.id: UpperTarget(r.id, r.name, r.unit, r.target, r.direction,
                              f"{workspace.city.name}规划 {place(r.where)}", r.source)
            for r in city.indicators or []}


def place(where) -> str:
    if where.row:
        return f"{where.file} 第{where.row}行"
    return f"{where.file}:{where.line}" if where.line else where.file
