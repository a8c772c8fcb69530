"""document.xml, footnotes.xml, headers and footers from a numbered Document and the profile."""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ..layout import Layout
from ..model import Document
from .blocks import blocks
from .footnotes import footnotes
from .front import cover, toc
from .ooxml import NS, el, qn, tostring
from .sections import FOOTERS, footer, header, landscape_footer, section
from .writer import BODY, Anchor, Media, Writer


@dataclass
class BodyParts:
    document: bytes
    footnotes: bytes | None
    footers: list[tuple[str, str, bytes]]  # part name, relationship id, xml
    headers: dict[str, bytes]  # part name → xml, odd first; empty when the version has none
    media: list[Media] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)


def document_xml(w: Writer) -> bytes:
    root = etree.Element(qn("w:document"),
                         nsmap={k: NS[k] for k in ("w", "r", "wp", "a", "pic")})
    body = el("w:body")
    root.append(body)
    if w.document.front_matter:
        # The cover and the 目录 are sections of their own, without footers or numbers.
        body.extend(cover(w, section(w, "cover")))
        body.extend(toc(w, section(w, "toc")))
    body.extend(blocks(w, w.document.blocks, BODY))
    body.append(section(w, "body"))
    return tostring(root)


def write_body(document: Document, layout: Layout, toc_pages: dict[str, int] | None = None,
               spacers: dict[str, int] | None = None) -> BodyParts:
    w = Writer(document, layout, toc_pages or {}, spacers or {})
    xml = document_xml(w)
    notes = footnotes(w)
    headers = {}
    if document.version.header:
        part = header(w)
        headers = {"word/header1.xml": part, "word/header2.xml": part}
    (odd, even), turned = FOOTERS["portrait"], FOOTERS["landscape"]
    footers = [("word/footer1.xml", odd, footer(w, odd=True)),
               ("word/footer2.xml", even, footer(w, odd=False))]
    if w.landscape:
        footers += [("word/footer3.xml", turned[0], landscape_footer(w, odd=True)),
                    ("word/footer4.xml", turned[1], landscape_footer(w, odd=False))]
    return BodyParts(xml, notes, footers, headers, w.media, w.anchors)
