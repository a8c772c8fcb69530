"""Sections and what repeats on their pages: page size and margins, the line grid, line
numbers, the odd and even page-number footers, the header of a draft or review copy."""
from __future__ import annotations

from lxml import etree

from ..chinese import cn_date
from ..layout import half_points, twips
from .ooxml import NS, doc_grid, el, field, paragraph, props, qn, run, tostring, val
from .writer import Writer


PARTS = ("cover", "toc", "body", "landscape")
FOOTERS = {"portrait": ("rIdFooterOdd", "rIdFooterEven"),
           "landscape": ("rIdFooterLandscapeOdd", "rIdFooterLandscapeEven")}


def section(w: Writer, part: str) -> etree._Element:
    """w:sectPr of the cover or the 目录 (no footer, no number), of the body (numbered from 1
    in its first section, on from there after a landscape table) or of a landscape table's
    pages. Printed double-sided, the 目录 and the body each start on a recto (GB/T 9704
    §6.2): the 目录 through an odd-page section break, the body through its page numbers
    starting at 1, an odd number, which LibreOffice sets on a recto by adding a blank verso
    when needed (an odd-page break there too moves the body's first page 3–5 mm off its
    grid, and a Word file with one, opened and saved by LibreOffice 7.4 as a reviewer's copy
    is, comes back with the body's first paragraph split at its page end: a false edit)."""
    body = part in ("body", "landscape")
    page = w.layout["page"]
    number = w.layout["page_number"]
    top, left = page["top_mm"], page["left_mm"]
    right = page["width_mm"] - page["left_mm"] - page["type_width_mm"]
    bottom = page["height_mm"] - page["top_mm"] - page["type_height_mm"]
    line_mm = number["size_pt"] * 25.4 / 72
    footer = twips(bottom - number["below_type_area_mm"] - line_mm)
    size = {"w:w": twips(page["width_mm"]), "w:h": twips(page["height_mm"])}
    margins = {"w:top": twips(top), "w:right": twips(right), "w:bottom": twips(bottom),
               "w:left": twips(left)}
    if part == "landscape":
        # The sheet turned a quarter to the left (GB/T 9704 §10: the table's head on the
        # binding side): its left edge is now the top, its bottom edge the left.
        size = {"w:w": size["w:h"], "w:h": size["w:w"], "w:orient": "landscape"}
        margins = {"w:top": twips(left), "w:right": twips(top), "w:bottom": twips(right),
                   "w:left": twips(bottom)}
    children = []
    version = w.document.version
    if part == "body" and version.header:
        children += [el("w:headerReference", {"w:type": "default", "r:id": "rIdHeaderOdd"}),
                     el("w:headerReference", {"w:type": "even", "r:id": "rIdHeaderEven"})]
    if body:
        odd, even = FOOTERS["landscape" if part == "landscape" else "portrait"]
        children += [el("w:footerReference", {"w:type": "default", "r:id": odd}),
                     el("w:footerReference", {"w:type": "even", "r:id": even})]
    if part == "toc" and w.document.meta.print == "duplex":
        children.append(val("w:type", "oddPage"))
    children += [
        el("w:pgSz", size),
        el("w:pgMar", {**margins, "w:header": page["header_twips"], "w:footer": footer,
                       "w:gutter": 0}),
    ]
    if body and version.line_numbers:
        # Restarting on each page lets a reviewer write 第12页第8行.
        children.append(el("w:lnNumType", {"w:countBy": 1, "w:distance": twips(
            w.layout["line_numbers"]["distance_mm"]), "w:restart": "newPage"}))
    if body and not w.numbered_sections:
        children.append(el("w:pgNumType", {"w:start": 1}))
    if body:
        w.numbered_sections += 1
    children.append(doc_grid(w.layout["grid"]["line_pitch_twips"]))
    return props("w:sectPr", *children)


def section_end(w: Writer, part: str) -> etree._Element:
    """A paragraph a fraction of a point high that ends a section of the body."""
    return paragraph("SectionEnd", ppr_extra=[section(w, part)])


def number_runs(w: Writer) -> list[etree._Element]:
    dash = w.layout["page_number"]["dash"]
    return [run(f"{dash} "), *field("PAGE", [run("1")]), run(f" {dash}")]


