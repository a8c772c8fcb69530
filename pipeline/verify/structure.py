"""The profile's numbers as the verify stage measures against them, and the parts of the document
read from the pages: cover, 目录, blank versos, body."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..layout import Layout
from .pdfread import SIZE_TOLERANCE_PT, OutlineEntry, PageText, TextLine

# Tolerances from the specification (GB/T 9704 gives ±1 mm for 天头 and 订口); a profile may
# override them under `verify:`.
DEFAULT_TOLERANCES_MM = {"page_mm": 1.0, "margin_mm": 1.0, "page_number_mm": 1.5}
HEADER_CLEARANCE_MM = 8.0     # a running header ends at least this far above the type area


LEADER = re.compile(r"(?:[.．·…‥⋯]\s*){3,}(?P<page>\d+)?\s*$")
FOOTER_NUMBER = re.compile(r"^\S?\s*(?P<number>\d+)\s*\S?$")  # "— 3 —", "-3-", "3"
SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class Geometry:
    """The expected numbers, from the layout profile."""
    width: float
    height: float
    top: float
    left: float
    type_width: float
    type_height: float
    lines: int
    chars: int
    body_pt: float
    number_pt: float
    number_indent_chars: float
    number_below_mm: float
    dash: str
    toc_title: str
    page_tol: float
    margin_tol: float
    number_tol: float
    pitch: float = 579 / 1440 * 25.4  # mm: one row of the grid (grid.line_pitch_twips)
    labels: tuple[str, str, str] = ("表", "图", "专栏")  # before the numbers of captions
    title_pt: float = 26            # the cover title's size
    heading_min_pt: float = 14      # the smallest size a title is set in (captions, box titles)

    @property
    def type_right(self) -> float:
        return self.left + self.type_width

    @property
    def type_bottom(self) -> float:
        return self.top + self.type_height

    @property
    def bottom(self) -> float:
        """The bottom margin: on a landscape page, the left one."""
        return self.height - self.type_bottom


@dataclass(frozen=True)
class Structure:
    front: tuple[int, ...]          # cover and 目录 page indexes
    toc: tuple[int, ...]            # 目录 page indexes
    body: tuple[int, ...]           # body page indexes; body[0] is page number 1
    blanks: tuple[int, ...] = ()    # pages with nothing printed on them


def expected_geometry(layout: Layout) -> Geometry:
    page, grid, number = layout["page"], layout["grid"], layout["page_number"]
    tolerances = {**DEFAULT_TOLERANCES_MM, **(layout.data.get("verify") or {})}
    return Geometry(
        width=page["width_mm"], height=page["height_mm"], top=page["top_mm"],
        left=page["left_mm"], type_width=page["type_width_mm"],
        type_height=page["type_height_mm"], lines=grid["lines"], chars=grid["chars"],
        body_pt=layout["body"]["size_pt"], number_pt=number["size_pt"],
        number_indent_chars=number["indent_chars"],
        number_below_mm=number["below_type_area_mm"], dash=number["dash"],
        toc_title=normalise(layout["toc"]["title"]),
        page_tol=tolerances["page_mm"], margin_tol=tolerances["margin_mm"],
        number_tol=tolerances["page_number_mm"],
        pitch=grid["line_pitch_twips"] / 1440 * 25.4,
        labels=(layout["table"]["label"], layout["figure"]["label"], layout["box"]["label"]),
        title_pt=layout["cover"]["title_size_pt"],
        heading_min_pt=min(layout["table"]["caption_size_pt"], layout["figure"]["caption_size_pt"],
                           layout["box"]["title_size_pt"], layout["body"]["size_pt"]))


def normalise(text: str) -> str:
    return SPACES.sub("", text)


def footer_lines(page: PageText, geometry: Geometry) -> list[TextLine]:
    """Lines whose middle lies below the type area (where the page number belongs)."""
    return [line for line in page.lines if line.centre > geometry.type_bottom]


def area_lines(page: PageText, geometry: Geometry) -> list[TextLine]:
    """Lines inside the type area: not the page number below it, nor the running header of a
    draft or review copy, which is smaller type well above the type area. Body-size text is
    always kept, so a wrong top margin is measured rather than cut away."""
    header_limit = geometry.top - HEADER_CLEARANCE_MM
    return [line for line in page.lines if line.centre <= geometry.type_bottom
            and (line.centre >= header_limit or is_body_size(line, geometry))]


def is_body_size(line: TextLine, g: Geometry) -> bool:
    return abs(line.size - g.body_pt) <= SIZE_TOLERANCE_PT


def is_toc_page(page: PageText, geometry: Geometry) -> bool:
    lines = area_lines(page, geometry)
    leaders = sum(1 for line in lines if LEADER.search(line.text))
    return leaders > 0 and leaders * 2 >= len(lines)


def find_structure(pages: list[PageText], outline: list[OutlineEntry],
                   geometry: Geometry) -> Structure:
    titled = [p.index for p in pages
              if any(normalise(line.text) == geometry.toc_title for line in p.lines)]
    blanks = tuple(p.index for p in pages if p.blank)
    if titled:
        toc = [titled[0]]
        while toc[-1] + 1 < len(pages) and is_toc_page(pages[toc[-1] + 1], geometry):
            toc.append(toc[-1] + 1)
        first_body = toc[-1] + 1
        while first_body < len(pages) and pages[first_body].blank:  # a verso left blank
            first_body += 1
    else:
        toc = []
        numbered = [p.index for p in pages if printed_number(p, geometry) is not None]
        if outline:
            first_body = min(entry.page for entry in outline)
        elif numbered:
            first_body = numbered[0]
        else:
            first_body = 0
    return Structure(front=tuple(range(first_body)), toc=tuple(toc),
                     body=tuple(range(first_body, len(pages))), blanks=blanks)


def number_lines(page: PageText, geometry: Geometry) -> list[TextLine]:
    """Where the page number stands, in the upright sheet's lengths: below the type area, or
    on a landscape page turned in its left margin, the sheet's bottom as every other page
    holds it (the sheet turned back a quarter: the landscape page's top is its left edge)."""
    if not page.landscape:
        return footer_lines(page, geometry)
    return [replace(line, x0=line.top, x1=line.bottom, top=page.width - line.x1,
                    bottom=page.width - line.x0) for line in page.turned]


def printed_number(page: PageText, geometry: Geometry) -> int | None:
    """The number in the page's footer, whatever its form; None without one."""
    for line in number_lines(page, geometry):
        match = FOOTER_NUMBER.match(line.text.strip())
        if match:
            return int(match["number"])
    return None
