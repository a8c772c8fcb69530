"""Data files of the load stage: indicators, the 十三五 evaluation, major projects, policy
measures.

Each dataset is one file in the plan's data/ folder — `data/<name>.yaml`, `.csv` or `.xlsx`, the
name being a key of `datasets.yaml` — read into rows that keep their file and line (YAML) or row
(CSV, xlsx), checked against the columns of that schema, and turned into records whose values
keep the forms plan texts write: 76.23, ≥93, 29左右, 〔10〕, 有效保障. Column names, allowed
values and every word of those forms come from `datasets.yaml`; nothing here is a data number.

Spreadsheets are read as 科室 and counties send them: the sheet with the header is found, header
cells match their column whatever their spacing, merged cells are filled down, note and total rows
are skipped (a 合计 is checked against the rows above it), and ＞９６、>=96、96% are read as ≥96
would be. Each of these is a notice (a Diagnostic returned with the data), never silent.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, PlanError, info, raise_errors
from .files import display_path, read_text
from .spreadsheet import Grid, OddValue, open_workbook
from .yamlfile import load_safely, parse_yaml

SCHEMA_FILE = Path(__file__).with_name("datasets.yaml")
SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")
ID = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"  # ASCII digits only: ２８ is a typing slip
ANY_DIGIT = re.compile(r"[0-9０-９]")
CJK = re.compile(r"[\u3400-\u9fff]")
SPACES = re.compile(r"\s+")


# ---- where a value came from ------------------------------------------------

@dataclass(frozen=True)
class Where:
    file: str
    line: int | None = None  # YAML: a line of the file
    row: int | None = None   # CSV, xlsx: a row of the sheet, as the spreadsheet shows it
    col: int | None = None   # CSV, xlsx: the cell's column, 1 for A

    def error(self, message: str, code: str) -> PlanError:
        return PlanError(message, self.file, self.line, self.col, row=self.row, code=code)

    def note(self, message: str, code: str, severity: str = "info") -> Diagnostic:
        return Diagnostic(code, severity, message, self.file, self.line, self.col, self.row)


@dataclass(frozen=True)
class Cell:
    value: str | bool | None  # text as written; numbers keep their written digits
    where: Where


@dataclass
class RawRow:
    where: Where
    cells: dict[str, Cell]  # column label → cell
    spreadsheet: bool = False  # typed in Excel or WPS: full-width digits, >=, 96% are read


# ---- values as plan texts write them ------------------------------------------

@dataclass(frozen=True)
class Value:
    """A table value: `text` without the 〔 〕, e.g. "≤29", "29左右", "有效保障"; "" for none."""
    text: str = ""
    number: Decimal | None = None
    relation: str = ""  # one of the schema's relations (≥ ≤ > <), its approx suffix, or ""
    cumulative: bool = False

    @property
    def empty(self) -> bool:
        return not self.text

    @property
    def words(self) -> bool:
        return bool(self.text) and self.number is None

    @property
    def digits(self) -> str:
        """The number as written: "29" of "≤29"."""
        match = re.search(NUMBER, self.text)
        return match.group(0) if match else ""


@dataclass(frozen=True)
class ValueForms:
    empty: tuple[str, ...]
    empty_cell: str
    cumulative: tuple[str, str]
    approx: str
    relations: dict[str, str]  # symbol → sentence pattern with {v}
    approx_text: str
    no_unit: tuple[str, ...]
    flags: dict[str, bool]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        symbols = "|".join(re.escape(s) for s in self.relations)
        approx = re.escape(self.approx)
        return re.compile(rf"^(?P<rel>{symbols})?(?P<num>{NUMBER})(?P<approx>{approx})?$")

    def parse(self, raw: str) -> Value:
        """Raise ValueError (with the reason in Chinese) for a form plans do not write."""
        text = raw.strip()
        if not text or text in self.empty:
            return Value()
        cumulative = False
        left, right = self.cumulative
        if text.startswith(left) and text.endswith(right):
            cumulative, text = True, text[len(left):-len(right)].strip()
            if not text:
                raise ValueError(f"{left}{right}中没有数值")
        match = self.pattern.match(text)
        if match:
            if match["rel"] and match["approx"]:
                raise ValueError(f"“{match['rel']}”与“{self.approx}”不能同时使用")
            relation = match["rel"] or (self.approx if match["approx"] else "")
            return Value(text, Decimal(match["num"]), relation, cumulative)
        if ANY_DIGIT.search(text) or not CJK.search(text):
            raise ValueError("既不是数值，也不是可接受的写法")
        return Value(text, None, "", cumulative)

    def cell(self, value: Value) -> str:
        """As the table prints it: 〔10〕, ≥93, —."""
        if value.empty:
            return self.empty_cell
        left, right = self.cumulative
        return f"{left}{value.text}{right}" if value.cumulative else value.text

    def plain(self, value: Value, unit: str) -> str:
        """Number and unit without the relation: 29微克/立方米; words stay as they are."""
        if value.words:
            return value.text
        return value.digits + self.unit_text(unit)

    def sentence(self, value: Value, unit: str) -> str:
        """As a sentence states it: 29微克/立方米以下, 95%左右, 76.23%, 稳中有升."""
        if value.words or not value.relation:
            return self.plain(value, unit)
        pattern = self.approx_text if value.relation == self.approx else \
            self.relations[value.relation]
        return pattern.format(v=self.plain(value, unit))

    def unit_text(self, unit: str) -> str:
        return "" if unit in self.no_unit else unit


@dataclass(frozen=True)
class SheetWords:
    """How departments' spreadsheets differ from a data file typed by the rules."""
    submission_column: str
    note: re.Pattern[str]
    total: re.Pattern[str]
    subtotal: re.Pattern[str]
    spellings: dict[str, str]
    percent_units: tuple[str, ...]

    @classmethod
    def of(cls, raw: dict[str, Any]) -> SheetWords:
        def words(key: str) -> str:
            return "|".join(re.escape(w) for w in raw[key])
        # 合计, 合计（12项）, 合计： — but not a name that merely begins with the word (总计划…)
        closed = r"\s*(?:[（(][^）)]*[）)])?\s*[:：]?$"
        return cls(raw["submission_column"],
                   re.compile(rf"^(?:{words('note_rows')})\s*[0-9０-９]*\s*(?:[:：]|$)"),
                   re.compile(rf"^(?:{words('total_rows')}){closed}"),
                   re.compile(rf"^(?:{words('subtotal_rows')}){closed}"),
                   dict(raw["spellings"]), tuple(raw["percent_units"]))

    def respell(self, text: str, percent: bool) -> str:
        """＞９６ → >96, >=96 → ≥96, and 96% → 96 when the unit is a percentage."""
        text = SPACES.sub("", unicodedata.normalize("NFKC", text))
        for written, meant in self.spellings.items():
            text = text.replace(written, meant)
        return text.replace("%", "") if percent else text


