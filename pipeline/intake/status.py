"""Who has sent (已报送) and who has not (未报送): the table the 领导小组办公室 chases units with."""
from __future__ import annotations

import datetime as dt

from .log import Entry
from .units import Unit

HEADER = ("序号", "单位", "类别", "截止日期", "状态", "报送日期", "报送次数", "有效行数", "有误行数",
          "备注")
WIDTHS = (6, 24, 8, 12, 8, 12, 10, 10, 10, 36)
SENT, NOT_SENT = "已报送", "未报送"


def status_rows(units: list[Unit], log: dict[str, Entry]) -> list[list[str]]:
    """One row per unit of plan.yaml, in its order, then units that sent without being listed."""
    listed = {u.name for u in units}
    everyone = [*units, *(Unit(name, "") for name in log if name not in listed)]
    rows = []
    for number, unit in enumerate(everyone, start=1):
        entry = log.get(unit.name)
        notes = []
        if unit.name not in listed:
            notes.append("未列入 plan.yaml 的 units")
        if entry is None:
            rows.append([str(number), unit.name, unit.kind, unit.deadline, NOT_SENT, "", "", "", "",
                         "；".join(notes)])
            continue
        late = days_late(entry.date, unit.deadline)
        if late:
            notes.append(f"逾期 {late} 天")
        if entry.invalid or entry.errors:
            notes.append(f"{entry.invalid} 行有误，请该单位改正后重报")
        rows.append([str(number), unit.name, unit.kind, unit.deadline, SENT, entry.date,
                     str(entry.times), str(entry.valid), str(entry.invalid), "；".join(notes)])
    return rows


def days_late(sent: str, deadline: str) -> int:
    if not sent or not deadline:
        return 0
    return max((dt.date.fromisoformat(sent) - dt.date.fromisoformat(deadline)).days, 0)


def summary(rows: list[list[str]]) -> str:
    sent = sum(r[4] == SENT for r in rows)
    return (f"共 {len(rows)} 个单位：{SENT} {sent} 个，{NOT_SENT} {len(rows) - sent} 个；"
            f"有效 {sum(int(r[7] or 0) for r in rows)} 行，有误 {sum(int(r[8] or 0) for r in rows)} 行")


def status_workbook(title: str, rows: list[list[str]], when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from ..xlsxfile import workbook_bytes

    book = Workbook()
    ws = book.active
    ws.title = "报送情况"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A1"].font = Font(name="黑体", size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(list(HEADER))
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in ws[2]:
        cell.font, cell.border = Font(name="黑体", bold=True), box
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    pending = PatternFill("solid", fgColor="FCE4D6")
    for row in rows:
        ws.append([int(v) if v.isdigit() else v for v in row])
        for cell in ws[ws.max_row]:
            cell.border, cell.alignment = box, Alignment(wrap_text=True, vertical="center")
            if row[4] == NOT_SENT:
                cell.fill = pending
    ws.append([summary(rows)])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(HEADER))
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(2, index).column_letter].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    return workbook_bytes(book, when)
