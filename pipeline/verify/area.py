"""The type area and its grid as the pages show them: paper size, the edges of the type area, lines
per full page and characters per line."""
from __future__ import annotations

import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from .pdfread import MM_PER_PT, PageText, TextLine
from .report import MAX_LISTED, Check, deviations, more, span
from .grid import last_row
from .structure import Geometry, Structure, area_lines, is_body_size


PITCH_TOLERANCE_MM = 0.3      # lines one pitch ± this apart are consecutive grid rows
# Steps this close to the median estimate the pitch (a line in another font sits up to ~0.2 mm
# off: its em box differs).
PITCH_SAMPLE_MM = 0.1
EDGE_CLUSTER_MM = 0.5         # lines starting within this of a page's leftmost line share its edge


def check_paper(pages: list[PageText], g: Geometry) -> Check:
    """A4 on every page; a landscape page (a wide table) is the same sheet turned."""
    def fits(page: PageText) -> bool:
        w, h = (page.height, page.width) if page.landscape else (page.width, page.height)
        return abs(w - g.width) <= g.page_tol and abs(h - g.height) <= g.page_tol
    wrong = [p for p in pages if not fits(p)]
    sizes = Counter(f"{p.width:.1f} × {p.height:.1f} mm" for p in pages)
    if wrong:
        listed = "、".join(f"第 {p.index + 1} 页 {p.width:.1f} × {p.height:.1f} mm"
                          for p in wrong[:MAX_LISTED])
        measured = f"{len(wrong)}/{len(pages)} 页尺寸不符：{listed}{more(wrong)}"
    elif len(sizes) == 1:
        measured = f"{len(pages)} 页均为 {sizes.most_common(1)[0][0]}"
    else:
        measured = "、".join(f"{n} 页 {size}" for size, n in sizes.most_common())
    return Check("纸张尺寸", f"每页 {g.width:g} × {g.height:g} mm（±{g.page_tol:g} mm），"
                 "横排页为同一纸张横放", measured, not wrong)


@dataclass(frozen=True)
class TextPage:
    """A body page of body-size text only (no table, 专栏, footnote or image)."""
    page: PageText
    lines: tuple[TextLine, ...]
    pitch: float                    # mm: the usual distance between consecutive lines

    @property
    def steps(self) -> list[float]:
        return [b.centre - a.centre for a, b in zip(self.lines, self.lines[1:])]

    @property
    def uniform(self) -> bool:
        """All lines one pitch apart: no heading with space around it on this page."""
        return all(abs(step - self.pitch) <= PITCH_TOLERANCE_MM for step in self.steps)

    @property
    def starts_on_grid(self) -> bool:
        """The first line is followed at one pitch: it is not a heading with space after it."""
        return abs(self.steps[0] - self.pitch) <= PITCH_TOLERANCE_MM

    @property
    def row_top(self) -> float:
        """Top of the first line's grid row (see check_type_area)."""
        return self.lines[0].centre - self.pitch / 2


def text_pages(pages: list[PageText], structure: Structure, g: Geometry) -> list[TextPage]:
    found = []
    for index in structure.body:
        page = pages[index]
        lines = area_lines(page, g)
        if len(lines) < 2 or page.has_images or not all(is_body_size(line, g) for line in lines):
            continue
        steps = [b.centre - a.centre for a, b in zip(lines, lines[1:])]
        usual = statistics.median_low(steps)  # an actual step, so the mean below has one
        pitch = statistics.fmean(s for s in steps if abs(s - usual) <= PITCH_SAMPLE_MM)
        if pitch > 0:
            found.append(TextPage(page, tuple(lines), pitch))
    return found


def continues_with_three_lines(page: PageText, g: Geometry) -> bool:
    """The page opens with three lines at its left edge: the previous page's last paragraph goes
    on for at least three more lines here (paragraph starts are indented, headings are indented
    or centred), so neither widow/orphan control nor keep-with-next ended the previous page:
    only lack of room did."""
    lines = area_lines(page, g)
    if len(lines) < 3 or not all(is_body_size(line, g) for line in lines[:3]):
        return False
    edge = left_edge([line for line in lines if is_body_size(line, g)])
    return all(abs(line.x0 - edge) <= EDGE_CLUSTER_MM for line in lines[:3])


