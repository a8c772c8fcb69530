"""Verify stage: measure a rendered PDF against the layout profile and say what deviates.

Nothing here trusts the settings written into the .docx: every figure is read back from the PDF
(pdfplumber for text positions, pypdf for fonts and bookmarks) and compared with the numbers of
the layout profile (styles/*.yaml).

    checks = verify_pdf(Path("build/draft/规划.pdf"), load_layout("gbt9704", root))
    render_table(checks)   # plain-text Chinese table: 检查项 | 要求 | 实测 | 结论
    to_json(checks)        # [{"item", "requirement", "measured", "ok"}, ...]

How the document is read
------------------------
* Every text line is reduced to the glyphs of its main size (superscript footnote marks and the like
  are left out of the geometry). pdfplumber gives each glyph its em box: a box one font size tall
  standing on the font's descent line, with x0 at the glyph's origin (full-width CJK glyphs fill
  their em box horizontally, so x0 is the left edge of the character cell).
* The cover is the first page; the 目录 pages follow it (the page whose line reads the TOC title
  of the profile, then every page that still consists of dot-leader entries); the body starts on
  the page after them. Without a TOC the body starts where the first bookmark points, else where
  the first page number appears.
* A *text page* is a body page whose lines above the type area's bottom are all body-size text,
  with no image (so no table, 专栏, footnote or figure on it). A text page is *full* when its
  last paragraph runs on for at least three lines on the next page (the next page opens with
  three lines at the left edge: paragraph starts are indented, headings indented or centred).
  Then neither widow/orphan control nor keep-with-next ended the page, only lack of room: pages
  that end early for those reasons, or because a chapter ends, are left out, while a grid whose
  pitch is too large (21 lines) still shows up. A full page whose lines are all one pitch apart
  must hold exactly `grid.lines` lines; one with a heading and the space around it must leave
  no room for another line.

Tolerances are those of the specification (±1 mm for paper and margins, ±1.5 mm for the page
number); a profile may override them in an optional `verify:` section (page_mm, margin_mm,
page_number_mm).
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from .chinese import display_width
from .errors import PlanError
from .layout import Layout

MM_PER_PT = 25.4 / 72

# Tolerances from the specification (GB/T 9704 gives ±1 mm for 天头 and 订口); a profile may
# override them under `verify:`.
DEFAULT_TOLERANCES_MM = {"page_mm": 1.0, "margin_mm": 1.0, "page_number_mm": 1.5}

# Heuristics of the reader, not layout numbers:
SIZE_TOLERANCE_PT = 0.5       # a glyph of 15.5–16.5 pt counts as body size (16 pt)
PITCH_TOLERANCE_MM = 0.3      # lines one pitch ± this apart are consecutive grid rows
HEADER_CLEARANCE_MM = 8.0     # a running header ends at least this far above the type area
PITCH_SAMPLE_MM = 0.1         # steps this close to the median estimate the pitch (a line in
                              # another font sits up to ~0.2 mm off: its em box differs)
EDGE_CLUSTER_MM = 0.5         # lines starting within this of a page's leftmost line share its edge
MAX_LISTED = 5                # how many deviations a 实测 text names before "等"

LEADER = re.compile(r"(?:[.．·…‥⋯]\s*){3,}(?P<page>\d+)?\s*$")
FOOTER_NUMBER = re.compile(r"^\S?\s*(?P<number>\d+)\s*\S?$")  # "— 3 —", "-3-", "3"
SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class Check:
    item: str         # 检查项
    requirement: str  # 要求
    measured: str     # 实测
    ok: bool


@dataclass(frozen=True)
class TextLine:
    """One line of text; lengths in mm from the page's top-left corner, geometry of the glyphs of
    the line's main size only."""
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float                     # the size (pt) most of the line's glyphs have
    glyphs: str                     # the glyphs of that size, in order (no spaces)

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class PageText:
    index: int                      # 0-based page index in the PDF
    width: float                    # mm
    height: float
    lines: tuple[TextLine, ...]
    has_images: bool


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

    @property
    def type_right(self) -> float:
        return self.left + self.type_width

    @property
    def type_bottom(self) -> float:
        return self.top + self.type_height


@dataclass(frozen=True)
class Structure:
    front: tuple[int, ...]          # cover and 目录 page indexes
    toc: tuple[int, ...]            # 目录 page indexes
    body: tuple[int, ...]           # body page indexes; body[0] is page number 1


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    page: int                       # 0-based page index


@dataclass(frozen=True)
class TocEntry:
    title: str
    page: str                       # as printed; "" when the entry carries no number


