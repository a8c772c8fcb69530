"""专栏: a framed box, its title shaded. Its text goes in one-column framed tables; a table in it
is a table of its own at the top level, framed with the box's outer lines, so that it can
repeat its header row on each page it runs on (a table nested in a cell cannot). The parts
stand one under the other, joined by a paragraph a fraction of a point high."""
from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ..model import Block, Box, Change, Span, Table
from ..transform import LABEL_GAP
from .ooxml import el, paragraph, props, qn, run, table_borders, val
from .tables import (caption, column_widths, merged_cells, ncols, table_element,
                     title_row)
from .writer import ParagraphContext, Writer

Render = Callable[[list[Block], ParagraphContext], list[etree._Element]]
CONTEXT = ParagraphContext("box", "BoxText")


def parts(w: Writer, blocks: list[Block], content_of: Render
          ) -> list[list[etree._Element] | Table]:
    """The box's content as runs of text (built) and the tables between them; a table's caption
    and note are lines of the text around it."""
    out: list[list[etree._Element] | Table] = []

    def text(elements: list[etree._Element]) -> None:
        if out and isinstance(out[-1], list):
            out[-1].extend(elements)
        else:
            out.append(list(elements))
    for block in blocks:
        if not isinstance(block, Table):
            text(content_of([block], CONTEXT))
            continue
        if block.caption:
            text([caption(w, block, "BoxCaption")])
        out.append(block)
        if block.note:
            text([paragraph("TableNote", run(block.note))])
    return out


def box(w: Writer, item: Box, content_of: Render) -> list[etree._Element]:
    spec = w.layout["box"]
    outer = round(spec["border_pt"] * 8)
    inner = round(w.layout["table"]["border_pt"] * 8)
    label = f"{item.label}{LABEL_GAP}"
    inside = w.layout["page"]["type_width_mm"] - 2 * w.layout["table"]["cell_margin_mm"]
    runs = None if item.label_change else w.title(label, [Span(item.title)],
                                                  spec["title_size_pt"], inside)
    title = w.paragraph(w.ppr("BoxTitle"), runs or w.label(item.label_change,
                                                          label + item.title),
                        source=item.source)
    pieces = parts(w, item.blocks, content_of) or [[]]
    out: list[etree._Element] = []
    for index, piece in enumerate(pieces):
        first, last = index == 0, index == len(pieces) - 1
        # The line between two parts is the lower part's top, thin; the upper part has none.
        borders = table_borders(outer, inner if isinstance(piece, Table) else outer,
                                top=outer if first else inner, bottom=outer if last else None)
        if out:
            out.append(paragraph("BoxJoin"))  # word processors merge tables that touch
        head = title if first else None
        if isinstance(piece, Table):  # opening the box, its title repeats with its header
            columns = column_widths(w, piece, ncols(piece), merged_cells(piece), turn=False)
            out.append(table_element(w, piece, borders, head, item.change, columns))
        else:
            out.append(text_part(w, piece, borders, head, item.change))
    return [*out, w.spacer(item.change)]


def text_part(w: Writer, content: list[etree._Element], borders: etree._Element,
              title: etree._Element | None, change: Change | None) -> etree._Element:
    """A one-column framed table: the title row (shaded) if it opens the box, then the text."""
    width = w.layout.type_width_twips
    if not content or content[-1].tag != qn("w:p"):  # a cell ends with a paragraph
        content.append(paragraph("BoxText"))
    rows = []
    if title is not None:
        rows.append(title_row(w, title, [width], change, header=False))
    mark = [el("w:trPr", None, w.revision(change.kind))] if change is not None else []
    rows.append(el("w:tr", None, *mark, el("w:tc", None, props(
        "w:tcPr", el("w:tcW", {"w:w": width, "w:type": "dxa"})), *content)))
    return el("w:tbl", None, props(
        "w:tblPr", val("w:tblStyle", "BoxTable"), el("w:tblW", {"w:w": width, "w:type": "dxa"}),
        val("w:jc", "center"), borders, el("w:tblLayout", {"w:type": "fixed"})),
        el("w:tblGrid", None, el("w:gridCol", {"w:w": width})), *rows)
