"""Writing submitted rows into a data file the drafting unit keeps in Excel (data/<dataset>.xlsx).

The dataset's sheet is rewritten from the first row that changes: a unit's rows replaced where
they stand or taken out, its new rows added after the last data row (before a 注 or 合计 below the
table), the rows below moved up or down with their cells, formats and heights. Everything else
stays as openpyxl keeps it: the other sheets, the header row, column widths, the kept rows.

What cannot be carried across is refused, naming 文件!工作表!单元格, before anything is written:
a formula in the data range (openpyxl would drop its value), a merged range over the rows
rewritten, a protected sheet, an Excel table over them, or a picture, chart or shape openpyxl
would not save again. Conditional formats and input rules over moved rows stay where they were."""
from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import warnings
import zipfile
from collections import Counter
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..data import (DataSchema, RawRow, canonical, header_index, header_sheet, sheet_rows)
from ..errors import Diagnostic, PlanError
from ..revision import source_revision, stamp
from ..spreadsheet import Grid, open_workbook
from ..xlsxfile import workbook_bytes
from .merge import DataFile, text_of
from .returned import SubmittedRow

PLAIN_NUMBER = re.compile(r"^(?:0|[1-9][0-9]{0,14})(?:\.([0-9]{1,10}))?$")
# Parts of a package openpyxl may not write again, by what a user calls them.
KEPT_PARTS = (("xl/media/", "图片"), ("xl/charts/chart", "图表"), ("xl/embeddings/", "嵌入对象"),
              ("xl/pivotTables/", "数据透视表"), ("xl/threadedComments/", "新式批注"),
              ("xl/ctrlProps/", "表单控件"), ("xl/slicers/", "切片器"))
SHAPE = re.compile(rb"<(?:\w+:)?sp[ >]")
DROPPED_WARNING = re.compile(r"^(.+) extension is not supported and will be removed")
DROPPED = {"Conditional Formatting": "条件格式（扩展部分，如数据条、图标集）",
           "Data Validation": "数据验证（扩展部分，如引用其他工作表的下拉列表）",
           "Slicer List": "切片器", "Sparkline Group": "迷你图", "Ignored Error": "忽略错误的设置"}


@dataclass
class WorkbookFile(DataFile):
    """`content` is the workbook's bytes as they will be written."""
    content: bytes = b""
    before: bytes = b""
    when: dt.datetime | None = None
    last_read: tuple[bytes, tuple[Grid, list[RawRow]]] | None = None
    warned: dict[str, Diagnostic] = field(default_factory=dict)

    @property
    def cautions(self) -> list[Diagnostic]:
        return list(self.warned.values())

    @classmethod
    def of(cls, dataset: Any, path: Path, shown: str, home: Path) -> WorkbookFile:
        data = path.read_bytes()
        return cls(dataset, path, shown, data, data, stamp(source_revision(home).epoch))

    @property
    def changed(self) -> bool:
        return self.content != self.before

    def data(self) -> bytes:
        return self.content

    def rows(self) -> list[RawRow]:
        return self.read()[1]

    def read(self) -> tuple[Grid, list[RawRow]]:
        """The dataset's sheet and its rows as the data loader reads them (read again only when
        the workbook changed: each unit of a batch asks)."""
        if self.last_read is None or self.last_read[0] is not self.content:
            self.last_read = (self.content, self.load())
        return self.last_read[1]

    def load(self) -> tuple[Grid, list[RawRow]]:
        with tempfile.TemporaryDirectory(prefix="plan-intake-") as folder:
            path = Path(folder) / "data.xlsx"
            path.write_bytes(self.content)
            book = open_workbook(path, self.shown)  # the safe-file checks, as the loader's
        grid = header_sheet(book.sheets, self.shown, self.dataset, [])
        return grid, sheet_rows(grid, self.shown, self.dataset, [])

    def rewrite(self, held: set[str], add: list[SubmittedRow], schema: DataSchema) -> None:
        grid, rows = self.read()
        book, dropped = editable(self.content)
        ws = book[grid.sheet]
        header_row = grid.rows[header_index(grid, self.dataset)][0]
        edit = SheetEdit(ws, f"{self.shown}!{ws.title}", header_row)
        if edit.apply(rows, held, add, schema, self.dataset):
            content = workbook_bytes(book, self.when, keep_created=True)
            check_kept(self.before, content, self.shown)
            self.content = content
            for note in [*dropped, *references(book, ws)]:
                self.warned.setdefault(note, Diagnostic("E969", "warning", note, self.shown))


