"""Body blocks as WordprocessingML: paragraphs, headings, lists, drafters' notes, page breaks;
tables, 专栏 and figures from their own modules."""
from __future__ import annotations

from dataclasses import replace

from lxml import etree

from ..chinese import format_number
from ..model import (Block, Box, Change, Heading, Image, Inline, ListBlock, Note, PageBreak,
                     Paragraph, Span, Table, is_removed)
from .figures import figure
from .ooxml import bookmark, page_break, paragraph
from .boxes import box
from .tables import table
from .writer import ParagraphContext, Writer


def blocks(w: Writer, items: list[Block], ctx: ParagraphContext) -> list[etree._Element]:
    out: list[etree._Element] = []
    for item in items:
        out.extend(block(w, item, ctx))
        ctx = ctx.rest()
    return out


def block(w: Writer, item: Block, ctx: ParagraphContext) -> list[etree._Element]:
    if isinstance(item, Heading):
        if ctx.container != "body":  # in a 专栏 or note: a bold line of its text
            bold = [Span(i.text, True, i.italic, i.change) if isinstance(i, Span) else i
                    for i in item.inlines]
            return [w.text(ctx, ctx.style, bold, item.source, item.change)]
        return [heading(w, item)]
    if isinstance(item, Paragraph):
        return [w.text(ctx, ctx.style, item.inlines, item.source, item.change)]
    if isinstance(item, ListBlock):
        return list_block(w, item, ctx)
    if isinstance(item, Table):
        return table(w, item)
    if isinstance(item, Box):
        return box(w, item, lambda content, inner: blocks(w, content, inner))
    if isinstance(item, Note):
        return note(w, item)
    if isinstance(item, Image):
        return figure(w, item)
    if isinstance(item, PageBreak):
        return [paragraph(None, page_break())]
    raise TypeError(item)


def takes_lead(item: Block) -> bool:
    """Whether a block's first paragraph can carry a lead (a label or a list marker)."""
    if isinstance(item, (Paragraph, Heading)):
        return True
    return (isinstance(item, ListBlock) and bool(item.items) and bool(item.items[0].blocks)
            and isinstance(item.items[0].blocks[0], Paragraph))


def heading(w: Writer, item: Heading) -> etree._Element:
    start, end = bookmark(w.bookmark_id(), item.bookmark)  # the 目录's target
    spec = w.layout.scheme(w.document.meta.numbering)[item.level - 1]
    broken = (w.title(item.number, item.inlines, spec["size_pt"])
              if spec.get("align") == "center" and not item.label_change else None)
    text = broken or [*w.label(item.label_change, item.number), *w.runs(item.inlines)]
    content = [start, *text, end]
    return w.paragraph(w.ppr(f"Heading{item.level}", change=item.change), content,
                       source=item.source, change=item.change)


def list_block(w: Writer, item: ListBlock, ctx: ParagraphContext) -> list[etree._Element]:
    """Each item's first paragraph led by its marker, a nested list's indented a step further
    for each level (the parse stage gives the depth)."""
    out = []
    first_line = w.layout["body"]["first_line_chars"]
    indent = first_line * (item.depth + 1) if item.depth else 0
    for entry, marker in zip(item.items, list_markers(w, item)):
        first = True
        for child in entry.blocks:
            if isinstance(child, ListBlock):
                out.extend(list_block(w, child, ctx))
                ctx = ctx.rest()
                continue
            child_ctx = ctx
            if first and isinstance(child, Paragraph):
                child_ctx = replace(ctx, lead=(*ctx.lead, *marker), indent_chars=indent)
            out.extend(block(w, child, child_ctx))
            ctx = ctx.rest()
            first = False
    return out


def list_markers(w: Writer, item: ListBlock) -> list[list[Inline]]:
    """Each item's 1. or ● as inlines. In a redline an ordered list counts twice, the old
    text without inserted items and the new without deleted ones; where the two numbers
    differ the marker itself is a tracked edit."""
    spec = w.layout["list"]
    pattern = item.marker or (spec["ordered"] if item.ordered else spec["bullet"])

    def marker(n: int) -> str:
        return format_number(pattern, n) if item.ordered else pattern
    old = new = item.start - 1
    out: list[list[Inline]] = []
    for entry in item.items:
        if entry.change is not None:
            if is_removed(entry.change):
                old += 1
                out.append([Span(marker(old), change=entry.change)])
            else:
                new += 1
                out.append([Span(marker(new), change=entry.change)])
            continue
        old, new = old + 1, new + 1
        out.append([Span(marker(new))] if marker(old) == marker(new) else
                   [Span(marker(old), change=Change("del")),
                    Span(marker(new), change=Change("ins"))])
    return out


def note(w: Writer, item: Note) -> list[etree._Element]:
    """编者注: its label leads the first paragraph, or stands alone before a table or figure."""
    spec = w.layout["note"]
    first = item.blocks[0] if item.blocks else None
    tracked = isinstance(first, Paragraph) and first.change is not None  # a whole note tracked
    label = Span(spec["label"], bold=True,
                 change=Change(first.change.kind) if tracked else None)
    ctx = ParagraphContext("note", "DrafterNote", spec["highlight"], (label,))
    if first is not None and takes_lead(first):
        return blocks(w, item.blocks, ctx)
    return [w.text(ctx, ctx.style, [], None), *blocks(w, item.blocks, ctx.rest())]
