"""document.xml, footnotes.xml and footers from a numbered Document and the layout profile."""
from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..chinese import cn_date, format_number
from ..errors import PlanError
from ..layout import EMU_PER_MM, Layout, half_points, twips
from ..names import SOURCE_ANCHOR
from ..model import (Block, Box, Change, Document, FootnoteRef, Heading, Image, Inline,
                     LineBreak, ListBlock, Note, PageBreak, Paragraph, Source, Span, Table,
                     is_removed, plain_text)
from ..transform import TODO
from .ooxml import (NS, bookmark, doc_grid, el, field as field_runs, fonts, mark_paragraph,
                    mark_row, move_range, page_break, paragraph, props, qn, revision_mark, run,
                    table_borders, tostring, tracked_runs, val)

MIN_COLUMN_CHARS = 3  # a wrapping column still shows this many characters a line
MEDIA_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpeg", "image/jpeg")}
# Revision and move-range ids start here, clear of the bookmark ids counted from 1.
REVISION_IDS = 100000


@dataclass
class Media:
    name: str  # word/media/imageN.ext
    content_type: str
    data: bytes
    rel_id: str


@dataclass(frozen=True)
class Anchor:
    """A hidden bookmark on a paragraph and the source line it was written from."""
    name: str
    file: str
    line: int
    text: str


