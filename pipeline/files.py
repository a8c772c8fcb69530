"""Files as the pipeline reads and writes them: UTF-8 text with the line of a bad byte, paths
kept inside the plan folder, outputs replaced atomically. A leaf: it imports nothing of the
pipeline but the error type."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import PlanError


def read_text(path: Path, shown: str) -> str:
    """Read UTF-8 text; a decoding error names the line of the first bad byte."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"无法读取文件：{exc.strerror or exc}", shown, code="E001") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        how = ("在 Excel 中“另存为”，文件类型选“CSV UTF-8（逗号分隔）(*.csv)”" if
               path.suffix.lower() == ".csv" else "请在编辑器中另存为 UTF-8")
        raise PlanError(f"文件不是 UTF-8 编码（可能是 GBK）：{how}", shown, line,
                        code="E002") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name and rename: a failed build never leaves a broken file where a
    good one was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are shared documents
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def inside(root: Path, path: Path, file: str, line: int | None) -> Path:
    """Resolve a path and refuse anything outside the plan folder."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise PlanError(f"路径超出规划目录：{path}", file, line, code="E006")
    return resolved


# Characters a file name cannot hold (on Windows, where the files go): the full-width forms.
FILE_NAME = str.maketrans({"/": "／", "\\": "＼", ":": "：", "*": "＊", "?": "？", '"': "＂",
                           "<": "＜", ">": "＞", "|": "｜", "\0": ""})


def file_name(text: str) -> str:
    """A title as one file name: `A/B规划` never makes a folder A."""
    return text.translate(FILE_NAME).strip(". ") or "_"


def display_path(path: Path, root: Path) -> str:
    """Path as the drafter sees it: relative to the plan folder when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
