"""`plan diff`: two sides loaded, compared, and the three files written (each to a temporary
name first, so a failed run leaves the previous outputs whole)."""
from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..files import atomic_write
from ..docx import write_docx
from ..files import display_path, file_name
from ..errors import Diagnostic
from ..model import Redline
from ..revision import stamp
from .compare import KINDS, ChangeRecord, compare
from .notes import merge_notes, read_notes
from .report import comparison_document, comparison_workbook
from .sources import WORKING_TREE, Side, load_side

DEFAULT_AUTHOR = "编制组"
NOTES_FILE = "修改说明.yaml"


@dataclass
class DiffOutputs:
    redline: Path
    table_docx: Path
    table_xlsx: Path
    notes: Path
    records: list[ChangeRecord]
    tracked: int  # revision marks in the redline
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)  # 修改/新增/删除/移动 → rows
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings about the inputs


def describe(side: Side) -> str:
    document, revision = side.document, side.revision
    label = document.version.name
    commit = f"，提交 {revision.commit}" if revision.commit else ""
    dirty = "（含未提交的修改）" if revision.dirty else ""
    return f"{side.name}（{label}{commit}{dirty}，{revision.date}）"


def diff_plan(plan_dir: Path, old: str, new: str = WORKING_TREE, version: str = "draft",
              out_dir: Path | None = None, author: str = DEFAULT_AUTHOR,
              notes: Path | None = None, old_version: str | None = None) -> DiffOutputs:
    """`old_version` compares across versions (a 征求意见稿 with the 报批稿 that followed it);
    by default both sides are `version`."""
    started = time.monotonic()
    plan_dir = plan_dir.resolve()
    out_dir = out_dir or plan_dir / "build" / "diff"
    notes = notes or plan_dir / NOTES_FILE
    with contextlib.ExitStack() as stack:  # temporary folders of git revisions live till here
        before = load_side(stack, plan_dir, old, old_version or version, version)
        after = load_side(stack, plan_dir, new, version, old_version or version)
        when = stamp(after.revision.epoch)
        result = compare(before.document, after.document,
                         Redline(author, when.strftime("%Y-%m-%dT%H:%M:%SZ")),
                         (before.only, after.only))
        existing = read_notes(notes, display_path(notes, plan_dir))
        merged = merge_notes(result.records, existing)
        title = file_name(after.document.meta.title)
        versions = f"原文：{describe(before)}\n修改后：{describe(after)}"
        paths = (out_dir / f"{title}（修订标记）.docx", out_dir / f"{title}修改对照表.docx",
                 out_dir / f"{title}修改对照表.xlsx")
        redline = write_docx(result.redline, after.layout, when).data
        table = write_docx(comparison_document(after.document, result.records, versions),
                           after.layout, when).data
        workbook = comparison_workbook(after.document, result.records, versions, when)
    for path, data in zip(paths, (redline, table, workbook)):
        atomic_write(path, data)
    if result.records or existing:
        atomic_write(notes, merged)
    counts = Counter(KINDS[r.kind] for r in result.records)
    return DiffOutputs(*paths, notes, result.records, result.tracked,
                       time.monotonic() - started, dict(counts), before.notes + after.notes)
