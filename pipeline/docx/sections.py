"""Sections and what repeats on their pages: page size and margins, the line grid, line
numbers, the odd and even page-number footers, the header of a draft or review copy."""
from __future__ import annotations

from lxml import etree

from ..layout import half_points, twips
from .ooxml import NS, doc_grid, el, field, paragraph, props, qn, run, tostring, val
from .writer import Writer


PARTS = ("cover", "toc", "body")


def section(w: Writer, part: str) -> etree._Element:
    """w:sectPr of the cover or the 目录 (no footer, no number) or of the body (numbered from
    1). Printed double-sided, the 目录 and the body each start on a recto (GB/T 9704 §6.2):
    the 目录 through an odd-page section break, the body through its page numbers starting at
    1, an odd number, which LibreOffice sets on a recto by adding a blank verso when needed (an
    odd-page break there too moves the body's first page 3–5 mm off its grid)."""
    body = part == "body"
    page = w.layout["page"]
    number = w.layout["page_number"]
    top, left = twips(page["top_mm"]), twips(page["left_mm"])
    right = twips(page["width_mm"] - page["left_mm"] - page["type_width_mm"])
    bottom_mm = page["height_mm"] - page["top_mm"] - page["type_height_mm"]
    line_mm = number["size_pt"] * 25.4 / 72
    footer = twips(bottom_mm - number["below_type_area_mm"] - line_mm)
    children = []
    version = w.document.version
    if body and version.header:
        children += [el("w:headerReference", {"w:type": "default", "r:id": "rIdHeaderOdd"}),
                     el("w:headerReference", {"w:type": "even", "r:id": "rIdHeaderEven"})]
    if body:
        children += [el("w:footerReference", {"w:type": "default", "r:id": "rIdFooterOdd"}),
                     el("w:footerReference", {"w:type": "even", "r:id": "rIdFooterEven"})]
    if part == "toc" and w.document.meta.print == "duplex":
        children.append(val("w:type", "oddPage"))
    children += [
        el("w:pgSz", {"w:w": twips(page["width_mm"]), "w:h": twips(page["height_mm"])}),
        el("w:pgMar", {"w:top": top, "w:right": right, "w:bottom": twips(bottom_mm),
                       "w:left": left, "w:header": page["header_twips"], "w:footer": footer,
                       "w:gutter": 0}),
    ]
    if body and version.line_numbers:
        # Restarting on each page lets a reviewer write 第12页第8行.
        children.append(el("w:lnNumType", {"w:countBy": 1, "w:distance": twips(
            w.layout["line_numbers"]["distance_mm"]), "w:restart": "newPage"}))
    if body:
        children.append(el("w:pgNumType", {"w:start": 1}))
    children.append(doc_grid(w.layout["grid"]["line_pitch_twips"]))
    return props("w:sectPr", *children)


def footer(w: Writer, odd: bool) -> bytes:
    """— N —: odd pages right, even pages left, one character in from the type area's edge."""
    spec = w.layout["page_number"]
    chars = spec["indent_chars"] * half_points(spec["size_pt"]) * 10
    side = {"w:right": chars} if odd else {"w:left": chars}
    ind = el("w:ind", {**side, "w:firstLine": 0, "w:firstLineChars": 0})
    dash = spec["dash"]
    p = paragraph("Footer", run(f"{dash} "), *field("PAGE", [run("1")]), run(f" {dash}"),
                  ppr_extra=[ind, val("w:jc", "right" if odd else "left")])
    root = etree.Element(qn("w:ftr"), nsmap={"w": NS["w"], "r": NS["r"]})
    root.append(p)
    return tostring(root)


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
        details += [source, revision.date]
    if details:
        root.append(paragraph("HeaderDetail", run("　".join(d for d in details if d))))
    return tostring(root)
