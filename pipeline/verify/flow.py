"""How text flows over page breaks and line ends: a table that goes on to the next page repeats
its header row there; a caption or a 专栏's title is never left at the foot of a page without
what it heads; a title that takes two or more lines breaks only between words (GB/T 9704
§7.3.1), as the field's word segmenter reads them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..titles import broken_inside_word
from .pdfread import MM_PER_PT, PageText, TextLine
from .report import MAX_LISTED, Check, more
from .structure import Geometry, Structure, area_lines, is_body_size, normalise

JOIN_MM = 0.1          # vertical rules this close (or overlapping) belong to one table (the
                       # parts of a 专栏, 0.25 mm apart, are tables of their own)
FULL_WIDTH = 0.9       # a rule across this share of a table's width ends a row
CENTRED_MM = 1.5       # a line whose ends are this close to equally far from the edges


@dataclass(frozen=True)
class Fragment:
    """The part of a ruled table (or a 专栏's frame) on one page: its extent in mm, how many
    columns its vertical rules make, and the text of its first row."""
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    columns: int
    first_row: str
    texts: tuple[str, ...]  # every line inside it, top to bottom


def fragments(page: PageText) -> list[Fragment]:
    verticals = sorted((r for r in page.rules if not r.horizontal), key=lambda r: r.top)
    blocks: list[list] = []
    for rule in verticals:
        if blocks and rule.top <= blocks[-1][1] + JOIN_MM:
            block = blocks[-1]
            block[1] = max(block[1], rule.bottom)
            block[2].add(round(rule.x0, 0))
        else:
            blocks.append([rule.top, rule.bottom, {round(rule.x0, 0)}])
    out = []
    for top, bottom, xs in blocks:
        x0, x1 = min(xs), max(xs)
        if x1 - x0 < 10:
            continue
        rows = sorted(r.top for r in page.rules if r.horizontal
                      and top + JOIN_MM < r.top < bottom - JOIN_MM
                      and r.x1 - r.x0 >= FULL_WIDTH * (x1 - x0))
        first_end = rows[0] if rows else bottom
        inside = [line for line in page.lines if top < line.centre < bottom
                  and x0 - 1 <= line.x0 and line.x1 <= x1 + 1]
        first = [line for line in inside if line.centre < first_end]
        out.append(Fragment(page.index, top, bottom, x0, x1, max(1, len(xs) - 1),
                            row_text(first), tuple(normalise(line.text) for line in inside)))
    return out


def row_text(lines: list[TextLine]) -> str:
    return normalise("".join(line.text for line in sorted(lines, key=lambda l: (l.x0, l.top))))


def runs_to_foot(page: PageText, fragment: Fragment, g: Geometry) -> bool:
    """Nothing of the body flow below the fragment on its page (footnotes may be)."""
    return not any(line.centre > fragment.bottom and (is_body_size(line, g) or
                                                     line.size >= g.body_pt - 2)
                   for line in area_lines(page, g))


def opens_page(page: PageText, fragment: Fragment, g: Geometry) -> bool:
    return not any(line.centre < fragment.top for line in area_lines(page, g))


def check_table_headers(pages: list[PageText], structure: Structure, g: Geometry) -> Check:
    requirement = "表格转页时，续页的首行重复表头行（含专栏内的表格）"
    continued, wrong = 0, []
    chain: Fragment | None = None  # the first part of a table left open at a page foot
    for index in structure.body:
        page = pages[index]
        parts = fragments(page)
        goes_on = (chain is not None and bool(parts) and opens_page(page, parts[0], g)
                   and parts[0].columns == chain.columns and abs(parts[0].x0 - chain.x0) < 1.5)
        if goes_on:
            continued += 1
            if chain.columns > 1 and parts[0].first_row != chain.first_row:
                wrong.append(f"第 {index + 1} 页续表首行“{parts[0].first_row[:12]}”"
                             f"不是表头“{chain.first_row[:12]}”")
        if not parts or not runs_to_foot(page, parts[-1], g):
            chain = None
        elif not (goes_on and len(parts) == 1):
            chain = parts[-1]
    measured = (f"{continued} 处续表均重复表头" if not wrong else
                f"{len(wrong)} 处续表没有表头：" + "；".join(wrong[:MAX_LISTED]) + more(wrong))
    return Check("续表表头", requirement, measured, not wrong)


def caption_pattern(g: Geometry) -> re.Pattern:
    table, figure, box = (re.escape(label) for label in g.labels)
    return re.compile(rf"^(?P<kind>{table}|{figure}|{box})\d+")


def check_stranded(pages: list[PageText], structure: Structure, g: Geometry) -> Check:
    """A table caption or a 专栏 title as the last thing on a page; a figure caption opening a
    page without its figure."""
    requirement = "表题、专栏标题不单独留在页末；图题不与图分在两页"
    pattern = caption_pattern(g)
    table, figure, box = g.labels
    wrong = []
    for index in structure.body:
        page = pages[index]
        lines = area_lines(page, g)
        parts = fragments(page)
        for n, line in enumerate(lines):
            match = pattern.match(normalise(line.text))
            if not match:
                continue
            kind = match["kind"]
            below = lines[n + 1:]
            if kind == table and not any(f.top > line.centre for f in parts) \
                    and not any(is_body_size(l, g) for l in below):
                wrong.append(f"第 {index + 1} 页末的表题“{normalise(line.text)[:12]}”")
            elif kind == box:
                holder = next((f for f in parts if f.top < line.centre < f.bottom), None)
                if holder is not None and len(holder.texts) == 1 and not below \
                        and not any(f.top > holder.bottom for f in parts):
                    wrong.append(f"第 {index + 1} 页末的专栏标题“{normalise(line.text)[:12]}”")
            elif kind == figure and n == 0 and not page.has_images:
                wrong.append(f"第 {index + 1} 页首的图题“{normalise(line.text)[:12]}”与图分开")
    measured = ("没有单独留在页末的表题或专栏标题" if not wrong else
                "；".join(wrong[:MAX_LISTED]) + more(wrong))
    return Check("标题孤行", requirement, measured, not wrong)


def balanced(line: TextLine, x0: float, x1: float) -> bool:
    """As far from the left edge as from the right: centred, or a full line."""
    return abs((line.x0 - x0) - (x1 - line.x1)) <= CENTRED_MM


def title_blocks(page: PageText, g: Geometry, size: float | None = None) -> list[list[str]]:
    """Runs of two or more consecutive lines of one size, each as far from the left edge as
    from the right, the last clearly centred (a character or more in on each side): a title on
    several lines. A paragraph's full lines end with a last line set at the left."""
    runs: list[list[TextLine]] = [[]]
    for line in area_lines(page, g):
        last = runs[-1][-1] if runs[-1] else None
        joins = (last is not None and abs(last.size - line.size) <= 0.5
                 and line.top - last.bottom < line.size * MM_PER_PT)
        if (size is not None and abs(line.size - size) > 0.5 or line.size < g.heading_min_pt - 0.5
                or not balanced(line, g.left, g.type_right)):
            runs.append([])
        elif joins:
            runs[-1].append(line)
        else:
            runs.append([line])
    return [[normalise(line.text) for line in run] for run in runs if len(run) > 1
            and run[-1].x0 - g.left >= run[-1].size * MM_PER_PT]


def check_titles(pages: list[PageText], structure: Structure, g: Geometry) -> Check:
    requirement = "回行的标题（封面名称、居中的章节标题、表题、专栏标题）只在词与词之间断开"
    titles = [(0, block) for block in title_blocks(pages[0], g, g.title_pt)] if pages else []
    titles += [(i, block) for i in structure.body for block in title_blocks(pages[i], g)]
    wrong = []
    for index, lines in titles:
        for at in broken_inside_word(lines):
            wrong.append(f"第 {index + 1} 页“{lines[at][-4:]}/{lines[at + 1][:4]}”")
    if not titles:
        measured = "没有回行的标题"
    elif not wrong:
        measured = f"{len(titles)} 个回行的标题均在词间断开：" + "、".join(
            "/".join(lines) for _, lines in titles[:2]) + more(titles)
    else:
        measured = f"{len(wrong)} 处断在词中：" + "；".join(wrong[:MAX_LISTED]) + more(wrong)
    return Check("标题回行", requirement, measured, not wrong)
