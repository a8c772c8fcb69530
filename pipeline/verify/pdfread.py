"""Reading the PDF, the only IO of the verify stage: text lines with their glyph geometry, the
rules (table borders) and images of each page, the font dictionaries and the bookmarks."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PlanError
from ..pdf.citable import Glyph, Rule, citable_bottoms


MM_PER_PT = 25.4 / 72
SIZE_TOLERANCE_PT = 0.5       # a glyph of 15.5–16.5 pt counts as body size (16 pt)


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
    rules: tuple[Rule, ...] = ()
    turned: tuple[TextLine, ...] = ()  # text turned a quarter: a landscape page's number
    margin: tuple[TextLine, ...] = ()  # left of the type area: a review copy's line numbers
    citable: tuple[float, ...] = ()  # the foot of each line a reviewer can cite (pdf/citable.py)

    @property
    def blank(self) -> bool:
        """Nothing printed on the page at all."""
        return not self.lines and not self.has_images and not self.rules and not self.turned

    @property
    def landscape(self) -> bool:
        return self.width > self.height


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    page: int                       # 0-based page index


def read_pdf(pdf: Path, margin_left: float = 0.0, turned_margin: float = 0.0
             ) -> tuple[list[PageText], list[dict[str, Any]], list[OutlineEntry]]:
    """Pages with their text lines, the font dictionaries, and the flattened bookmarks.
    Upright glyphs ending left of `margin_left` (mm; `turned_margin` on a landscape page) are
    left out: the line numbers of a review copy."""
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
            pages = [read_page(index, page, margin_left, turned_margin)
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


def read_page(index: int, page, margin_left: float = 0.0, turned_margin: float = 0.0
              ) -> PageText:
    """`margin_left`: where the type area of a portrait page begins, `turned_margin` of a
    landscape one; upright glyphs left of it (line numbers) are left out."""
    lines = []
    landscape = page.width > page.height
    limit = (turned_margin if landscape else margin_left) / MM_PER_PT
    turned = [c for c in page.chars if not c.get("upright", True) and c["text"].strip()]
    margin = [c for c in page.chars if c.get("upright", True) and c["x1"] <= limit
              and c["text"].strip()]
    citable = citable_bottoms(
        [Glyph(c["x0"], c["top"], c["bottom"]) for c in page.chars
         if c.get("upright", True) and c["x1"] > limit and c["text"].strip()],
        [Rule(r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.lines])
    page = page.filter(lambda obj: obj.get("object_type") != "char" or
                       obj.get("upright", True) and obj["x1"] > limit)
    for raw in page.extract_text_lines(return_chars=True, strip=True):
        line = text_line(raw["text"], raw["chars"])
        if line is not None:
            lines.append(line)
    lines.sort(key=lambda line: (round(line.top, 1), line.x0))
    rules = tuple(sorted((Rule(*(float(obj[k]) * MM_PER_PT for k in ("x0", "top", "x1", "bottom")))
                          for obj in page.lines), key=lambda r: (r.top, r.x0)))
    return PageText(index, float(page.width) * MM_PER_PT, float(page.height) * MM_PER_PT,
                    tuple(lines), bool(page.images), rules, turned_lines(turned),
                    margin_lines(margin), tuple(foot * MM_PER_PT for foot in citable))


def margin_lines(chars: list[dict[str, Any]]) -> tuple[TextLine, ...]:
    """What stands left of the type area, line by line: a review copy's line numbers."""
    rows: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: (c["bottom"], c["x0"])):
        if rows and abs(char["bottom"] - rows[-1][-1]["bottom"]) <= 1:
            rows[-1].append(char)
        else:
            rows.append([char])
    found = (text_line("".join(c["text"] for c in sorted(row, key=lambda c: c["x0"])), row)
             for row in rows)
    return tuple(line for line in found if line is not None)


def turned_lines(chars: list[dict[str, Any]]) -> tuple[TextLine, ...]:
    """Text set turned a quarter (a landscape page's number): one line per column of glyphs,
    read top to bottom."""
    columns: dict[int, list[dict[str, Any]]] = {}
    for char in chars:
        columns.setdefault(round(char["x0"]), []).append(char)
    out = []
    for column in columns.values():
        column.sort(key=lambda c: c["top"])
        text = "".join(c["text"] for c in column)
        line = text_line(text, column)
        if line is not None:
            out.append(line)
    return tuple(out)


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
