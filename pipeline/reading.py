"""Reading a plan: plan.yaml and its layout profile, the chapters loaded, rendered and parsed,
and one version resolved from them. Build, review, diff and check all start here."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .errors import PlanError, raise_errors
from .files import read_text
from .layout import Layout, load_layout, style_file
from .load import load_meta, load_plan
from .model import Document, Plan, PlanMeta, SourceRevision
from .parse import glued_chapters, parse_chapter
from .render import render_chapter
from .revision import stamp
from .transform import Labels, Level, resolve


def read_layout(root: Path) -> tuple[PlanMeta, Layout]:
    """plan.yaml and its layout profile, without reading the chapters."""
    meta = load_meta(read_text(Path(root) / "plan.yaml", "plan.yaml"))
    return meta, load_layout(meta.layout, Path(root).resolve())


def read_plan(root: Path) -> tuple[Plan, Layout]:
    """The plan with every chapter rendered and parsed. Every chapter is read before the first
    error stops it, so one run names all the problems of all chapters."""
    plan = load_plan(root)
    layout = load_layout(plan.meta.layout, plan.root)
    if plan.meta.numbering not in layout["numbering"]:
        raise PlanError(f"版式方案 {layout.name} 没有编号方案“{plan.meta.numbering}”",
                        "plan.yaml", code="E403")
    levels = len(layout.scheme(plan.meta.numbering))
    parsed, diagnostics = [], list(plan.diagnostics)
    for chapter in plan.chapters:
        try:
            rendered = render_chapter(chapter, plan)
        except PlanError as exc:
            diagnostics += exc.diagnostics
            continue
        chapter_parsed, found = parse_chapter(chapter, rendered, levels, plan.meta.versions)
        parsed.append(chapter_parsed)
        diagnostics += found
    diagnostics += glued_chapters(parsed)
    raise_errors(diagnostics)
    return replace(plan, parsed=parsed, diagnostics=diagnostics), layout


def resolve_plan(plan: Plan, layout: Layout, version: str) -> Document:
    """One version of the plan, numbered and labelled as the layout profile says."""
    scheme = [Level(spec["number"], spec.get("continuous", False))
              for spec in layout.scheme(plan.meta.numbering)]
    return resolve(plan, version, scheme, labels(layout))


def labels(layout: Layout) -> Labels:
    """The words before a number (表1, 图1, 专栏1) and the list markers, as the profile says."""
    lists = layout["list"]
    levels = ((lists["ordered"], lists["bullet"]),
              *((level["ordered"], level["bullet"]) for level in lists.get("nested", [])))
    return Labels(layout["table"]["label"], layout["figure"]["label"], layout["box"]["label"],
                  levels)


def resolve_version(plan: Plan, layout: Layout, version: str, revision: SourceRevision
                    ) -> Document:
    """One version of the plan, dated (the source date when plan.yaml gives none)."""
    document = resolve_plan(plan, layout, version)
    date = document.version.date or stamp(revision.epoch).strftime("%Y-%m")
    return replace(document, revision=revision, version=replace(document.version, date=date))


def fontconfig(plan_root: Path) -> Path | None:
    return style_file("fonts.conf", plan_root)
