"""The whole flow for one version: load → render → parse → transform → write, output replaced
atomically."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .docx import write_docx
from .docx.fontuse import text_by_font
from .errors import PlanError
from .layout import Layout
from .files import atomic_write
from .manifest import archived_manifest, manifest_json, output_stem
from .model import Document, Plan, TodoMarker
from .reading import fontconfig, read_plan, resolve_version
from .revision import source_revision, stamp

if TYPE_CHECKING:  # the PDF side (pypdf, pdfplumber) loads only when a PDF is asked for
    from .pdf import FontReport, PdfEngine
    from .verify import Check


@dataclass
class BuiltDocument:
    version: str
    label: str
    docx: Path
    pdf: Path | None = None
    pdf_skipped: str = ""  # why no PDF was made, in Chinese
    pdf_pages: int = 0
    pdf_seconds: float = 0.0
    fonts: FontReport | None = None
    checks: list[Check] = field(default_factory=list)
    verify_report: Path | None = None
    manifest: Path | None = None
    warnings: list[str] = field(default_factory=list)  # file:line: message, in Chinese


def output_path(plan: Plan, document: Document, suffix: str) -> Path:
    return plan.root / "build" / document.version.key / f"{output_stem(document)}{suffix}"



def build_docx(root: Path, version: str) -> BuiltDocument:
    """The Word file alone: what tests and a machine without LibreOffice get."""
    return next(build(root, [version], pdf=False))


def build(root: Path, versions: list[str], pdf: bool = True) -> Iterator[BuiltDocument]:
    """Build each version in turn; one LibreOffice process serves every PDF of the run."""
    plan, layout = read_plan(root)
    revision = source_revision(plan.root)
    when = stamp(revision.epoch)
    engine: PdfEngine | None = None
    try:
        for version in versions:
            document = resolve_version(plan, layout, version, revision)
            warnings = todo_policy(document) + response_policy(document, plan.root)
            if document.version.strict:
                refuse_on_check_errors(plan.root, document)
            docx_path = output_path(plan, document, ".docx")
            written = write_docx(document, layout, when)
            atomic_write(docx_path, written.data)
            built = BuiltDocument(version, document.version.label, docx_path, warnings=warnings,
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
            yield built
    finally:
        if engine is not None:
            engine.close()


def write_manifest(path: Path, data: bytes, document: Document) -> None:
    """manifest.json, and the same kept under the source commit for copies returned later."""
    atomic_write(path, data)
    archived = archived_manifest(path.parent, document.revision)
    if archived is not None:
        atomic_write(archived, data)


def todo_policy(document: Document) -> list[str]:
    """TODO markers: shown in a draft, warnings in a review copy, refused in the final text."""
    return apply_policy(document, document.version.todo, [todo_line(m) for m in document.todos],
                        "待办标记", "E801")


def response_policy(document: Document, root: Path) -> list[str]:
    """Review opinions in reviews/*.yaml without 采纳情况: the final text waits for them."""
    if document.version.responses == "info":
        return []
    from .review.responses import unanswered
    return apply_policy(document, document.version.responses, unanswered(root),
                        "未答复的审阅意见", "E802")


def apply_policy(document: Document, level: str, lines: list[str], what: str, code: str
                 ) -> list[str]:
    """info: nothing said; warning: one warning a line; error: the version is not built."""
    if level == "error" and lines:
        raise PlanError(f"{document.version.label or document.version.key}不能含有{what}，"
                        f"共 {len(lines)} 处，请先处理：\n" + "\n".join(lines), code=code)
    return lines if level == "warning" else []


def refuse_on_check_errors(root: Path, document: Document) -> None:
    """A strict version (the 报批稿) is built only from sources `plan check` finds clean."""
    from .check import TODO_CODE, check_plan
    lines = [f"{f.file}:{f.line}:{f.col}: {f.code} {f.message}"
             for f in check_plan(root, document.version.key)
             if f.severity == "error" and f.code != TODO_CODE]  # markers: todo_policy, by block
    apply_policy(document, "error", lines,
                 f"起草规则错误（plan check --version {document.version.key}）", "E803")


def todo_line(marker: TodoMarker) -> str:
    return f"{marker.source.file}:{marker.source.line}: 待办标记“{marker.marker}”（…{marker.context}…）"


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
