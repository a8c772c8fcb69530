"""The 报送表 a unit fills: one sheet per dataset (重大工程项目, 指标建议, 政策举措) whose header row is
exactly the columns data/ expects, then 填表说明 with the unit, the deadline and how to fill it.

Everything a unit needs is in the workbook: a drop-down list where a column has a few allowed
values, an input hint on every column, number and text formats (so 96.0 stays 96.0), a frozen
header, and a protected header row. The same plan gives the same bytes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data import DataSchema, Dataset, PlanData, load_data, load_schema
from ..files import read_text
from ..load import load_meta
from ..model import PlanMeta
from ..revision import source_revision, stamp
from ..xlsxfile import workbook_bytes
from ..tables import plan_years
from .units import Unit

SHEETS = ("projects", "indicators", "measures")  # the datasets a unit proposes, in sheet order
GUIDE = "填表说明"
NUMBER_LABEL = "序号"
TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1
LAST_ROW = 1000  # the lists and hints reach this far
# Defined names on 填表说明: collect reads who sent the form and when, wherever a unit moved it.
UNIT_NAME, KIND_NAME, DEADLINE_NAME, DATE_NAME = "报送单位", "单位类别", "截止日期", "填报日期"
GUIDE_FIELDS = ((UNIT_NAME, "填报单位"), (KIND_NAME, "单位类别"), (DEADLINE_NAME, "报送截止日期"),
                (DATE_NAME, "填报日期"), ("联系人", "联系人"), ("联系电话", "联系电话"))
FILLED_BY_UNIT = (DATE_NAME, "联系人", "联系电话")
LIST_LIMIT = 255  # characters Excel allows in a list typed into the validation itself
WIDTHS = {"text": 16, "value": 12, "number": 14, "choice": 10, "flag": 8, "id": 14}
WIDE_COLUMNS = {"名称": 30, "建设内容": 40, "主要内容": 40, "说明": 24, "来源": 24, "责任单位": 20}


@dataclass(frozen=True)
class Choices:
    """What a unit may pick from: counties for 县（市、区）, the plan's categories so far."""
    counties: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]  # dataset → 类别 already in the plan's data


def plan_choices(units: list[Unit], data: PlanData, schema: DataSchema) -> Choices:
    last = tuple(schema.datasets["projects"].extra["county_last"])
    counties = tuple(dict.fromkeys(u.county for u in units if u.county)) + last
    categories = {name: tuple(dict.fromkeys(r.category for r in data.records(name) or []))
                  for name in SHEETS}
    return Choices(counties, categories)


def unit_templates(root: Path, units: list[Unit], chosen: list[Unit]) -> dict[str, bytes]:
    """File name → bytes of the 报送表 of each chosen unit."""
    meta = load_meta(read_text(root / "plan.yaml", "plan.yaml"))
    schema = load_schema()
    choices = plan_choices(units, load_data(root), schema)
    when = stamp(source_revision(root).epoch)
    return {file_name(meta, unit): template_bytes(unit, meta, schema, choices, when)
            for unit in chosen}


def file_name(meta: PlanMeta, unit: Unit) -> str:
    return f"{unit.name}-报送表.xlsx"


def template_bytes(unit: Unit, meta: PlanMeta, schema: DataSchema, choices: Choices,
                   when: dt.datetime) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = meta.organization or meta.title
    book.properties.title = f"{meta.title}报送表（{unit.name}）"
    years = plan_years(meta.period)
    for name in SHEETS:
        data_sheet(book, schema.datasets[name], unit, meta, choices, years)
    guide_sheet(book, unit, meta)
    return workbook_bytes(book, when)


# ---- the data sheets ------------------------------------------------------------------------

