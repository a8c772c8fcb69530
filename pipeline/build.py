"""The whole flow for one version: load → parse → transform → write, output replaced atomically."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from .docx import write_docx
from .errors import PlanError
from .layout import Layout, load_layout
from .load import load_plan
from .model import Document, Plan
from .parse import parse_chapter
from .transform import resolve


@dataclass
class BuiltDocument:
    version: str
    label: str
    docx: Path
    pages_hint: int  # characters / (22 × 28): a rough page count before any rendering


def read_plan(root: Path) -> tuple[Plan, Layout]:
    plan = load_plan(root)
    layout = load_layout(plan.meta.layout, plan.root)
    if plan.meta.numbering not in layout["numbering"]:
        raise PlanError(f"版式方案 {layout.name} 没有编号方案“{plan.meta.numbering}”",
                        "plan.yaml", code="E403")
    levels = len(layout.scheme(plan.meta.numbering))
    for chapter in plan.chapters:
        parse_chapter(chapter, levels)
    return plan, layout


def source_date(root: Path) -> dt.datetime:
    """SOURCE_DATE_EPOCH, else the last commit's time: never the clock, so builds repeat."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        try:
            epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, text=True,
                                   capture_output=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            epoch = ""
    return dt.datetime.fromtimestamp(int(epoch) if epoch.isdigit() else 946684800,
                                     dt.timezone.utc)


def output_path(plan: Plan, document: Document, suffix: str) -> Path:
    return plan.root / "build" / document.version.key / \
        f"{plan.meta.title}（{document.version.label}）{suffix}"


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are shared documents
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_docx(root: Path, version: str) -> BuiltDocument:
    plan, layout = read_plan(root)
    scheme = [spec["number"] for spec in layout.scheme(plan.meta.numbering)]
    document = resolve(plan, version, scheme)
    when = source_date(plan.root)
    if not document.version.date:
        document.version = replace(document.version, date=when.strftime("%Y-%m"))
    data = write_docx(document, layout, when)
    path = output_path(plan, document, ".docx")
    atomic_write(path, data)
    chars = sum(len(ch.body) for ch in plan.chapters if version in ch.versions)
    grid = layout["grid"]
    return BuiltDocument(version, document.version.label, path,
                         chars // (grid["lines"] * grid["chars"]) + 2)
