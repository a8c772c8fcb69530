"""The 意见汇总表 and the 征求意见采纳情况表, as .xlsx (openpyxl) and as official-format .docx
(a Document model with tables, written by pipeline.docx like the plan itself)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..layout import Layout
from ..model import Document, Heading, Inline, LineBreak, Paragraph, Source, Span, Table
from ..printable import printable
from ..revision import source_revision, stamp
from ..xlsxfile import workbook_bytes
from .collect import KIND_NAMES, PART_NAMES
from .responses import NOTE, RESPONSE, RESPONSES

SUMMARY_HEADER = ("序号", "意见来源（单位）", "章节/位置", "意见内容", "采纳情况", "理由或处理说明")
SUMMARY_WIDTHS = (6, 18, 30, 60, 10, 40)  # characters, for the spreadsheet
UNIT_HEADER = ("单位", "收到意见", "采纳", "部分采纳", "未采纳", "未答复")
UNIT_WIDTHS = (30, 10, 8, 10, 8, 8)
UNANSWERED = "未答复"
# A paragraph the reviewer added: after the one this place names (collect.locate).
AFTER = "之后（审阅人新增的段落）"
CM_PER_POINT = 2.54 / 72


@dataclass
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: list[list[str]]
    widths: tuple[int, ...]


def shorten(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def cite(text: str) -> str:
    """“text”, a quotation inside it in single quotes as a quote within a quote is written."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def opinion_text(item: dict) -> str:
    """意见内容 as the tables show it, for any kind of item."""
    kind, text = item.get("kind", ""), str(item.get("text") or "")
    anchor = str(item.get("anchor_text") or "")
    original = f"（原文：{cite(shorten(anchor))}）" if anchor else ""
    if kind == "comment":
        prefix = "（答复批注）" if item.get("reply_to") else ""
        where = f"（批注文字：{cite(shorten(anchor))}）" if anchor else ""
        return f"{prefix}{text}{where}"
    if kind in ("insertion", "deletion"):
        return f"{KIND_NAMES[kind]}{cite(text)}{original}"
    if kind == "replacement":
        return f"{cite(str(item.get('old_text') or ''))}改为{cite(text)}{original}"
    if kind == "move":
        to = f"，移至{cite(shorten(str(item['destination'])))}处" if item.get("destination") \
            else ""
        return f"移动{cite(shorten(text))}{to}"
    return f"{KIND_NAMES.get(kind, '修改')}：{text}"


def location(item: dict) -> str:
    """Where an opinion is, as officials cite it: the chapter path (第三章 第二节 一、 / 表2 第3行)
    and the page and line of the printed 征求意见稿 (第12页第8行). The Markdown file and line
    stay in the YAML and JSON, for drafters."""
    page = f"第{item['page']}页第{item['page_line']}行" if item.get("page") and \
        item.get("page_line") else f"第{item['page']}页" if item.get("page") else ""
    place = str(item.get("place") or "")
    part = PART_NAMES.get(str(item.get("part") or ""), "")
    if not place and not page and not item.get("chapter_file"):
        return part or "未能定位"
    where = "，".join(p for p in (place or ("正文" if not part else part), page) if p)
    return where + (AFTER if item.get("located_by") == "after" else "")


def unit_of(item: dict) -> str:
    return str(item.get("unit") or item.get("reviewer") or "未署名")


def summary_rows(items: list[dict]) -> list[list[str]]:
    """Every cell neutralised: a control or bidi character from a file shows, never acts."""
    return [[printable(c) for c in (str(n), unit_of(i), location(i), opinion_text(i),
                                    str(i.get(RESPONSE) or ""), str(i.get(NOTE) or ""))]
            for n, i in enumerate(items, start=1)]


def unit_rows(items: list[dict]) -> list[list[str]]:
    counts: dict[str, Counter] = {}
    for item in items:
        counts.setdefault(unit_of(item), Counter())[item.get(RESPONSE) or UNANSWERED] += 1
    rows = []
    total: Counter = Counter()
    for unit, count in counts.items():
        total += count
        rows.append([printable(unit), str(sum(count.values())), *(str(count[k]) for k in RESPONSES),
                     str(count[UNANSWERED])])
    rows.append(["合计", str(sum(total.values())), *(str(total[k]) for k in RESPONSES),
                 str(total[UNANSWERED])])
    return rows


