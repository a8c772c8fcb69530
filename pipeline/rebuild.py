"""A past build made again from git: the location data (manifest) of a version as it was built
from a commit, for a returned copy whose own was lost.

The sources of the commit are exported (as `plan diff` does) and built as a normal build
builds them — the Word file, and for a version with line numbers the PDF through LibreOffice
with the same fixed stamps — in a temporary folder, so each paragraph gets the page and line
of the copy that was sent out; build/ is never touched."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from .build import PdfWorker, build_version
from .diff.sources import export_revision
from .errors import Diagnostic, PlanError, warning
from .model import SourceRevision
from .reading import read_plan


def rebuilt_manifest(plan_dir: Path, version: str, commit: str, notes: list[Diagnostic]
                     ) -> tuple[bytes, bool]:
    """The manifest `version` had when built from `commit`, and whether it has pages and
    lines. Without LibreOffice (E935) or with a PDF that failed (E936) it has none, and
    `notes` says so. PlanError when the commit cannot be had or built."""
    from .pdf import unavailable_reason
    with contextlib.ExitStack() as stack:
        root, revision = export_revision(stack, plan_dir, commit)
        plan, layout = read_plan(root)
        spec = plan.meta.versions.get(version)
        if spec is None:
            raise PlanError(f"提交 {commit} 的 plan.yaml 中没有版本 {version}", code="E937")
        out = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plan-rebuild-")))
        missing = unavailable_reason() if spec.line_numbers else None
        worker = PdfWorker(out / ".libreoffice") if spec.line_numbers and not missing else None
        built = build_version(plan, layout, version,
                              SourceRevision(commit, False, revision.date, revision.epoch),
                              out, worker)
        if built.refused:  # gates of today refuse what was sent then: the Word file alone
            notes.append(warning("E936", f"今天的生成关口不允许重新生成提交 {commit} 的"
                                 f"{built.label}（{built.refused[0].message}）：定位数据只由 Word "
                                 "文件重新生成，没有页码行号"))
            return word_manifest(plan, layout, version, revision, commit), False
        if missing:
            notes.append(warning("E935", f"{missing}由提交 {commit} 重新生成的定位数据没有页码"
                                         "行号：意见汇总表中这些意见只列章节位置"))
        elif built.failed:
            notes.append(warning("E936", f"由提交 {commit} 重新生成{built.label} PDF 失败（"
                                 + "；".join(d.message for d in built.failed)
                                 + "）：定位数据没有页码行号，意见汇总表中这些意见只列章节位置"))
        return built.manifest.read_bytes(), worker is not None and not built.failed


def word_manifest(plan, layout, version: str, revision: SourceRevision, commit: str) -> bytes:
    """The manifest of the Word file alone, past the gates: anchors, lines, places."""
    from .docx import write_docx
    from .manifest import manifest_json, output_stem
    from .reading import resolve_version
    from .revision import stamp
    document = resolve_version(plan, layout, version,
                               SourceRevision(commit, False, revision.date, revision.epoch))
    written = write_docx(document, layout, stamp(revision.epoch))
    return manifest_json(document, f"{output_stem(document)}.docx", written.anchors, layout)