# ---- records ----------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    id: str
    category: str
    name: str
    unit: str
    base: Value
    target: Value
    attribute: str
    cumulative: bool
    direction: str
    note: str
    source: str
    where: Where


@dataclass(frozen=True)
class EvaluationItem:
    id: str
    name: str
    unit: str
    target: Value
    actual: Value
    direction: str
    note: str
    source: str
    where: Where
    outcome: str = ""  # done | missed | unknown: computed, never read from the file


@dataclass(frozen=True)
class Project:
    name: str
    category: str
    content: str
    county: str
    investment: Value
    period: str
    owner: str
    source: str
    where: Where


@dataclass(frozen=True)
class Measure:
    name: str
    category: str
    content: str
    owner: str
    source: str
    where: Where


@dataclass(frozen=True)
class UpperTarget:
    """A target the plan above sets for this plan (the province's for the city): what the 衔接
    check (D703) holds the plan's own indicator of the same id to."""
    id: str
    name: str
    unit: str
    target: Value
    direction: str
    document: str  # the upper plan or document that sets it
    note: str
    source: str
    where: Where


RECORDS = {"indicators": Indicator, "evaluation": EvaluationItem, "projects": Project,
           "measures": Measure, "upper_targets": UpperTarget}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    hint: str = ""  # the input hint of a 报送表's column


