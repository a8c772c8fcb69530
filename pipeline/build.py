"""The whole flow for each version: read → resolve → gates → write (→ PDF → verify), outputs
replaced atomically."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .built import BuiltDocument
from .docx import write_docx
from .docx.fontuse import text_by_font
from .docx.styles import grid_styles
from .docx.writer import SPACER_PREFIX
from .errors import Diagnostic, PlanError
from .layout import Layout
from .files import atomic_write, display_path
from .manifest import MANIFEST, archived_manifest, manifest_json, output_stem
from .model import Document, Image, Plan, SourceRevision, VersionSpec, walk
from .reading import fontconfig, read_plan, resolve_version
from .revision import source_revision, stamp

if TYPE_CHECKING:  # the PDF side (pypdf, pdfplumber) loads only when a PDF is asked for
    from .pdf import PdfEngine


def build_docx(root: Path, version: str) -> BuiltDocument:
    """The Word file alone: what tests and a machine without LibreOffice get."""
    built = next(build(root, [version], pdf=False))
    if built.refused:
        raise PlanError.of(built.refused)
    return built


def build(root: Path, versions: list[str], pdf: bool = True) -> Iterator[BuiltDocument]:
    """Build each version in turn, each PDF on a fresh LibreOffice (see PdfWorker). A
    version its gates refuse is reported, with every blocker, and the next one is still built.
    Outputs go where the plan's workspace puts them (build/<county>/<version>/ for a county)."""
    from .workspace import find_workspace

    workspace, member = find_workspace(root)
    plan, layout = read_plan(root)
    revision = source_revision(plan.root)
    worker = PdfWorker(profile_folder(workspace.root, 1)) if pdf else None
    for version in versions:
        yield build_version(plan, layout, version, revision, member.out, worker)


def build_version(plan: Plan, layout: Layout, version: str, revision: SourceRevision,
                  out: Path, worker: PdfWorker | None) -> BuiltDocument:
    """One version of a read plan: gates, Word file and manifest, and with a LibreOffice worker
    the PDF, its fonts and its layout checks. Refused and failed versions say why."""
    lap = Laps()
    when = stamp(revision.epoch)
    document = resolve_version(plan, layout, version, revision)
    label = document.version.name
    gates = gate_diagnostics(document, plan.root)
    rollup = [d for d in plan.diagnostics if d.code == "E035"]
    notes = [d for d in plan.diagnostics if d not in rollup or not document.version.strict]
    if document.version.strict:  # a final text does not go out with a county left out
        gates += apply_policy(document.version, "error", "无法汇总的县（市、区）数据", "E036",
                              [replace(d, severity="error") for d in rollup])
    notes += [d for d in gates if d.severity != "error"]
    refused = [d for d in gates if d.severity == "error"]
    lap("编号与版本检查")
    if refused:
        if worker is not None:
            worker.cancel()
        return BuiltDocument(version, label, None, diagnostics=notes, refused=refused,
                             stages=lap.stages)
    docx_path = output_path(plan, document, out, ".docx")
    stale = stale_outputs(docx_path)
    written = write_docx(document, layout, when)
    atomic_write(docx_path, written.data)
    built = BuiltDocument(version, label, docx_path, diagnostics=notes,
                          manifest=docx_path.parent / "manifest.json",
                          sources=sorted({c.path for c in plan.chapters} |
                                         {b.path for b in walk(document.blocks)
                                          if isinstance(b, Image)}))
    write_manifest(built.manifest, manifest_json(document, docx_path.name, written.anchors,
                                                 layout), document)
    lap("写 Word")
    built.stages = lap.stages
    if worker is not None:
        from .pdf import PdfError, unavailable_reason
        built.pdf_skipped = unavailable_reason() or ""
        if built.pdf_skipped:
            worker.cancel()
        else:
            try:
                with worker.engine(fontconfig(plan.root)) as engine:
                    render_pdf(engine, plan, layout, document, built, when, out, lap)
            except PdfError as exc:  # the docx stands; the next document gets a LibreOffice
                built.failed = exc.diagnostics
    for path in stale:  # the outputs of an old title or label, only once all is written
        path.unlink(missing_ok=True)
    built.seconds = sum(lap.stages.values())
    return built


