"""`plan import`: a Word draft (.docx, or .doc/.wps through LibreOffice) → chapters/*.md, images/,
plan.yaml when the folder has none, and 导入报告.txt. Everything is read and written in memory
first; an existing chapters/ is replaced only with --force, and then moved to 导入备份-N/."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from ..errors import Diagnostic, PlanError, warning
from ..files import atomic_write
from ..model import Block, Box, Image, ListBlock, Note, PageBreak, Paragraph, Table
from ..safefile import Limits, sniff
from ..wordfile import Mark, WordFile, open_word, read_marks
from ..transform import walk
from .chapters import Outline, outline
from .headings import Headings
from .images import Images, Metafiles
from .markdown import chapter_markdown
from .objects import Objects, typed_lists
from .pandoc_ast import AstReader, ReadDocument, run_pandoc
from .report import REPORT_NAME, Imported, report_text
from .text import squeeze_blocks
from .wordxml import MarkedCopy, marked_copy

BACKUP_PREFIX = "导入备份-"
WORDS = re.compile(r"[\W_]+")  # what Markdown adds around words: spaces, pipes, marks
CHANGE_KINDS = {"insertion": "插入", "deletion": "删除", "replacement": "替换", "move": "移动"}


def import_word(source: Path, plan_dir: Path, force: bool = False, mode: str = "",
                limits: Limits = Limits()) -> Imported:
    plan_dir = plan_dir.resolve()
    existing = sorted((plan_dir / "chapters").glob("*.md")) if (plan_dir / "chapters").is_dir() \
        else []
    if existing and not force:
        raise PlanError(f"chapters/ 中已有 {len(existing)} 个章节文件，导入会覆盖它们：确需导入时"
                        "加 --force（原有文件先移到“导入备份-N/”中）", "chapters/", code="E991")
    replacing = bool(existing)
    work = Path(tempfile.mkdtemp(prefix="plan-import-"))
    try:
        imported = read_word(source, plan_dir, work, mode, limits, replacing)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    put_in_place(imported, replacing)
    imported.check, imported.build_error = check_imported(plan_dir)
    atomic_write(plan_dir / REPORT_NAME, report_text(imported).encode("utf-8"))
    return imported


def read_word(source: Path, plan_dir: Path, work: Path, mode: str, limits: Limits,
              replacing: bool) -> Imported:
    shown = source.name
    kind = sniff(source, limits)
    readable, converted = source, False
    if kind == "ole" or source.suffix.lower() in (".doc", ".wps"):
        from ..pdf.engine import office_converter
        readable, converted = work / "converted.docx", True
        engine = office_converter(plan_dir, ".doc/.wps")
        try:
            engine.to_docx(source, readable)
        except PlanError as exc:
            raise PlanError(f"LibreOffice 无法把它另存为 .docx（文件可能已损坏）：{exc.message}",
                            shown, code=exc.code) from None
        finally:
            engine.close()
    with open_word(readable, limits) as word:
        marks = read_marks(word).marks
        comments = [m for m in marks if m.kind == "comment"]
        changes = Counter(m.kind for m in marks if m.kind != "comment")
        if marks and not mode:
            raise refusal(shown, comments, changes)
        marked = marked_copy(word, work / "marked.docx")
        doc = AstReader(shown).read(run_pandoc(marked.path, shown, mode or "accept"))
        metafiles = Metafiles(plan_dir, work)
        try:
            return assemble(doc, marked, word, shown, plan_dir, mode, converted, comments,
                            changes, replacing, metafiles)
        finally:
            metafiles.close()


def refusal(shown: str, comments: list[Mark], changes: Counter) -> PlanError:
    parts = []
    if comments:
        parts.append(f"批注 {len(comments)} 条")
    found = [f"{name} {changes[kind]} 处" for kind, name in CHANGE_KINDS.items() if changes[kind]]
    if found:
        parts.append("修订（" + "、".join(found) + "）")
    return PlanError(f"文件中有{'和'.join(parts)}，未导入：请先在 Word 中处理修订、删除批注，或加 "
                     "--accept-changes（接受全部修订）或 --reject-changes（拒绝全部修订）后导入，"
                     "批注将列在导入报告中", shown, code="E990")


def assemble(doc: ReadDocument, marked: MarkedCopy, word: WordFile, shown: str,
             plan_dir: Path, mode: str, converted: bool, comments: list, changes: Counter,
             replacing: bool, metafiles: Metafiles) -> Imported:
    objects = Objects(marked.cues, shown)
    blocks = objects.blocks(doc.blocks)
    headings = Headings(marked.cues, shown)
    blocks = typed_lists(headings.recognise(blocks))
    footnotes = {label: typed_lists(objects.blocks(body)) for label, body in doc.footnotes.items()}
    squeeze_blocks(blocks)
    for body in footnotes.values():
        squeeze_blocks(body)
    fallback = Path(shown).stem
    shape = outline(blocks, marked.cues, doc.title, fallback, shown, objects.toc_lines)
    notes = [*doc.notes, *objects.notes, *headings.notes, *shape.notes]
    if not any(len(c.blocks) > 1 for c in shape.chapters) and not doc.footnotes:
        raise PlanError("文件中没有可导入的正文", shown, code="E994")
    files: dict[str, bytes] = {}
    images = Images(word, shown, notes, marked.image_names,
                    lambda path: not replacing and (plan_dir / path).exists(), metafiles)
    positions: dict[int, tuple[str, int]] = {}
    for chapter in shape.chapters:  # names are numbered: 01-…, 02-…
        path = f"chapters/{chapter.file_name}"
        text, lines = chapter_markdown(chapter, footnotes, images.place(chapter.blocks, files))
        files[path] = text.encode("utf-8")
        positions.update({p: (path, line) for p, line in lines.items()})
    notes += dropped_text_boxes(marked.text_boxes, files, shown)
    plan_yaml = "plan.yaml 已存在，未改动"
    if not (plan_dir / "plan.yaml").is_file():
        files["plan.yaml"] = plan_yaml_text(shape, headings.scheme).encode("utf-8")
        plan_yaml = "written"
    else:
        notes += numbering_mismatch(plan_dir, headings.scheme)
    counts = count_blocks([b for c in shape.chapters for b in c.blocks])
    counts["脚注"] = len(doc.footnotes)
    counts["章"] = len(shape.chapters)
    counts["图片（未能导入）"] = images.dropped
    return Imported(shown, plan_dir, shape, headings.scheme, files, headings.levels, counts,
                    comments, changes, mode, converted, notes, positions, plan_yaml)


def dropped_text_boxes(boxes: dict[int, str], files: dict[str, bytes], shown: str
                       ) -> list[Diagnostic]:
    """A note for each text box whose first words are in no chapter: never lost silently."""
    chapters = "".join(WORDS.sub("", data.decode("utf-8")) for path, data in files.items()
                       if path.startswith("chapters/"))
    notes = []
    for number, text in boxes.items():
        if WORDS.sub("", text)[:12] not in chapters:
            notes.append(warning("E934", f"第 {number} 个文本框中的文字“{text[:20]}”未能导入："
                                         "请从原文复制", shown))
    return notes


def plan_yaml_text(shape: Outline, scheme: str) -> str:
    data = {"title": shape.title}
    if shape.organization:
        data["organization"] = shape.organization
    if shape.period:
        data["period"] = shape.period
    data["numbering"] = scheme
    return ("# 由 plan import 生成：规划名称等取自导入的 Word 文件，请核对。\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def numbering_mismatch(plan_dir: Path, scheme: str) -> list[Diagnostic]:
    from ..files import read_text
    from ..load import load_meta
    try:
        meta = load_meta(read_text(plan_dir / "plan.yaml", "plan.yaml"))
    except PlanError:
        return []
    if meta.numbering == scheme:
        return []
    return [warning("E997", f"plan.yaml 的编号方案为 {meta.numbering}，导入的文件按 {scheme} "
                            "编号：请核对 plan.yaml 的 numbering", "plan.yaml")]


def count_blocks(blocks: list[Block]) -> Counter:
    counts: Counter = Counter()
    names = {Paragraph: "段落", Table: "表格", Box: "专栏", Note: "编者注", Image: "图片",
             PageBreak: "分页"}
    for block in walk(blocks):
        if isinstance(block, ListBlock):
            counts["列表项"] += len(block.items)
        elif type(block) in names:
            counts[names[type(block)]] += 1
    return counts


def put_in_place(imported: Imported, replacing: bool) -> None:
    """With --force, the old chapters/ (with images/ and the last report) go to 导入备份-N/ first;
    then each file is written atomically."""
    root = imported.plan_dir
    root.mkdir(parents=True, exist_ok=True)
    if replacing:
        number = 1
        while (root / f"{BACKUP_PREFIX}{number}").exists():
            number += 1
        backup = root / f"{BACKUP_PREFIX}{number}"
        backup.mkdir()
        for name in ("chapters", "images", REPORT_NAME):
            if (root / name).exists():
                os.replace(root / name, backup / name)
        imported.backup = backup
    for path, data in sorted(imported.files.items()):
        atomic_write(root / path, data)


def check_imported(plan_dir: Path) -> tuple[list, str]:
    """plan check on the imported text, and whether the chapters read as the build reads them."""
    from ..check import check_plan
    from ..reading import read_plan
    try:
        read_plan(plan_dir)
    except PlanError as exc:
        return [], str(exc)
    try:
        return check_plan(plan_dir, "draft"), ""
    except PlanError as exc:
        return [], str(exc)