@dataclass(frozen=True)
class Dataset:
    name: str
    what: str
    key: str
    columns: dict[str, Column]  # by label
    extra: dict[str, Any]
    sheet: str = ""  # the worksheet an .xlsx holds it in, when it has several

    def column(self, key: str) -> Column:
        return next(c for c in self.columns.values() if c.key == key)


@dataclass(frozen=True)
class DataSchema:
    datasets: dict[str, Dataset]
    forms: ValueForms
    sample_marker: str
    ignored: tuple[str, ...]  # columns a file may have that no record keeps (序号, 报送编号)
    tables: dict[str, dict[str, Any]]
    sheets: SheetWords


@dataclass
class PlanData:
    schema: DataSchema
    files: dict[str, str] = field(default_factory=dict)  # dataset → file as shown
    indicators: list[Indicator] | None = None
    evaluation: list[EvaluationItem] | None = None
    projects: list[Project] | None = None
    measures: list[Measure] | None = None
    upper_targets: list[UpperTarget] | None = None
    notices: list[Diagnostic] = field(default_factory=list)  # sheet read, rows skipped, …

    def records(self, dataset: str) -> list[Any] | None:
        return getattr(self, dataset)

    def require(self, dataset: str) -> list[Any]:
        records = self.records(dataset)
        if records is None:
            raise self.missing(dataset)
        return records

    def missing(self, dataset: str) -> PlanError:
        what = self.schema.datasets[dataset].what
        return PlanError(f"没有{what}数据：请在 data/ 中放置 {dataset}.yaml（或 {dataset}.csv、"
                         f"{dataset}.xlsx）", code="E110")

    def sample_rows(self, dataset: str) -> int:
        return sum(self.schema.sample_marker in r.source for r in self.records(dataset) or [])


@lru_cache(maxsize=1)
def load_schema() -> DataSchema:
    raw = load_safely(SCHEMA_FILE.read_text(encoding="utf-8"))
    v = raw["values"]
    forms = ValueForms(tuple(v["empty"]), v["empty_cell"], tuple(v["cumulative"]), v["approx"],
                       dict(v["relations"]), v["approx_text"], tuple(v["no_unit"]),
                       {str(k): bool(x) for k, x in v["flags"].items()})
    datasets = {}
    for name, spec in raw["datasets"].items():
        columns = {c["label"]: Column(key, c["label"], c["kind"], c.get("required", False),
                                      tuple(c.get("choices", ())), c.get("hint", ""))
                   for key, c in spec["columns"].items()}
        expected = {f.name for f in fields(RECORDS[name])} - {"where", "outcome"}
        assert {c.key for c in columns.values()} == expected, f"datasets.yaml: {name}"
        extra = {k: x for k, x in spec.items() if k not in ("what", "key", "columns", "sheet")}
        datasets[name] = Dataset(name, spec["what"], spec["key"], columns, extra,
                                 spec.get("sheet", ""))
    sheets = SheetWords.of(raw["spreadsheets"])
    return DataSchema(datasets, forms, raw["sample_marker"],
                      (*raw["ignored_columns"], sheets.submission_column), raw["tables"], sheets)


# ---- reading files ------------------------------------------------------------

def load_data(root: Path) -> PlanData:
    """Every data file of the plan, with every bad row of every file in one PlanError."""
    schema = load_schema()
    data = PlanData(schema)
    errors: list[Diagnostic] = []
    for name, path in data_files(root, schema).items():
        shown = display_path(path, root)
        dataset = schema.datasets[name]
        notices: list[Diagnostic] = []
        try:
            rows = read_rows(path, shown, dataset, notices)
        except PlanError as exc:
            errors += exc.diagnostics
            continue
        records, bad = check_rows(dataset, rows, schema, notices)
        errors += bad
        data.notices += sorted(notices, key=lambda d: d.row or 0)  # in the order of the sheet
        setattr(data, name, records)
        data.files[name] = shown
    raise_errors(errors)
    return data


