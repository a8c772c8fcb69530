"""衔接: a plan's targets held to the targets set for it from above.

D703  an indicator's target is weaker than the upper level's target of the same id — the
      province's targets for the city (data/upper_targets.*), the city plan's indicators for a
      county plan of a workspace — judged by the target's bound (≥ ≤ > <) or the indicator's
      direction (越高越好 / 越低越好). Reported at the data file and row of the plan's own target.
      Targets in words (稳中有升), in other units, or cumulative against yearly are not compared.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..data import Indicator, Value, Where
from ..workspace_data import UpperTarget, upper_targets
from .registry import Context, Hit, plan_rule
from .text import ChapterText

HIGHER = {"≥": True, ">": True, "≤": False, "<": False}
STRICT = (">", "<")


@dataclass(frozen=True)
class DataRow:
    """A row of a data file where a finding is reported: as a chapter text is, by position."""
    file: str
    line: int  # the YAML line, or the spreadsheet row (the CSV file's line)

    @classmethod
    def at(cls, where: Where) -> DataRow:
        return cls(where.file, where.line or where.row or 1)

    def position(self, offset: int) -> tuple[int, int]:
        return self.line, 1


@plan_rule("D703")
def weaker_than_upper_level(texts: list[ChapterText], ctx: Context) -> Iterator[Hit]:
    plan = ctx.plan
    if plan is None or plan.data is None or not plan.data.indicators:
        return
    above = upper_targets(plan.root, plan.data)
    forms = plan.data.schema.forms
    for item in plan.data.indicators:
        upper = above.get(item.id)
        if upper is None or forms.unit_text(upper.unit) != forms.unit_text(item.unit):
            continue
        higher = direction(item, upper)
        if higher is None or not weaker(item.target, upper.target, higher):
            continue
        sense = "越高越好" if higher else "越低越好"
        yield Hit(DataRow.at(item.where), 0,
                  f"“{item.name}”的目标值“{forms.cell(item.target)}”弱于上级目标"
                  f"“{forms.cell(upper.target)}”（{upper.place}；来源：{upper.source}）："
                  f"该指标{sense}，本规划的目标不应低于上级要求")


def direction(item: Indicator, upper: UpperTarget) -> bool | None:
    """True: higher is better. The upper target's bound first, then the plan's own, then the
    direction columns; None when nothing says."""
    for relation in (upper.target.relation, item.target.relation):
        if relation in HIGHER:
            return HIGHER[relation]
    for stated in (item.direction, upper.direction):
        if stated:
            return stated == "越高越好"
    return None


def weaker(own: Value, upper: Value, higher: bool) -> bool:
    if own.number is None or upper.number is None or own.cumulative != upper.cumulative:
        return False
    if own.number != upper.number:
        return own.number < upper.number if higher else own.number > upper.number
    return upper.relation in STRICT and own.relation not in STRICT  # >95 asked, ≥95 given
