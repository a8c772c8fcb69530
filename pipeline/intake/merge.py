"""Writing submitted rows into a plan's data file (data/<dataset>.yaml or .csv here, .xlsx in
workbook.py), leaving every row typed by hand as it was: a submitted row carries its 报送编号, so
collecting again replaces it instead of adding it twice, and a unit's resubmission removes what it
sent before."""
from __future__ import annotations

import csv
import io
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..data import (DataSchema, Dataset, RawRow, canonical, check_rows, data_files, header_index,
                    text_rows)
from ..errors import Diagnostic, PlanError
from ..files import read_text
from ..spreadsheet import Grid
from .returned import SOURCE_KEY, Submission, SubmittedRow

BOM = "\ufeff"


def data_path(root: Path, dataset: Dataset, schema: DataSchema) -> Path:
    """The plan's file of the dataset, or the CSV to create."""
    return data_files(root, schema).get(dataset.name) or root / "data" / f"{dataset.name}.csv"


@dataclass
class DataFile(ABC):
    """One plan's data file of one dataset, as it will be written: it changes in memory unit by
    unit and is checked by the loader before anything is written."""
    dataset: Dataset
    path: Path
    shown: str

    @property
    def cautions(self) -> list[Diagnostic]:
        """What the officer should check in the file once written."""
        return []

    @property
    @abstractmethod
    def changed(self) -> bool:
        """Whether the collected rows change the file."""

    @abstractmethod
    def rows(self) -> list[RawRow]:
        """The rows as the data loader reads the file now."""

    @abstractmethod
    def rewrite(self, held: set[str], add: list[SubmittedRow], schema: DataSchema) -> None:
        """The rows numbered `held` replaced by the `add` of the same number or taken out, the
        other `add` appended."""

    @abstractmethod
    def data(self) -> bytes:
        """The file's new bytes."""

    def place(self, row: RawRow) -> str:
        return f"{self.shown} 第{row.where.row or row.where.line}行"

    def merge(self, submission: Submission, remove: set[str], add: list[SubmittedRow],
              schema: DataSchema) -> None:
        """Take out the unit's earlier rows, put in its new ones; a new row whose key another
        row of the file holds (typed by hand, or another unit's) is refused."""
        column = schema.sheets.submission_column
        key = self.dataset.column(self.dataset.key).label
        source = self.dataset.column(SOURCE_KEY).label
        mine = f"{submission.unit}报送（"
        taken: dict[str, RawRow] = {}
        held = set()  # the unit's rows now in the file
        for row in self.rows():
            number = text_of(row, column)
            if number and (number in remove or text_of(row, source).startswith(mine)):
                held.add(number)
            elif text_of(row, key):
                taken[text_of(row, key)] = row
        accepted = []
        for submitted in add:
            other = taken.get(submitted.key)
            if other is None:
                accepted.append(submitted)
                continue
            whose = "手工录入" if not text_of(other, column) else "其他单位报送"
            submission.reject(submitted, f"{key}“{submitted.key}”与 {self.place(other)}（{whose}）"
                                         "重复，未写入：请改名，或与编制组确认后删去其中一行", "E957")
        if not held and not accepted:
            return  # nothing of this unit's here, before or now: the file stays as it is
        self.rewrite(held, accepted, schema)

    def check(self, schema: DataSchema) -> None:
        """What the loader will say of the new file: nothing, or no file is written."""
        try:
            _, errors = check_rows(self.dataset, self.rows(), schema, [])
        except PlanError as exc:
            errors = exc.diagnostics
        if errors:
            shown = "；".join(str(d) for d in errors[:3])
            raise PlanError(f"汇总后数据文件有误，未写入任何文件（{shown}）：请先用 plan data 检查并改正该文件",
                            self.shown, code="E959")


