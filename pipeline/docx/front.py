"""The front matter: the cover and the 目录, a TOC field whose entries are already filled in."""
from __future__ import annotations

from lxml import etree

from ..chinese import cn_date
from ..layout import twips
from ..model import Heading, is_removed
from .ooxml import el, field, page_break, paragraph, run
from .writer import Writer


def cover(w: Writer) -> list[etree._Element]:
    meta, version = w.document.meta, w.document.version
    out = [paragraph("Title", run(meta.title))]
    if meta.period:
        out.append(paragraph("CoverSubtitle", run(f"（{meta.period}）")))
    if version.label:
        out.append(paragraph("CoverSubtitle", run(f"（{version.label}）")))
    lines = [version.organization or meta.organization,
             cn_date(version.date) if version.date else ""]
    lines = [line for line in lines if line]
    if lines:
        space = twips(w.layout["cover"]["footer_space_before_mm"])
        out.append(paragraph("CoverFooter", run(lines[0]),
                             ppr_extra=[el("w:spacing", {"w:before": space})]))
        out.extend(paragraph("CoverFooter", run(line)) for line in lines[1:])
    out.append(paragraph(None, page_break(), ppr_extra=[el("w:suppressLineNumbers")]))
    return out


def toc(w: Writer, section: etree._Element) -> list[etree._Element]:
    """目录: one TOC field over all entries, its begin in the first entry and its end in a
    paragraph of its own, which also ends the front matter's section (`section`)."""
    spec = w.layout["toc"]
    levels = spec["levels"]
    entries = [b for b in w.document.blocks if isinstance(b, Heading) and b.level <= levels
               and not is_removed(b.change)]
    begin, instruction, separate, *_, end = field(f'TOC \\o "1-{levels}" \\h \\z \\u', [])
    opening = [begin, instruction, separate]
    paragraphs = []
    for entry in entries:
        page = str(w.toc_pages.get(entry.bookmark, ""))
        link = el("w:hyperlink", {"w:anchor": entry.bookmark, "w:history": 1},
                  run(f"{entry.number}{entry.text}"), el("w:r", None, el("w:tab")),
                  *field(f"PAGEREF {entry.bookmark} \\h", [run(page)] if page else []))
        paragraphs.append(paragraph(f"TOC{entry.level}", *opening, link))
        opening = []
    if not paragraphs:
        paragraphs = [paragraph("TOC1", *opening)]
    closing = paragraph(None, end, ppr_extra=[el("w:suppressLineNumbers"), section])
    return [paragraph("TOCHeading", run(spec["title"])), *paragraphs, closing]