# ---- public API ------------------------------------------------------------------------------

def verify_pdf(pdf: Path, layout: Layout) -> list[Check]:
    """Measures `pdf` against `layout`; one Check per requirement. Raises PlanError (E701) when
    the file is missing or is not a readable PDF."""
    geometry = expected_geometry(layout)
    # Line numbers (review copies) sit in the left margin: they are not part of any text line.
    pages, fonts, outline = read_pdf(Path(pdf), margin_left=geometry.left - geometry.margin_tol)
    structure = find_structure(pages, outline, geometry)
    return [
        check_paper(pages, geometry),
        *check_type_area(pages, structure, geometry),
        check_lines_per_page(pages, structure, geometry),
        check_chars_per_line(pages, structure, geometry),
        *check_page_numbers(pages, structure, geometry),
        check_fonts_embedded(fonts),
        check_toc(pages, structure, outline, geometry),
    ]


def to_json(checks: Iterable[Check]) -> list[dict[str, Any]]:
    return [asdict(check) for check in checks]


def render_table(checks: Iterable[Check]) -> str:
    """A plain-text table 检查项 | 要求 | 实测 | 结论, columns padded by display width."""
    rows = [("检查项", "要求", "实测", "结论")]
    rows += [(c.item, c.requirement, c.measured, "符合" if c.ok else "不符合") for c in checks]
    widths = [max(display_width(row[col]) for row in rows) for col in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(pad(cell, width) for cell, width in zip(cells, widths)).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


# ---- reading the PDF (the only IO) ------------------------------------------------------------

def read_pdf(pdf: Path, margin_left: float = 0.0
             ) -> tuple[list[PageText], list[dict[str, Any]], list[OutlineEntry]]:
    """Pages with their text lines, the font dictionaries, and the flattened bookmarks.
    Glyphs ending left of `margin_left` (mm) are left out."""
    import pdfplumber
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    shown = str(pdf)
    if not pdf.is_file():
        raise PlanError(f"找不到要检查的 PDF 文件 {shown}", shown, code="E701")
    with open(pdf, "rb") as handle:
        if b"%PDF-" not in handle.read(1024):
            raise PlanError(f"{shown} 不是 PDF 文件，无法检查版式", shown, code="E701")
    try:
        reader = PdfReader(pdf)
        fonts = font_dictionaries(reader)
        outline = flatten_outline(reader)
        with pdfplumber.open(pdf) as document:
            pages = [read_page(index, page, margin_left)
                     for index, page in enumerate(document.pages)]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PlanError(f"{shown} 已损坏，无法读取 PDF（{exc}）", shown, code="E701") from exc
    except Exception as exc:  # pdfminer raises its own zoo of parser errors on damaged files
        if type(exc).__module__.startswith(("pdfminer", "pdfplumber", "pypdfium2")):
            raise PlanError(f"{shown} 已损坏，无法读取 PDF（{exc}）", shown, code="E701") from exc
        raise
    if not pages:
        raise PlanError(f"{shown} 没有页面", shown, code="E701")
    return pages, fonts, outline


def read_page(index: int, page, margin_left: float = 0.0) -> PageText:
    lines = []
    if margin_left > 0:
        limit = margin_left / MM_PER_PT
        page = page.filter(lambda obj: obj.get("object_type") != "char" or obj["x1"] > limit)
    for raw in page.extract_text_lines(return_chars=True, strip=True):
        line = text_line(raw["text"], raw["chars"])
        if line is not None:
            lines.append(line)
    lines.sort(key=lambda line: (round(line.top, 1), line.x0))
    return PageText(index, float(page.width) * MM_PER_PT, float(page.height) * MM_PER_PT,
                    tuple(lines), bool(page.images))


def text_line(text: str, chars: list[dict[str, Any]]) -> TextLine | None:
    glyphs = [c for c in chars if c["text"].strip()]
    if not glyphs:
        return None
    size = Counter(round(c["size"], 1) for c in glyphs).most_common(1)[0][0]
    main = [c for c in glyphs if abs(c["size"] - size) <= SIZE_TOLERANCE_PT]
    return TextLine(text=text,
                    x0=min(c["x0"] for c in main) * MM_PER_PT,
                    x1=max(c["x1"] for c in main) * MM_PER_PT,
                    top=min(c["top"] for c in main) * MM_PER_PT,
                    bottom=max(c["bottom"] for c in main) * MM_PER_PT,
                    size=size, glyphs="".join(c["text"] for c in main))


def font_dictionaries(reader) -> list[dict[str, Any]]:
    """Every font dictionary used by a page, its form XObjects or its annotations, once each."""
    seen: set[int] = set()
    fonts: list[dict[str, Any]] = []

    def visit_resources(resources) -> None:
        resources = resolve(resources)
        if not hasattr(resources, "get"):
            return
        for ref in (resolve(resources.get("/Font")) or {}).values():
            font = resolve(ref)
            if id(font) in seen or not hasattr(font, "get"):
                continue
            seen.add(id(font))
            fonts.append(font)
        for ref in (resolve(resources.get("/XObject")) or {}).values():
            xobject = resolve(ref)
            if id(xobject) in seen or not hasattr(xobject, "get"):
                continue
            seen.add(id(xobject))
            if xobject.get("/Subtype") == "/Form":
                visit_resources(xobject.get("/Resources"))

    for page in reader.pages:
        visit_resources(page.get("/Resources"))
        for annotation in resolve(page.get("/Annots")) or []:
            appearance = resolve(resolve(annotation).get("/AP")) or {}
            for stream in appearance.values():
                stream = resolve(stream)
                if hasattr(stream, "get") and "/Resources" in stream:
                    visit_resources(stream.get("/Resources"))
    return fonts


def flatten_outline(reader) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:  # a bookmark without a page destination (e.g. a URI action)
                continue
            if page is not None and page >= 0:
                entries.append(OutlineEntry(str(item.title or ""), page))

    try:
        walk(reader.outline)
    except Exception:  # a damaged outline is treated as no outline; the TOC check falls back
        return []
    return entries


def resolve(obj):
    return obj.get_object() if hasattr(obj, "get_object") else obj


# ---- the profile's numbers ------------------------------------------------------------------

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
        number_tol=tolerances["page_number_mm"])