def data_files(root: Path, schema: DataSchema) -> dict[str, Path]:
    """data/<dataset>.<suffix> of a plan folder, by dataset; an unknown name or a dataset in two
    files is an error."""
    folder = root / "data"
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SUFFIXES or path.name.startswith((".", "~$")):
            continue
        shown = display_path(path, root)
        if path.stem not in schema.datasets:
            raise PlanError(f"未知的数据文件：{path.name}（数据文件名应为 "
                            f"{'、'.join(schema.datasets)}，扩展名 .yaml、.csv 或 .xlsx）",
                            shown, code="E111")
        if path.stem in found:
            raise PlanError(f"{path.stem} 的数据有两个文件：{found[path.stem].name} 与 {path.name}，"
                            f"只能保留一个", shown, code="E112")
        found[path.stem] = path
    return found


def read_rows(path: Path, shown: str, dataset: Dataset, notices: list[Diagnostic]
              ) -> list[RawRow]:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, shown, dataset, notices)
    return text_rows(read_text(path, shown), path.suffix, shown, dataset, notices)


def text_rows(text: str, suffix: str, shown: str, dataset: Dataset,
              notices: list[Diagnostic]) -> list[RawRow]:
    if suffix.lower() == ".csv":
        return read_csv(text, shown, dataset, notices)
    return read_yaml(text, shown)


def read_yaml(text: str, shown: str) -> list[RawRow]:
    parse_yaml(text, shown)  # a syntax error names its line
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise PlanError("数据文件应为若干行的列表：每行以“- ”开头，下面写“列名: 值”",
                        shown, node.start_mark.line + 1, code="E113")
    rows = []
    for item in node.value:
        at = Where(shown, item.start_mark.line + 1)
        if not isinstance(item, yaml.MappingNode):
            raise at.error("每一行应为“列名: 值”形式的映射", "E113")
        cells = {}
        for key, value in item.value:
            where = Where(shown, key.start_mark.line + 1)
            if not isinstance(value, yaml.ScalarNode):
                raise where.error(f"“{key.value}”应为单个值，不能是列表或映射", "E114")
            cells[str(key.value)] = Cell(yaml_scalar(value), where)
        rows.append(RawRow(at, cells))
    return rows


def yaml_scalar(node: yaml.ScalarNode) -> str | bool | None:
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "null":
        return None
    if tag == "bool":
        return bool(yaml.SafeLoader.construct_yaml_bool(yaml.SafeLoader(""), node))
    return str(node.value)  # numbers keep the digits as written: 96.0 stays 96.0


def read_csv(text: str, shown: str, dataset: Dataset, notices: list[Diagnostic]) -> list[RawRow]:
    table = [[cell.strip() or None for cell in record] for record in csv.reader(io.StringIO(text))]
    return sheet_rows(Grid("", list(enumerate(table, start=1))), shown, dataset, notices)


def read_xlsx(path: Path, shown: str, dataset: Dataset, notices: list[Diagnostic]
              ) -> list[RawRow]:
    book = open_workbook(path, shown)
    grid = header_sheet(book.sheets, shown, dataset, notices)
    return sheet_rows(grid, shown, dataset, notices)


# ---- spreadsheets as departments send them --------------------------------------------------

def canonical(text: Any) -> str:
    """A header cell as compared with the column names: 名 称 is 名称, (亿元) is （亿元）."""
    return SPACES.sub("", unicodedata.normalize("NFKC", str(text)))


def header_index(grid: Grid, dataset: Dataset) -> int | None:
    """The header row of a sheet: the first naming the dataset's key column (title rows above it
    are skipped, as departments often put one there)."""
    key = canonical(dataset.column(dataset.key).label)
    return next((i for i, (_, cells) in enumerate(grid.rows)
                 if any(c is not None and canonical(c) == key for c in cells)), None)


