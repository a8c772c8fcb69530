"""Which sources a build came from: commit, uncommitted changes, and the date to stamp."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from .errors import PlanError
from .model import SourceRevision

FALLBACK_EPOCH = 946684800  # 2000-01-01: outside git and without SOURCE_DATE_EPOCH


def git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=root, text=True, capture_output=True,
                                timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def source_revision(root: Path) -> SourceRevision:
    """SOURCE_DATE_EPOCH, else the last commit's time: never the clock, so builds repeat."""
    commit = git(root, "rev-parse", "--short=10", "HEAD")
    # Only the plan's own sources count; build/ is ignored by .gitignore, and the county plans
    # inside a city's folder are plans of their own.
    dirty = bool(commit and git(root, "status", "--porcelain", "--", ".",
                                *(f":(exclude){folder}" for folder in county_folders(root))))
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or (commit and git(root, "log", "-1",
                                                                     "--format=%ct"))
    seconds = int(epoch) if epoch and epoch.isdigit() else FALLBACK_EPOCH
    return SourceRevision(commit, dirty, stamp(seconds).strftime("%Y-%m-%d"), seconds)


def county_folders(root: Path) -> list[str]:
    from .workspace import find_workspace
    try:
        workspace, member = find_workspace(root)
    except PlanError:
        return []
    return [m.folder for m in workspace.counties] if member.city else []


def stamp(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
