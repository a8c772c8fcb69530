"""The 修改对照表 (序号 | 章节 | 原文 | 修改后 | 修改说明) from change records: as a Document for
the project's own docx writer, and as an .xlsx workbook."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from itertools import groupby

from ..model import Document, Heading, Paragraph, Source, Span, Table
from ..xlsxfile import workbook_bytes
from .compare import ChangeRecord, diff_inlines

COLUMNS = ["序号", "章节", "原文", "修改后", "修改说明"]
WIDTHS = [6, 18, 50, 50, 30]  # xlsx column widths, in characters
SOURCE = Source("修改对照表", 0)
NO_CHANGES = "两个版本的正文没有差异。"


def title(document: Document) -> str:
    return f"{document.meta.title}修改对照表"


Cell = list[Span]


def rows(records: list[ChangeRecord]) -> list[tuple[str, list[list[Cell]]]]:
    """Records grouped by chapter, in document order: (chapter title, table rows)."""
    out = []
    number = 0
    for chapter, group in groupby(records, key=lambda r: r.chapter_title):
        cells = []
        for record in group:
            number += 1
            old, new = marked(record)
            cells.append([[Span(str(number))],
                          [Span(" ".join(filter(None, (record.chapter, record.where))))],
                          old, new, [Span(record.note)]])
        out.append((chapter or "正文开头", cells))
    return out


def marked(record: ChangeRecord) -> tuple[Cell, Cell]:
    """原文 and 修改后, the characters that changed in bold: in a long paragraph a reader sees
    27→26 without hunting for it."""
    if record.kind != "edit":
        gone = "（删除）" if record.kind != "version" else "（无）"
        return [Span(record.old or "（无）")], [Span(record.new or gone)]
    inlines = diff_inlines([Span(record.old)], [Span(record.new)]) or [Span(record.new)]
    spans = [i for i in inlines if isinstance(i, Span)]
    return ([Span(s.text, bold=s.change is not None) for s in spans
             if s.change is None or s.change.kind == "del"],
            [Span(s.text, bold=s.change is not None) for s in spans
             if s.change is None or s.change.kind == "ins"])


def plain(cell: Cell) -> str:
    return "".join(span.text for span in cell)


def comparison_document(new: Document, records: list[ChangeRecord], versions: str) -> Document:
    """A plain document (no cover, no 目录): the title, then per chapter a heading and a table."""
    blocks: list = [Heading(1, [Span(title(new))], SOURCE),
                    *(Paragraph([Span(line)], SOURCE) for line in versions.split("\n"))]
    for chapter, cells in rows(records):
        blocks.append(Heading(2, [Span(chapter)], SOURCE))
        blocks.append(Table([[Span(c)] for c in COLUMNS], cells, ["center", "", "", "", ""],
                            SOURCE))
    if not records:
        blocks.append(Paragraph([Span(NO_CHANGES)], SOURCE))
    # A document of its own: no version header, line numbers or notes of the plan text.
    version = replace(new.version, header=False, line_numbers=False, notes=False)
    return replace(new, version=version, blocks=blocks, footnotes={}, redline=None,
                   front_matter=False)


def comparison_workbook(new: Document, records: list[ChangeRecord], versions: str,
                        when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Border, Font, Side

    changed = InlineFont(b=True, u="single")

    def rich(cell: Cell) -> str | CellRichText:
        if not any(span.bold for span in cell):
            return plain(cell)
        return CellRichText([TextBlock(changed, s.text) if s.bold else s.text for s in cell])

    book = Workbook()
    # The file's dates come from the source, not the clock: the same diff gives the same data.
    book.properties.creator = new.meta.organization or new.meta.title
    sheet = book.active
    sheet.title = "修改对照表"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    sheet.append([title(new)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.cell(1, 1).font = Font(name="黑体", size=16)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.append([versions.replace("\n", "　")])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    sheet.append(COLUMNS)
    for cell in sheet[3]:
        cell.font, cell.border, cell.alignment = Font(name="黑体", bold=True), box, \
            Alignment(horizontal="center", vertical="center")
    for chapter, cells in rows(records):
        sheet.append([chapter])  # a group row across the table
        at = sheet.max_row
        sheet.merge_cells(start_row=at, start_column=1, end_row=at, end_column=len(COLUMNS))
        sheet.cell(at, 1).font = Font(name="楷体_GB2312", bold=True)
        for row in cells:
            sheet.append([int(plain(row[0])), plain(row[1]), rich(row[2]), rich(row[3]),
                          plain(row[4])])
            for cell in sheet[sheet.max_row]:
                cell.border, cell.alignment = box, wrap
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    return workbook_bytes(book, when)