# ---- structure: cover, 目录, body ------------------------------------------------------------

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


def is_toc_page(page: PageText, geometry: Geometry) -> bool:
    lines = area_lines(page, geometry)
    leaders = sum(1 for line in lines if LEADER.search(line.text))
    return leaders > 0 and leaders * 2 >= len(lines)


def find_structure(pages: list[PageText], outline: list[OutlineEntry],
                   geometry: Geometry) -> Structure:
    titled = [p.index for p in pages
              if any(normalise(line.text) == geometry.toc_title for line in p.lines)]
    if titled:
        toc = [titled[0]]
        while toc[-1] + 1 < len(pages) and is_toc_page(pages[toc[-1] + 1], geometry):
            toc.append(toc[-1] + 1)
        first_body = toc[-1] + 1
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
                     body=tuple(range(first_body, len(pages))))


def printed_number(page: PageText, geometry: Geometry) -> int | None:
    """The number in the page's footer, whatever its form; None without one."""
    for line in footer_lines(page, geometry):
        match = FOOTER_NUMBER.match(line.text.strip())
        if match:
            return int(match["number"])
    return None


# ---- the checks -----------------------------------------------------------------------------

def check_paper(pages: list[PageText], g: Geometry) -> Check:
    wrong = [p for p in pages
             if abs(p.width - g.width) > g.page_tol or abs(p.height - g.height) > g.page_tol]
    sizes = Counter(f"{p.width:.1f} × {p.height:.1f} mm" for p in pages)
    if wrong:
        listed = "、".join(f"第 {p.index + 1} 页 {p.width:.1f} × {p.height:.1f} mm"
                          for p in wrong[:MAX_LISTED])
        measured = f"{len(wrong)}/{len(pages)} 页尺寸不符：{listed}{more(wrong)}"
    else:
        measured = f"{len(pages)} 页均为 {sizes.most_common(1)[0][0]}"
    return Check("纸张尺寸", f"每页 {g.width:g} × {g.height:g} mm（±{g.page_tol:g} mm）",
                 measured, not wrong)


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

    def rows(self, type_top: float) -> float:
        """Grid rows from the type area's top to the last line, counting blank rows and the
        space around headings; to the half row (headings have half a line before and after)."""
        return round((self.lines[-1].centre + self.pitch / 2 - type_top) / self.pitch * 2) / 2

    def room_for_another_line(self, type_top: float, type_height: float) -> bool:
        return (self.rows(type_top) + 1) * self.pitch <= type_height + PITCH_TOLERANCE_MM


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


def is_body_size(line: TextLine, g: Geometry) -> bool:
    return abs(line.size - g.body_pt) <= SIZE_TOLERANCE_PT


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
    if not on_grid:
        return [Check("版心左边缘", left_req, left_measured, not bad_left),
                Check("版心上边缘", top_req, f"{len(measured)} 页{kind}均以标题开头，无法测量",
                      False)]
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