def header_sheet(sheets: list[Grid], shown: str, dataset: Dataset,
                 notices: list[Diagnostic]) -> Grid:
    """The sheet named in datasets.yaml, else the first with a header row (the first sheet is
    often a 填表说明); which one was read is said whenever there was a choice."""
    key = dataset.column(dataset.key).label
    named = next((g for g in sheets if dataset.sheet and g.sheet == dataset.sheet), None)
    grid = named or next((g for g in sheets if header_index(g, dataset) is not None), None)
    if grid is None:
        names = "、".join(f"“{g.sheet}”" for g in sheets)
        raise PlanError(f"找不到表头行：工作表{names}中都没有含“{key}”列的表头（可用的列："
                        f"{'、'.join(dataset.columns)}）", shown, code="E117")
    if len(sheets) > 1:
        why = (f"工作表名与{dataset.what}数据的约定相同" if named else
               f"第一个含“{key}”列表头的工作表" if grid is not sheets[0] else
               f"第一个工作表，含“{key}”列表头")
        notices.append(info("E135", f"读取工作表“{grid.sheet}”（{why}）；未读取："
                                    f"{'、'.join(f'“{g.sheet}”' for g in sheets if g is not grid)}",
                            shown))
    return grid


def sheet_rows(grid: Grid, shown: str, dataset: Dataset, notices: list[Diagnostic]
               ) -> list[RawRow]:
    """Data rows below the header row; note, total and subtotal rows skipped with a notice,
    merged cells filled down, header cells matched to their column."""
    schema = load_schema()
    at = header_index(grid, dataset)
    if at is None:
        where = f"工作表“{grid.sheet}”中" if grid.sheet else ""
        raise PlanError(f"找不到表头行：{where}表头中应有“{dataset.column(dataset.key).label}”列"
                        f"（可用的列：{'、'.join(dataset.columns)}）", shown, code="E117")
    header_row, header = grid.rows[at]
    labels = header_labels(header, Where(shown, row=header_row), dataset, schema, notices)
    body = filled_down(grid, header_row, shown, notices)
    totals = RunningTotals(dataset, labels)
    rows: list[RawRow] = []
    in_note = False
    for number, cells in body:
        filled = [(i, v) for i, v in enumerate(cells) if v is not None]
        if not filled:
            continue
        where = Where(shown, row=number, col=filled[0][0] + 1)
        first = shown_value(filled[0][1])
        kind = skipped_row(first, schema.sheets, in_note and len(filled) == 1)
        if kind:
            in_note = kind in ("note", "more")
            notices.extend(totals.check(cells, where) if kind == "total" else
                           [where.note(f"跳过{SKIPPED[kind]}：“{shorten(first)}”", "E136")])
            continue
        if all(i < len(labels) and labels[i] in schema.ignored for i, _ in filled):
            continue  # a 序号 typed ahead of the rows, nothing else: a blank row
        in_note = False
        row = {}
        for index, value in enumerate(cells):
            label = labels[index] if index < len(labels) else ""
            cell_at = replace(where, col=index + 1)
            if not label:
                if value is not None:
                    raise cell_at.error(f"第{column_letter(index + 1)}列有值“{shown_value(value)}”，"
                                        "但表头中没有列名", "E118")
                continue
            row[label] = Cell(value, cell_at)
        totals.add(cells)
        rows.append(RawRow(replace(where, col=None), row, spreadsheet=True))
    return rows


SKIPPED = {"note": "表下注", "more": "表下注（续）", "subtotal": "小计行"}


def skipped_row(first: str, words: SheetWords, after_note: bool) -> str:
    if words.note.match(first):
        return "note"
    if words.total.match(first):
        return "total"
    if words.subtotal.match(first):
        return "subtotal"
    return "more" if after_note else ""


def shorten(text: str, limit: int = 30) -> str:
    text = SPACES.sub(" ", text)
    return text if len(text) <= limit else text[:limit] + "…"


def shown_value(value: Any) -> str:
    return value.shown if isinstance(value, OddValue) else str(value)


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index)


