"""The grid (GB/T 9704 §5.2.3, a line as §3.2 defines it): on every body page each line of body
text sits on one of the rows of the type area, counted from its top edge one pitch apart, and a
full page uses its last row. Centred headings, which keep half a row of space around them, are
left out; the text after them, as after a table, a 专栏 or a figure, must be back on its row."""
from __future__ import annotations

from dataclasses import dataclass

from .pdfread import MM_PER_PT, PageText, TextLine
from .report import MAX_LISTED, Check, more
from .structure import Geometry, Structure, area_lines, is_body_size

ROW_TOLERANCE_MM = 0.5  # an em box's middle this close to a row's middle is on that row
TITLE_INDENT_CHARS = 2.5  # a centred line starting further in than a paragraph's indent


@dataclass(frozen=True)
class Placed:
    page: int
    row: int  # 0-based row of the type area
    offset: float  # mm from the row's middle, + downwards
    line: TextLine


def centred_title(line: TextLine, g: Geometry) -> bool:
    """A line centred in the type area and shorter than a paragraph's indented first line."""
    char = g.body_pt * MM_PER_PT
    before, after = line.x0 - g.left, g.type_right - line.x1
    return before > TITLE_INDENT_CHARS * char and abs(before - after) <= 1.5


def placed(page: PageText, g: Geometry) -> list[Placed]:
    """The page's lines of body text with the row each sits on."""
    out = []
    for line in area_lines(page, g):
        if not is_body_size(line, g) or centred_title(line, g):
            continue
        exact = (line.centre - g.top) / g.pitch - 0.5
        row = round(exact)
        out.append(Placed(page.index, row, (exact - row) * g.pitch, line))
    return out


def grid_pages(pages: list[PageText], structure: Structure) -> list[PageText]:
    return [pages[i] for i in structure.body if not pages[i].landscape]


def check_grid(pages: list[PageText], structure: Structure, g: Geometry) -> Check:
    requirement = (f"正文页上每一行正文都在版心的 {g.lines} 行之一上：自版心上边缘起每行 "
                   f"{g.pitch / MM_PER_PT:.2f} pt，字身框中线距行中线不超过 {ROW_TOLERANCE_MM:g} mm"
                   "（居中的标题不计，其后的正文须回到行上）")
    lines = [p for page in grid_pages(pages, structure) for p in placed(page, g)]
    if not lines:
        return Check("行网格", requirement, "没有正文行", False)
    wrong = [p for p in lines if abs(p.offset) > ROW_TOLERANCE_MM or not 0 <= p.row < g.lines]
    pages_with = len({p.page for p in lines})
    if not wrong:
        worst = max(abs(p.offset) for p in lines)
        return Check("行网格", requirement, f"{pages_with} 页 {len(lines)} 行正文均在行上"
                     f"（最大偏差 {worst:.2f} mm）", True)
    listed = [f"第 {p.page + 1} 页第 {p.row + 1} 行“{p.line.glyphs[:8]}”偏{'下' if p.offset > 0 else '上'} "
              f"{abs(p.offset) / g.pitch:.2f} 行" for p in wrong]
    bad_pages = sorted({p.page for p in wrong})
    return Check("行网格", requirement,
                 f"{len(bad_pages)} 页 {len(wrong)} 行不在行上：" + "；".join(listed[:MAX_LISTED])
                 + more(listed), False)


def last_row(page: PageText, g: Geometry) -> int | None:
    """1-based row of the page's last line of body text."""
    rows = placed(page, g)
    return rows[-1].row + 1 if rows else None
