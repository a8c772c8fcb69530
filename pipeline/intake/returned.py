"""One returned 报送表: who sent it and when, and every row of its data sheets checked as the data
loader checks a data file (merged cells, note rows, ＞９６ and all), errors and notices named as
文件!工作表!单元格 — 章贡区.xlsx!重大工程项目!F7: “总投资（亿元）”应为不带符号的数值…"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..data import (Cell, DataSchema, Dataset, RawRow, canonical, header_index, make_record,
                    sheet_rows)
from ..errors import Diagnostic, PlanError
from ..printable import printable
from ..safefile import Limits
from ..spreadsheet import Book, Grid, open_workbook
from .template import DATE_NAME, GUIDE, SHEETS, UNIT_NAME
from .units import Unit

FORMULA_START = "=@\t\r"
SIGNED = re.compile(r"^[+-][0-9]+(?:\.[0-9]+)?%?$")  # -5 and +2.5% are numbers, not formulas
ID_PREFIX = "sub_"  # an indicator a unit proposed without an id gets sub_ and a hash of its name
SOURCE_KEY = "source"
DATES = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
         re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"))


@dataclass(frozen=True)
class SubmittedRow:
    dataset: str
    id: str  # the same unit, dataset and key give the same id: collecting again adds nothing
    key: str
    cells: dict[str, str]  # column label → text as the data file gets it
    digest: str  # of what the unit typed: a resubmitted row with another digest was changed
    county: str  # a project's 县（市、区）, for a workspace's county plans
    place: str  # 章贡区.xlsx!重大工程项目!第5行


@dataclass
class Submission:
    file: str
    unit: str
    date: str  # YYYY-MM-DD
    rows: list[SubmittedRow] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)  # file names the cell
    notices: list[Diagnostic] = field(default_factory=list)
    invalid: int = 0  # rows not taken because of errors

    def reject(self, row: SubmittedRow, message: str, code: str) -> None:
        """A row that was valid alone but cannot go into the plan (a name already taken)."""
        self.rows.remove(row)
        self.invalid += 1
        self.errors.append(Diagnostic(code, "error", message, row.place))


def cell_name(file: str, sheet: str, row: int | None = None, col: int | None = None) -> str:
    from openpyxl.utils import get_column_letter
    name = f"{file}!{sheet}"
    if row and col:
        return f"{name}!{get_column_letter(col)}{row}"
    return f"{name}!第{row}行" if row else name


def placed(diagnostic: Diagnostic, file: str, sheet: str) -> Diagnostic:
    return Diagnostic(diagnostic.code, diagnostic.severity, diagnostic.message,
                      cell_name(file, sheet, diagnostic.row, diagnostic.col))


def row_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def read_submission(path: Path, readable: Path, units: list[Unit], schema: DataSchema,
                    limits: Limits = Limits()) -> Submission:
    """Raises PlanError when the file cannot be read or its unit not told; bad rows are the
    Submission's errors."""
    book = open_workbook(readable, path.name, limits)
    unit, how = unit_of(book, path, units)
    submission = Submission(path.name, unit, "")
    submission.date = date_of(book, path, submission)
    if how:
        submission.notices.append(Diagnostic("E958", "info", how, path.name))
    if units and unit not in {u.name for u in units}:
        submission.notices.append(Diagnostic(
            "E954", "warning", f"“{unit}”不在 plan.yaml 的 units 中，仍按该单位汇总；"
                               "需要跟踪其报送情况时请把它加入 units", path.name))
    for grid in book.sheets:
        dataset = sheet_dataset(grid, schema)
        if dataset is None:
            if grid.sheet != GUIDE and any(v is not None for _, cells in grid.rows for v in cells):
                submission.notices.append(Diagnostic(
                    "E955", "info", "未读取：不是报送表的工作表（没有重大工程项目、指标建议或政策举措"
                                    "的表头）", cell_name(path.name, grid.sheet)))
            continue
        read_sheet(grid, dataset, schema, submission)
    return submission


def unit_of(book: Book, path: Path, units: list[Unit]) -> tuple[str, str]:
    """The unit named in the form itself, else one whose name or county the file name holds;
    with how it was told when not from the form."""
    written = book.names.get(UNIT_NAME)
    if isinstance(written, str) and written.strip():
        return written.strip(), ""
    stem = path.stem
    for unit in sorted(units, key=lambda u: -len(u.name)):
        for word in (unit.name, unit.county):
            if word and word in stem:
                return unit.name, f"报送表中没有“填报单位”，按文件名记为“{unit.name}”报送"
    raise PlanError("无法确定报送单位：表中没有“填报单位”（请使用本单位的报送表），文件名中也没有 "
                    "plan.yaml 所列单位的名称", path.name, code="E953")


def date_of(book: Book, path: Path, submission: Submission) -> str:
    """填报日期 as the unit wrote it, else the date the workbook was saved, else the file's."""
    written = book.names.get(DATE_NAME)
    if isinstance(written, (dt.datetime, dt.date)):
        return (written.date() if isinstance(written, dt.datetime) else written).isoformat()
    text = str(written).strip() if written is not None else ""
    for pattern in DATES:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups())).isoformat()
            except ValueError:
                break
    saved = (book.modified.date() if book.modified else
             dt.date.fromtimestamp(path.stat().st_mtime))
    if text:
        submission.notices.append(Diagnostic(
            "E956", "warning", f"“填报日期”写作“{text}”，无法识别（应写成 2020-06-12），"
                               f"按文件保存日期记为 {saved.isoformat()}", path.name))
    return saved.isoformat()


