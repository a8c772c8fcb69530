"""--fix: rewrite the mechanical findings in place. Only the flagged characters change: the file is
edited as it is on disk (byte order mark, CRLF line ends kept) and replaced atomically."""
from __future__ import annotations

import os
import stat
import tempfile
from collections import Counter
from pathlib import Path

from ..errors import PlanError
from .runner import CharFix, check_plan

ROUNDS = 3  # a fix can reveal another: "(…):" becomes "（…）:" and then "（…）："


def fix_plan(root: Path, version: str = "draft") -> Counter[str]:
    """Fix until nothing fixable is left; return the number of characters changed per file."""
    changed: Counter[str] = Counter()
    for _ in range(ROUNDS):
        by_file: dict[str, set[CharFix]] = {}
        for f in check_plan(root, version):
            by_file.setdefault(f.file, set()).update(f.fixes)
        by_file = {file: fixes for file, fixes in by_file.items() if fixes}
        if not by_file:
            break
        for file, fixes in by_file.items():
            apply_fixes(root.resolve() / file, file, fixes)
            changed[file] += len(fixes)
    return changed


def apply_fixes(path: Path, shown: str, fixes: set[CharFix]) -> None:
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    bom = 1 if text.startswith("\ufeff") else 0
    # One change a character, one insertion before it: (col, inserts) is unique.
    places = Counter((f.line, f.col, not f.old) for f in fixes)
    if any(n > 1 for n in places.values()):
        raise PlanError("同一字符有两种改法，未修改文件", shown, code="E506")
    # Right to left, so the columns still to apply keep their place; at one column the
    # character is changed before something is inserted in front of it.
    for fix in sorted(fixes, key=lambda f: (f.line, f.col, bool(f.old)), reverse=True):
        row = lines[fix.line - 1]
        col = fix.col - 1 + (bom if fix.line == 1 else 0)
        if row[col:col + len(fix.old)] != fix.old or col > len(row):
            raise PlanError(f"第 {fix.line} 行第 {fix.col} 列不是“{fix.old}”：文件在检查后被改动，"
                            "未修改文件", shown, fix.line, fix.col, code="E507")
        lines[fix.line - 1] = row[:col] + fix.new + row[col + len(fix.old):]
    replace_file(path, "\n".join(lines).encode("utf-8"))


def replace_file(path: Path, data: bytes) -> None:
    """Write beside the file, keep its permissions, rename over it: all or nothing."""
    path = path.resolve()
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
