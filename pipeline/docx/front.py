"""The front matter: the cover and the 目录, a TOC field whose entries are already filled in."""
from __future__ import annotations

from lxml import etree

from ..layout import twips
from ..model import Heading, is_removed
from ..titles import chars_per_line, title_lines
from .ooxml import el, field, paragraph, run
from .sections import cover_date
from .writer import Writer


def cover(w: Writer, section: etree._Element) -> list[etree._Element]:
    """The cover's lines; the last of them ends the cover's section (`section`)."""
    meta, version = w.document.meta, w.document.version
    lines: list[tuple[str, list[etree._Element], list[etree._Element]]] = [
        ("Title", title_runs(w), [])]
    if meta.period:
        lines.append(("CoverSubtitle", [run(f"（{meta.period}）")], []))
    if version.label:
        lines.append(("CoverSubtitle", [run(f"（{version.label}）")], []))
    footer = [version.organization or meta.organization, cover_date(w)]
    space = [el("w:spacing", {"w:before": twips(w.layout["cover"]["footer_space_before_mm"])})]
    for text in (line for line in footer if line):
        lines.append(("CoverFooter", [run(text)], space))
        space = []
    lines[-1] = (*lines[-1][:2], [*lines[-1][2], section])
    return [paragraph(style, *runs, ppr_extra=extra) for style, runs, extra in lines]


def title_runs(w: Writer) -> list[etree._Element]:
    """The cover title, broken into lines between words (GB/T 9704 §7.3.1)."""
    meta = w.document.meta
    spec = w.layout["cover"]
    lines = meta.title_lines or title_lines(meta.title, chars_per_line(
        w.layout["page"]["type_width_mm"], spec["title_size_pt"],
        w.layout["grid"]["char_spacing_pt"]))
    out: list[etree._Element] = []
    for index, line in enumerate(lines):
        if index:
            out.append(el("w:r", None, el("w:br")))
        out.append(run(line))
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