def sheet_dataset(grid: Grid, schema: DataSchema) -> Dataset | None:
    """The dataset of a sheet: by its name, else by its header (a sheet a unit renamed)."""
    datasets = [schema.datasets[n] for n in SHEETS]
    named = next((d for d in datasets if d.sheet == grid.sheet), None)
    if named is not None:
        return named
    fits = []
    for dataset in datasets:
        at = header_index(grid, dataset)
        if at is None:
            continue
        header = {canonical(c) for c in grid.rows[at][1] if c is not None}
        needed = {canonical(c.label) for c in dataset.columns.values() if c.required}
        if needed <= header:
            fits.append((len(needed), dataset.name, dataset))
    return max(fits)[2] if fits else None


def read_sheet(grid: Grid, dataset: Dataset, schema: DataSchema, submission: Submission) -> None:
    file, sheet = submission.file, grid.sheet
    notices: list[Diagnostic] = []
    try:
        rows = sheet_rows(grid, file, dataset, notices)
    except PlanError as exc:
        submission.errors += [placed(d, file, sheet) for d in exc.diagnostics]
        return
    seen: dict[str, SubmittedRow] = {}
    for row in rows:
        typed = row.cells.get(dataset.column(SOURCE_KEY).label)
        bad = formula_like(row)
        try:
            record = make_record(dataset, prepared(row, dataset, submission), schema, notices)
        except PlanError as exc:
            bad += exc.diagnostics
        if bad:
            submission.errors += [placed(d, file, sheet) for d in bad]
            submission.invalid += 1
            continue
        submitted = submitted_row(record, dataset, schema, submission, typed, sheet)
        if submitted.id in seen:
            key = dataset.column(dataset.key).label
            submission.errors.append(Diagnostic(
                "E957", "error", f"{key}“{submitted.key}”与{seen[submitted.id].place}重复",
                submitted.place))
            submission.invalid += 1
            continue
        seen[submitted.id] = submitted
        submission.rows.append(submitted)
    submission.notices += [placed(n, file, sheet) for n in sorted(notices, key=lambda d: d.row or 0)]


def formula_like(row: RawRow) -> list[Diagnostic]:
    """Text Excel would run as a formula once the row is in a CSV data file (=HYPERLINK(…),
    @SUM(…), -2+cmd|…): refused, whatever the column."""
    found = []
    for label, cell in row.cells.items():
        text = cell.value if isinstance(cell.value, str) else ""
        if text and (text[0] in FORMULA_START or text[0] in "+-" and not SIGNED.match(text)):
            found.append(cell.where.note(
                f"“{label}”以“{printable(text[0], one_line=True)}”开头（{printable(text[:20], True)}），"
                "写入数据文件后 Excel 会把它当作公式执行：请去掉开头的符号", "E968", "error"))
    return found


def prepared(row: RawRow, dataset: Dataset, submission: Submission) -> RawRow:
    """The row with its provenance in 来源 and, for an indicator proposed without one, an id."""
    cells = dict(row.cells)
    source = dataset.column(SOURCE_KEY).label
    typed = cells.get(source)
    where = typed.where if typed else row.where
    provenance = f"{submission.unit}报送（{submission.date}）"
    text = str(typed.value).strip() if typed and typed.value is not None else ""
    cells[source] = Cell(f"{provenance}；{text}" if text else provenance, where)
    if dataset.key == "id":
        label = dataset.column("id").label
        name = cells.get(dataset.column("name").label)
        if (cells.get(label) is None or cells[label].value is None) and name and name.value:
            where = cells[label].where if label in cells else row.where
            cells[label] = Cell(ID_PREFIX + row_id(submission.unit, str(name.value))[:8], where)
    return replace(row, cells=cells)


def submitted_row(record: Any, dataset: Dataset, schema: DataSchema, submission: Submission,
                  typed: Cell | None, sheet: str) -> SubmittedRow:
    cells = record_cells(record, dataset, schema)
    own = dict(cells)
    own[dataset.column(SOURCE_KEY).label] = str(typed.value) if typed and typed.value else ""
    digest = row_id(json.dumps(own, ensure_ascii=False, sort_keys=True))
    key = str(getattr(record, dataset.key))
    return SubmittedRow(dataset.name, row_id(submission.unit, dataset.name, key), key, cells,
                        digest, getattr(record, "county", ""),
                        cell_name(submission.file, sheet, record.where.row))


def record_cells(record: Any, dataset: Dataset, schema: DataSchema) -> dict[str, str]:
    """A record as a data file writes it: the canonical text of each non-empty column."""
    forms = schema.forms
    flags = {v: k for k, v in forms.flags.items()}
    cells = {}
    for label, column in dataset.columns.items():
        value = getattr(record, column.key)
        if column.kind == "flag":
            text = flags[True] if value else ""
        elif column.kind in ("value", "number"):
            text = "" if value.empty else forms.cell(value)
        else:
            text = str(value)
        if text:
            cells[label] = text
    return cells
