"""Who has sent (已报送) and who has not (未报送): the table the 领导小组办公室 chases units with."""
from __future__ import annotations

import datetime as dt
from typing import Any

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


# The terminal's table: short headings, the deadline above the table when every unit has the
# same one, so that it reads at 80 columns; the remark column takes what is left and folds.
SHORT = {"截止日期": "截止", "报送次数": "次数", "有效行数": "有效", "有误行数": "有误"}
NUMBERS = ("序号", "报送次数", "有效行数", "有误行数")
NAME_WIDTH = 16  # 章贡区生态环境局; a longer name is broken over lines
REMARK_WIDTH = 8  # the least the remark column is given


def status_table(title: str, rows: list[list[str]], width: int) -> Any:
    """A rich table of the rows for a terminal `width` wide, every text shown as written (never
    as markup); None when the terminal is too narrow for it (status_lines then)."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from ..printable import printable

    deadlines = {r[3] for r in rows if r[3]}  # a unit not listed has none
    shown = [i for i, name in enumerate(HEADER) if name != "截止日期" or len(deadlines) > 1]
    cells = [[printable(r[i], one_line=True) for i in shown] for r in rows]
    name_at = shown.index(HEADER.index("单位"))
    heads = [SHORT.get(HEADER[i], HEADER[i]) for i in shown]

    def widths() -> list[int]:  # of every column but the remarks
        return [max([cell_len(h), *(cell_len(part) for row in cells
                                    for part in row[n].split("\n"))])
                for n, h in enumerate(heads[:-1])]
    # A long name is broken over lines unless there is room for it and a remark of some length.
    if sum(widths()) + 2 * len(heads) + 3 * REMARK_WIDTH > width:
        for row in cells:
            row[name_at] = broken(row[name_at], NAME_WIDTH)
    if sum(widths()) + 2 * (len(heads) - 1) + REMARK_WIDTH > width:
        return None
    if len(deadlines) == 1:
        title = f"{title}（截止日期 {next(iter(deadlines))}）"
    # Every column but the remarks is laid out here: rich's fold in two columns of one table
    # loses characters of CJK text (rich 15).
    table = Table(title=Text(printable(title, one_line=True)), box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), title_justify="left")
    for i, head in zip(shown, heads):
        if HEADER[i] == "备注":
            table.add_column(head, overflow="fold", ratio=1, min_width=REMARK_WIDTH)
        else:
            table.add_column(head, no_wrap=True,
                             justify="right" if HEADER[i] in NUMBERS else "left")
    for row, values in zip(rows, cells):
        table.add_row(*map(Text, values), style="yellow" if row[4] == NOT_SENT else None)
    return table


def broken(text: str, width: int) -> str:
    """`text` in lines at most `width` terminal cells wide."""
    from rich.cells import cell_len
    lines, current = [], ""
    for char in text:
        if current and cell_len(current + char) > width:
            lines.append(current)
            current = ""
        current += char
    return "\n".join([*lines, current])


def status_lines(rows: list[list[str]]) -> list[str]:
    """The table as one line per unit, for a terminal too narrow for columns."""
    out = []
    for r in rows:
        sent = f"{r[4]} {r[5]}，{r[6]} 次，有效 {r[7]} 行，有误 {r[8]} 行" if r[4] == SENT else r[4]
        deadline = f"，截止 {r[3]}" if r[3] else ""
        remark = f"；{r[9]}" if r[9] else ""
        out.append(f"{r[0]}. {r[1]}（{r[2] or '未列入'}{deadline}）：{sent}{remark}")
    return out


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
