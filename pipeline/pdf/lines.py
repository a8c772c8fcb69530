"""Where each paragraph starts in a PDF with line numbers: the printed page number (read from the
footer, “— 12 —”) and the printed line number beside its first line (read from the margin),
as a reviewer cites it: 第12页第8行. Measured, not computed: what the reader sees is what the
tables cite.

The page is read as the document is written: body lines top to bottom, and a table (or a
专栏, a ruled box) cell by cell, row by row, each cell's lines in turn, so a cell's text is one
run and not interleaved with its neighbours'. A cell's line takes the margin number nearest
to it within its row: a short cell centred beside a fuller one cites the line it sits on.
Footnotes, at the foot of their page, are numbered in the margin like any line (see
linenumbers.py) and cited the same way: 第3页第20行. A landscape page (a wide table) is read
upright in its own type area, its number from the footer set turned in the margin."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..layout import Layout
from .citable import Rule, enclosing_cell
from .linenumbers import type_box

PT_PER_MM = 72 / 25.4
SAME_LINE = 4 * PT_PER_MM  # characters of one line differ less than this in height (fonts differ)
THIN = 3.0  # pt: a path this narrow (its stroke included) is a ruled line
PREFIX = 12  # characters of a paragraph looked for in the page text
NOTE_PREFIX = 30  # a footnote often opens with the term it explains, which the body has too
WINDOW = 4000  # characters ahead a paragraph is looked for: a later same text is another one
SHORT = 4  # a text this short (a table cell: 28, ≥90) is looked for just ahead, moves nothing
NEAR = 300
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Char:
    char: str
    x: float  # pt from the left edge
    y: float  # pt from the top edge, the top of the character's font box
    bottom: float
    turned: bool = False  # set turned a quarter: a landscape page's number


def squeeze(text: str) -> str:
    return SPACE.sub("", text)


def page_chars(page) -> list[Char]:
    """The page's characters in the order the page sets them."""
    import pypdfium2.raw as raw
    text = page.get_textpage()
    height = page.get_size()[1]
    out = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if not char.strip():
            continue
        x0, y0, _, y1 = text.get_charbox(index, loose=True)
        angle = raw.FPDFText_GetCharAngle(text.raw, index)
        out.append(Char(char, x0, height - y1, height - y0, abs(math.sin(angle)) > 0.5))
    return out


def page_rules(page) -> list[Rule]:
    """The ruled lines of a page (table and box borders), each by its centre line."""
    import pypdfium2.raw as raw
    height = page.get_size()[1]
    out = []
    for path in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
        left, bottom, right, top = path.get_bounds()
        if right - left <= THIN:
            x = (left + right) / 2
            out.append(Rule(x, height - top, x, height - bottom))
        elif top - bottom <= THIN:
            y = height - (top + bottom) / 2
            out.append(Rule(left, y, right, y))
    return out


def lines_of(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into lines, top to bottom, each left to right."""
    rows: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c.y):
        if rows and char.y - rows[-1][0].y < SAME_LINE:
            rows[-1].append(char)
        else:
            rows.append([char])
    return [sorted(row, key=lambda c: c.x) for row in rows]


def reading_order(chars: list[Char], rules: list[Rule]) -> list[tuple[float | None, list[Char]]]:
    """The page's lines as the document runs: (the top of the cell a line is in, or None
    outside tables, the line), body lines and table rows by height, a row's cells left to
    right."""
    loose: list[Char] = []
    cells: dict[tuple[float, float], list[Char]] = {}
    for char in chars:
        cell = enclosing_cell(char.x + 0.5, (char.y + char.bottom) / 2, rules) if rules else None
        if cell is None:
            loose.append(char)
        else:
            cells.setdefault(cell, []).append(char)
    units = [((row[0].y, 0.0), None, [row]) for row in lines_of(loose)]
    units += [(cell, cell[0], lines_of(inside)) for cell, inside in cells.items()]
    return [(top, row) for _, top, rows in sorted(units, key=lambda u: u[0]) for row in rows]


def printed_lines(pdf: Path, layout: Layout) -> tuple[str, list[tuple[int, int | None]]]:
    """The body text of every numbered page as one string in reading order, and for each of
    its characters the printed (page, line) it is on; line None where the margin has no
    number beside it."""
    import pypdfium2 as pdfium

    text: list[str] = []
    where: list[tuple[int, int | None]] = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for page in document:
            width, height = page.get_size()
            left, top, bottom = type_box(width, height, layout)
            every = page_chars(page)
            chars = [c for c in every if not c.turned]
            footer = "".join(c.char for c in every if c.turned) if width > height else \
                "".join(c.char for row in lines_of([c for c in chars if c.y > bottom])
                        for c in row)
            number = re.search(r"(\d+)", footer)
            if number is None:  # the cover and the 目录 are not numbered
                continue
            margin = [(row[0].y, int("".join(c.char for c in row)))
                      for row in lines_of([c for c in chars if c.x < left - 1 and
                                           top - 2 < c.y < bottom])
                      if "".join(c.char for c in row).isdigit()]
            body = [c for c in chars if c.x >= left - 1 and top - 2 < c.y < bottom]
            rules = page_rules(page)
            for cell_top, row in reading_order(body, rules):
                line = margin_number(margin, row[0].y, cell_top)
                for char in row:
                    text.append(char.char)
                    where.append((int(number.group(1)), line))
    finally:
        document.close()
    return "".join(text), where


def margin_number(margin: list[tuple[float, int]], y: float, cell_top: float | None
                  ) -> int | None:
    """The number printed beside a line: level with it, or for a line in a table cell the
    nearest one below the cell's top (a centred cell's line falls between two numbers)."""
    if cell_top is None:
        return next((n for at, n in margin if abs(at - y) < SAME_LINE), None)
    beside = [(abs(at - y), n) for at, n in margin if at > cell_top - 1]
    return min(beside)[1] if beside else None


def paragraph_places(pdf: Path, layout: Layout, paragraphs: list[tuple[str, str]],
                     notes: list[tuple[str, str]] = ()) -> dict[str, tuple[int, int | None]]:
    """name → (page, line) for each (name, text) paragraph, given in reading order (table
    cells included), and each footnote paragraph: the page and printed line its start is on.
    Each is looked for a little onwards from the last one found; one not found there is left
    out rather than guessed. Footnotes, printed at page feet, are looked for on their own
    pass, in their order, by a longer start."""
    text, where = printed_lines(pdf, layout)
    return {**find(text, where, paragraphs, PREFIX, WINDOW),
            **find(text, where, notes, NOTE_PREFIX, len(text))}


def find(text: str, where: list[tuple[int, int | None]], paragraphs, prefix: int, window: int
         ) -> dict[str, tuple[int, int | None]]:
    out: dict[str, tuple[int, int | None]] = {}
    cursor = 0
    for name, paragraph in paragraphs:
        key = squeeze(paragraph)[:prefix]
        if not key:
            continue
        short = len(key) < SHORT
        at = text.find(key, cursor, cursor + (NEAR if short else window) + len(key))
        if at < 0:
            continue
        out[name] = where[at]
        if not short:
            cursor = at + len(key)
    return out
