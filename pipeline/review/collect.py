"""Collected review items: each comment or tracked change of each returned file, located in the
source (chapter file and line) through the location data of the build the copy came from, with
its line today and its place as officials cite it, and the reviewing unit."""
from __future__ import annotations

import difflib
import hashlib
import shutil
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import Diagnostic, PlanError, info
from ..safefile import Limits, sniff
from ..wordfile import Mark, ReturnedDocument, read_returned
from .locations import BuildRecords, BuiltVersion, Builds, Rebuild, squeeze
from .units import UnitMap

KIND_NAMES = {"comment": "批注", "insertion": "插入", "deletion": "删除", "move": "移动",
              "replacement": "替换", "untracked": "未留痕修改"}
PART_NAMES = {"footnote": "脚注", "endnote": "尾注", "header": "页眉", "footer": "页脚"}


@dataclass
class CommentRecord:
    """One opinion in the 意见汇总表; the YAML and the JSON carry the same fields."""
    id: str
    unit: str
    reviewer: str
    kind: str  # comment | insertion | deletion | move | replacement | untracked
    source_file: str  # the returned file
    chapter_file: str  # where the paragraph was when the copy was built
    line: int | None
    current_file: str  # where that paragraph is now ("" when it no longer exists)
    current_line: int | None
    made_on: str  # the source commit the copy was built from
    place: str  # 第三章 第二节 一、 / 表2 第3行, for officials
    page: int | None  # in the printed copy (征求意见稿 PDF), 第N页第M行
    page_line: int | None
    part: str  # body | footnote | endnote | header | footer
    located_by: str  # anchor | text | after (a new paragraph after that line) | ""
    date: str
    text: str  # the comment, or the inserted / deleted / moved / new text
    old_text: str  # a replacement: the text replaced
    anchor_text: str  # the commented text; for a change, its paragraph as built
    reply_to: str  # a reply: the id of the comment it answers
    destination: str  # a move: the paragraph the text went to
    destination_file: str
    destination_line: int | None

    def as_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIELDS = tuple(f.name for f in fields(CommentRecord))


# ---- locating --------------------------------------------------------------------------------

@dataclass
class Located:
    entry: dict | None
    how: str  # anchor | text | after | ""


def locate(mark: Mark, built: BuiltVersion | None, by_anchor: bool = True) -> Located:
    """By the anchor at its start, else by its paragraph's text, else after the anchored
    paragraph before it (a paragraph the reviewer added). Without the copy's own build,
    anchors mean nothing (they are numbered per build): text only."""
    if built is None:
        return Located(None, "")
    entry = built.anchors.get(mark.anchor) if by_anchor else None
    if entry is not None:
        return Located(entry, "anchor")
    entry = built.match_text(mark.paragraph)
    if entry is not None:
        return Located(entry, "text")
    entry = built.anchors.get(mark.previous) if by_anchor else None
    if entry is not None:
        return Located(entry, "after")
    return Located(None, "")


def now(entry: dict | None, builds: Builds) -> dict | None:
    """The paragraph built from `entry` in the current build, when it still exists."""
    if entry is None or builds.current is None:
        return None
    if builds.current is builds.made_on:
        return entry
    return builds.current.match_text(entry["text"])


# ---- records ---------------------------------------------------------------------------------