class Laps:
    """Where a document's time goes, stage by stage: lap("写 Word") ends a stage."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.mark = time.monotonic()

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        self.stages[name] = self.stages.get(name, 0.0) + now - self.mark
        self.mark = now


def profile_folder(build_root: Path, slot: int) -> Path:
    """LibreOffice profile of worker `slot`: one per worker, kept between runs (a new profile
    costs soffice a restart)."""
    name = ".libreoffice" if slot == 1 else f".libreoffice-{slot}"
    return build_root / "build" / name


class PdfWorker:
    """A LibreOffice profile folder of its own (so workers side by side never share one), and a
    fresh soffice on it for each document: LibreOffice numbers the fonts it embeds with a
    counter that lives as long as the process (/UniqueID 4100001, 4100002, …), so a warm soffice
    writes other bytes for the same document after converting another one. Same sources, same
    bytes, whichever worker and whatever came before. A start costs about a second of CPU;
    `warm()` begins it while the Word file is still being made. Timeouts and restarts within a
    document are the engine's."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self._pending: tuple[Path | None, threading.Thread, list] | None = None

    def warm(self, fonts: Path | None) -> None:
        """Start the next document's soffice in the background."""
        from .pdf import PdfEngine, PdfError
        self.cancel()
        box: list = []

        def start() -> None:
            engine = PdfEngine(self.profile, fonts)
            box.append(engine)
            try:
                engine.start()
            except PdfError as exc:
                box.append(exc)

        thread = threading.Thread(target=start, daemon=True)
        thread.start()
        self._pending = (fonts, thread, box)

    def cancel(self) -> None:
        """Stop a soffice started for a document that will not get a PDF."""
        if self._pending is not None:
            _, thread, box = self._pending
            self._pending = None
            thread.join()
            box[0].close()

    @contextlib.contextmanager
    def engine(self, fonts: Path | None) -> Iterator[PdfEngine]:
        from .pdf import PdfEngine
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] == fonts:
            pending[1].join()
            engine, *failed = pending[2]
        else:
            if pending is not None:
                self._pending = pending
                self.cancel()
            engine, failed = PdfEngine(self.profile, fonts), []
        try:
            if failed:
                raise failed[0]
            yield engine
        finally:
            engine.close()


def output_path(plan: Plan, document: Document, out: Path, suffix: str) -> Path:
    return out / document.version.key / f"{output_stem(document)}{suffix}"


def write_manifest(path: Path, data: bytes, document: Document) -> None:
    """manifest.json, and the same kept under the source commit for copies returned later."""
    atomic_write(path, data)
    archived = archived_manifest(path.parent, document.revision)
    if archived is not None:
        atomic_write(archived, data)


OUTPUT_SUFFIXES = (".docx", ".pdf", ".版式检查.txt")


def stale_outputs(docx_path: Path) -> list[Path]:
    """What the last build of this version wrote under another name (the title or label has
    changed since): its manifest names its Word file; the PDF and report share its stem."""
    written = last_written(docx_path.parent)
    if written is None or written.name == docx_path.name:
        return []
    stem = written.name.removesuffix(".docx")
    return [written.with_name(stem + suffix) for suffix in OUTPUT_SUFFIXES]