def header_labels(header: list, where: Where, dataset: Dataset, schema: DataSchema,
                  notices: list[Diagnostic]) -> list[str]:
    """The column name of each header cell ("" for an empty one): matched ignoring spaces and
    the width of brackets, an unknown name refused."""
    known = {canonical(label): label for label in (*dataset.columns, *schema.ignored)}
    labels = []
    for index, cell in enumerate(header):
        at = replace(where, col=index + 1)
        written = "" if cell is None else shown_value(cell).strip()
        label = known.get(canonical(written), written) if written else ""
        if written and label != written:
            notices.append(at.note(f"表头“{written}”按列名“{label}”读取", "E134"))
        if label:
            check_columns({label: Cell(None, at)}, dataset, schema)
        labels.append(label)
    return labels


def filled_down(grid: Grid, header_row: int, shown: str, notices: list[Diagnostic]
                ) -> list[tuple[int, list]]:
    """The rows below the header, each cell of a merged range (类别 merged down over its
    projects) given the range's value: that is what the reader of the sheet sees."""
    body = [(number, list(cells)) for number, cells in grid.rows if number > header_row]
    by_number = {number: cells for number, cells in body}
    filled = []
    for top, left, bottom, right in grid.merges:
        if top <= header_row or bottom == top or top not in by_number:
            continue
        value = by_number[top][left - 1] if left <= len(by_number[top]) else None
        for number in range(top + 1, bottom + 1):
            cells = by_number.get(number)
            if cells is None:
                continue
            cells.extend([None] * (left - len(cells)))
            cells[left - 1] = value
        filled.append(f"{column_letter(left)}{top}:{column_letter(right)}{bottom}")
    if filled:
        notices.append(info("E138", f"合并单元格 {'、'.join(filled)} 已按所在各行逐行填入合并的值",
                            shown))
    return body


class RunningTotals:
    """The sums of the number columns (总投资) over the data rows so far, to check a 合计 row."""

    def __init__(self, dataset: Dataset, labels: list[str]):
        numbers = {c.label for c in dataset.columns.values() if c.kind == "number"}
        self.columns = {i: label for i, label in enumerate(labels) if label in numbers}
        self.sums: dict[int, Decimal | None] = {i: Decimal(0) for i in self.columns}

    def add(self, cells: list) -> None:
        for index, total in self.sums.items():
            value = cells[index] if index < len(cells) else None
            if value is None or total is None:
                continue
            number = decimal(value)
            self.sums[index] = None if number is None else total + number

    def check(self, cells: list, where: Where) -> list[Diagnostic]:
        """A 合计 row: skipped; its figures compared with the sums of the rows above."""
        notes, agreed = [], []
        for index, label in self.columns.items():
            stated = decimal(cells[index]) if index < len(cells) else None
            total = self.sums[index]
            if stated is None:
                continue
            if total is None:
                agreed.append(f"“{label}”未核对：以上各行有非数值")
            elif stated == total:
                agreed.append(f"“{label}”{stated}与以上各行之和相符")
            else:
                notes.append(replace(where, col=index + 1).note(
                    f"合计行的“{label}”为 {stated}，与以上各行之和 {total} 不符：已跳过该行，"
                    "表中的合计由流水线按各行计算，请核对各行与合计", "E137", "warning"))
        said = f"（{'；'.join(agreed)}）" if agreed else ""
        return notes or [where.note(f"跳过合计行{said}", "E136")]


def decimal(value: Any) -> Decimal | None:
    if isinstance(value, (bool, OddValue)):
        return None
    try:
        return Decimal(SPACES.sub("", unicodedata.normalize("NFKC", str(value))))
    except InvalidOperation:
        return None


# ---- checking rows ----------------------------------------------------------------

def check_columns(cells: dict[str, Cell], dataset: Dataset, schema: DataSchema) -> None:
    for label, cell in cells.items():
        if label not in dataset.columns and label not in schema.ignored:
            raise cell.where.error(f"未知的列“{label}”（{dataset.what}数据可用的列："
                                   f"{'、'.join(dataset.columns)}）", "E119")


