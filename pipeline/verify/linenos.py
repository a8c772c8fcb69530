"""Line numbers of a review copy: every line of text a reviewer may cite has its number,
tables and 专栏 included, counted from 1 on each page; no number stands beside blank space.
Which lines are citable is read as the PDF stage reads it (pdf/citable.py)."""
from __future__ import annotations

from .pdfread import PageText
from .report import MAX_LISTED, Check, more
from .structure import Geometry, Structure, area_lines

BASELINE_MM = 1.1  # a number's foot this close to a line's foot is that line's number


def check_line_numbers(pages: list[PageText], structure: Structure, g: Geometry,
                       expected: bool | None = None) -> Check:
    """`expected`: whether the copy must carry line numbers (None: when any page has some)."""
    requirement = "征求意见稿每页自 1 起给每一行文字编行号（专栏、表格内的行也编），空白处不编"
    body = [pages[i] for i in structure.body if area_lines(pages[i], g)]
    numbered = [p for p in body if p.margin]
    if expected is None:
        expected = bool(numbered)
    if not expected:
        return Check("行号", requirement, "本版本不编行号" + (
            f"，但有 {len(numbered)} 页有行号" if numbered else ""), not numbered)
    wrong, total = [], 0
    for page in body:
        # A landscape page is the sheet turned: its type area runs from the binding margin.
        top, bottom = (g.left, g.left + g.type_width) if page.landscape else (g.top,
                                                                              g.type_bottom)
        lines = [foot for foot in page.citable if top <= foot <= bottom + 1]
        numbers = list(page.margin)
        total += len(lines)
        unmatched = [foot for foot in lines
                     if not any(abs(n.bottom - foot) <= BASELINE_MM for n in numbers)]
        stray = [n for n in numbers
                 if not any(abs(n.bottom - foot) <= BASELINE_MM for foot in lines)]
        order = [n.glyphs for n in sorted(numbers, key=lambda n: n.bottom)]
        if unmatched:
            wrong.append(f"第 {page.index + 1} 页 {len(unmatched)} 行无行号"
                         f"（如距纸张上边 {unmatched[0]:.1f} mm 的一行）")
        if stray:
            wrong.append(f"第 {page.index + 1} 页 {len(stray)} 个行号旁无文字")
        if order != [str(n) for n in range(1, len(order) + 1)]:
            wrong.append(f"第 {page.index + 1} 页行号不是自 1 起连续：{' '.join(order[:6])}…")
    measured = (f"{len(body)} 页 {total} 行均有行号，每页自 1 起" if not wrong else
                "；".join(wrong[:MAX_LISTED]) + more(wrong))
    return Check("行号", requirement, measured, not wrong)