def last_written(folder: Path) -> Path | None:
    """The Word file the manifest of build/<version>/ names, if it is there."""
    try:
        name = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["docx"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    path = folder / Path(str(name)).name
    return path if path.is_file() else None


def built_pdf(root: Path, version: str) -> Path:
    """The PDF the last build of `version` wrote: what `plan verify` measures when no file is
    named, whatever else build/<version>/ holds (build/<county>/<version>/ for a county)."""
    from .workspace import find_workspace
    folder = find_workspace(root)[1].out / version
    docx = last_written(folder)
    pdf = docx.with_suffix(".pdf") if docx else None
    shown = display_path(folder, Path(root))
    if pdf is None or not pdf.is_file():
        raise PlanError(f"{shown}/ 中没有生成过的 PDF：请先生成（如 make draft），"
                        "或指明要检查的 PDF 文件", shown, code="E054")
    return pdf


def gate_diagnostics(document: Document, root: Path) -> list[Diagnostic]:
    """What the version's gates say, all kinds at once: TODO markers (shown in a draft,
    warnings in a review copy, refused in the final text), review opinions without 采纳情况, and
    `plan check` errors in a strict version."""
    version = document.version
    found = apply_policy(version, version.todo, "待办标记", "E801",
                         [Diagnostic("E801", "error", f"待办标记“{m.marker}”（…{m.context}…）",
                                     m.source.file, m.source.line) for m in document.todos])
    if version.responses != "info":
        from .review.responses import unanswered
        found += apply_policy(version, version.responses, "未答复的审阅意见", "E802",
                              unanswered(root))
    if version.strict:
        from .check import TODO_CODE, check_plan
        errors = [f for f in check_plan(root, version.key)
                  if f.severity == "error" and f.code != TODO_CODE]  # markers: by block, above
        found += apply_policy(version, "error",
                              f"起草规则错误（plan check --version {version.key}）", "E803", errors)
    return found


def apply_policy(version: VersionSpec, level: str, what: str, code: str,
                 found: list[Diagnostic]) -> list[Diagnostic]:
    """info: nothing said; warning: each one a warning; error: the version is not built, and a
    first line says why."""
    if level == "info" or not found:
        return []
    if level == "warning":
        return [replace(d, severity="warning") for d in found]
    return [Diagnostic(code, "error", f"{version.name}不能含有{what}，共 {len(found)} 处，请先处理："),
            *found]


def render_pdf(engine: PdfEngine, plan: Plan, layout: Layout, document: Document,
               built: BuiltDocument, when: dt.datetime, out: Path, lap: Laps) -> None:
    from .pdf import GridSpacers, font_report, resolve_font
    from .pdf.outline import toc_pages
    from .pdf.stamps import fixed_stamps
    from .verify import render_table, verify_pdf
    from .verify.report import failures

    pdf_path = output_path(plan, document, out, ".pdf")
    engine.start()
    lap("LibreOffice 启动")
    grid = GridSpacers(layout["grid"]["line_pitch_twips"],
                       tuple(grid_styles(layout, plan.meta.numbering)), "Grid Spacer",
                       SPACER_PREFIX)
    numbered = document.version.line_numbers
    result = engine.convert(built.docx, pdf_path, title=plan.meta.title,
                            subject=document.version.label, grid=grid,
                            blank_pages=plan.meta.print == "duplex", own_line_numbers=numbered)
    engine.release()  # LibreOffice's work is done: it quits while the PDF is stamped and checked
    # Same sources, same bytes: LibreOffice's clock and random identifier replaced.
    pdf_bytes = fixed_stamps(pdf_path.read_bytes(), when, built.docx.read_bytes())
    atomic_write(pdf_path, pdf_bytes)
    if numbered:  # every line a reviewer may cite, 专栏 and tables included
        from .pdf.linenumbers import number_pdf
        font = resolve_font(layout["line_numbers"]["pdf_face"], fontconfig(plan.root)).file
        atomic_write(pdf_path, number_pdf(pdf_path, layout, result.body_page, font))
    built.pdf, built.pdf_pages, built.pdf_seconds = pdf_path, result.pages, result.seconds
    lap("PDF 转换")
    # LibreOffice laid the pages out; give the Word file's 目录 the same page numbers and its
    # spacers the heights LibreOffice gave them.
    written = write_docx(document, layout, when, toc_pages=toc_pages(pdf_path, document),
                         spacers=result.spacers)
    atomic_write(built.docx, written.data)
    if numbered:  # 第12页第8行, as reviewers of this copy will cite it
        from .manifest import measured
        write_manifest(built.manifest, manifest_json(
            document, built.docx.name, written.anchors, layout,
            measured(pdf_path, document, layout, written.anchors)), document)
    lap("目录页码回写")
    built.fonts = font_report(pdf_path, text_by_font(document, layout),
                              fontconfig=fontconfig(plan.root))
    lap("字体核查")
    built.checks = verify_pdf(pdf_path, layout, plan.meta.print == "duplex", numbered)
    built.verify_report = pdf_path.with_suffix(".版式检查.txt")
    atomic_write(built.verify_report, render_table(built.checks).encode("utf-8"))
    built.diagnostics += failures(built.checks, display_path(pdf_path, plan.root))
    lap("版式检查")
