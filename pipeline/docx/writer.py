"""What every builder of the body shares: the document and its profile, the running ids, the
anchors and media collected on the way; and the two builders all blocks use, runs and
paragraphs, each element made once with its final properties and children in schema order."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from ..layout import Layout
from ..names import SOURCE_ANCHOR
from ..model import Change, Document, FootnoteRef, Inline, LineBreak, Source, Span
from ..titles import chars_per_line, title_lines
from .ooxml import (bookmark, el, fonts, move_range, props, qn, revision_mark, tracked_runs,
                    val)

# Revision and move-range ids start here, clear of the bookmark ids counted from 1.
REVISION_IDS = 100000
SPACER_PREFIX = "_Grid"  # the bookmark of a spacer that takes text back to the grid
SPACER_STYLE = "GridSpacer"


@dataclass(frozen=True)
class Anchor:
    """A hidden bookmark on a paragraph and the source line it was written from."""
    name: str
    file: str
    line: int
    text: str


@dataclass
class Media:
    name: str  # word/media/imageN.ext
    content_type: str
    data: bytes
    rel_id: str


@dataclass(frozen=True)
class ParagraphContext:
    """Where a block's paragraphs stand: in the body, a 专栏 or a 编者注; and what the first of
    them carries before its text (a note's 【编者注】, a list item's 1.), passed in so that each
    paragraph is built once, complete."""
    container: str = "body"  # body | box | note: headings inside a box or note are bold text
    style: str | None = None  # the style of plain text here: BoxText, DrafterNote
    highlight: str | None = None  # every run highlighted (drafters' notes)
    lead: tuple[Inline, ...] = ()  # before the first paragraph's text
    indent_chars: int = 0  # a first-line indent of its own (a nested list item), 0: the style's

    def rest(self) -> ParagraphContext:
        """The context of the paragraphs after the first: the lead has been placed."""
        return replace(self, lead=(), indent_chars=0) if self.lead or self.indent_chars else self


BODY = ParagraphContext()


@dataclass
class Writer:
    document: Document
    layout: Layout
    toc_pages: dict[str, int] = field(default_factory=dict)
    spacer_heights: dict[str, int] = field(default_factory=dict)  # as LibreOffice set them
    next_spacer: int = 0
    numbered_sections: int = 0  # sections of the body written so far (the first starts at 1)
    landscape: bool = False  # a table was set on landscape pages
    anchors: list[Anchor] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    media_by_path: dict[Path, Media] = field(default_factory=dict)
    next_bookmark: int = 0
    next_drawing: int = 0
    next_revision: int = REVISION_IDS
    prototypes: dict[tuple, etree._Element] = field(default_factory=dict)

    # ---- ids --------------------------------------------------------------
    def bookmark_id(self) -> int:
        self.next_bookmark += 1
        return self.next_bookmark

    def revision_id(self) -> int:
        self.next_revision += 1
        return self.next_revision

    def revision(self, kind: str) -> etree._Element:
        redline = self.document.redline
        return revision_mark(kind, self.revision_id(), redline.author, redline.date)

    def reused(self, key: tuple, build: Callable[[], etree._Element]) -> etree._Element:
        """A copy of an element built once: the body repeats the same few property sets
        thousands of times, and copying is several times cheaper than building."""
        proto = self.prototypes.get(key)
        if proto is None:
            proto = self.prototypes[key] = build()
        return proto.__copy__()  # lxml copies the whole subtree, without copy's memo

    # ---- runs -------------------------------------------------------------
    def tracked_run(self, r: etree._Element, change: Change | None) -> etree._Element:
        if change is None:
            return r
        redline = self.document.redline
        return tracked_runs(change.kind, self.revision_id(), redline.author, redline.date, [r])

    def text_run(self, text: str, bold: bool = False, italic: bool = False,
                 highlight: str | None = None) -> etree._Element:
        r = self.reused(("run", bold, italic, highlight), lambda: self._run(bold, italic,
                                                                            highlight))
        t = r[-1]
        t.text = text
        if text != text.strip():
            t.set(qn("xml:space"), "preserve")
        return r

    def _run(self, bold: bool, italic: bool, highlight: str | None) -> etree._Element:
        rpr = props("w:rPr", fonts(self.layout["body"]["emphasis_font"]) if italic else None,
                    el("w:b") if bold else None, el("w:bCs") if bold else None,
                    val("w:highlight", highlight) if highlight else None)
        return el("w:r", None, *([rpr] if len(rpr) else []), el("w:t"))

    def runs(self, inlines: Sequence[Inline], highlight: str | None = None
             ) -> list[etree._Element]:
        out = []
        todo_mark = self.layout["note"]["highlight"]
        for item in inlines:
            if isinstance(item, Span):
                r = self.text_run(item.text, item.bold, item.italic,
                                  todo_mark if item.todo else highlight)
                out.append(self.tracked_run(r, item.change))
            elif isinstance(item, FootnoteRef):
                out.append(self.tracked_run(
                    el("w:r", None, props("w:rPr", val("w:rStyle", "FootnoteReference")),
                       el("w:footnoteReference", {"w:id": item.number})), item.change))
            elif isinstance(item, LineBreak):
                out.append(el("w:r", None, el("w:br")))
        return out

    def label(self, label_change: list[Inline], text: str) -> list[etree._Element]:
        """A generated line (heading number, caption): tracked in a redline, else plain."""
        return self.runs(label_change) if label_change else [self.text_run(text)]

    def title(self, label: str, inlines: Sequence[Inline], size_pt: float,
              width_mm: float | None = None) -> list[etree._Element] | None:
        """A centred title (a heading, a caption, a 专栏's title) broken into lines between
        words when it takes more than one (GB/T 9704 §7.3.1); None when it fits one line or
        holds more than plain text (a footnote mark, a tracked edit), left to the word
        processor."""
        if any(not isinstance(i, Span) or i.change is not None or i.todo for i in inlines):
            return None
        pieces = [(label, Span(label)), *((i.text, i) for i in inlines)]
        text = "".join(t for t, _ in pieces)
        width = self.layout["page"]["type_width_mm"] if width_mm is None else width_mm
        lines = title_lines(text, chars_per_line(width, size_pt,
                                                 self.layout["grid"]["char_spacing_pt"]))
        if len(lines) == 1:
            return None
        starts, at = set(), 0  # where each line after the first starts in the text
        for line in lines[:-1]:
            at += len(line)
            starts.add(at)
        out: list[etree._Element] = []
        at = 0
        for piece, span in pieces:
            cuts = [0, *sorted(c - at for c in starts if at <= c < at + len(piece)), len(piece)]
            for a, b in zip(cuts, cuts[1:]):
                if at + a in starts and b > a:
                    out.append(el("w:r", None, el("w:br")))
                if b > a:
                    out.append(self.text_run(piece[a:b], span.bold, span.italic))
            at += len(piece)
        return out

    # ---- paragraphs -------------------------------------------------------
    def ppr(self, style: str | None, indent_chars: int = 0, change: Change | None = None,
            extra: Sequence[etree._Element] = ()) -> etree._Element | None:
        """A paragraph's properties: its style, its own first-line indent, what else the caller
        gives, and in a redline the revision on its paragraph mark."""
        def build() -> etree._Element:
            ind = el("w:ind", {"w:firstLineChars": indent_chars * 100}) if indent_chars else None
            mark = el("w:rPr", None, self.revision(change.kind)) if change else None
            return props("w:pPr", val("w:pStyle", style) if style else None, ind, *extra, mark)
        if change is not None or extra:
            built = build()
        elif style or indent_chars:
            built = self.reused(("pPr", style, indent_chars), build)
        else:
            return None
        return built if len(built) else None

    def paragraph(self, ppr: etree._Element | None, content: Sequence[etree._Element], *,
                  source: Source | None = None, change: Change | None = None,
                  lead: Sequence[etree._Element] = ()) -> etree._Element:
        """<w:p>: properties, what leads (a marker or label), then the content inside a move's
        range and, given a source, inside the hidden `_Src` bookmark that traces the paragraph
        to its source line (Word, WPS and LibreOffice keep it through editing)."""
        p = el("w:p")
        if ppr is not None:
            p.append(ppr)
        return self.fill(p, content, source=source, change=change, lead=lead)

    def fill(self, p: etree._Element, content: Sequence[etree._Element], *,
             source: Source | None = None, change: Change | None = None,
             lead: Sequence[etree._Element] = ()) -> etree._Element:
        """What `paragraph` puts after the properties, into `p` that holds only them (a copy
        of a prototype, as table cells use)."""
        p.extend(lead)
        anchor = None
        if source is not None:
            name = f"{SOURCE_ANCHOR}{len(self.anchors) + 1:05d}"
            anchor = bookmark(self.bookmark_id(), name)
            p.append(anchor[0])
        move = None
        if change is not None and change.move:
            redline = self.document.redline
            move = move_range(change.kind, self.revision_id(), change.move, redline.author,
                              redline.date)
            p.append(move[0])
        p.extend(content)
        if move is not None:
            p.append(move[1])
        if anchor is not None:
            p.append(anchor[1])
            self.anchors.append(Anchor(name, source.file, source.line,
                                       "".join(t.text or "" for t in p.iter(qn("w:t")))))
        return p

    def text(self, ctx: ParagraphContext, style: str | None, inlines: Sequence[Inline],
             source: Source | None, change: Change | None = None,
             content: Sequence[etree._Element] | None = None) -> etree._Element:
        """A paragraph of text in its context: the lead and indent the context gives."""
        lead = self.runs(ctx.lead, ctx.highlight)
        body = self.runs(inlines, ctx.highlight) if content is None else content
        return self.paragraph(self.ppr(style, ctx.indent_chars, change), body, source=source,
                              change=change, lead=lead)


    def spacer(self, change: Change | None = None) -> etree._Element:
        """The paragraph after a table, a 专栏 or a figure: as high as it takes to bring the text
        after it back to a row of the grid (measured by the PDF stage, which renders the pages),
        and it keeps neighbouring tables from merging into one."""
        self.next_spacer += 1
        name = f"{SPACER_PREFIX}{self.next_spacer:05d}"
        height = self.spacer_heights.get(name)
        extra = [spacing_exact(height)] if height else []
        start, end = bookmark(self.bookmark_id(), name)
        return self.paragraph(self.ppr(SPACER_STYLE, change=change, extra=extra), [start, end],
                              change=change)


def spacing_exact(twips: int) -> etree._Element:
    return el("w:spacing", {"w:before": 0, "w:after": 0, "w:line": twips, "w:lineRule": "exact"})
