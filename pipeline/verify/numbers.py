"""Page numbers and the 目录: the form and place of each number, none on the cover and 目录, and
the 目录's numbers against the pages its headings are on."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .pdfread import MM_PER_PT, OutlineEntry, PageText
from .report import MAX_LISTED, Check, more, span
from .structure import (LEADER, Geometry, Structure, area_lines, normalise, number_lines,
                        printed_number)


@dataclass(frozen=True)
class TocEntry:
    title: str
    page: str                       # as printed; "" when the entry carries no number


def check_page_numbers(pages: list[PageText], structure: Structure, g: Geometry) -> list[Check]:
    indent = g.number_indent_chars * g.number_pt * MM_PER_PT
    right_target = g.type_right - indent
    left_target = g.left + indent
    height_target = g.type_bottom + g.number_below_mm
    form = f"{g.dash} N {g.dash}"
    form_req = f"正文页页脚为“{form}”（{g.dash} 为 U+{ord(g.dash):04X}），N 自正文首页起为 1"
    side_req = (f"单页居右空 {g.number_indent_chars:g} 字（右边缘 {right_target:.1f} mm），"
                f"双页居左空 {g.number_indent_chars:g} 字（左边缘 {left_target:.1f} mm），"
                f"±{g.number_tol:g} mm")
    height_req = (f"页码行字身框顶边在版心下边缘（{g.type_bottom:g} mm）下 "
                  f"{g.number_below_mm:g} mm（±{g.number_tol:g} mm）")
    front_req = "封面、目录不编页码"

    wrong_form, odd_x, even_x, below, wrong_side, wrong_height = [], [], [], [], [], []
    pattern = re.compile(rf"^{re.escape(g.dash)}\s*(\d+)\s*{re.escape(g.dash)}$")
    for number, index in enumerate(structure.body, start=1):
        footer = number_lines(pages[index], g)
        match = next((m for m in (pattern.match(line.text.strip()) for line in footer) if m),
                     None)
        if not match or int(match[1]) != number:
            shown = " / ".join(line.text for line in footer) or "无页码"
            wrong_form.append(f"第 {index + 1} 页应为“{g.dash} {number} {g.dash}”，实为“{shown}”")
            if not match:
                continue
        line = next(line for line in footer if pattern.match(line.text.strip()))
        offset = line.top - g.type_bottom
        below.append(offset)
        if abs(line.top - height_target) > g.number_tol:
            wrong_height.append(f"第 {index + 1} 页 {offset:.2f} mm")
        if number % 2:
            odd_x.append(line.x1)
            if abs(line.x1 - right_target) > g.number_tol:
                wrong_side.append(f"第 {index + 1} 页（单页）右边缘 {line.x1:.2f} mm")
        else:
            even_x.append(line.x0)
            if abs(line.x0 - left_target) > g.number_tol:
                wrong_side.append(f"第 {index + 1} 页（双页）左边缘 {line.x0:.2f} mm")

    total = len(structure.body)
    form_measured = f"{total - len(wrong_form)}/{total} 页正确"
    if wrong_form:
        form_measured += "；" + "；".join(wrong_form[:MAX_LISTED]) + more(wrong_form)
    side_parts = []
    if odd_x:
        side_parts.append(f"单页 {len(odd_x)} 页右边缘 {span(odd_x)} mm")
    if even_x:
        side_parts.append(f"双页 {len(even_x)} 页左边缘 {span(even_x)} mm")
    side_measured = "，".join(side_parts) or "没有可测量的页码"
    if wrong_side:
        side_measured += "；不符：" + "、".join(wrong_side[:MAX_LISTED]) + more(wrong_side)
    height_measured = (f"{len(below)} 页：页码字身框顶在版心下 {span(below)} mm"
                       if below else "没有可测量的页码")
    if wrong_height:
        height_measured += "；不符：" + "、".join(wrong_height[:MAX_LISTED]) + more(wrong_height)

    numbered_front = [index for index in structure.front
                      if printed_number(pages[index], g) is not None]
    front_measured = (f"封面、目录 {len(structure.front)} 页均无页码" if not numbered_front else
                      "有页码：" + "、".join(f"第 {i + 1} 页" for i in numbered_front[:MAX_LISTED])
                      + more(numbered_front))
    return [
        Check("页码格式", form_req, form_measured, total > 0 and not wrong_form),
        Check("页码位置", side_req, side_measured, bool(odd_x or even_x) and not wrong_side),
        Check("页码高度", height_req, height_measured, bool(below) and not wrong_height),
        Check("封面目录页码", front_req, front_measured, not numbered_front),
    ]


def parse_toc(pages: list[PageText], structure: Structure, g: Geometry) -> list[TocEntry]:
    """Entries of the 目录 pages; an entry that wraps is joined with its continuation lines."""
    entries: list[TocEntry] = []
    pending = ""
    for index in structure.toc:
        for line in area_lines(pages[index], g):
            text = line.text.strip()
            if normalise(text) == g.toc_title:
                continue
            match = LEADER.search(text)
            if not match:
                pending += text
                continue
            entries.append(TocEntry(normalise(pending + text[:match.start()]),
                                    match["page"] or ""))
            pending = ""
    return entries


def heading_pages(entries: list[TocEntry], pages: list[PageText], structure: Structure,
                  outline: list[OutlineEntry]) -> list[int | None]:
    """The page index of each entry's heading: from the bookmarks, in order, else the first body
    page at or after the previous heading whose text holds the heading."""
    found: list[int | None] = []
    cursor_outline, cursor_page = 0, structure.body[0] if structure.body else 0
    titles = [normalise(entry.title) for entry in outline]
    texts = {i: normalise("".join(line.text for line in pages[i].lines)) for i in structure.body}
    for entry in entries:
        page = None
        position = next((k for k in range(cursor_outline, len(titles))
                         if titles[k] == entry.title), None)
        if position is None:
            position = next((k for k, title in enumerate(titles) if title == entry.title), None)
        if position is not None:
            page = outline[position].page
            cursor_outline = position + 1
        else:
            page = next((i for i in structure.body if i >= cursor_page and entry.title in texts[i]),
                        None)
        if page is not None:
            cursor_page = page
        found.append(page)
    return found


def check_toc(pages: list[PageText], structure: Structure, outline: list[OutlineEntry],
              g: Geometry) -> Check:
    requirement = "目录各条目的页码与该标题在正文中所在页的页码一致"
    if not structure.toc:
        return Check("目录页码", requirement, "未找到目录页", False)
    entries = parse_toc(pages, structure, g)
    if not entries:
        return Check("目录页码", requirement, "目录页中没有带前导点的条目", False)
    first_body = structure.body[0] if structure.body else len(pages)
    mismatches = []
    for entry, page in zip(entries, heading_pages(entries, pages, structure, outline)):
        if page is None:
            mismatches.append(f"“{entry.title}”正文中未找到")
            continue
        real = printed_number(pages[page], g)
        if real is None:
            real = page - first_body + 1
        if entry.page != str(real):
            shown = entry.page or "空"
            mismatches.append(f"“{entry.title}”目录 {shown}，实际 {real}")
    matched = len(entries) - len(mismatches)
    source = "书签" if outline else "正文检索"
    measured = f"{matched}/{len(entries)} 条一致（标题位置取自{source}）"
    if mismatches:
        measured += "；" + "；".join(mismatches[:MAX_LISTED]) + more(mismatches)
    return Check("目录页码", requirement, measured, not mismatches)
