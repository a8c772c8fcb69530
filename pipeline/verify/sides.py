"""Double-sided printing (GB/T 9704 §6.2 双面印刷): the cover, the 目录 and the body each open
on a recto (an odd physical page), every odd page number falls on a recto, and a blank page is
only ever the verso before a part that must open on a recto, carrying no number. Printed
single-sided, no page is blank."""
from __future__ import annotations

from .pdfread import PageText
from .report import MAX_LISTED, Check, more
from .structure import Geometry, Structure, area_lines, printed_number


def recto(index: int) -> bool:
    return index % 2 == 0  # 0-based: the first page, a recto


def part_starts(structure: Structure) -> dict[str, int]:
    starts = {"封面": 0}
    if structure.toc:
        starts["目录"] = structure.toc[0]
    if structure.body:
        starts["正文"] = structure.body[0]
    return starts


def check_sides(pages: list[PageText], structure: Structure, g: Geometry,
                duplex: bool) -> Check:
    starts = part_starts(structure)
    if not duplex:
        return Check("双面印刷", "单面印刷（print: simplex）：不要求各部分从单页起",
                     "各部分起始页：" + "、".join(f"{name}第 {i + 1} 页"
                                          for name, i in starts.items()), True)
    requirement = "封面、目录、正文各从单页（奇数页）起；奇数页码都在单页上"
    wrong = [f"{name}从第 {i + 1} 页（双页）起" for name, i in starts.items() if not recto(i)]
    numbered = [(i, printed_number(pages[i], g)) for i in structure.body]
    numbered = [(i, n) for i, n in numbered if n is not None]
    wrong += [f"页码 {n} 在第 {i + 1} 页（{'单' if recto(i) else '双'}页）" for i, n in numbered
              if (n % 2 == 1) != recto(i)]
    measured = ("、".join(f"{name}从第 {i + 1} 页起" for name, i in starts.items())
                + f"；{len(numbered)} 个页码与单双页相符" if not wrong else
                "；".join(wrong[:MAX_LISTED]) + more(wrong))
    return Check("双面印刷", requirement, measured, not wrong)


def check_blank_pages(pages: list[PageText], structure: Structure, g: Geometry,
                      duplex: bool) -> Check:
    allowed = set()
    if duplex:
        allowed = {i - 1 for i in part_starts(structure).values() if i > 0 and recto(i)}
    requirement = ("空白页只能是目录、正文起始单页之前补的双页，且不印页码" if duplex else
                   "单面印刷不留空白页")
    # An empty page has nothing in its type area; a blank one not even a header or number.
    empty = [p.index for p in pages
             if not area_lines(p, g) and not p.has_images and not p.rules]
    stray = [i for i in empty if i not in allowed or not pages[i].blank]
    found = [i for i in empty if i not in stray]
    if stray:
        measured = "多余的空白页：" + "、".join(
            f"第 {i + 1} 页" + ("（印有页码或页眉）" if pages[i].lines else "")
            for i in stray[:MAX_LISTED]) + more(stray)
    elif found:
        measured = "补空白页：" + "、".join(f"第 {i + 1} 页" for i in found) + "，均不印页码"
    else:
        measured = "没有空白页"
    return Check("空白页", requirement, measured, not stray)