def record_id(*parts: str) -> str:
    """Stable from content: the same opinion collected again gets the same id."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def tidy(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


def record(rid: str, file_name: str, author: str, unit: str, kind: str, text: str,
           anchor_text: str, where: Located, builds: Builds, date: str, part: str = "body",
           old_text: str = "", reply_to: str = "", destination: str = "",
           destination_entry: dict | None = None) -> CommentRecord:
    entry, moved = where.entry or {}, destination_entry or {}
    today = now(where.entry, builds) or {}
    made_on = builds.made_on.commit if builds.made_on is not None and where.entry else ""
    return CommentRecord(
        rid, unit, author, kind, file_name, entry.get("file", ""), entry.get("line"),
        today.get("file", ""), today.get("line"), made_on, entry.get("place", ""),
        entry.get("page"), entry.get("page_line"), part, where.how, date, text, old_text,
        anchor_text, reply_to, destination, moved.get("file", ""), moved.get("line"))


def records_from(returned: ReturnedDocument, file_name: str, builds: Builds | BuiltVersion | None,
                 units: UnitMap, modified_by: str = "") -> list[CommentRecord]:
    if not isinstance(builds, Builds):
        builds = Builds(builds, builds)
    made_on = builds.made_on or builds.current  # without its own build: text only
    records: list[CommentRecord] = []
    by_comment: dict[str, str] = {}
    seen: dict[str, int] = {}
    for mark in returned.marks:
        where = locate(mark, made_on, by_anchor=builds.made_on is not None)
        text, anchor_text = tidy(mark.text), tidy(mark.anchor_text)
        base = record_id(mark.kind, mark.author, mark.date, text, anchor_text,
                         *([mark.old_text] if mark.old_text else []))
        seen[base] = seen.get(base, 0) + 1
        rid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        by_comment[mark.comment_id] = rid
        moved = made_on.anchors.get(mark.destination_anchor) if builds.made_on else None
        records.append(record(
            rid, file_name, mark.author, units.unit(mark.author, file_name), mark.kind, text,
            anchor_text, where, builds, mark.date, part=mark.part, old_text=tidy(mark.old_text),
            reply_to=by_comment.get(mark.parent_id, "") if mark.parent_id else "",
            destination=tidy(mark.destination), destination_entry=moved))
    if builds.made_on is not None:
        records += untracked_edits(returned, file_name, builds, units, modified_by)
    return records


def untracked_edits(returned: ReturnedDocument, file_name: str, builds: Builds,
                    units: UnitMap, author: str) -> list[CommentRecord]:
    """Paragraphs whose text, tracked changes set aside, differs from what was built."""
    out = []
    for anchor, text_now in returned.paragraphs.items():
        entry = builds.made_on.anchors.get(anchor)
        if entry is None or squeeze(text_now) == squeeze(entry["text"]):
            continue
        out.append(record(
            record_id("untracked", file_name, entry["anchor"], text_now), file_name, author,
            units.unit(author, file_name), "untracked", describe_edit(entry["text"], text_now),
            entry["text"], Located(entry, "anchor"), builds, ""))
    return out


def describe_edit(before: str, after: str) -> str:
    """'删去“…”；增加“…”；“…”改为“…”' from the differences of two texts."""
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "delete":
            parts.append(f"删去“{before[i1:i2]}”")
        elif op == "insert":
            parts.append(f"增加“{after[j1:j2]}”")
        elif op == "replace":
            parts.append(f"“{before[i1:i2]}”改为“{after[j1:j2]}”")
    return "；".join(parts)


# ---- a round of returned files ----------------------------------------------------------------

BINARY_SUFFIXES = (".doc", ".wps")


@dataclass
class Collected:
    records: list[CommentRecord]
    skipped: list[Diagnostic]  # each file that could not be read, and why
    notes: list[Diagnostic]  # things the drafter should know (no manifest, another commit)


def collect_files(paths: list[Path], root: Path, version: str | None = None,
                  units: UnitMap | None = None, limits: Limits = Limits(),
                  rebuild: Rebuild | None = None) -> Collected:
    """Every item of every file; a file that cannot be read costs only itself. `rebuild`
    makes a build's location data again when a copy's is gone (rebuild.py)."""
    units = units or UnitMap()
    result = Collected([], [], [])
    builds = BuildRecords(root, result.notes, rebuild)
    engine = None
    work = Path(tempfile.mkdtemp(prefix="plan-review-"))
    try:
        for number, path in enumerate(paths):
            try:
                kind = sniff(path, limits)
                readable = path
                if kind == "ole" or path.suffix.lower() in BINARY_SUFFIXES:
                    if engine is None:
                        from ..pdf import office_converter  # LibreOffice only for binary files
                        engine = office_converter(root, ".doc/.wps")
                    readable = work / f"{number}.docx"
                    engine.to_docx(path, readable)
                returned = read_returned(readable, limits)
            except PlanError as exc:  # FileRefused and the converter's PdfError
                result.skipped.append(exc.diagnostic)
                continue
            except Exception as exc:  # noqa: BLE001 - a hostile file costs only itself
                result.skipped.append(Diagnostic(
                    "E901", "error", f"读取时出错（{type(exc).__name__}：{exc}），未读取；"
                    "请把该文件报告给流水线维护者", path.name))
                continue
            key = version or returned.properties.get("PlanVersion") or "review"
            copy_builds = builds.for_copy(key, returned.properties, path.name)
            found = records_from(returned, path.name, copy_builds, units,
                                 returned.properties.get("lastModifiedBy", ""))
            if not found:
                result.notes.append(info("E926", "文件中没有批注或修订", path.name))
            result.records += found
    finally:
        if engine is not None:
            engine.close()
        shutil.rmtree(work, ignore_errors=True)
    return result