def full_pages(pages: list[PageText], structure: Structure, g: Geometry) -> list[TextPage]:
    """Text pages whose last paragraph runs on for three or more lines on the next page."""
    body = set(structure.body)
    return [t for t in text_pages(pages, structure, g)
            if t.page.index + 1 in body and continues_with_three_lines(pages[t.page.index + 1], g)]


def check_type_area(pages: list[PageText], structure: Structure, g: Geometry) -> list[Check]:
    measured, kind = full_pages(pages, structure, g), "满页"
    if not measured:
        measured, kind = text_pages(pages, structure, g), "纯正文页"
    left_req = f"正文行左边缘距纸张左边 {g.left:g} mm（±{g.margin_tol:g} mm）"
    top_req = (f"首行行框上边缘距纸张上边 {g.top:g} mm（±{g.margin_tol:g} mm）；"
               "行框 = 字身框中线上下各半个行距")
    if not measured:
        none = "没有可测量的正文页（正文页都含表格、专栏、脚注或图片）"
        return [Check("版心左边缘", left_req, none, False),
                Check("版心上边缘", top_req, none, False)]

    # Left edge: on each page the leftmost body lines (paragraph starts are indented two
    # characters, so the most common leftmost position is the edge of the type area).
    lefts = {t.page.index: left_edge(t.lines) for t in measured}
    bad_left = [(i, x) for i, x in lefts.items() if abs(x - g.left) > g.margin_tol]
    left_measured = (f"{len(lefts)} 页{kind}：左边缘 {span(lefts.values())} mm"
                     + deviations(bad_left))

    # Top edge: pdfplumber's box of a 16 pt glyph is its em box. In a grid row of pitch P the
    # em box is centred (LibreOffice centres the line's font height in the row; for CJK fonts
    # the em box and the font height nearly coincide), so its top lies (P − 16 pt) / 2 below the
    # row's top: with P = 28.95 pt that is 6.5 pt (2.3 mm), the glyph top at about 39.2 mm. We
    # compare the row's top — the em box's middle minus half the page's measured pitch — with
    # the top margin, so the check depends neither on the font nor on the pitch being right.
    # Pages that open with a heading followed by space are left out.
    on_grid = [t for t in measured if t.starts_on_grid]
    if not on_grid and kind == "满页":  # every full page opens with a heading: use the others
        measured, kind = text_pages(pages, structure, g), "纯正文页"
        on_grid = [t for t in measured if t.starts_on_grid]
    if not on_grid:
        # A short plan whose every text page opens with a heading: the rows of the grid are
        # counted from the top edge, so the 行网格 check still holds every line to it.
        return [Check("版心左边缘", left_req, left_measured, not bad_left),
                Check("版心上边缘", top_req, f"{len(measured)} 页{kind}均以标题开头，不单独测量；"
                      "各行距版心上边缘的位置见“行网格”", True)]
    tops = {t.page.index: t.row_top for t in on_grid}
    glyph_tops = [t.lines[0].top for t in on_grid]
    bad_top = [(i, y) for i, y in tops.items() if abs(y - g.top) > g.margin_tol]
    top_measured = (f"{len(tops)} 页{kind}：首行行框上边缘 {span(tops.values())} mm"
                    f"（字身框顶 {span(glyph_tops)} mm）" + deviations(bad_top))
    return [Check("版心左边缘", left_req, left_measured, not bad_left),
            Check("版心上边缘", top_req, top_measured, not bad_top)]


def left_edge(lines: Iterable[TextLine]) -> float:
    xs = [line.x0 for line in lines]
    leftmost = min(xs)
    return statistics.median(x for x in xs if x - leftmost <= EDGE_CLUSTER_MM)


