"""Where each paragraph starts in a PDF with line numbers: the printed page number (read from the
footer, “— 12 —”) and the printed line number beside its first line (read from the margin),
as a reviewer cites it: 第12页第8行. Measured, not computed: what the reader sees is what the
tables cite."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..layout import Layout

PT_PER_MM = 72 / 25.4
SAME_LINE_MM = 4  # characters of one line differ less than this in height (fonts differ)
PREFIX = 12  # characters of a paragraph looked for in the page text
WINDOW = 4000  # characters ahead a paragraph is looked for: a later same text is another one
SHORT = 4  # a text this short (a table cell: 28, ≥90) is looked for just ahead, moves nothing
NEAR = 300
SPACE = re.compile(r"\s+")


@dataclass
class Glyph:
    char: str
    x: float  # mm from the left edge
    y: float  # mm from the top edge, the top of the character's font box


def squeeze(text: str) -> str:
    return SPACE.sub("", text)


def page_glyphs(page) -> list[Glyph]:
    text = page.get_textpage()
    height = page.get_size()[1]
    out = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if not char.strip():
            continue
        x0, _, _, y1 = text.get_charbox(index, loose=True)
        out.append(Glyph(char, x0 / PT_PER_MM, (height - y1) / PT_PER_MM))
    return out


def lines_of(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into lines, top to bottom, each left to right."""
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: g.y):
        if rows and glyph.y - rows[-1][0].y < SAME_LINE_MM:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    return [sorted(row, key=lambda g: g.x) for row in rows]


def printed_lines(pdf: Path, layout: Layout) -> tuple[str, list[tuple[int, int | None]]]:
    """The body text of every numbered page as one string, and for each of its characters the
    printed (page, line) it is on; line None where the margin has no number (a footnote)."""
    import pypdfium2 as pdfium

    page_spec = layout["page"]
    top, left = page_spec["top_mm"], page_spec["left_mm"]
    bottom = top + page_spec["type_height_mm"]
    text: list[str] = []
    where: list[tuple[int, int | None]] = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for page in document:
            glyphs = page_glyphs(page)
            footer = "".join(g.char for row in lines_of([g for g in glyphs if g.y > bottom])
                             for g in row)
            number = re.search(r"(\d+)", footer)
            if number is None:  # the cover and the 目录 are not numbered
                continue
            margin = [(row[0].y, int("".join(g.char for g in row)))
                      for row in lines_of([g for g in glyphs if g.x < left - 1 and
                                           top - 2 < g.y < bottom])
                      if "".join(g.char for g in row).isdigit()]
            for row in lines_of([g for g in glyphs if g.x >= left - 1 and top - 2 < g.y < bottom]):
                line = next((n for y, n in margin if abs(y - row[0].y) < SAME_LINE_MM), None)
                for glyph in row:
                    text.append(glyph.char)
                    where.append((int(number.group(1)), line))
    finally:
        document.close()
    return "".join(text), where


def paragraph_places(pdf: Path, layout: Layout, paragraphs: list[tuple[str, str]]
                     ) -> dict[str, tuple[int, int | None]]:
    """name → (page, line) for each (name, text) paragraph, given in reading order: the page
    and printed line its start is on (line None where the margin has none: a table). Each is
    looked for a little onwards from the last one found; one not found there (a table cell
    split over lines, a footnote printed at a page foot) is left out rather than guessed."""
    text, where = printed_lines(pdf, layout)
    out: dict[str, tuple[int, int | None]] = {}
    cursor = 0
    for name, paragraph in paragraphs:
        key = squeeze(paragraph)[:PREFIX]
        if not key:
            continue
        short = len(key) < SHORT
        at = text.find(key, cursor, cursor + (NEAR if short else WINDOW) + len(key))
        if at < 0:
            continue
        out[name] = where[at]
        if not short:
            cursor = at + len(key)
    return out