def check_rows(dataset: Dataset, rows: list[RawRow], schema: DataSchema,
               notices: list[Diagnostic]) -> tuple[list[Any], list[Diagnostic]]:
    """The records of the good rows, and every error of the bad ones."""
    records, errors = [], []
    for row in rows:
        try:
            records.append(make_record(dataset, row, schema, notices))
        except PlanError as exc:
            errors += exc.diagnostics
    return records, errors + unique_errors(dataset, records)


def make_record(dataset: Dataset, row: RawRow, schema: DataSchema,
                notices: list[Diagnostic] | None = None) -> Any:
    """One record; every bad cell of the row in one PlanError."""
    check_columns(row.cells, dataset, schema)
    notices = [] if notices is None else notices
    percent = percent_row(dataset, row, schema) if row.spreadsheet else None
    values: dict[str, Any] = {}
    errors: list[Diagnostic] = []
    for label, column in dataset.columns.items():
        cell = row.cells.get(label)
        raw = cell.value if cell else None
        where = cell.where if cell else row.where
        try:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if column.required:
                    raise where.error(f"缺少“{label}”", "E120")
                values[column.key] = default(column, schema.forms)
                continue
            values[column.key] = convert(column, raw, where, schema, percent, notices)
        except PlanError as exc:
            errors += exc.diagnostics
    raise_errors(errors)
    record = RECORDS[dataset.name](**values, where=row.where)
    return CHECKS[dataset.name](record, dataset, schema.forms)


def percent_row(dataset: Dataset, row: RawRow, schema: DataSchema) -> bool:
    unit = next((c for c in dataset.columns.values() if c.key == "unit"), None)
    cell = row.cells.get(unit.label) if unit else None
    return bool(cell and cell.value is not None
                and canonical(cell.value) in schema.sheets.percent_units)


def default(column: Column, forms: ValueForms) -> Any:
    return {"flag": False, "value": Value(), "number": Value()}.get(column.kind, "")


def convert(column: Column, raw: str | bool | OddValue, where: Where, schema: DataSchema,
            percent: bool | None = None, notices: list[Diagnostic] | None = None) -> Any:
    """A cell's value as its column's kind; `percent` is None for a file typed by the rules
    (YAML), else whether the row's unit is a percentage: a spreadsheet's ＞９６ and 96% are read."""
    label, forms = column.label, schema.forms
    if isinstance(raw, OddValue):
        raise where.error(f"“{label}”的值“{raw.shown}”是日期或其他类型：请在 Excel 中把该单元格设为"
                          "文本", "E116")
    if column.kind == "flag":
        if isinstance(raw, bool):
            return raw
        if raw.strip() in forms.flags:
            return forms.flags[raw.strip()]
        raise where.error(f"“{label}”只能是 {'、'.join(forms.flags)}，实际为“{raw}”", "E121")
    text = str(raw).strip()
    if column.kind == "id":
        if not ID.match(text):
            raise where.error(f"id“{text}”只能由小写英文字母、数字和下划线组成，并以字母开头"
                              "（正文中以 ind.pm25.target 这样的形式引用）", "E122")
        return text
    if column.kind == "choice":
        if text not in column.choices:
            raise where.error(f"“{label}”只能是 {'、'.join(column.choices)}，实际为“{text}”", "E123")
        return text
    if column.kind in ("value", "number"):
        number_only = where.error(f"“{label}”应为不带符号的数值（如 12.5），实际为“{text}”", "E125")
        try:
            value, respelled = parse_value(text, schema, percent)
        except ValueError as exc:
            if column.kind == "number":
                raise number_only from None
            raise where.error(f"“{label}”的值“{text}”{exc}：应写数值（如 76.23），或 ≥93、29左右、"
                              f"〔10〕这样的写法，或文字（如 有效保障）；单位写在“单位”列", "E124") from None
        if column.kind == "number" and (value.number is None or value.relation
                                        or value.cumulative or value.number < 0):
            raise number_only
        if respelled and notices is not None:
            unit = "（单位为 %）" if percent and "%" in unicodedata.normalize("NFKC", text) else ""
            notices.append(where.note(f"“{label}”的“{text}”按“{respelled}”读取{unit}", "E133"))
        return value
    return text


