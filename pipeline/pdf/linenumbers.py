"""Line numbers of a review copy, set into the PDF after LibreOffice laid it out.

LibreOffice numbers only the lines of body paragraphs: a line in a table or a 专栏 gets none,
and an empty paragraph a number beside blank space. A reviewer cites 第12页第8行 for any
line, so every line of text in the type area of a body page is numbered here, from 1 on each
page, the number set beside the line's baseline in the profile's line-number size, in a
TrueType face whose digits are embedded."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ..layout import Layout
from .citable import Glyph, Rule, citable_bottoms

MM_PER_PT = 25.4 / 72
DIGITS = "0123456789"
FONT_KEY = "/PlanLineNumber"


@dataclass(frozen=True)
class Numbered:
    number: int
    baseline: float  # pt from the page's bottom (PDF space)
    left: float  # pt: where the page's type area starts


def type_area(page, layout: Layout) -> tuple[float, float, float]:
    """(left, top, bottom) of the type area in pt from the page's top-left corner; a
    landscape page is the sheet turned a quarter, its type area starting at the bottom margin."""
    return type_box(float(page.width), float(page.height), layout)


def type_box(width: float, height: float, layout: Layout) -> tuple[float, float, float]:
    """type_area of a page `width` × `height` pt."""
    spec = layout["page"]
    if width > height:
        left = spec["height_mm"] - spec["top_mm"] - spec["type_height_mm"]
        top, height = spec["left_mm"], spec["type_width_mm"]
    else:
        left, top, height = spec["left_mm"], spec["top_mm"], spec["type_height_mm"]
    return left / MM_PER_PT, top / MM_PER_PT, (top + height) / MM_PER_PT


def page_lines(page, layout: Layout) -> list[Numbered]:
    """The lines of text in the page's type area, numbered from 1 top to bottom (see
    citable.py: a table row counts the lines of its fullest cell; blank space gets no number)."""
    left, top, bottom = type_area(page, layout)
    glyphs = [Glyph(c["x0"], c["top"], c["bottom"]) for c in page.chars
              if c["text"].strip() and c.get("upright", True) and c["x0"] >= left - 1
              and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
    rules = [Rule(r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.lines]
    return [Numbered(n, float(page.height) - foot, left)
            for n, foot in enumerate(citable_bottoms(glyphs, rules), start=1)]


def number_pdf(pdf: Path, layout: Layout, first_body: int, font_file: Path) -> bytes:
    """The PDF with the lines of every body page (from the 1-based page `first_body`)
    numbered."""
    import pdfplumber
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    with pdfplumber.open(pdf) as document:
        lines = {index: page_lines(page, layout) for index, page in enumerate(document.pages)
                 if index + 1 >= first_body}
    writer = PdfWriter(clone_from=PdfReader(pdf))
    font, widths = digit_font(writer, font_file)
    size = layout["line_numbers"]["size_pt"]
    gap = layout["line_numbers"]["distance_mm"] / MM_PER_PT
    for index, numbered in lines.items():
        if not numbered:
            continue
        page = writer.pages[index]
        resources = page["/Resources"].get_object() if "/Resources" in page else DictionaryObject()
        fonts = resources["/Font"].get_object() if "/Font" in resources else DictionaryObject()
        fonts[NameObject(FONT_KEY)] = font
        resources[NameObject("/Font")] = fonts
        page[NameObject("/Resources")] = resources
        commands = ["q", "BT", f"{FONT_KEY} {size:g} Tf"]
        for item in numbered:
            text = str(item.number)
            width = sum(widths[d] for d in text) * size / 1000
            commands.append(f"1 0 0 1 {item.left - gap - width:.2f} {item.baseline:.2f} Tm "
                            f"({text}) Tj")
        stream = DecodedStreamObject()
        stream.set_data("\n".join([*commands, "ET", "Q"]).encode("ascii"))
        contents = page["/Contents"].get_object() if "/Contents" in page else None
        parts = list(contents) if isinstance(contents, ArrayObject) else \
            [page.raw_get("/Contents")] if contents is not None else []
        page[NameObject("/Contents")] = ArrayObject([*parts, writer._add_object(stream)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def digit_font(writer, font_file: Path):
    """A TrueType font of `font_file`'s digits embedded in `writer`'s PDF (an indirect
    reference) and the digits' widths in thousandths of the size."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, \
        NumberObject

    options = subset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a PDF reader uses
    with TTFont(str(font_file)) as source:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=DIGITS)
        subsetter.subset(source)
        buffer = io.BytesIO()
        source.save(buffer)
        scale = 1000 / source["head"].unitsPerEm
        cmap = source.getBestCmap()
        widths = {d: round(source["hmtx"][cmap[ord(d)]][0] * scale) for d in DIGITS}
        head, hhea = source["head"], source["hhea"]
        box = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        ascent, descent = round(hhea.ascent * scale), round(hhea.descent * scale)
        name = (source["name"].getDebugName(6) or "LineNumbers").replace(" ", "")
    data = buffer.getvalue()
    embedded = DecodedStreamObject()
    embedded.set_data(data)
    embedded[NameObject("/Length1")] = NumberObject(len(data))
    base = NameObject(f"/PLANLN+{name}")
    number = NumberObject
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"), NameObject("/FontName"): base,
        NameObject("/Flags"): number(34), NameObject("/ItalicAngle"): number(0),
        NameObject("/FontBBox"): ArrayObject([number(v) for v in box]),
        NameObject("/Ascent"): number(ascent), NameObject("/Descent"): number(descent),
        NameObject("/CapHeight"): number(ascent), NameObject("/StemV"): number(80),
        NameObject("/FontFile2"): writer._add_object(embedded)})
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/TrueType"),
        NameObject("/BaseFont"): base, NameObject("/FirstChar"): number(48),
        NameObject("/LastChar"): number(57),
        NameObject("/Widths"): ArrayObject([number(widths[d]) for d in DIGITS]),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        NameObject("/FontDescriptor"): writer._add_object(descriptor)})
    return writer._add_object(font), widths