@dataclass
class BodyParts:
    document: bytes
    footnotes: bytes | None
    footers: dict[str, bytes]  # part name → xml, odd first
    headers: dict[str, bytes]  # part name → xml, odd first; empty when the version has none
    media: list[Media] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class BodyWriter:
    def __init__(self, document: Document, layout: Layout, toc_pages: dict[str, int] | None):
        self.doc = document
        self.layout = layout
        self.toc_pages = toc_pages or {}
        self.next_bookmark = 0
        self.next_drawing = 0
        self.media: list[Media] = []
        self.media_by_path: dict[Path, Media] = {}
        self.anchored: list[tuple[str, Source, etree._Element]] = []
        self.prototypes: dict[tuple, etree._Element] = {}
        self.next_revision = REVISION_IDS

    # ---- tracked changes (a redline's blocks carry them) ------------------
    def revision(self, kind: str) -> etree._Element:
        self.next_revision += 1
        return revision_mark(kind, self.next_revision, self.doc.redline.author,
                             self.doc.redline.date)

    def tracked(self, p: etree._Element, change: Change | None) -> etree._Element:
        """The paragraph mark of an inserted, deleted or moved paragraph; a move also gets its
        range markers, named so that Word pairs the moveFrom with its moveTo."""
        if change is None:
            return p
        mark_paragraph(p, self.revision(change.kind))
        if change.move:
            self.next_revision += 1
            start, end = move_range(change.kind, self.next_revision, change.move,
                                    self.doc.redline.author, self.doc.redline.date)
            p.insert(1 if p.find(qn("w:pPr")) is not None else 0, start)
            p.append(end)
        return p

    def tracked_run(self, r: etree._Element, change: Change | None) -> etree._Element:
        if change is None:
            return r
        self.next_revision += 1
        return tracked_runs(change.kind, self.next_revision, self.doc.redline.author,
                            self.doc.redline.date, [r])

    def label(self, label_change: list[Inline], text: str) -> list[etree._Element]:
        """A generated line (heading number, caption): tracked in a redline, else plain."""
        return self.runs(label_change) if label_change else [run(text)]

    def anchor(self, p: etree._Element, source: Source) -> etree._Element:
        """Wrap a paragraph's content in a hidden `_Src` bookmark: Word, WPS and LibreOffice
        keep it through editing, so a reviewer's comment can be traced to its source line."""
        self.next_bookmark += 1
        name = f"{SOURCE_ANCHOR}{len(self.anchored) + 1:05d}"
        start, end = bookmark(self.next_bookmark, name)
        ppr = p.find(qn("w:pPr"))
        p.insert(1 if ppr is not None else 0, start)
        p.append(end)
        self.anchored.append((name, source, p))
        return p

    def anchors(self) -> list[Anchor]:
        # Text is read at the end: list markers and note labels are added after anchoring.
        return [Anchor(name, source.file, source.line,
                       "".join(t.text or "" for t in p.iter(qn("w:t"))))
                for name, source, p in self.anchored]

    # ---- inlines ---------------------------------------------------------
    def runs(self, inlines: list[Inline], highlight: str | None = None) -> list[etree._Element]:
        out = []
        emphasis = self.layout["body"]["emphasis_font"]
        for item in inlines:
            if isinstance(item, Span):
                for text, is_todo in split_todos(item.text):
                    mark = self.layout["note"]["highlight"] if is_todo else highlight
                    rpr = props("w:rPr", fonts(emphasis) if item.italic else None,
                                el("w:b") if item.bold else None,
                                el("w:bCs") if item.bold else None,
                                val("w:highlight", mark) if mark else None)
                    out.append(self.tracked_run(run(text, rpr if len(rpr) else None),
                                                item.change))
            elif isinstance(item, FootnoteRef):
                out.append(self.tracked_run(
                    el("w:r", None, props("w:rPr", val("w:rStyle", "FootnoteReference")),
                       el("w:footnoteReference", {"w:id": item.number})), item.change))
            elif isinstance(item, LineBreak):
                out.append(el("w:r", None, el("w:br")))
        return out

    # ---- blocks ----------------------------------------------------------
    def blocks(self, blocks: list[Block], context: str = "body") -> list[etree._Element]:
        out: list[etree._Element] = []
        for block in blocks:
            out.extend(self.block(block, context))
        return out

    def block(self, block: Block, context: str) -> list[etree._Element]:
        text_style, highlight = context_style(context, self.layout)
        if isinstance(block, Heading):
            if context != "body":
                bold = [Span(i.text, True, i.italic, i.change) if isinstance(i, Span) else i
                        for i in block.inlines]
                return [self.anchor(self.tracked(paragraph(text_style, *self.runs(
                    bold, highlight)), block.change), block.source)]
            return [self.anchor(self.tracked(self.heading(block), block.change), block.source)]
        if isinstance(block, Paragraph):
            return [self.paragraph(block, context)]
        if isinstance(block, ListBlock):
            return self.list_block(block, context)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Box):
            return self.box(block)
        if isinstance(block, Note):
            return self.note(block)
        if isinstance(block, Image):
            return self.image(block)
        if isinstance(block, PageBreak):
            return [paragraph(None, page_break())]
        raise TypeError(block)

    def heading(self, block: Heading) -> etree._Element:
        self.next_bookmark += 1
        start, end = bookmark(self.next_bookmark, block.bookmark)
        return paragraph(f"Heading{block.level}", start,
                         *self.label(block.label_change, block.number),
                         *self.runs(block.inlines), end)

    def paragraph(self, block: Paragraph, context: str, marker: list[Inline] | None = None,
                  indent: etree._Element | None = None) -> etree._Element:
        """A body paragraph, built whole: a list item's marker and indent go in as it is made."""
        text_style, highlight = context_style(context, self.layout)
        p = paragraph(text_style, *self.runs(marker or []), *self.runs(block.inlines, highlight),
                      ppr_extra=[indent])
        return self.anchor(self.tracked(p, block.change), block.source)

    def list_block(self, block: ListBlock, context: str) -> list[etree._Element]:
        out = []
        indent = None
        if block.depth:
            chars = self.layout["body"]["first_line_chars"] * (block.depth + 1)
            indent = el("w:ind", {"w:firstLineChars": chars * 100})
        for item, marker in zip(block.items, self.list_markers(block)):
            first = True
            for child in item.blocks:
                if isinstance(child, ListBlock):
                    out.extend(self.list_block(child, context))
                    continue
                if first and isinstance(child, Paragraph):
                    out.append(self.paragraph(child, context, marker, copy.deepcopy(indent)))
                else:
                    out.extend(self.block(child, context))
                first = False
        return out

    def list_markers(self, block: ListBlock) -> list[list[Inline]]:
        """Each item's 1. or ● as inlines. In a redline an ordered list counts twice, the old
        text without inserted items and the new without deleted ones; where the two numbers
        differ the marker itself is a tracked edit."""
        spec = self.layout["list"]

        pattern = block.marker or (spec["ordered"] if block.ordered else spec["bullet"])

        def marker(n: int) -> str:
            return format_number(pattern, n) if block.ordered else pattern
        old = new = block.start - 1
        out: list[list[Inline]] = []
        for item in block.items:
            if item.change is not None:
                if is_removed(item.change):
                    old += 1
                    out.append([Span(marker(old), change=item.change)])
                else:
                    new += 1
                    out.append([Span(marker(new), change=item.change)])
                continue
            old, new = old + 1, new + 1
            out.append([Span(marker(new))] if marker(old) == marker(new) else
                       [Span(marker(old), change=Change("del")),
                        Span(marker(new), change=Change("ins"))])
        return out

    def note(self, block: Note) -> list[etree._Element]:
        spec = self.layout["note"]
        body = self.blocks(block.blocks, "note")
        label = run(spec["label"], props("w:rPr", el("w:b"), el("w:bCs"),
                                         val("w:highlight", spec["highlight"])))
        first = block.blocks[0] if block.blocks else None
        if isinstance(first, Paragraph) and first.change is not None:  # a whole note tracked
            label = self.tracked_run(label, Change(first.change.kind))
        if body and body[0].tag == qn("w:p"):
            ppr = body[0].find(qn("w:pPr"))
            body[0].insert(1 if ppr is not None else 0, label)
        else:
            body.insert(0, paragraph("DrafterNote", label))
        return body

    def table(self, block: Table) -> list[etree._Element]:
        out = []
        if block.caption:
            caption = paragraph("TableCaption", *self.label(
                block.label_change, f"表{block.number}　{block.caption}"))
            out.append(self.anchor(self.tracked(caption, block.change),
                                   block.caption_source or block.source))
        ncols = max(len(block.header), *(len(r) for r in block.rows)) if block.rows \
            else len(block.header)
        layout = merged_cells(block)
        widths = self.column_widths(block, ncols, layout)
        tbl = el("w:tbl", None, props(
            "w:tblPr", val("w:tblStyle", "PlanTable"),
            el("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}), val("w:jc", "center"),
            table_borders(round(self.layout["table"]["border_pt"] * 8)),
            el("w:tblLayout", {"w:type": "fixed"}),
            el("w:tblLook", {"w:val": "04A0", "w:firstRow": 1, "w:lastRow": 0,
                             "w:firstColumn": 0, "w:lastColumn": 0, "w:noHBand": 1,
                             "w:noVBand": 1})))
        tbl.append(el("w:tblGrid", None, *(el("w:gridCol", {"w:w": w}) for w in widths)))
        tbl.append(self.row(block.header, widths, block.aligns, True, block.source))
        if block.change is not None:
            mark_row(tbl[-1], self.revision(block.change.kind))
        for index, cells in enumerate(block.rows):
            source = block.row_sources[index] if index < len(block.row_sources) else block.source
            tbl.append(self.row(cells, widths, block.aligns, False, source,
                                merges=layout.get(index, {})))
            change = block.change or (block.row_changes[index]
                                      if index < len(block.row_changes) else None)
            if change is not None:
                mark_row(tbl[-1], self.revision(change.kind))
        out.append(tbl)
        if block.note:
            out.append(paragraph("TableNote", run(block.note)))
        return out

    def column_widths(self, block: Table, ncols: int,
                      layout: dict[int, dict[int, tuple[int, str]]] | None = None) -> list[int]:
        """Automatic table layout as browsers do it: short columns keep their natural width,
        long ones get a minimum and share the rest in proportion to how much more they want.
        A cell spanning columns takes no part: its columns are sized by their own cells."""
        spec = self.layout["table"]
        half = half_points(spec["size_pt"]) * 5  # twips per half-width unit
        pad = 2 * twips(spec["cell_margin_mm"]) + half
        natural = [pad + 4 * half] * ncols
        for i, cell in enumerate(block.header[:ncols]):  # a header may wrap onto two lines
            natural[i] = max(natural[i], pad + (display_width(plain_text(cell)) + 1) // 2 * half)
        for r, cells in enumerate(block.rows):
            spans = (layout or {}).get(r, {})
            for i, cell in enumerate(cells[:ncols]):
                if i in spans and spans[i][0] != 1:
                    continue
                natural[i] = max(natural[i], pad + display_width(plain_text(cell)) * half)
        short = pad + spec["short_column_chars"] * 2 * half
        least = [n if n <= short else pad + MIN_COLUMN_CHARS * 2 * half for n in natural]
        total = self.layout.type_width_twips
        if sum(natural) <= total:
            widths = [n * total // sum(natural) for n in natural]
        elif sum(least) >= total:
            widths = [n * total // sum(least) for n in least]
        else:  # CSS automatic layout: the room above the minimums goes where text wants it
            room = total - sum(least)
            excess = [n - m for n, m in zip(natural, least)]
            widths = [m + room * e // sum(excess) for m, e in zip(least, excess)]
        widths[-1] += total - sum(widths)
        return widths

    def row(self, cells: list[list[Inline]], widths: list[int], aligns: list[str], header: bool,
            source: Source, merges: dict[int, tuple[int, str]] | None = None
            ) -> etree._Element:
        """merges: column → (columns spanned, 0 where covered from the left; vMerge value)."""
        tr = el("w:tr", None, el("w:trPr", None, el("w:cantSplit"),
                                 *( [el("w:tblHeader")] if header else [])))
        merges = merges or {}
        for i, width in enumerate(widths):
            span, vmerge = merges.get(i, (1, ""))
            if span == 0:
                continue
            width = sum(widths[i:i + span])
            inlines = cells[i] if i < len(cells) and vmerge != "continue" else []
            text = plain_text(inlines)
            # Header cells are centred, as official tables set them, whatever the column's own
            # alignment; body cells follow the column, else centre short text.
            how = "center" if header else aligns[i] if i < len(aligns) and aligns[i] else (
                "center" if display_width(text) <= 24 else "left")
            style = "TableHeader" if header else "TableText"
            # Both table styles centre; only other alignments need direct formatting.
            p = el("w:p", None, self.reused(("pPr", style, how), lambda: props(
                "w:pPr", val("w:pStyle", style), val("w:jc", how) if how != "center" else None)),
                *self.runs(inlines))
            if text:  # a covered or empty cell has nothing to trace; LibreOffice moves its mark
                self.anchor(p, source)
            tr.append(el("w:tc", None, self.reused(("tcPr", width, span, vmerge), lambda: props(
                "w:tcPr", el("w:tcW", {"w:w": width, "w:type": "dxa"}),
                val("w:gridSpan", span) if span > 1 else None,
                (val("w:vMerge", vmerge) if vmerge == "restart" else el("w:vMerge"))
                if vmerge else None,
                val("w:vAlign", "center"))), p))
        return tr

    def reused(self, key: tuple, build: Callable[[], etree._Element]) -> etree._Element:
        """A copy of a property element built once: tables repeat the same few cell and
        paragraph properties thousands of times, and copying is six times cheaper than building."""
        proto = self.prototypes.get(key)
        if proto is None:
            proto = self.prototypes[key] = build()
        return copy.deepcopy(proto)

    def box(self, block: Box) -> list[etree._Element]:
        spec = self.layout["box"]
        width = self.layout.type_width_twips
        border = round(spec["border_pt"] * 8)
        title = self.anchor(paragraph("BoxTitle", *self.label(
            block.label_change, f"{spec['label']}{block.number}　{block.title}")), block.source)
        content = self.blocks(block.blocks, "box") or [paragraph("BoxText")]
        if content[-1].tag != qn("w:p"):
            content.append(paragraph("BoxText"))
        def cell(*body: etree._Element, shade: str | None = None) -> etree._Element:
            tcpr = props("w:tcPr", el("w:tcW", {"w:w": width, "w:type": "dxa"}),
                         el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": shade})
                         if shade else None)
            return el("w:tc", None, tcpr, *body)
        tbl = el("w:tbl", None, props(
            "w:tblPr", val("w:tblStyle", "BoxTable"), el("w:tblW", {"w:w": width, "w:type": "dxa"}),
            val("w:jc", "center"), table_borders(border), el("w:tblLayout", {"w:type": "fixed"})),
            el("w:tblGrid", None, el("w:gridCol", {"w:w": width})),
            el("w:tr", None, el("w:trPr", None, el("w:cantSplit")),
               cell(title, shade=spec["shading"])),
            el("w:tr", None, cell(*content)))
        if block.change is not None:
            for tr in tbl.iterchildren(qn("w:tr")):
                mark_row(tr, self.revision(block.change.kind))
        # An empty paragraph keeps two neighbouring tables from merging into one in Word.
        return [tbl, self.tracked(paragraph(None), block.change)]

    def image(self, block: Image) -> list[etree._Element]:
        from PIL import Image as PILImage  # only plans with figures pay for the import
        media = self.media_by_path.get(block.path) or self.add_media(block)
        with PILImage.open(block.path) as img:
            px_w, px_h = img.size
            dpi = img.info.get("dpi", (96, 96))[0] or 96
        cx = round(px_w / dpi * 25.4 * EMU_PER_MM)
        cy = round(px_h / dpi * 25.4 * EMU_PER_MM)
        max_w = self.layout["page"]["type_width_mm"] * EMU_PER_MM
        max_h = self.layout["figure"]["max_height_mm"] * EMU_PER_MM
        scale = min(1.0, max_w / cx, max_h / cy)
        cx, cy = round(cx * scale), round(cy * scale)
        self.next_drawing += 1
        n = self.next_drawing
        pic = el("pic:pic", None,
                 el("pic:nvPicPr", None, el("pic:cNvPr", {"id": n, "name": block.path.name}),
                    el("pic:cNvPicPr")),
                 el("pic:blipFill", None, el("a:blip", {"r:embed": media.rel_id}),
                    el("a:stretch", None, el("a:fillRect"))),
                 el("pic:spPr", None,
                    el("a:xfrm", None, el("a:off", {"x": 0, "y": 0}),
                       el("a:ext", {"cx": cx, "cy": cy})),
                    el("a:prstGeom", {"prst": "rect"}, el("a:avLst"))))
        inline = el("wp:inline", {"distT": 0, "distB": 0, "distL": 0, "distR": 0},
                    el("wp:extent", {"cx": cx, "cy": cy}),
                    el("wp:docPr", {"id": n, "name": f"图{block.number}"}),
                    el("wp:cNvGraphicFramePr", None, el("a:graphicFrameLocks",
                                                        {"noChangeAspect": 1})),
                    el("a:graphic", None, el("a:graphicData", {"uri": NS["pic"]}, pic)))
        drawing = self.tracked_run(el("w:r", None, el("w:drawing", None, inline)), block.change)
        caption = f"图{block.number}　{block.caption}" if block.caption else f"图{block.number}"
        return [self.tracked(paragraph("Figure", drawing), block.change),
                self.anchor(self.tracked(paragraph("FigureCaption", *self.label(
                    block.label_change, caption)), block.change), block.source)]

    def add_media(self, block: Image) -> Media:
        from PIL import Image as PILImage
        with PILImage.open(block.path) as img:
            kind = img.format
        if kind not in MEDIA_TYPES:
            raise PlanError(f"图片格式 {kind} 不受支持，请转换为 PNG 或 JPEG：{block.path.name}",
                            block.source.file, block.source.line, code="E510")
        ext, content_type = MEDIA_TYPES[kind]
        index = len(self.media) + 1
        media = Media(f"word/media/image{index}.{ext}", content_type, block.path.read_bytes(),
                      f"rIdImage{index}")
        self.media.append(media)
        self.media_by_path[block.path] = media
        return media

    # ---- front matter pages ----------------------------------------------
    def cover(self) -> list[etree._Element]:
        meta, version = self.doc.meta, self.doc.version
        out = [paragraph("Title", run(meta.title))]
        if meta.period:
            out.append(paragraph("CoverSubtitle", run(f"（{meta.period}）")))
        if version.label:
            out.append(paragraph("CoverSubtitle", run(f"（{version.label}）")))
        lines = [version.organization or meta.organization,
                 cn_date(version.date) if version.date else ""]
        lines = [line for line in lines if line]
        if lines:
            space = twips(self.layout["cover"]["footer_space_before_mm"])
            first = paragraph("CoverFooter", run(lines[0]),
                              ppr_extra=[el("w:spacing", {"w:before": space})])
            out.append(first)
            out.extend(paragraph("CoverFooter", run(line)) for line in lines[1:])
        out.append(paragraph(None, page_break(), ppr_extra=[el("w:suppressLineNumbers")]))
        return out

    def toc(self) -> list[etree._Element]:
        spec = self.layout["toc"]
        levels = spec["levels"]
        out = [paragraph("TOCHeading", run(spec["title"]))]
        entries = [b for b in self.doc.blocks if isinstance(b, Heading) and b.level <= levels
                   and not is_removed(b.change)]
        instruction = f'TOC \\o "1-{levels}" \\h \\z \\u'
        paragraphs = []
        for block in entries:
            page = str(self.toc_pages.get(block.bookmark, ""))
            link = el("w:hyperlink", {"w:anchor": block.bookmark, "w:history": 1},
                      run(f"{block.number}{block.text}"), el("w:r", None, el("w:tab")),
                      *field_runs(f"PAGEREF {block.bookmark} \\h", [run(page)] if page else []))
            paragraphs.append(paragraph(f"TOC{block.level}", link))
        if not paragraphs:
            paragraphs = [paragraph("TOC1")]
        begin, instr, separate, *_, end = field_runs(instruction, [])
        first = paragraphs[0]
        ppr_at = 1 if first.find(qn("w:pPr")) is not None else 0
        for offset, part in enumerate((begin, instr, separate)):
            first.insert(ppr_at + offset, part)
        paragraphs.append(paragraph(None, end, ppr_extra=[el("w:suppressLineNumbers")]))
        return out + paragraphs

    def footer(self, odd: bool) -> bytes:
        spec = self.layout["page_number"]
        chars = spec["indent_chars"] * half_points(spec["size_pt"]) * 10
        side = {"w:right": chars} if odd else {"w:left": chars}
        ind = el("w:ind", {**side, "w:firstLine": 0, "w:firstLineChars": 0})
        dash = spec["dash"]
        p = paragraph("Footer", run(f"{dash} "), *field_runs("PAGE", [run("1")]), run(f" {dash}"),
                      ppr_extra=[ind, val("w:jc", "right" if odd else "left")])
        root = etree.Element(qn("w:ftr"), nsmap={"w": NS["w"], "r": NS["r"]})
        root.append(p)
        return tostring(root)

    def header(self) -> bytes:
        """Title and label for readers of a draft or review copy; a draft adds its mark and
        the source revision, so a printed page says which sources it came from."""
        doc, version, revision = self.doc, self.doc.version, self.doc.revision
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

    # ---- sections --------------------------------------------------------
    def section(self, body: bool) -> etree._Element:
        page = self.layout["page"]
        number = self.layout["page_number"]
        top, left = twips(page["top_mm"]), twips(page["left_mm"])
        right = twips(page["width_mm"] - page["left_mm"] - page["type_width_mm"])
        bottom_mm = page["height_mm"] - page["top_mm"] - page["type_height_mm"]
        line_mm = number["size_pt"] * 25.4 / 72
        footer = twips(bottom_mm - number["below_type_area_mm"] - line_mm)
        children = []
        version = self.doc.version
        if body and version.header:
            children += [el("w:headerReference", {"w:type": "default", "r:id": "rIdHeaderOdd"}),
                         el("w:headerReference", {"w:type": "even", "r:id": "rIdHeaderEven"})]
        if body:
            children += [el("w:footerReference", {"w:type": "default", "r:id": "rIdFooterOdd"}),
                         el("w:footerReference", {"w:type": "even", "r:id": "rIdFooterEven"})]
        children += [
            el("w:pgSz", {"w:w": twips(page["width_mm"]), "w:h": twips(page["height_mm"])}),
            el("w:pgMar", {"w:top": top, "w:right": right, "w:bottom": twips(bottom_mm),
                           "w:left": left, "w:header": 851, "w:footer": footer, "w:gutter": 0}),
        ]
        if body and version.line_numbers:
            # Restarting on each page lets a reviewer write 第12页第8行.
            children.append(el("w:lnNumType", {"w:countBy": 1, "w:distance": twips(
                self.layout["line_numbers"]["distance_mm"]), "w:restart": "newPage"}))
        if body:
            children.append(el("w:pgNumType", {"w:start": 1}))
        children.append(doc_grid(self.layout["grid"]["line_pitch_twips"]))
        return props("w:sectPr", *children)

    def document(self) -> bytes:
        root = etree.Element(qn("w:document"), nsmap={k: NS[k] for k in ("w", "r", "wp", "a",
                                                                           "pic")})
        body = el("w:body")
        root.append(body)
        if self.doc.front_matter:
            for node in self.cover() + self.toc():
                body.append(node)
            # The front matter section ends on the TOC's last paragraph: no footer, no number.
            last = body[-1]
            ppr = last.find(qn("w:pPr"))
            if ppr is None:
                ppr = el("w:pPr")
                last.insert(0, ppr)
            ppr.append(self.section(body=False))
        for node in self.blocks(self.doc.blocks):
            body.append(node)
        body.append(self.section(body=True))
        return tostring(root)

    def footnotes(self) -> bytes | None:
        if not self.doc.footnotes:
            return None
        root = etree.Element(qn("w:footnotes"), nsmap={"w": NS["w"], "r": NS["r"]})
        root.append(el("w:footnote", {"w:type": "separator", "w:id": -1},
                       paragraph(None, el("w:r", None, el("w:separator")),
                                 ppr_extra=[el("w:spacing", {"w:after": 0, "w:line": 240,
                                                             "w:lineRule": "auto"})])))
        root.append(el("w:footnote", {"w:type": "continuationSeparator", "w:id": 0},
                       paragraph(None, el("w:r", None, el("w:continuationSeparator")),
                                 ppr_extra=[el("w:spacing", {"w:after": 0, "w:line": 240,
                                                             "w:lineRule": "auto"})])))
        for number, blocks in sorted(self.doc.footnotes.items()):
            paras = []
            for block in blocks:
                inlines = block.inlines if isinstance(block, Paragraph) else \
                    [Span(plain_text(getattr(block, "inlines", [])))]
                paras.append(self.anchor(paragraph("FootnoteText", *self.runs(inlines)),
                                         block.source))
            if not paras:
                paras = [paragraph("FootnoteText")]
            mark = el("w:r", None, props("w:rPr", val("w:rStyle", "FootnoteReference")),
                      el("w:footnoteRef"))
            ppr = paras[0].find(qn("w:pPr"))
            paras[0].insert(1 if ppr is not None else 0, mark)
            root.append(el("w:footnote", {"w:id": number}, *paras))
        return tostring(root)


def context_style(context: str, layout: Layout) -> tuple[str | None, str | None]:
    """The paragraph style and highlight of text inside a 专栏 or an 编者注."""
    if context == "note":
        return "DrafterNote", layout["note"]["highlight"]
    return ("BoxText" if context == "box" else None), None


def merged_cells(block: Table) -> dict[int, dict[int, tuple[int, str]]]:
    """Body row → column → (columns spanned, or 0 if covered from the left; "restart",
    "continue" or "" for w:vMerge), from the table's merges."""
    out: dict[int, dict[int, tuple[int, str]]] = {}
    for merge in block.merges:
        for row in range(merge.row, merge.row + merge.rows):
            vmerge = "" if merge.rows == 1 else "restart" if row == merge.row else "continue"
            cells = out.setdefault(row, {})
            cells[merge.col] = (merge.cols, vmerge)
            for col in range(merge.col + 1, merge.col + merge.cols):
                cells[col] = (0, "")
    return out


def write_body(document: Document, layout: Layout, toc_pages: dict[str, int] | None = None
               ) -> BodyParts:
    writer = BodyWriter(document, layout, toc_pages)
    xml = writer.document()
    footnotes = writer.footnotes()
    headers = {}
    if document.version.header:
        header = writer.header()
        headers = {"word/header1.xml": header, "word/header2.xml": header}
    return BodyParts(xml, footnotes,
                     {"word/footer1.xml": writer.footer(odd=True),
                      "word/footer2.xml": writer.footer(odd=False)}, headers, writer.media,
                     writer.anchors())


def split_todos(text: str) -> list[tuple[str, bool]]:
    """Text in pieces, each marked whether it is a TODO marker (highlighted wherever it shows)."""
    pieces, at = [], 0
    for match in TODO.finditer(text):
        if match.start() > at:
            pieces.append((text[at:match.start()], False))
        pieces.append((match.group(), True))
        at = match.end()
    if at < len(text) or not pieces:
        pieces.append((text[at:], False))
    return pieces
