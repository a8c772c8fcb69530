"""Tables as WordprocessingML: a plan's tables (caption, header row repeated on each page,
merged cells, note line, columns sized from their content)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..chinese import display_width, print_width
from ..layout import half_points, twips
from ..model import Change, Inline, Source, Span, Table, plain_text
from ..transform import LABEL_GAP
from .ooxml import el, paragraph, props, run, table_borders, val
from .sections import section_end
from .writer import Writer

Cells = dict[int, dict[int, tuple[int, str]]]


def table(w: Writer, item: Table) -> list[etree._Element]:
    columns = column_widths(w, item, ncols(item), merged_cells(item))
    out = []
    if columns.landscape:  # the portrait pages end before it and go on after it
        out.append(section_end(w, "body"))
        w.landscape = True
    if item.caption:
        out.append(caption(w, item))
    out.append(table_element(w, item, columns=columns))
    if item.note:
        out.append(paragraph("TableNote", run(item.note)))
    out.append(section_end(w, "landscape") if columns.landscape else w.spacer(item.change))
    return out


def ncols(item: Table) -> int:
    return max(len(item.header), *(len(r) for r in item.rows)) if item.rows \
        else len(item.header)


def caption(w: Writer, item: Table, style: str = "TableCaption") -> etree._Element:
    label = f"{item.label}{LABEL_GAP}"
    runs = None if item.label_change else w.title(label, [Span(item.caption)],
                                                  w.layout["table"]["caption_size_pt"])
    return w.paragraph(w.ppr(style, change=item.change),
                       runs or w.label(item.label_change, label + item.caption),
                       source=item.caption_source or item.source, change=item.change)


def table_element(w: Writer, item: Table, borders: etree._Element | None = None,
                  title: etree._Element | None = None, title_change: Change | None = None,
                  columns: Columns | None = None) -> etree._Element:
    """<w:tbl>: the header row repeated on each page, rows never split; `title`, a paragraph
    set in a shaded row across all columns above the header, repeated with it (a 专栏 that
    opens with its table)."""
    spans = merged_cells(item)
    widths = (columns or column_widths(w, item, ncols(item), spans)).widths
    rows = []
    if title is not None:
        rows.append(title_row(w, title, widths, title_change))
    rows.append(row(w, item.header, widths, item.aligns, True, item.source, change=item.change))
    for index, cells in enumerate(item.rows):
        source = item.row_sources[index] if index < len(item.row_sources) else item.source
        change = item.change or (item.row_changes[index]
                                 if index < len(item.row_changes) else None)
        rows.append(row(w, cells, widths, item.aligns, False, source, spans.get(index, {}),
                        change))
    return el("w:tbl", None, props(
        "w:tblPr", val("w:tblStyle", "PlanTable"),
        el("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}), val("w:jc", "center"),
        borders if borders is not None else
        table_borders(round(w.layout["table"]["border_pt"] * 8)),
        el("w:tblLayout", {"w:type": "fixed"}),
        el("w:tblLook", {"w:val": "04A0", "w:firstRow": 1, "w:lastRow": 0,
                         "w:firstColumn": 0, "w:lastColumn": 0, "w:noHBand": 1,
                         "w:noVBand": 1})),
        el("w:tblGrid", None, *(el("w:gridCol", {"w:w": width}) for width in widths)),
        *rows)


def title_row(w: Writer, title: etree._Element, widths: list[int], change: Change | None,
              header: bool = True) -> etree._Element:
    """A 专栏's title in a shaded row across the table."""
    span = len(widths)
    tcpr = props("w:tcPr", el("w:tcW", {"w:w": sum(widths), "w:type": "dxa"}),
                 val("w:gridSpan", span) if span > 1 else None,
                 el("w:shd", {"w:val": "clear", "w:color": "auto",
                              "w:fill": w.layout["box"]["shading"]}))
    return el("w:tr", None, row_properties(w, header, change), el("w:tc", None, tcpr, title))


def merged_cells(item: Table) -> Cells:
    """Body row → column → (columns spanned, or 0 if covered from the left; "restart",
    "continue" or "" for w:vMerge), from the table's merges."""
    out: Cells = {}
    for merge in item.merges:
        for r in range(merge.row, merge.row + merge.rows):
            vmerge = "" if merge.rows == 1 else "restart" if r == merge.row else "continue"
            cells = out.setdefault(r, {})
            cells[merge.col] = (merge.cols, vmerge)
            for col in range(merge.col + 1, merge.col + merge.cols):
                cells[col] = (0, "")
    return out


# What a cell must not break inside: a number with its sign, range or unit of time
# (≤35, 2021—2025年, 〔4.3〕, 19428.78), a unit with a slash (微克/立方米, 万吨/年).
UNBROKEN = re.compile(r"[A-Za-z]*[〔（(≥≤<>＞＜+\-]?[0-9][0-9.,%‰]*(?:[—–~～\-][0-9][0-9.,%‰]*)?"
                      r"[年月日%‰〕）)]?|[^\s/，。、；：]+/[^\s/，。、；：]+")