def editable(content: bytes) -> tuple[Any, list[str]]:
    """The workbook to edit, and what openpyxl said it will not keep (extensions of conditional
    formats and input lists: formats, not data)."""
    from openpyxl import load_workbook
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = load_workbook(io.BytesIO(content), rich_text=True, keep_links=True)
    dropped = []
    for warning in caught:
        match = DROPPED_WARNING.match(str(warning.message))
        if match:
            what = DROPPED.get(match.group(1), f"扩展内容（{match.group(1)}）")
            dropped.append(f"工作簿中的{what}在写入后不再保留（数据不受影响），需要时请在 Excel 中重新设置")
    return book, list(dict.fromkeys(dropped))


def references(book: Any, ws: Any) -> list[str]:
    """Formulas elsewhere that refer to the data sheet: their ranges do not grow with its rows."""
    name = ws.title
    found = []
    for other in book.worksheets:
        if other is ws:
            continue
        for row in other.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                text = str(getattr(cell.value, "text", cell.value) or "")
                if f"{name}!" in text or f"'{name}'!" in text:
                    found.append(f"工作表“{other.title}”{cell.coordinate} 的公式引用了“{name}”：写入的行可能"
                                 "不在其引用范围内，请核对该公式")
    return found


def check_kept(before: bytes, after: bytes, shown: str) -> None:
    """Refuse a save that would drop pictures, charts, shapes or other parts of the workbook."""
    old, new = package_parts(before), package_parts(after)
    lost = [f"{what} {old[what] - new[what]} 个" for what in old if new[what] < old[what]]
    if lost:
        raise PlanError(f"工作簿中的{'、'.join(lost)}在写入后无法保留，未写入：请把这些内容移到另一个工作簿，"
                        f"或把数据另存为“CSV UTF-8”后再汇总", shown, code="E967")


def package_parts(content: bytes) -> Counter:
    found: Counter = Counter()
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            for prefix, what in KEPT_PARTS:
                found[what] += name.startswith(prefix)
            if name.startswith("xl/drawings/") and name.endswith(".xml"):
                found["形状或文本框"] += len(SHAPE.findall(package.read(name)))
    return found


@dataclass
class Snapshot:
    """A row lifted out of the sheet: its cells (with their styles) and its height."""
    cells: dict[int, Any]
    height: float | None
    hidden: bool