def parse_value(text: str, schema: DataSchema, percent: bool | None) -> tuple[Value, str]:
    """The value, and its respelled text when it had to be respelled to be read. Only numbers are
    respelled: words are left as they were written."""
    try:
        return schema.forms.parse(text), ""
    except ValueError:
        if percent is None:
            raise
        respelled = schema.sheets.respell(text, percent)
        try:
            value = schema.forms.parse(respelled)
        except ValueError:
            value = None
        if respelled == text or value is None or value.number is None:
            raise
        return value, respelled


def check_indicator(item: Indicator, dataset: Dataset, forms: ValueForms) -> Indicator:
    if item.target.cumulative and not item.cumulative:
        label = dataset.column("target").label
        raise item.where.error(f"“{label}”写作{forms.cell(item.target)}（五年累计数），但“"
                               f"{dataset.column('cumulative').label}”不是“是”：请把“"
                               f"{dataset.column('cumulative').label}”写作“是”，或去掉"
                               f"{''.join(forms.cumulative)}", "E126")
    if item.cumulative and not item.target.empty and not item.target.cumulative:
        item = replace(item, target=replace(item.target, cumulative=True))
    return item


def check_evaluation(item: EvaluationItem, dataset: Dataset, forms: ValueForms) -> EvaluationItem:
    return replace(item, outcome=outcome(item, dataset, forms))


def outcome(item: EvaluationItem, dataset: Dataset, forms: ValueForms) -> str:
    """完成 / 未完成 from the target's bound or the indicator's direction; never typed."""
    target, actual = item.target, item.actual
    label = dataset.column("actual").label
    if actual.empty:
        return "unknown"
    if target.words or actual.words:
        if not (target.words and actual.words):
            raise item.where.error(f"目标值“{forms.cell(target)}”与{label}“{forms.cell(actual)}”"
                                   f"一个是文字、一个是数值，无法比较", "E127")
        return "done" if actual.text == target.text else "missed"
    if actual.relation:
        raise item.where.error(f"{label}应为确数，不能写“{actual.text}”", "E128")
    higher = {"≥": True, ">": True, "≤": False, "<": False}.get(target.relation)
    if higher is None:
        if not item.direction:
            raise item.where.error(f"目标值“{forms.cell(target)}”没有写明比较方向：请在“"
                                   f"{dataset.column('direction').label}”中写越高越好或越低越好，"
                                   f"或把目标写作 ≥、≤ 的形式", "E129")
        higher = item.direction == dataset.column("direction").choices[0]
    elif item.direction and higher != (item.direction == dataset.column("direction").choices[0]):
        raise item.where.error(f"目标值“{target.text}”与方向“{item.direction}”相矛盾", "E130")
    if target.relation in (">", "<"):
        met = actual.number > target.number if higher else actual.number < target.number
    else:
        met = actual.number >= target.number if higher else actual.number <= target.number
    return "done" if met else "missed"


def check_project(item: Project, dataset: Dataset, forms: ValueForms) -> Project:
    for mark in dataset.extra["county_separators"]:
        if mark in item.county:
            label = dataset.column("county").label
            raise item.where.error(f"“{label}”只能填一个县（市、区），实际为“{item.county}”："
                                   f"跨县项目请按县拆成多行，以便分县汇总投资", "E131")
    return item


CHECKS = {"indicators": check_indicator, "evaluation": check_evaluation,
          "projects": check_project, "measures": lambda item, dataset, forms: item,
          "upper_targets": lambda item, dataset, forms: item}


def unique_errors(dataset: Dataset, records: list[Any]) -> list[Diagnostic]:
    seen: dict[str, Any] = {}
    errors = []
    label = dataset.column(dataset.key).label
    for record in records:
        key = getattr(record, dataset.key)
        if key in seen:
            first = seen[key].where
            place = f"第{first.row}行" if first.row else f"第{first.line}行"
            errors.append(record.where.error(f"{label}“{key}”与{place}重复", "E132").diagnostic)
        else:
            seen[key] = record
    return errors
