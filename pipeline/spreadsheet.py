"""Workbooks as the pipeline meets them: read from outside without trusting them (a data file a
department sent, a unit's returned 报送表), and written with the same bytes for the same inputs.

Reading checks the package through safefile (sizes, zip bombs, entity declarations, too many
cells) before openpyxl sees it, and gives each sheet as a grid of values written the way the
sheet shows them: 96.0 stays 96.0, a percentage-formatted 0.945 is 94.5. What the grid means
(header row, note rows, columns) is the data loader's business."""
from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PlanError
from .safefile import Limits, SafePackage, refuse

DECIMALS = re.compile(r"0\.(0+)")  # an Excel number format such as 0.00 or #,##0.0%
MAX_CELLS = 200_000  # a unit's form holds hundreds; millions are an attack or a mistake


@dataclass(frozen=True)
class OddValue:
    """A cell the loader cannot take as text: a date, a time, an error value."""
    shown: str


Value = str | bool | OddValue | None


@dataclass
class Grid:
    """One sheet: (row number as Excel shows it, values from column A) and its merged ranges
    as (first row, first column, last row, last column), 1-based."""
    sheet: str
    rows: list[tuple[int, list[Value]]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class Book:
    sheets: list[Grid]
    names: dict[str, Any]  # defined names of single cells → the cell's value as stored
    modified: dt.datetime | None = None

    def sheet(self, name: str) -> Grid | None:
        return next((g for g in self.sheets if g.sheet == name), None)


def open_workbook(path: Path, shown: str, limits: Limits = Limits()) -> Book:
    """Every sheet of an .xlsx. Raises PlanError naming `shown` (E139 refused as unsafe, E115
    not readable as a workbook)."""
    from openpyxl import load_workbook
    try:
        check_package(path, limits)
    except PlanError as exc:
        raise PlanError(exc.message, shown, code="E139") from None
    try:
        with warnings.catch_warnings():  # openpyxl warns of extensions it drops: not our reader's
            warnings.simplefilter("ignore")
            book = load_workbook(path, data_only=True, keep_links=False)
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise PlanError(f"无法读取 Excel 文件（{type(exc).__name__}）：请用 Excel 或 WPS 另存为 .xlsx",
                        shown, code="E115") from None
    try:
        return Book([grid(ws) for ws in book.worksheets], defined_names(book),
                    book.properties.modified)
    finally:
        book.close()


def check_package(path: Path, limits: Limits) -> None:
    with SafePackage(path, limits) as package:
        if "xl/workbook.xml" not in package.names:
            raise refuse(path, "不是 Excel 工作簿（压缩包中没有 xl/workbook.xml），未读取")
        cells = 0
        for name in sorted(package.names):
            if not name.endswith((".xml", ".rels")):
                continue
            tree = package.xml(name)  # refuses DTDs and entity declarations in any part
            if name.startswith("xl/worksheets/"):
                cells += sum(1 for _ in tree.iter("{*}c"))
                if cells > MAX_CELLS:
                    raise refuse(path, f"工作表中的单元格超过 {MAX_CELLS} 个，疑为恶意构造的文件，未读取")


def grid(ws: Any) -> Grid:
    rows = []
    for cells in ws.iter_rows():
        if cells:
            rows.append((cells[0].row, [cell_value(c) for c in cells]))
    merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    return Grid(ws.title, rows, sorted(merges))


def cell_value(cell: Any) -> Value:
    value = cell.value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)):
        fmt = str(cell.number_format or "General")
        if "%" in fmt:
            value = value * 100
        places = DECIMALS.search(fmt)
        if places:
            return f"{value:.{len(places.group(1))}f}"
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    return OddValue(str(value))


def defined_names(book: Any) -> dict[str, Any]:
    names = {}
    for name, defined in book.defined_names.items():
        try:
            (title, ref), *more = list(defined.destinations)
        except ValueError:
            continue
        if more or title not in book.sheetnames or ":" in ref:
            continue
        names[name] = book[title][ref.replace("$", "")].value
    return names
