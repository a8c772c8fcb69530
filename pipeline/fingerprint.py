"""Fingerprints: a hash of everything an output is made from, kept beside the outputs, so an
output whose inputs did not change is not made again.

What a version of a plan is made from: plan.yaml, its chapters/ and data/ folders (images under
chapters/ included), reviews/*.yaml (the final refuses unanswered opinions), the style files the
plan resolves (its own styles/, the workspace root's, the pipeline's), workspace.yaml, the
pipeline's own source, the source revision printed in the document (commit, uncommitted changes,
date), and what the plan reads from other plans: the city plan the county plans' data (roll-up),
a county plan in a strict version the city's indicators (衔接 check). Files the build discovered
(an image, or a chapter plan.yaml lists, outside chapters/) are listed in the record and hashed
again on the next run. The PDF
adds the LibreOffice version.

build/<…>/<version>/.fingerprint.json holds the fingerprints and a hash of each output, so an
output deleted or changed by hand is made again too.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .files import atomic_write
from .layout import PACKAGE_STYLES
from .model import SourceRevision
from .workspace import Member, Workspace, WORKSPACE_FILE, style_folders

RECORD = ".fingerprint.json"
FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
SOURCE_SUFFIXES = (".py", ".yaml", ".xml")
PLAN_FOLDERS = ("chapters", "data")


def file_digest(path: Path) -> str:
    if path.is_dir():
        return "folder"  # chapters/02.md made a folder by mistake: the build must say so
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def tree(folder: Path) -> list[Path]:
    """Everything under `folder` a drafter put there, folders included: hidden files, editors'
    lock and temporary files (.~lock.x#, ~$x.docx) left out."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if not any(
        part.startswith((".", "~$")) for part in p.relative_to(folder).parts))


def digest(entries: list[tuple[str, str]]) -> str:
    sha = hashlib.sha256()
    for name, value in entries:
        sha.update(f"{name}\0{value}\n".encode("utf-8"))
    return sha.hexdigest()


def files_digest(paths: list[Path], base: Path) -> list[tuple[str, str]]:
    return [(shown(p, base), file_digest(p)) for p in paths]


def shown(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.resolve().as_posix()


@lru_cache(maxsize=1)
def pipeline_digest() -> str:
    """The pipeline's own source: a changed stage makes every output again."""
    paths = sorted(p for p in PACKAGE.rglob("*") if p.suffix in SOURCE_SUFFIXES
                   and "__pycache__" not in p.parts)
    return digest(files_digest(paths, PACKAGE))


@lru_cache(maxsize=1)
def libreoffice_version() -> str:
    """LibreOffice's version without starting it (a no-op run must stay fast): the product key and
    build id of its program folder, and the size and date of its main library."""
    from .pdf.engine import find_soffice
    soffice = find_soffice()
    if soffice is None:
        return "none"
    program = soffice.resolve().parent
    words = []
    for name, key in (("bootstraprc", "ProductKey="), ("versionrc", "buildid=")):
        try:
            text = (program / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        words += [line.split("=", 1)[1].strip() for line in text.splitlines()
                  if line.startswith(key)]
    for name in ("libmergedlo.so", "soffice.bin"):
        try:
            stat = (program / name).stat()
        except OSError:
            continue
        words.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return " ".join(words) or str(program)


def style_files(plan_root: Path) -> list[Path]:
    """Each file of styles/ as the plan resolves it (its own first): a file another one hides
    is not used, and does not count."""
    found: dict[str, Path] = {}
    for folder in (*style_folders(plan_root), PACKAGE_STYLES):
        for path in tree(folder):
            found.setdefault(path.relative_to(folder).as_posix(), path)
    return [found[name] for name in sorted(found)]


def plan_inputs(workspace: Workspace, member: Member, strict: bool) -> list[Path]:
    root = member.root
    paths = [root / "plan.yaml"]
    for folder in PLAN_FOLDERS:
        paths += tree(root / folder)
    reviews = root / "reviews"
    paths += sorted(reviews.glob("*.yaml")) if reviews.is_dir() else []
    paths += style_files(root)
    if workspace.listed:
        paths.append(workspace.root / WORKSPACE_FILE)
        if member.city:
            for county in workspace.counties:  # the roll-up and the comparison read them
                paths += tree(county.root / "data")
        elif strict:
            paths += [p for p in tree(workspace.root / "data") if p.stem == "indicators"]
    return paths


@dataclass(frozen=True)
class Fingerprint:
    docx: str
    pdf: str  # the docx's and the LibreOffice version's
    extra: tuple[str, ...] = ()  # discovered inputs, relative to the plan folder


def fingerprint(workspace: Workspace, member: Member, version: str, strict: bool,
                revision: SourceRevision, extra: tuple[str, ...] = (), pdf: bool = True
                ) -> Fingerprint:
    base = workspace.root
    entries = [("format", str(FORMAT)), ("pipeline", pipeline_digest()), ("plan", member.folder),
               ("version", version),
               ("revision", f"{revision.commit}:{revision.dirty}:{revision.epoch}")]
    entries += files_digest(plan_inputs(workspace, member, strict), base)
    entries += files_digest([member.root / name for name in extra], base)
    docx = digest(entries)
    return Fingerprint(docx, digest([("docx", docx), ("libreoffice", libreoffice_version())])
                       if pdf else "", tuple(extra))


# ---- the record beside the outputs -------------------------------------------------------

@dataclass
class Record:
    docx: str  # the fingerprint the outputs were made from
    pdf: str = ""  # "" when no PDF was made with them
    pdf_skipped: str = ""  # why not (LibreOffice missing), as the build said it
    extra: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)  # file name → sha256
    pages: int = 0
    checks: list[dict] = field(default_factory=list)  # the layout checks of the PDF
    diagnostics: list[dict] = field(default_factory=list)  # the warnings the build gave


def record_path(folder: Path) -> Path:
    return folder / RECORD


def read_record(folder: Path) -> Record | None:
    """The record of a version folder; None when there is none or it cannot be read (then the
    outputs are simply made again)."""
    try:
        data = json.loads(record_path(folder).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        return Record(data["docx"], data.get("pdf", ""), data.get("pdf_skipped", ""),
                      list(data.get("extra", [])), dict(data.get("outputs", {})),
                      int(data.get("pages", 0)), list(data.get("checks", [])),
                      list(data.get("diagnostics", [])))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_record(folder: Path, record: Record) -> None:
    data = {"format": FORMAT, "docx": record.docx, "pdf": record.pdf,
            "pdf_skipped": record.pdf_skipped, "extra": record.extra,
            "outputs": dict(sorted(record.outputs.items())), "pages": record.pages,
            "checks": record.checks, "diagnostics": record.diagnostics}
    atomic_write(record_path(folder), (json.dumps(data, ensure_ascii=False, indent=1)
                                       + "\n").encode("utf-8"))


def outputs_intact(folder: Path, record: Record) -> bool:
    return bool(record.outputs) and all(file_digest(folder / name) == sha
                                        for name, sha in record.outputs.items())


def up_to_date(folder: Path, record: Record | None, current: Fingerprint, pdf: bool,
               pdf_unavailable) -> bool:
    """Whether the outputs in `folder` were made from exactly these inputs. `pdf_unavailable`
    is asked only when the record says LibreOffice was missing last time."""
    if record is None or record.docx != current.docx or not outputs_intact(folder, record):
        return False
    if not pdf or record.pdf == current.pdf:
        return True
    return bool(record.pdf_skipped) and bool(pdf_unavailable())
