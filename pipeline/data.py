"""Data files of the load stage: indicators, the 十三五 evaluation and major projects.

Each dataset is one file in the plan's data/ folder — `data/<name>.yaml`, `.csv` or `.xlsx`, the
name being a key of `datasets.yaml` — read into rows that keep their file and line (YAML) or row
(CSV, xlsx), checked against the columns of that schema, and turned into records whose values
keep the forms plan texts write: 76.23, ≥93, 29左右, 〔10〕, 有效保障. Column names, allowed
values and every word of those forms come from `datasets.yaml`; nothing here is a data number.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import PlanError
from .files import display_path, read_text
from .yamlfile import parse_yaml

SCHEMA_FILE = Path(__file__).with_name("datasets.yaml")
SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")
ID = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"  # ASCII digits only: ２８ is a typing slip
ANY_DIGIT = re.compile(r"[0-9０-９]")
CJK = re.compile(r"[\u3400-\u9fff]")
DECIMALS = re.compile(r"0\.(0+)")  # an Excel number format such as 0.00 or #,##0.0%


# ---- where a value came from ------------------------------------------------

@dataclass(frozen=True)
class Where:
    file: str
    line: int | None = None  # YAML: a line of the file
    row: int | None = None   # CSV, xlsx: a row of the sheet, as the spreadsheet shows it

    def error(self, message: str, code: str) -> PlanError:
        return PlanError(message, self.file, self.line, row=self.row, code=code)


@dataclass(frozen=True)
class Cell:
    value: str | bool | None  # text as written; numbers keep their written digits
    where: Where


@dataclass
class RawRow:
    where: Where
    cells: dict[str, Cell]  # column label → cell


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
           "upper_targets": UpperTarget}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    name: str
    what: str
    key: str
    columns: dict[str, Column]  # by label
    extra: dict[str, Any]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns.values() if c.key == key)


@dataclass(frozen=True)
class DataSchema:
    datasets: dict[str, Dataset]
    forms: ValueForms
    sample_marker: str
    ignored: tuple[str, ...]
    tables: dict[str, dict[str, Any]]


@dataclass
class PlanData:
    schema: DataSchema
    files: dict[str, str] = field(default_factory=dict)  # dataset → file as shown
    indicators: list[Indicator] | None = None
    evaluation: list[EvaluationItem] | None = None
    projects: list[Project] | None = None
    upper_targets: list[UpperTarget] | None = None

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
    raw = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    v = raw["values"]
    forms = ValueForms(tuple(v["empty"]), v["empty_cell"], tuple(v["cumulative"]), v["approx"],
                       dict(v["relations"]), v["approx_text"], tuple(v["no_unit"]),
                       {str(k): bool(x) for k, x in v["flags"].items()})
    datasets = {}
    for name, spec in raw["datasets"].items():
        columns = {c["label"]: Column(key, c["label"], c["kind"], c.get("required", False),
                                      tuple(c.get("choices", ())))
                   for key, c in spec["columns"].items()}
        expected = {f.name for f in fields(RECORDS[name])} - {"where", "outcome"}
        assert {c.key for c in columns.values()} == expected, f"datasets.yaml: {name}"
        extra = {k: x for k, x in spec.items() if k not in ("what", "key", "columns")}
        datasets[name] = Dataset(name, spec["what"], spec["key"], columns, extra)
    return DataSchema(datasets, forms, raw["sample_marker"], tuple(raw["ignored_columns"]),
                      raw["tables"])


# ---- reading files ------------------------------------------------------------

def load_data(root: Path) -> PlanData:
    schema = load_schema()
    data = PlanData(schema)
    folder = root / "data"
    if not folder.is_dir():
        return data
    found: dict[str, Path] = {}
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
    for name, path in found.items():
        shown = display_path(path, root)
        dataset = schema.datasets[name]
        rows = read_rows(path, shown, dataset)
        records = [make_record(dataset, row, schema) for row in rows]
        check_unique(dataset, records)
        setattr(data, name, records)
        data.files[name] = shown
    return data


def read_rows(path: Path, shown: str, dataset: Dataset) -> list[RawRow]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path, shown, dataset)
    text = read_text(path, shown)
    if suffix == ".csv":
        return read_csv(text, shown, dataset)
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


def read_csv(text: str, shown: str, dataset: Dataset) -> list[RawRow]:
    table = [[cell.strip() or None for cell in record] for record in csv.reader(io.StringIO(text))]
    return sheet_rows(list(enumerate(table, start=1)), shown, dataset)


def read_xlsx(path: Path, shown: str, dataset: Dataset) -> list[RawRow]:
    import zipfile

    from openpyxl import load_workbook
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise PlanError(f"无法读取 Excel 文件（{type(exc).__name__}）：请用 Excel 或 WPS 另存为 .xlsx",
                        shown, code="E115") from None
    try:
        sheet = book.worksheets[0]
        table = []
        for cells in sheet.iter_rows():
            number = next((c.row for c in cells if getattr(c, "row", None)), None)
            if number is not None:
                table.append((number, [excel_value(c, shown) for c in cells]))
    finally:
        book.close()
    return sheet_rows(table, shown, dataset)


def excel_value(cell: Any, shown: str) -> str | bool | None:
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
    raise Where(shown, row=cell.row).error(
        f"第{cell.column_letter}列的值“{value}”是日期或其他类型：请在 Excel 中把该单元格设为文本", "E116")


def sheet_rows(table: list[tuple[int, list]], shown: str, dataset: Dataset) -> list[RawRow]:
    """Rows of a sheet below its header row: the first row naming the dataset's key column
    (title rows above it are skipped, as departments often put one there)."""
    key_label = dataset.column(dataset.key).label
    header_at = next((i for i, (_, cells) in enumerate(table)
                      if key_label in [str(c).strip() for c in cells if c is not None]), None)
    if header_at is None:
        raise PlanError(f"找不到表头行：表头中应有“{key_label}”列（可用的列："
                        f"{'、'.join(dataset.columns)}）", shown, code="E117")
    header_row, header = table[header_at]
    labels = [str(c).strip() if c is not None else "" for c in header]
    check_columns({label: Cell(None, Where(shown, row=header_row)) for label in labels if label},
                  dataset, load_schema())
    rows = []
    for number, cells in table[header_at + 1:]:
        if all(c is None for c in cells):
            continue
        where = Where(shown, row=number)
        row = {}
        for index, value in enumerate(cells):
            label = labels[index] if index < len(labels) else ""
            if not label:
                if value is not None:
                    raise where.error(f"第{index + 1}列有值“{value}”，但表头中没有列名", "E118")
                continue
            row[label] = Cell(value, where)
        rows.append(RawRow(where, row))
    return rows


# ---- checking rows ----------------------------------------------------------------

def check_columns(cells: dict[str, Cell], dataset: Dataset, schema: DataSchema) -> None:
    for label, cell in cells.items():
        if label not in dataset.columns and label not in schema.ignored:
            raise cell.where.error(f"未知的列“{label}”（{dataset.what}数据可用的列："
                                   f"{'、'.join(dataset.columns)}）", "E119")


def make_record(dataset: Dataset, row: RawRow, schema: DataSchema) -> Any:
    check_columns(row.cells, dataset, schema)
    values: dict[str, Any] = {}
    for label, column in dataset.columns.items():
        cell = row.cells.get(label)
        raw = cell.value if cell else None
        where = cell.where if cell else row.where
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if column.required:
                raise where.error(f"缺少“{label}”", "E120")
            values[column.key] = default(column, schema.forms)
            continue
        values[column.key] = convert(column, raw, where, schema.forms)
    record = RECORDS[dataset.name](**values, where=row.where)
    return CHECKS[dataset.name](record, dataset, schema.forms)


def default(column: Column, forms: ValueForms) -> Any:
    return {"flag": False, "value": Value(), "number": Value()}.get(column.kind, "")


def convert(column: Column, raw: str | bool, where: Where, forms: ValueForms) -> Any:
    label = column.label
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
            value = forms.parse(text)
        except ValueError as exc:
            if column.kind == "number":
                raise number_only from None
            raise where.error(f"“{label}”的值“{text}”{exc}：应写数值（如 76.23），或 ≥93、29左右、"
                              f"〔10〕这样的写法，或文字（如 有效保障）；单位写在“单位”列", "E124") from None
        if column.kind == "number" and (value.number is None or value.relation
                                        or value.cumulative or value.number < 0):
            raise number_only
        return value
    return text


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
          "projects": check_project, "upper_targets": lambda item, dataset, forms: item}


def check_unique(dataset: Dataset, records: list[Any]) -> None:
    seen: dict[str, Any] = {}
    label = dataset.column(dataset.key).label
    for record in records:
        key = getattr(record, dataset.key)
        if key in seen:
            first = seen[key].where
            place = f"第{first.row}行" if first.row else f"第{first.line}行"
            raise record.where.error(f"{label}“{key}”与{place}重复", "E132")
        seen[key] = record
