"""Which text the .docx sets in which official font: the PDF stage checks each against its font."""
from __future__ import annotations

from collections import defaultdict

from ..layout import Layout
from ..model import (Block, Box, Document, Heading, Image, ListBlock, Note, Paragraph, Span,
                     Table)


def text_by_font(document: Document, layout: Layout) -> dict[str, str]:
    fonts: dict[str, list[str]] = defaultdict(list)
    body, table, box = layout["body"], layout["table"], layout["box"]
    scheme = layout.scheme(document.meta.numbering)
    cover = layout["cover"]

    def spans(inlines, font: str) -> None:
        for item in inlines:
            if isinstance(item, Span):
                fonts[body["emphasis_font"] if item.italic else font].append(item.text)

    def visit(blocks: list[Block], font: str) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                level_font = scheme[block.level - 1]["font"]
                fonts[level_font].append(block.number)
                spans(block.inlines, level_font)
            elif isinstance(block, Paragraph):
                spans(block.inlines, font)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    visit(item.blocks, font)
            elif isinstance(block, Table):
                fonts[table["caption_font"]].append(block.caption)
                fonts[table["font"]].append(block.note)
                for cell in block.header:
                    spans(cell, table["header_font"])
                for row in block.rows:
                    for cell in row:
                        spans(cell, table["font"])
            elif isinstance(block, Box):
                fonts[box["title_font"]].append(box["label"] + block.title)
                visit(block.blocks, box["font"])
            elif isinstance(block, Note):
                fonts[font].append(layout["note"]["label"])
                visit(block.blocks, font)
            elif isinstance(block, Image):
                fonts[layout["figure"]["caption_font"]].append(block.caption)

    meta = document.meta
    fonts[layout["title"]["font"]].append(meta.title)
    fonts[cover["subtitle_font"]].append(meta.period + document.version.label + "（）")
    fonts[cover["footer_font"]].append(meta.organization + "〇一二三四五六七八九十年月")
    toc = layout["toc"]
    fonts[toc["title_font"]].append(toc["title"])
    for block in document.blocks:
        if isinstance(block, Heading) and block.level <= toc["levels"]:
            fonts[toc["entry_fonts"][block.level - 1]].append(block.number + block.text)
    fonts[layout["page_number"]["font"]].append(layout["page_number"]["dash"] + "0123456789")
    if document.version.line_numbers:  # numbered into the PDF, every line (pdf/linenumbers.py)
        fonts[layout["line_numbers"]["pdf_face"]].append("0123456789")
    visit(document.blocks, body["font"])
    for blocks in document.footnotes.values():
        visit(blocks, layout["footnote"]["font"])
    return {font: "".join(parts) for font, parts in fonts.items()}
