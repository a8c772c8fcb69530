"""footnotes.xml: the two separators Word requires, then each footnote, its mark leading."""
from __future__ import annotations

from lxml import etree

from ..model import Paragraph, Span, plain_text
from .ooxml import NS, el, paragraph, props, qn, tostring, val
from .writer import Writer


def separator(kind: str, id_: int) -> etree._Element:
    return el("w:footnote", {"w:type": kind, "w:id": id_},
              paragraph(None, el("w:r", None, el(f"w:{kind}")),
                        ppr_extra=[el("w:spacing", {"w:after": 0, "w:line": 240,
                                                    "w:lineRule": "auto"})]))


def footnote_mark() -> etree._Element:
    return el("w:r", None, props("w:rPr", val("w:rStyle", "FootnoteReference")),
              el("w:footnoteRef"))


def footnotes(w: Writer) -> bytes | None:
    if not w.document.footnotes:
        return None
    root = etree.Element(qn("w:footnotes"), nsmap={"w": NS["w"], "r": NS["r"]})
    root.append(separator("separator", -1))
    root.append(separator("continuationSeparator", 0))
    for number, blocks in sorted(w.document.footnotes.items()):
        paras = []
        for block in blocks:
            inlines = block.inlines if isinstance(block, Paragraph) else \
                [Span(plain_text(getattr(block, "inlines", [])))]
            lead = [] if paras else [footnote_mark()]
            paras.append(w.paragraph(w.ppr("FootnoteText"), w.runs(inlines),
                                     source=block.source, lead=lead))
        if not paras:
            paras = [paragraph("FootnoteText", footnote_mark())]
        root.append(el("w:footnote", {"w:id": number}, *paras))
    return tostring(root)