def explanation(items: list[dict]) -> list[str]:
    """The 编制说明's paragraph on the consultation, then each opinion not (fully) adopted."""
    count = Counter(i.get(RESPONSE) or UNANSWERED for i in items)
    units = len({unit_of(i) for i in items})
    text = (f"征求意见期间，共收到{units}个单位（专家）的意见{len(items)}条，其中采纳{count['采纳']}条，"
            f"部分采纳{count['部分采纳']}条，未采纳{count['未采纳']}条")
    text += f"，尚有{count[UNANSWERED]}条未答复。" if count[UNANSWERED] else "。"
    lines = [text]
    rejected = [i for i in items if i.get(RESPONSE) in ("未采纳", "部分采纳")]
    if rejected:
        lines.append("未采纳和部分采纳的意见及理由如下：")
    for n, item in enumerate(rejected, start=1):
        reason = str(item.get(NOTE) or "（未写明理由）")
        lines.append(f"{n}. {unit_of(item)}意见（{location(item)}）：{opinion_text(item)}。"
                     f"{item[RESPONSE]}，理由：{reason}")
    return [printable(line) for line in lines]


def missing_reasons(items: list[dict]) -> list[str]:
    """Opinions answered 未采纳 or 部分采纳 with no 说明: the 编制说明 needs a reason for each."""
    return [f"意见 {i.get('id')}（{unit_of(i)}）答复为{i[RESPONSE]}，但“说明”中没有写理由"
            for i in items if i.get(RESPONSE) in ("未采纳", "部分采纳") and not i.get(NOTE)]


# ---- spreadsheet -----------------------------------------------------------------------------

def wide(sheets: list[Sheet], layout: Layout) -> bool:
    """Do the columns (in half-width characters) need more than a portrait line of table text
    holds? Then the pages are laid out landscape."""
    chars = layout["page"]["type_width_mm"] / (layout["table"]["size_pt"] * CM_PER_POINT * 10)
    return any(sum(sheet.widths) / 2 > chars for sheet in sheets)


def landscape(layout: Layout) -> Layout:
    """The same page turned: the type area's width and height, and the margins, exchanged."""
    page = dict(layout["page"])
    page.update(width_mm=page["height_mm"], height_mm=page["width_mm"], top_mm=page["left_mm"],
                left_mm=page["top_mm"], type_width_mm=page["type_height_mm"],
                type_height_mm=page["type_width_mm"])
    return Layout(layout.name, {**layout.data, "page": page})


def xlsx_bytes(sheets: list[Sheet], root: Path) -> bytes:
    """The same answers give the same bytes: dates are the sources' (as the 对照表's are)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from ..reading import read_layout
    _, layout = read_layout(root)

    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin", color="000000")
    edge = Border(left=thin, right=thin, top=thin, bottom=thin)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(list(sheet.header))
        for row in sheet.rows:
            ws.append([int(v) if v.isascii() and v.isdigit() else v for v in row])
        for column, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[ws.cell(1, column).column_letter].width = width
        for row in ws.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                cell.border = edge
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="D9D9D9")
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        if wide([sheet], layout):
            ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    return workbook_bytes(book, stamp(source_revision(root).epoch))


# ---- Word ------------------------------------------------------------------------------------

def cell(text: str) -> list[Inline]:
    inlines: list[Inline] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            inlines.append(LineBreak())
        inlines.append(Span(line))
    return inlines


def table_block(sheet: Sheet, source: Source) -> Table:
    return Table([cell(h) for h in sheet.header], [[cell(v) for v in row] for row in sheet.rows],
                 [""] * len(sheet.header), source, caption=sheet.title)


def docx_bytes(root: Path, title: str, sheets: list[Sheet], paragraphs: list[str],
               source: Source, paragraphs_title: str = "") -> bytes:
    """An official-format Word file: a heading, the tables, then plain paragraphs."""
    from ..docx import write_docx
    from ..reading import labels, read_layout
    from ..transform import number_objects

    meta, layout = read_layout(root)
    if wide(sheets, layout):
        layout = landscape(layout)
    version = replace(meta.versions.get("review") or next(iter(meta.versions.values())),
                      label="", header=False, line_numbers=False, notes=False)
    blocks: list = [Heading(1, [Span(title)], source)]
    blocks += [table_block(sheet, source) for sheet in sheets]
    if paragraphs:
        if paragraphs_title:
            blocks.append(Heading(2, [Span(paragraphs_title)], source))
        blocks += [Paragraph([Span(p)], source) for p in paragraphs]
    blocks = number_objects(blocks, labels(layout))
    document = Document(replace(meta, title=title), version, blocks, {}, front_matter=False)
    # Stamped with the sources' date, not the clock: the same answers give the same bytes.
    document.revision = source_revision(root)
    return write_docx(document, layout, stamp(document.revision.epoch)).data
