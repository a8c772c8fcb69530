"""What a build says about one version of a plan: the files it made, or why it made none. Kept
apart from build.py so a run that makes nothing (every output up to date) loads no stage."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Diagnostic

if TYPE_CHECKING:
    from .pdf import FontReport
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
    failed: list[Diagnostic] = field(default_factory=list)  # a PDF that could not be made
    plan: str = ""  # the plan's name in a workspace: 章贡区
    up_to_date: bool = False  # its inputs had not changed: the outputs were left as they were
    sources: list[Path] = field(default_factory=list)  # its chapter files and images
    seconds: float = 0.0  # the whole document, docx to verify
    stages: dict[str, float] = field(default_factory=dict)  # seconds by stage, in order
