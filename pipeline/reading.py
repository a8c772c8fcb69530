"""Reading a plan: plan.yaml and its layout profile, the chapters loaded, rendered and parsed,
and one version resolved from them. Build, review, diff and check all start here."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .errors import PlanError
from .files import read_text
from .layout import Layout, load_layout, style_file
from .load import load_meta, load_plan
from .model import Document, Plan, PlanMeta, SourceRevision
from .parse import parse_chapter
from .render import render_chapter
from .revision import stamp
from .transform import resolve


def read_layout(root: Path) -> tuple[PlanMeta, Layout]:
    """plan.yaml and its layout profile, without reading the chapters."""
    meta = load_meta(read_text(Path(root) / "plan.yaml", "plan.yaml"))
    return meta, load_layout(meta.layout, Path(root).resolve())


def read_plan(root: Path) -> tuple[Plan, Layout]:
    plan = load_plan(root)
    layout = load_layout(plan.meta.layout, plan.root)
    if plan.meta.numbering not in layout["numbering"]:
        raise PlanError(f"版式方案 {layout.name} 没有编号方案“{plan.meta.numbering}”",
                        "plan.yaml", code="E403")
    levels = len(layout.scheme(plan.meta.numbering))
    for chapter in plan.chapters:
        render_chapter(chapter, plan)
        parse_chapter(chapter, levels, plan.meta.versions)
    return plan, layout


def resolve_version(plan: Plan, layout: Layout, version: str, revision: SourceRevision
                    ) -> Document:
    """One version of the plan, numbered, dated (the source date when plan.yaml gives none)."""
    scheme = [spec["number"] for spec in layout.scheme(plan.meta.numbering)]
    document = resolve(plan, version, scheme)
    document.revision = revision
    if not document.version.date:
        document.version = replace(document.version,
                                   date=stamp(revision.epoch).strftime("%Y-%m"))
    return document


def fontconfig(plan_root: Path) -> Path | None:
    return style_file("fonts.conf", plan_root)