def spare_below(page: TextPage, type_top: float, g: Geometry) -> float:
    """mm between the bottom of the last line's grid row and the type area's bottom."""
    return type_top + g.type_height - (page.lines[-1].centre + page.pitch / 2)


def check_lines_per_page(pages: list[PageText], structure: Structure, g: Geometry) -> Check:
    requirement = (f"满页（段落转下页续排的纯正文页）每面 {g.lines} 行；"
                   "有标题空行的满页排到版心末行")
    full = full_pages(pages, structure, g)
    if not full:
        return Check("每面行数", requirement,
                     "没有可判定的满页（需有段落跨页且在下页续排 3 行以上的纯正文页）", False)
    # Rows are counted from the type area's top as measured on the pages that open with a body
    # line (a page may open with a heading and the space before it).
    opening = [t.row_top for t in text_pages(pages, structure, g) if t.starts_on_grid]
    type_top = statistics.median(opening) if opening else g.top
    plain = [t for t in full if t.uniform]
    spaced = [t for t in full if not t.uniform]
    wrong = [f"第 {t.page.index + 1} 页 {len(t.lines)} 行" for t in plain
             if len(t.lines) != g.lines]
    wrong += [f"第 {t.page.index + 1} 页 {len(t.lines)} 行，连标题空行只占 {t.rows(type_top):g} 行"
              f"（末行下距版心下边缘 {spare_below(t, type_top, g):.2f} mm，行距 {t.pitch:.2f} mm），"
              "段落转入下页" for t in spaced if t.room_for_another_line(type_top, g.type_height)]
    parts = [f"满页 {len(full)} 页"]
    if plain:
        counts = [len(t.lines) for t in plain]
        parts.append(f"纯正文 {len(plain)} 页 {span(counts, 0)} 行")
    if spaced:
        parts.append(f"含标题空行 {len(spaced)} 页 {span([len(t.lines) for t in spaced], 0)} 行"
                     f"（占 {span([t.rows(type_top) for t in spaced], 1)} 行）")
    parts.append(f"行距 {span([t.pitch / MM_PER_PT for t in full], 2)} pt")
    measured = "，".join(parts)
    if wrong:
        measured += f"；{len(wrong)} 页不符：" + "；".join(wrong[:MAX_LISTED]) + more(wrong)
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
        footer = footer_lines(pages[index], g)
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


def font_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by the font's own content streams
    if font.get("/Subtype") == "/Type0":
        descendants = resolve(font.get("/DescendantFonts")) or []
        return bool(descendants) and all(font_embedded(resolve(d)) for d in descendants)
    descriptor = resolve(font.get("/FontDescriptor"))
    return bool(descriptor) and any(key in descriptor
                                    for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def check_fonts_embedded(fonts: list[dict[str, Any]]) -> Check:
    requirement = "所有字体嵌入 PDF（含 Type0 的下级字体）"
    missing = sorted({str(f.get("/BaseFont", "?")).lstrip("/") for f in fonts
                      if not font_embedded(f)})
    names = sorted({base_name(str(f.get("/BaseFont", "?"))) for f in fonts})
    if missing:
        measured = f"{len(fonts)} 个字体中 {len(missing)} 种未嵌入：{'、'.join(missing)}"
    elif fonts:
        measured = f"{len(fonts)} 个字体（{len(names)} 种：{'、'.join(names)}）均已嵌入"
    else:
        measured = "PDF 不含字体"
    return Check("字体嵌入", requirement, measured, not missing)


def base_name(name: str) -> str:
    """FontName without the subset tag: /ABCDEF+FandolFang-Regular → FandolFang-Regular."""
    name = name.lstrip("/")
    return name.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", name) else name


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


# ---- formatting -----------------------------------------------------------------------------

def span(values: Iterable[float], digits: int = 2) -> str:
    values = list(values)
    low, high = min(values), max(values)
    if round(low, digits) == round(high, digits):
        return f"{low:.{digits}f}"
    return f"{low:.{digits}f}–{high:.{digits}f}"


def deviations(items: list[tuple[int, float]]) -> str:
    if not items:
        return ""
    return "；不符：" + "、".join(f"第 {i + 1} 页 {v:.2f} mm" for i, v in items[:MAX_LISTED]) \
        + more(items)


def more(items: list) -> str:
    return f" 等（共 {len(items)} 处）" if len(items) > MAX_LISTED else ""


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
