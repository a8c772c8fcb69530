"""Rules that need the plan's data (data/*.yaml|csv|xlsx).

D701  a template expression or table directive the data cannot resolve: the render stage itself
      is run over the chapter, so the rule and the build agree on what resolves.
D702  a sentence names an indicator and states a number in the indicator's unit that is neither
      its 2020 value nor its 2025 target in the data (the number should come from the data).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from ..errors import PlanError
from ..render import render_chapter
from .registry import Context, Hit, plan_rule
from .text import ChapterText, CoverText

SENTENCE = re.compile(r"[^。；！？\n]+")
PARENTHETICAL = re.compile(r"[（(][^）)]*[）)]")
NUMBER = r"(\d+(?:\.\d+)?)"


@plan_rule("D701")
def unresolved_references(texts: list[ChapterText], ctx: Context) -> Iterator[Hit]:
    for text in texts:
        if isinstance(text, CoverText):
            continue
        try:
            render_chapter(text.chapter, ctx.plan)
        except PlanError as exc:
            if exc.file != text.file or not exc.line:
                raise  # a broken data file is not a finding in a chapter: the build stops too
            index = min(max(exc.line - text.chapter.body_line, 0), len(text.line_starts) - 1)
            yield Hit(text, text.line_starts[index], exc.message)


@plan_rule("D702")
def numbers_that_disagree(texts: list[ChapterText], ctx: Context) -> Iterator[Hit]:
    data = ctx.plan.data if ctx.plan else None
    indicators = [i for i in (data.indicators or [])] if data else []
    for text in texts:
        view = text.view
        for sentence in SENTENCE.finditer(view):
            words = sentence.group()
            for item in indicators:
                if not item.unit or not any(name in words for name in aliases(item.name)):
                    continue
                known = {v for v in (number(item.base.digits), number(item.target.digits)) if v}
                for match in re.finditer(NUMBER + r"\s*" + re.escape(item.unit), words):
                    if number(match.group(1)) not in known:
                        yield Hit(text, sentence.start() + match.start(),
                                  f"“{item.name}”在数据中为 现状 {item.base.text or '—'}、目标 "
                                  f"{item.target.text or '—'}（{data.files['indicators']}），"
                                  f"此处写作 {match.group(1)}{item.unit}；请用 "
                                  f"{{{{ ind.{item.id}.target }}}} 等引用数据")


def aliases(name: str) -> set[str]:
    """细颗粒物（PM2.5）浓度 is also written 细颗粒物浓度; 中心城区… drops the place too."""
    bare = PARENTHETICAL.sub("", name)
    return {n for n in (name, bare, bare.removeprefix("中心城区")) if len(n) >= 4}


def number(digits: str) -> Decimal | None:
    try:
        return Decimal(digits) if digits else None
    except InvalidOperation:
        return None
