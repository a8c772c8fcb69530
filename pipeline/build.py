"""The whole flow for each version: read → resolve → gates → write (→ PDF → verify), outputs
replaced atomically."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .docx import write_docx
from .docx.fontuse import text_by_font
from .errors import Diagnostic, PlanError
from .layout import Layout
from .files import atomic_write
from .manifest import MANIFEST, archived_manifest, manifest_json, output_stem
from .model import Document, Plan, VersionSpec
from .reading import fontconfig, read_plan, resolve_version
from .revision import source_revision, stamp

if TYPE_CHECKING:  # the PDF side (pypdf, pdfplumber) loads only when a PDF is asked for
    from .pdf import FontReport, PdfEngine
    from .verify import Check


@dataclass
class BuiltDocument:
    version: str
    label: str  # as the reader names the version: 初稿 (VersionSpec.name)
    docx: Path | None  # None: the version was refused (see `refused`)
    pdf: Path | None = None
    pdf_skipped: str = ""  # why no PDF was made, in Chinese
    pdf_pages: int = 0
    pdf_seconds: float = 0.0
    fonts: FontReport | None = None
    checks: list[Check] = field(default_factory=list)
    verify_report: Path | None = None
    manifest: Path | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings and notes
    refused: list[Diagnostic] = field(default_factory=list)  # why nothing was written


def build_docx(root: Path, version: str) -> BuiltDocument:
    """The Word file alone: what tests and a machine without LibreOffice get."""
    built = next(build(root, [version], pdf=False))
    if built.refused:
        raise PlanError.of(built.refused)
    return built


def build(root: Path, versions: list[str], pdf: bool = True) -> Iterator[BuiltDocument]:
    """Build each version in turn; one LibreOffice process serves every PDF of the run. A
    version its gates refuse is reported, with every blocker, and the next one is still built."""
    plan, layout = read_plan(root)
    revision = source_revision(plan.root)
    when = stamp(revision.epoch)
    engine: PdfEngine | None = None
    try:
        for version in versions:
            document = resolve_version(plan, layout, version, revision)
            label = document.version.name
            gates = gate_diagnostics(document, plan.root)
            notes = plan.diagnostics + [d for d in gates if d.severity != "error"]
            refused = [d for d in gates if d.severity == "error"]
            if refused:
                yield BuiltDocument(version, label, None, diagnostics=notes, refused=refused)
                continue
            docx_path = output_path(plan, document, ".docx")
            stale = stale_outputs(docx_path)
            written = write_docx(document, layout, when)
            atomic_write(docx_path, written.data)
            built = BuiltDocument(version, label, docx_path, diagnostics=notes,
                                  manifest=docx_path.parent / "manifest.json")
            write_manifest(built.manifest, manifest_json(document, docx_path.name,
                                                         written.anchors, layout), document)
            if pdf:
                from .pdf import PdfEngine, unavailable_reason
                built.pdf_skipped = unavailable_reason() or ""
            if pdf and not built.pdf_skipped:
                if engine is None:
                    engine = PdfEngine(plan.root / "build" / ".libreoffice", fontconfig(plan.root))
                render_pdf(engine, plan, layout, document, built, when)
            for path in stale:  # the outputs of an old title or label, only once all is written
                path.unlink(missing_ok=True)
            yield built
    finally:
        if engine is not None:
            engine.close()


def output_path(plan: Plan, document: Document, suffix: str) -> Path:
    return plan.root / "build" / document.version.key / f"{output_stem(document)}{suffix}"


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
    named, whatever else build/<version>/ holds."""
    docx = last_written(root / "build" / version)
    pdf = docx.with_suffix(".pdf") if docx else None
    if pdf is None or not pdf.is_file():
        raise PlanError(f"build/{version}/ 中没有生成过的 PDF：请先生成（如 make draft），"
                        "或指明要检查的 PDF 文件", f"build/{version}", code="E054")
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
               built: BuiltDocument, when: dt.datetime) -> None:
    from .pdf import font_report
    from .pdf.outline import toc_pages
    from .verify import render_table, verify_pdf

    pdf_path = output_path(plan, document, ".pdf")
    result = engine.convert(built.docx, pdf_path, title=plan.meta.title,
                            subject=document.version.label)
    built.pdf, built.pdf_pages, built.pdf_seconds = pdf_path, result.pages, result.seconds
    # LibreOffice laid the pages out; give the Word file's 目录 the same page numbers.
    written = write_docx(document, layout, when, toc_pages=toc_pages(pdf_path, document))
    atomic_write(built.docx, written.data)
    if document.version.line_numbers:  # 第12页第8行, as reviewers of this copy will cite it
        from .manifest import measured
        write_manifest(built.manifest, manifest_json(
            document, built.docx.name, written.anchors, layout,
            measured(pdf_path, document, layout, written.anchors)), document)
    built.fonts = font_report(pdf_path, text_by_font(document, layout),
                              fontconfig=fontconfig(plan.root))
    built.checks = verify_pdf(pdf_path, layout)
    built.verify_report = pdf_path.with_suffix(".版式检查.txt")
    atomic_write(built.verify_report, render_table(built.checks).encode("utf-8"))
