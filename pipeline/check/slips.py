"""What the build's own reading says about the chapters, reported by `plan check` too: the slips
the parse stage refuses or warns of (`##标题`, raw HTML, a table row with a cell too many, a
footnote without its text, a broken image, …), the load stage's warnings (a chapter file
plan.yaml does not list) and what numbering the checked version finds (a reference to text of
another version, E235). The build's functions are called, not copied, so check and build
always agree; the findings keep the build's codes (E…), which no silence marker can silence."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..errors import Diagnostic, PlanError
from ..parse import parse_chapter, plan_problems
from ..reading import resolve_plan
from ..render import render_chapter
from .registry import Context
from .structure import BUILD_CODES
from .text import ChapterText, CoverText


def reading_problems(texts: list[ChapterText], ctx: Context) -> Iterator[Diagnostic]:
    if ctx.plan is not None:
        yield from ctx.plan.diagnostics
    parsed = []
    for text in texts:
        if isinstance(text, CoverText):
            continue
        try:
            rendered = render_chapter(text.chapter, ctx.plan)
        except PlanError:
            continue  # D701 reports what the data cannot resolve
        chapter, found = parse_chapter(text.chapter, rendered, ctx.levels, ctx.meta.versions)
        parsed.append(chapter)
        yield from (d for d in found if d.code not in BUILD_CODES)  # H501–H503 report those
    problems = list(plan_problems(parsed))
    yield from problems
    if ctx.plan is None or ctx.layout is None or any(d.severity == "error" for d in problems):
        return
    # The version numbered as the build numbers it: a reference to text of another version
    # (E235) shows only there.
    try:
        resolve_plan(replace(ctx.plan, parsed=parsed), ctx.layout, ctx.version)
    except PlanError as exc:
        yield from (d for d in exc.diagnostics if d.code in VERSION_CODES)


VERSION_CODES = ("E235",)