def footer(w: Writer, odd: bool) -> bytes:
    """— N —: odd pages right, even pages left, one character in from the type area's edge."""
    spec = w.layout["page_number"]
    chars = spec["indent_chars"] * half_points(spec["size_pt"]) * 10
    side = {"w:right": chars} if odd else {"w:left": chars}
    ind = el("w:ind", {**side, "w:firstLine": 0, "w:firstLineChars": 0})
    p = paragraph("Footer", *number_runs(w),
                  ppr_extra=[ind, val("w:jc", "right" if odd else "left")])
    root = etree.Element(qn("w:ftr"), nsmap={"w": NS["w"], "r": NS["r"]})
    root.append(p)
    return tostring(root)


def landscape_footer(w: Writer, odd: bool) -> bytes:
    """The page number of a landscape page where it stands on every other page of the sheet
    (GB/T 9704 §10): in the turned sheet's left margin, read turned back, set in a one-cell
    table anchored to the page whose text runs top to bottom."""
    page, spec = w.layout["page"], w.layout["page_number"]
    em = half_points(spec["size_pt"]) * 10  # twips
    indent = spec["indent_chars"] * em
    bottom_margin = page["height_mm"] - page["top_mm"] - page["type_height_mm"]
    edge = twips(bottom_margin - spec["below_type_area_mm"])  # where the number line begins
    length = twips(spec["number_length_mm"])
    type_top = twips(page["left_mm"])
    type_end = type_top + w.layout.type_width_twips
    y = type_end - indent - length if odd else type_top + indent
    table = el("w:tbl", None, props(
        "w:tblPr", el("w:tblpPr", {"w:leftFromText": 0, "w:rightFromText": 0,
                                   "w:topFromText": 0, "w:bottomFromText": 0,
                                   "w:vertAnchor": "page", "w:horzAnchor": "page",
                                   "w:tblpX": edge - em, "w:tblpY": y}),
        el("w:tblW", {"w:w": em, "w:type": "dxa"}),
        el("w:tblLayout", {"w:type": "fixed"}),
        el("w:tblCellMar", None, *(el(f"w:{side}", {"w:w": 0, "w:type": "dxa"})
                                   for side in ("top", "left", "bottom", "right")))),
        el("w:tblGrid", None, el("w:gridCol", {"w:w": em})),
        el("w:tr", None, el("w:trPr", None, el("w:trHeight", {"w:val": length,
                                                             "w:hRule": "exact"})),
           el("w:tc", None, props("w:tcPr", el("w:tcW", {"w:w": em, "w:type": "dxa"}),
                                  val("w:textDirection", "tbRl")),
              paragraph("Footer", *number_runs(w), ppr_extra=[
                  el("w:ind", {"w:left": 0, "w:right": 0, "w:firstLine": 0,
                               "w:firstLineChars": 0}),
                  val("w:jc", "right" if odd else "left")]))))
    root = etree.Element(qn("w:ftr"), nsmap={"w": NS["w"], "r": NS["r"]})
    root.append(table)
    root.append(paragraph("Footer"))
    return tostring(root)


def cover_date(w: Writer) -> str:
    version = w.document.version
    return cn_date(version.date) if version.date else ""


def header(w: Writer) -> bytes:
    """Title and label for readers of a draft or review copy; a draft adds its mark and
    the source revision, so a printed page says which sources it came from."""
    doc, version, revision = w.document, w.document.version, w.document.revision
    root = etree.Element(qn("w:hdr"), nsmap={"w": NS["w"], "r": NS["r"]})
    label = f"（{version.label}）" if version.label else ""
    root.append(paragraph("Header", run(f"{doc.meta.title}{label}")))
    details = [version.mark] if version.mark else []
    if version.revision:
        source = f"源文件 {revision.commit}" if revision.commit else "源文件未纳入 git"
        if revision.dirty:
            source += "（含未提交的修改）"
        # Outside git there is no source date to tell: the header dates the copy as its cover.
        details += [source, revision.date if revision.commit else cover_date(w)]
    if details:
        root.append(paragraph("HeaderDetail", run("　".join(d for d in details if d))))
    return tostring(root)