def data_sheet(book: Any, dataset: Dataset, unit: Unit, meta: PlanMeta, choices: Choices,
               years: dict[str, int]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(dataset.sheet)
    columns = list(dataset.columns.values())
    labels = [NUMBER_LABEL, *(c.label for c in columns)]
    last = get_column_letter(len(labels))
    ws.append([f"{meta.title}　{dataset.sheet}报送表"])
    ws.append([f"填报单位：{unit.name}　　报送截止日期：{unit.deadline_text}"])
    ws.append(labels)
    for row in (TITLE_ROW, UNIT_ROW):
        ws.merge_cells(f"A{row}:{last}{row}")
    ws["A1"].font = Font(name="黑体", size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws["A2"].font = Font(name="宋体", size=11)
    ws.row_dimensions[TITLE_ROW].height = 28
    ws.row_dimensions[HEADER_ROW].height = 30
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor="D9D9D9")
    required = {c.label for c in columns if c.required}
    for index, label in enumerate(labels, start=1):
        cell = ws.cell(HEADER_ROW, index)
        cell.font = Font(name="黑体", bold=True, color="C00000" if label in required else "000000")
        cell.fill, cell.border = grey, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # The rows to fill take their format and protection from their column: every row below the
    # header is ready, however many a unit adds.
    open_cell = Protection(locked=False)
    wrap = Alignment(vertical="top", wrap_text=True)
    kinds = [("序号", "General", 6), *((c, "0.00" if c.kind == "number" else "@",
                                       WIDE_COLUMNS.get(c.label, WIDTHS.get(c.kind, 14)))
                                      for c in columns)]
    for index, (column, fmt, width) in enumerate(kinds, start=1):
        letter = get_column_letter(index)
        dimension = ws.column_dimensions[letter]
        dimension.width, dimension.number_format = width, fmt
        dimension.protection, dimension.alignment = open_cell, wrap
        if index > 1:
            ws.add_data_validation(validation(column, dataset, choices, years,
                                              f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}"))
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    protect(ws)


def validation(column: Any, dataset: Dataset, choices: Choices, years: dict[str, int],
               cells: str) -> Any:
    """The input hint of a column, with the list or the number rule it has."""
    from openpyxl.worksheet.datavalidation import DataValidation

    hint = sentence(column.hint.format(**years))
    if column.required:
        hint = f"必填。{hint}"
    rule: dict[str, Any] = {}
    listed = list_of(column, dataset, choices)
    if listed:
        strict = column.kind in ("choice", "flag")
        rule = {"type": "list", "formula1": f'"{",".join(listed)}"', "showErrorMessage": True,
                "errorStyle": "stop" if strict else "warning",
                "errorTitle": column.label[:32],
                "error": f"“{column.label}”只能是 {'、'.join(listed)}" if strict else
                         f"“{column.label}”通常为 {'、'.join(listed)}：确实要填其他值时请点“是”"}
        hint += "可从列表中选择，也可填其他值。" if not strict else f"从列表中选择：{'、'.join(listed)}。"
    elif column.kind == "number":
        rule = {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0",
                "showErrorMessage": True, "errorStyle": "stop", "errorTitle": column.label[:32],
                "error": f"“{column.label}”只能填不带符号的数值，如 4.2"}
    rule["error"] = rule.get("error", "")[:LIST_LIMIT] or None
    return DataValidation(allow_blank=True, sqref=cells, showInputMessage=True,
                          promptTitle=column.label[:32], prompt=hint[:LIST_LIMIT] or None, **rule)


def sentence(text: str) -> str:
    return text if not text or text.endswith("。") else f"{text}。"


def list_of(column: Any, dataset: Dataset, choices: Choices) -> list[str]:
    if column.kind == "choice":
        listed = list(column.choices)
    elif column.kind == "flag":
        listed = list(load_schema().forms.flags)
    elif column.key == "county":
        listed = list(choices.counties)
    elif column.key == "category":
        listed = list(choices.categories.get(dataset.name, ()))
    else:
        return []
    listed = [item for item in listed if "," not in item and '"' not in item]
    # A list Excel cannot hold is no list: the hint still names the values.
    return listed if len(",".join(listed)) + 2 <= LIST_LIMIT else []


def protect(ws: Any) -> None:
    """Header and title locked; the unit may still format, insert and delete rows, sort, filter
    and merge its 类别 cells (no password: a unit that must change more can lift it)."""
    p = ws.protection
    p.sheet = True
    p.formatCells = p.formatColumns = p.formatRows = False
    p.insertRows = p.deleteRows = p.sort = p.autoFilter = False


# ---- 填表说明 ----------------------------------------------------------------------------------

def guide_sheet(book: Any, unit: Unit, meta: PlanMeta) -> None:
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = book.create_sheet(GUIDE)
    ws.append([f"{meta.title}　报送表填表说明"])
    ws["A1"].font = Font(name="黑体", size=14)
    values = {UNIT_NAME: unit.name, KIND_NAME: unit.kind, DEADLINE_NAME: unit.deadline or None}
    for row, (name, label) in enumerate(GUIDE_FIELDS, start=2):
        ws.cell(row, 1, label).font = Font(name="黑体")
        cell = ws.cell(row, 2, values.get(name))
        cell.number_format = "@"
        if name in FILLED_BY_UNIT:
            cell.protection = Protection(locked=False)
        book.defined_names[name] = DefinedName(name, attr_text=f"'{GUIDE}'!$B${row}")
    date_row = 2 + [n for n, _ in GUIDE_FIELDS].index(DATE_NAME)
    ws.add_data_validation(DataValidation(
        sqref=f"B{date_row}", allow_blank=True, showInputMessage=True, promptTitle=DATE_NAME,
        prompt="报送本表的日期，写成 2020-06-12"))
    first = 2 + len(GUIDE_FIELDS) + 1
    for offset, line in enumerate(instructions(unit, meta)):
        cell = ws.cell(first + offset, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=first + offset, start_column=1, end_row=first + offset,
                       end_column=2)
        ws.row_dimensions[first + offset].height = 15 * (1 + len(line) // 48)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 60
    ws.protection.sheet = True


def instructions(unit: Unit, meta: PlanMeta) -> list[str]:
    sheets = "".join(f"“{load_schema().datasets[n].sheet}”" for n in SHEETS)
    return [
        "填写说明：",
        f"1. 根据规划编制工作方案，请{unit.name}提出需要纳入规划的重要指标、重大工程项目和重大政策举措，"
        f"填写{sheets}三个工作表（没有的可以不填），于{unit.deadline_text}前报送规划编制单位。",
        "2. 每行填写一项。表头（第3行）和工作表名请勿改动；红色列名为必填列；选中单元格可看到该列的填写提示，"
        "有下拉列表的列请从列表中选择。",
        "3. “总投资（亿元）”只填数值；一个项目只填一个县（市、区），跨县项目请按县分行，全市性项目填“全市”。",
        "4. 指标数值可写作 76.23、≥93、29左右、〔10〕（五年累计数）或文字（如 稳中向好），单位写在“单位”列。",
        f"5. “来源”写明数据或项目的依据；不填时记为“{unit.name}报送”。指标的 id 不清楚可留空。",
        "6. “类别”相同的相邻行可以合并单元格；表下可以加“注：”说明，汇总时不作为数据。",
        "7. 请在“填报日期”中写明报送日期。再次报送时请报送完整的表：新表将替换本单位上次报送的全部内容。",
    ]