def unbroken_width(text: str) -> int:
    """The widest stretch of a cell's text that must stay on one line (half-width units)."""
    return max((print_width(m.group()) for m in UNBROKEN.finditer(text)), default=0)


@dataclass(frozen=True)
class Columns:
    widths: list[int]  # twips
    landscape: bool  # on landscape pages of its own (GB/T 9704 §10 横排表格)


def column_widths(w: Writer, item: Table, ncols: int, spans: Cells | None = None,
                  turn: bool = True) -> Columns:
    """Automatic table layout as browsers do it: short columns keep their natural width,
    long ones get a minimum and share the rest in proportion to how much more they want.
    The minimum holds the widest number or unit of the column's cells, so that 微克/立方米 or
    2021—2025年 never breaks inside; a header takes at most two lines. A table of many
    columns (the profile's landscape_columns), one whose columns at their narrowest are wider
    than a portrait page, or one that asks for it, is set on landscape pages (unless `turn` is off: a table in a 专栏). A cell spanning columns takes no
    part: its columns are sized by their own cells."""
    spec = w.layout["table"]
    half = half_points(spec["size_pt"]) * 5  # twips per half-width unit
    pad = 2 * twips(spec["cell_margin_mm"]) + half
    natural = [pad + 4 * half] * ncols
    floor = [pad + spec["min_column_chars"] * 2 * half] * ncols
    for i, cell in enumerate(item.header[:ncols]):  # a header may wrap onto two lines
        two_lines = pad + (print_width(plain_text(cell)) + 1) // 2 * half
        natural[i] = max(natural[i], two_lines)
        floor[i] = max(floor[i], two_lines)
    for r, cells in enumerate(item.rows):
        merged = (spans or {}).get(r, {})
        for i, cell in enumerate(cells[:ncols]):
            if i in merged and merged[i][0] != 1:
                continue
            text = plain_text(cell)
            natural[i] = max(natural[i], pad + print_width(text) * half)
            floor[i] = max(floor[i], pad + unbroken_width(text) * half)
    short = pad + spec["short_column_chars"] * 2 * half
    least = [n if n <= short else min(n, f) for n, f in zip(natural, floor)]
    landscape = turn and (item.landscape or ncols >= spec["landscape_columns"]
                          or sum(least) > w.layout.type_width_twips)
    total = twips(w.layout["page"]["type_height_mm"]) if landscape else \
        w.layout.type_width_twips
    if sum(natural) <= total:
        widths = [n * total // sum(natural) for n in natural]
    elif sum(least) >= total:
        widths = [n * total // sum(least) for n in least]
    else:  # CSS automatic layout: the room above the minimums goes where text wants it
        room = total - sum(least)
        excess = [n - m for n, m in zip(natural, least)]
        widths = [m + room * e // sum(excess) for m, e in zip(least, excess)]
    widths[-1] += total - sum(widths)
    return Columns(widths, landscape)


def row_properties(w: Writer, header: bool, change: Change | None) -> etree._Element:
    """w:trPr: a row never splits across pages; the header row repeats on each page; in a
    redline the row's revision comes last."""
    return el("w:trPr", None, el("w:cantSplit"), *([el("w:tblHeader")] if header else []),
              *([w.revision(change.kind)] if change is not None else []))


def row(w: Writer, cells: list[list[Inline]], widths: list[int], aligns: list[str],
        header: bool, source: Source, merges: dict[int, tuple[int, str]] | None = None,
        change: Change | None = None) -> etree._Element:
    """merges: column → (columns spanned, 0 where covered from the left; vMerge value)."""
    merges = merges or {}
    tcs = []
    centred_up_to = w.layout["table"]["centre_chars"] * 2
    for i, width in enumerate(widths):
        span, vmerge = merges.get(i, (1, ""))
        if span == 0:
            continue
        width = sum(widths[i:i + span])
        inlines = cells[i] if i < len(cells) and vmerge != "continue" else []
        text = plain_text(inlines)
        # Header cells are centred, as official tables set them, whatever the column's own
        # alignment; body cells follow the column, else centre short text.
        how = "center" if header else aligns[i] if i < len(aligns) and aligns[i] else (
            "center" if display_width(text) <= centred_up_to else "left")
        style = "TableHeader" if header else "TableText"
        tc = w.reused(("cell", width, span, vmerge, style, how), lambda: el(
            "w:tc", None, props(
                "w:tcPr", el("w:tcW", {"w:w": width, "w:type": "dxa"}),
                val("w:gridSpan", span) if span > 1 else None,
                (val("w:vMerge", vmerge) if vmerge == "restart" else el("w:vMerge"))
                if vmerge else None, val("w:vAlign", "center")),
            # Both table styles centre; only other alignments need direct formatting.
            el("w:p", None, props("w:pPr", val("w:pStyle", style),
                                  val("w:jc", how) if how != "center" else None))))
        # A covered or empty cell has nothing to trace; LibreOffice moves its mark.
        w.fill(tc[-1], w.runs(inlines), source=source if text else None)
        tcs.append(tc)
    return el("w:tr", None, row_properties(w, header, change), *tcs)