def check_lines_per_page(pages: list[PageText], structure: Structure, g: Geometry) -> Check:
    requirement = (f"满页（段落转下页续排的纯正文页）排满版心的 {g.lines} 行：末行在第 {g.lines} 行；"
                   f"不含标题的满页正好 {g.lines} 行")
    full = full_pages(pages, structure, g)
    if not full and not text_pages(pages, structure, g):
        return Check("每面行数", requirement, "没有正文页", False)
    if not full:
        # A short plan may have no page from which text runs on for three lines: nothing is
        # full, so nothing can be short. Every line still has to sit on a row (行网格).
        return Check("每面行数", requirement,
                     "无满页（没有段落跨页且在下页续排 3 行以上的纯正文页），不适用；各行是否在网格行上"
                     "见“行网格”", True)
    rows = {t.page.index: last_row(t.page, g) for t in full}
    plain = [t for t in full if t.uniform]
    wrong = [f"第 {i + 1} 页末行在第 {row} 行" for i, row in rows.items() if row != g.lines]
    wrong += [f"第 {t.page.index + 1} 页 {len(t.lines)} 行" for t in plain
              if len(t.lines) != g.lines]
    parts = [f"满页 {len(full)} 页，末行在第 {span(rows.values(), 0)} 行"]
    if plain:
        parts.append(f"不含标题的 {len(plain)} 页 {span([len(t.lines) for t in plain], 0)} 行")
    parts.append(f"行距 {span([t.pitch / MM_PER_PT for t in full], 2)} pt")
    measured = "，".join(parts)
    if wrong:
        measured += f"；{len(wrong)} 处不符：" + "；".join(wrong[:MAX_LISTED]) + more(wrong)
    return Check("每面行数", requirement, measured, not wrong)


def char_units(text: str) -> float:
    """Characters counted as the grid counts them: full-width (CJK, full-width forms, and
    punctuation of ambiguous width such as “” — which Chinese text sets full-width) as 1,
    half-width digits and letters as ½."""
    total = 0.0
    for ch in text:
        if ch.isspace():
            continue
        total += 1 if unicodedata.east_asian_width(ch) in ("F", "W", "A") else 0.5
    return total


def check_chars_per_line(pages: list[PageText], structure: Structure, g: Geometry) -> Check:
    requirement = f"正文（{g.body_pt:g} pt）每行不超过 {g.chars} 字，排满的行为 {g.chars} 字"
    lines = [(index, line) for index in structure.body
             for line in area_lines(pages[index], g) if is_body_size(line, g)]
    if not lines:
        return Check("每行字数", requirement, "没有正文行", False)
    units = [(index, line, char_units(line.glyphs)) for index, line in lines]
    widest = max(u for _, _, u in units)
    over = [(index, line, u) for index, line, u in units if u > g.chars]
    # Lines that run from the type area's left edge to its right edge and hold only full-width
    # characters show the grid's capacity directly.
    cell = g.body_pt * MM_PER_PT
    reaching = [u for _, line, u in units
                if line.x1 >= g.type_right - cell / 2 and abs(line.x0 - g.left) <= g.margin_tol
                and u == len(line.glyphs)]
    capacity = Counter(reaching).most_common(1)[0][0] if reaching else None
    measured = f"{len(lines)} 行正文，最多 {widest:g} 字"
    if capacity is not None:
        measured += f"；排满的行多为 {capacity:g} 字（{len(reaching)} 行）"
    if over:
        hanging = sum(1 for _, line, _ in over if line.x1 > g.type_right + cell / 2)
        measured += f"；{len(over)} 行超出（其中 {hanging} 行末字伸出版心右边缘）：" + "、".join(
            f"第 {i + 1} 页“{line.glyphs[:6]}…{line.glyphs[-3:]}” {u:g} 字，右边缘 {line.x1:.1f} mm"
            for i, line, u in over[:MAX_LISTED]) + more(over)
    ok = not over and (capacity is None or capacity == g.chars)
    return Check("每行字数", requirement, measured, ok)