class SheetEdit:
    def __init__(self, ws: Any, where: str, header_row: int):
        self.ws, self.where, self.header_row = ws, where, header_row

    def refuse(self, cell: str, message: str, code: str) -> PlanError:
        return PlanError(message, f"{self.where}!{cell}" if cell else self.where, code=code)

    def apply(self, rows: list[RawRow], held: set[str], add: list[SubmittedRow],
              schema: DataSchema, dataset: Any) -> bool:
        """Whether the sheet changed."""
        ws = self.ws
        if ws.protection.sheet:
            raise self.refuse("", f"工作表“{ws.title}”受保护，汇总结果无法写入：请在 Excel 中“审阅 → 撤销工作表"
                                  "保护”后再汇总", "E965")
        self.no_formulas()
        column = schema.sheets.submission_column
        new = {row.id: {**row.cells, column: row.id} for row in add}
        by_row = {row.where.row: row for row in rows}
        last = max(by_row, default=self.header_row)
        # A row kept (its number), or a submitted row's cells with the row it replaces (or None).
        wanted: list[int | tuple[dict[str, str], int | None]] = []
        for number in range(self.header_row + 1, last + 1):
            row = by_row.get(number)
            mine = text_of(row, column) if row else ""
            if mine not in held or not mine:
                wanted.append(number)
            elif mine in new:
                cells = new.pop(mine)
                same = all(text_of(row, label) == cells.get(label, "")
                           for label in {*cells, *row.cells})
                wanted.append(number if same else (cells, number))
        wanted += [(cells, None) for cells in new.values()]
        first = next((i for i, item in enumerate(wanted)
                      if item != self.header_row + 1 + i), len(wanted))
        shift = len(wanted) - (last - self.header_row)
        if first == len(wanted) and not shift:
            return False
        labels = self.header(dataset, schema, [label for item in wanted[first:]
                                               if isinstance(item, tuple) for label in item[0]])
        self.move(wanted, first, last, shift, labels, {c.label: c.kind for c in
                                                      dataset.columns.values()})
        return True

    def no_formulas(self) -> None:
        """openpyxl keeps a formula but not its value: the loader would then read nothing."""
        for row in self.ws.iter_rows(min_row=self.header_row):
            for cell in row:
                if cell.data_type == "f":
                    text = str(getattr(cell.value, "text", cell.value) or "")[:40]
                    raise self.refuse(cell.coordinate, f"单元格中有公式（{text}）：写入后公式的计算结果会丢失，"
                                      "数据将读不出来。请在 Excel 中把数据区的公式“选择性粘贴 → 数值”后再汇总",
                                      "E963")

    def header(self, dataset: Any, schema: DataSchema, needed: list[str]) -> dict[str, int]:
        """Column of each label of the header row; a label the rows need and the header lacks
        (报送编号 the first time) added after the last one, styled as its neighbour."""
        from openpyxl.cell.cell import MergedCell
        from openpyxl.utils import get_column_letter
        ws, at = self.ws, self.header_row
        known = {canonical(label): label for label in (*dataset.columns, *schema.ignored)}
        columns: dict[str, int] = {}
        for cell in ws[at]:
            if cell.value is not None and str(cell.value).strip():
                columns[known.get(canonical(cell.value), str(cell.value).strip())] = cell.column
        end = max(columns.values(), default=0)
        for label in dict.fromkeys(needed):
            if label in columns:
                continue
            cell = ws.cell(at, end + 1)
            if isinstance(cell, MergedCell):
                raise self.refuse(cell.coordinate, f"表头右侧是合并单元格，无法加入“{label}”列：请取消合并后再汇总",
                                  "E964")
            cell.value = label
            if end:
                cell._style = copy(ws.cell(at, end)._style)
                width = ws.column_dimensions[get_column_letter(end)].width
                ws.column_dimensions[get_column_letter(end + 1)].width = width
            end += 1
            columns[label] = end
        return columns

    def move(self, wanted: list, first: int, last: int, shift: int, labels: dict[str, int],
             kinds: dict[str, str]) -> None:
        ws = self.ws
        start = self.header_row + 1 + first
        end = ws.max_row if shift else last
        self.check_ranges(start, end, last, shift)
        tail_merges = [m.coord for m in list(ws.merged_cells.ranges) if shift and m.min_row > last]
        for coord in tail_merges:
            ws.unmerge_cells(coord)
        lifted = self.lift(start, end)
        pattern = lifted.get(last) or self.snapshot(last) if last > self.header_row else None
        for offset, item in enumerate(wanted[first:]):
            target = start + offset
            if isinstance(item, int):
                self.put(lifted[item], target)
            else:
                cells, replaced = item
                self.write(cells, target, labels, kinds,
                           lifted.get(replaced) if replaced else pattern)
        for number in range(last + 1, end + 1):
            self.put(lifted[number], number + shift)
        for coord in tail_merges:
            from openpyxl.worksheet.cell_range import CellRange
            moved = CellRange(coord)
            moved.shift(row_shift=shift)
            ws.merge_cells(moved.coord)

    def check_ranges(self, start: int, end: int, last: int, shift: int) -> None:
        """Merged ranges and Excel tables over the rows to rewrite cannot move with them."""
        for merged in self.ws.merged_cells.ranges:
            if merged.max_row < start or merged.min_row > end or (shift and merged.min_row > last):
                continue
            raise self.refuse(merged.coord, f"合并单元格 {merged.coord} 跨越要改写的行，无法写入报送的行："
                                            "请在 Excel 中取消合并（或把合并的行移到表的上方）后再汇总", "E964")
        from openpyxl.worksheet.cell_range import CellRange
        for name, table in self.ws.tables.items():
            ref = CellRange(table.ref if hasattr(table, "ref") else str(table))
            if ref.max_row >= start and ref.min_row <= end:
                raise self.refuse(ref.coord, f"“表格”{name}（{ref.coord}）覆盖要改写的行，无法写入报送的行："
                                             "请在 Excel 中“表设计 → 转换为区域”后再汇总", "E966")

    def snapshot(self, number: int) -> Snapshot:
        ws = self.ws
        dim = ws.row_dimensions.get(number) if number in ws.row_dimensions else None
        cells = {col: cell for (row, col), cell in ws._cells.items() if row == number}
        return Snapshot(cells, dim.height if dim else None, bool(dim and dim.hidden))

    def lift(self, start: int, end: int) -> dict[int, Snapshot]:
        """Rows start..end taken out of the sheet (cells and heights), by row number."""
        ws = self.ws
        lifted = {n: Snapshot({}, None, False) for n in range(start, end + 1)}
        for (row, col) in [k for k in ws._cells if start <= k[0] <= end]:
            lifted[row].cells[col] = ws._cells.pop((row, col))
        for number in range(start, end + 1):
            if number in ws.row_dimensions:
                dim = ws.row_dimensions.pop(number)
                lifted[number].height, lifted[number].hidden = dim.height, bool(dim.hidden)
        return lifted

    def put(self, snap: Snapshot, target: int) -> None:
        ws = self.ws
        for col, old in snap.cells.items():
            cell = ws.cell(target, col)
            cell._value, cell.data_type, cell._style = old._value, old.data_type, copy(old._style)
            if old.hyperlink is not None:
                link = copy(old.hyperlink)
                link.ref = cell.coordinate
                cell._hyperlink = link
            if old.comment is not None:
                cell.comment = copy(old.comment)
        self.dimension(snap, target)

    def dimension(self, snap: Snapshot, target: int) -> None:
        if snap.height is not None or snap.hidden:
            dim = self.ws.row_dimensions[target]
            dim.height, dim.hidden = snap.height, snap.hidden

    def write(self, cells: dict[str, str], target: int, labels: dict[str, int],
              kinds: dict[str, str], pattern: Snapshot | None) -> None:
        """A submitted row, each cell styled as the row it replaces or the last data row."""
        ws = self.ws
        styled = pattern.cells if pattern else {}
        for col in sorted({*labels.values(), *styled}):
            cell = ws.cell(target, col)
            if col in styled:
                cell._style = copy(styled[col]._style)
        for label, text in cells.items():
            put_value(ws.cell(target, labels[label]), text, kinds.get(label, "text"))
        if pattern:
            self.dimension(Snapshot({}, pattern.height, False), target)


def put_value(cell: Any, text: str, kind: str) -> None:
    """A plain number of a number or value column as a number Excel can sum, written with as many
    decimals as it has (the loader reads 3.20 back as 3.20); anything else as text, never as a
    formula (a unit's “=…” stays text)."""
    match = PLAIN_NUMBER.match(text) if kind in ("number", "value") else None
    if match:
        places = len(match.group(1) or "")
        number = Decimal(text)
        cell.value = int(number) if not places else float(number)
        cell.number_format = "0." + "0" * places if places else "0"
        return
    cell.value = text
    cell.data_type = "s"
