"""The one error type library code raises; the CLI turns it into a Chinese diagnostic."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class PlanError(Exception):
    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    code: str = "E000"
    row: int | None = None  # a row of a spreadsheet (CSV, xlsx), shown as 第N行

    def __post_init__(self) -> None:
        Exception.__init__(self, str(self))

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.row:
            where += f":第{self.row}行"
        elif self.file and self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.message}" if where else self.message


def display_path(path: Path, root: Path) -> str:
    """Path as the drafter sees it: relative to the plan folder when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