@dataclass
class TextFile(DataFile):
    """data/<dataset>.yaml or .csv: `text` is the file's text as it will be written."""
    text: str = ""
    before: str = ""  # as on disk ("" for a file to create)
    bom: bool = False

    @classmethod
    def of(cls, dataset: Dataset, path: Path, shown: str) -> TextFile:
        if not path.is_file():
            return cls(dataset, path, shown, bom=True)  # Excel opens UTF-8 CSV by its BOM
        text = read_text(path, shown)
        return cls(dataset, path, shown, text, text, path.read_bytes().startswith(BOM.encode()))

    @property
    def changed(self) -> bool:
        return self.text != self.before

    def rows(self) -> list[RawRow]:
        if not self.text.strip():
            return []
        return text_rows(self.text, self.path.suffix, self.shown, self.dataset, [])

    def rewrite(self, held: set[str], add: list[SubmittedRow], schema: DataSchema) -> None:
        column = schema.sheets.submission_column
        if self.path.suffix.lower() in (".yaml", ".yml"):
            self.text = yaml_text(self.text, held, add, column, self.shown)
        else:
            self.text = csv_text(self.text, held, add, self.dataset, schema, self.shown)

    def data(self) -> bytes:
        return ((BOM if self.bom else "") + self.text).encode("utf-8")


def text_of(row: RawRow, label: str) -> str:
    cell = row.cells.get(label)
    return str(cell.value).strip() if cell and cell.value is not None else ""


def yaml_text(text: str, held: set[str], add: list[SubmittedRow], column: str,
              shown: str) -> str:
    """The unit's items (by 报送编号) replaced where they stand, or cut out line by line with the
    comments around them kept; its new items appended in block style."""
    lines = text.splitlines(keepends=True)
    node = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if node is not None and (not isinstance(node, yaml.SequenceNode) or node.flow_style):
        raise PlanError("数据文件应为以“- ”开头的若干行，才能写入报送的行", shown, 1, code="E959")
    new = {row.id: row for row in add}
    spans: dict[int, tuple[int, str]] = {}  # first line → (end, what replaces the item)
    for item in node.value if node is not None else []:
        number = next((str(v.value) for k, v in getattr(item, "value", [])
                       if isinstance(item, yaml.MappingNode) and k.value == column), "")
        if number not in held:
            continue
        start = item.start_mark.line
        end = item.end_mark.line + (item.end_mark.column > 0)
        while end > start + 1 and (not lines[end - 1].strip()
                                   or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        row = new.pop(number, None)
        spans[start] = (end, yaml_item(row, column) if row else "")
    out, n = [], 0
    while n < len(lines):
        if n in spans:
            end, replacement = spans[n]
            out.append(replacement)
            n = end
        else:
            out.append(lines[n])
            n += 1
    text = "".join(out)
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(yaml_item(row, column) for row in new.values())


def yaml_item(row: SubmittedRow, column: str) -> str:
    return yaml.safe_dump([{**row.cells, column: row.id}], allow_unicode=True, sort_keys=False,
                          width=1_000_000)


def csv_text(text: str, held: set[str], add: list[SubmittedRow], dataset: Dataset,
             schema: DataSchema, shown: str) -> str:
    """The CSV with the unit's rows (by 报送编号) replaced where they stand or taken out, its new
    rows appended; columns the file lacks (报送编号 the first time) added at the end of its
    header."""
    column = schema.sheets.submission_column
    records = list(csv.reader(io.StringIO(text)))
    at = header_index(Grid("", [(n, [c.strip() or None for c in r])
                                for n, r in enumerate(records, 1)]), dataset) if records else None
    if at is None and any(any(c.strip() for c in r) for r in records):
        raise PlanError(f"找不到表头行（应有“{dataset.column(dataset.key).label}”列），无法写入报送的行",
                        shown, code="E959")
    if at is None:
        records, at = [list(dataset.columns)], 0
    header = records[at]
    known = {canonical(label): label for label in (*dataset.columns, *schema.ignored)}
    labels = [known.get(canonical(c), c.strip()) for c in header]
    for label in [column, *(label for row in add for label in row.cells)]:
        if label not in labels:
            header.append(label)
            labels.append(label)
    number = labels.index(column)
    new = {row.id: row for row in add}

    def record(row: SubmittedRow) -> list[str]:
        cells = {**row.cells, column: row.id}
        return [cells.get(label, "") for label in labels]

    body = []
    for r in records[at + 1:]:
        r = r + [""] * (len(header) - len(r))
        if r[number].strip() not in held:
            body.append(r)
        elif r[number].strip() in new:
            body.append(record(new.pop(r[number].strip())))
    body += [record(row) for row in new.values()]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([*records[:at], header, *body])
    return buffer.getvalue()
