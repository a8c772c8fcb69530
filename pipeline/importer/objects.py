"""What the blocks pandoc read stand for in a plan: table and figure captions (表N …, 图N …),
专栏 drawn as bordered paragraphs or text boxes, drafters' notes (【编者注】), lists typed by hand
(●…, 1.…), tables of contents. Numbers typed in captions go: the pipeline numbers tables,
figures, boxes."""
from __future__ import annotations

import re
from dataclasses import replace

from ..errors import Diagnostic, warning
from ..model import (Block, Box, Heading, Image, Inline, ListBlock, ListItem, Note, PageBreak,
                     Paragraph, Span, Table, plain_text)
from .pandoc_ast import BOX_TITLE
from .wordxml import Cue

TABLE_CAPTION = re.compile(r"^(?:续)?表\s*[\d０-９]+(?:[-－.．]\d+)?[\s\u3000:：.．、]*(.*)$")
FIGURE_CAPTION = re.compile(r"^图\s*[\d０-９]+(?:[-－.．]\d+)?[\s\u3000:：.．、]*(.*)$")
CJK = re.compile(r"[\u4e00-\u9fff]")  # a box title is words, not a calendar's day number
NOTE_LABEL = "【编者注】"
NOTE_STYLE = "drafter note"
BULLETS = "●•▪■◆◇○◎□·"
TYPED_ITEM = re.compile(r"^(\d{1,3})\.(?!\d)\s*")  # as the pipeline writes list items: 1.
CLOSING = "。；;！!？?，,：:"


def strip_prefix(inlines: list[Inline], count: int) -> list[Inline]:
    """Inlines without their first `count` characters of text."""
    out: list[Inline] = []
    for item in inlines:
        if count and isinstance(item, Span):
            cut = min(count, len(item.text))
            count -= cut
            if item.text[cut:]:
                out.append(Span(item.text[cut:].lstrip(" \u3000"), item.bold, item.italic))
            continue
        out.append(item)
    return out


def caption_of(text: str, pattern: re.Pattern) -> str | None:
    match = pattern.match(text.strip())
    if match and len(text) <= 80 and not text.rstrip().endswith("。"):
        return match.group(1).strip()
    return None


class Objects:
    def __init__(self, cues: dict[int, Cue], file: str):
        self.cues, self.file = cues, file
        self.notes: list[Diagnostic] = []
        self.toc_lines = 0  # paragraphs in Word's table-of-contents styles, left out
        self.boxes_read: set[int] = set()  # text boxes (wordxml lifted them into the body) read

    def cue(self, block: Block) -> Cue:
        return self.cues.get(block.source.line, Cue()) if hasattr(block, "source") else Cue()

    def note(self, message: str, block: Block, code: str = "E996") -> None:
        self.notes.append(warning(code, message, self.file, block.source.line or None))

    def blocks(self, blocks: list[Block], in_note: bool = False) -> list[Block]:
        """One level of blocks, and every level inside boxes, notes and list items."""
        out: list[Block] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            cue = self.cue(block)
            if isinstance(block, Paragraph) and cue.style.startswith("toc"):
                self.toc_lines += 1
                index += 1
                continue
            if isinstance(block, (Paragraph, Heading)) and cue.break_before and out and \
                    not isinstance(out[-1], PageBreak):
                out.append(PageBreak(block.source))
            if isinstance(block, Paragraph) and not in_note and self.starts_note(block):
                end = index + 1
                while end < len(blocks) and isinstance(blocks[end], Paragraph) and \
                        self.cue(blocks[end]).style == NOTE_STYLE and \
                        not plain_text(blocks[end].inlines).startswith(NOTE_LABEL):
                    end += 1
                first = blocks[index]
                text = plain_text(first.inlines)
                cut = len(NOTE_LABEL) if text.startswith(NOTE_LABEL) else 0
                body = [Paragraph(strip_prefix(first.inlines, cut), first.source),
                        *blocks[index + 1:end]]
                body = [b for b in body if not isinstance(b, Paragraph) or b.inlines]
                out.append(Note(self.blocks(body, in_note=True), first.source))
                index = end
                continue
            if cue.text_box and cue.text_box not in self.boxes_read:
                end = index + 1
                while end < len(blocks) and self.cue(blocks[end]).text_box == cue.text_box:
                    end += 1
                self.boxes_read.add(cue.text_box)
                out.extend(self.text_box(blocks[index:end]))
                index = end
                continue
            if isinstance(block, Paragraph) and cue.bordered:
                box, index = self.bordered_box(blocks, index)
                if box is not None:
                    out.append(box)
                    continue
            out.append(self.inner(block))
            index += 1
        return self.captions(out)

    def starts_note(self, block: Paragraph) -> bool:
        text = plain_text(block.inlines)
        return text.startswith(NOTE_LABEL) or (self.cue(block).style == NOTE_STYLE)

    def inner(self, block: Block) -> Block:
        if isinstance(block, (Box, Note)):
            return replace(block, blocks=self.blocks(block.blocks, isinstance(block, Note)))
        if isinstance(block, ListBlock):
            return replace(block, items=[replace(i, blocks=self.blocks(i.blocks))
                                         for i in block.items])
        if isinstance(block, Table) and block.caption:
            caption = caption_of(block.caption, TABLE_CAPTION)
            block.caption = caption if caption is not None else block.caption
        if isinstance(block, Image):
            block.caption = self.image_caption(block.caption)
        return block

    @staticmethod
    def image_caption(alt: str) -> str:
        caption = caption_of(alt, FIGURE_CAPTION)
        if caption is not None:
            return caption
        # Word's alt text is often a file name or "图片 1": not a caption.
        if re.fullmatch(r"(图片|Picture|image|图)\s*\d*|.*\.(png|jpe?g|gif|bmp|emf|wmf)", alt,
                        re.I):
            return ""
        return alt

    def text_box(self, blocks: list[Block]) -> list[Block]:
        """A text box's blocks: a 专栏 when its first paragraph reads as a title (专栏N …, or
        short, unpunctuated and bold, 黑体 or centred), else paragraphs of the text."""
        first = blocks[0]
        text = plain_text(first.inlines).strip() if isinstance(first, (Paragraph, Heading)) \
            else ""
        numbered = BOX_TITLE.match(text)
        title = numbered.group(1).strip() if numbered else ""
        cue = self.cue(first)
        if not title and len(blocks) > 1 and text and len(text) <= 30 and \
                text[-1] not in CLOSING and (isinstance(first, Heading) or cue.emphasis or
                                             cue.align == "center"):
            title = text
        if title and len(blocks) > 1 and CJK.search(title) and not title[0].isdigit():
            self.note(f"文本框“{title}”导入为专栏（原在文本框中，位置可能不同）：请核对", first,
                      "E932")
            body = [Paragraph([replace(i, bold=True) if isinstance(i, Span) else i
                               for i in b.inlines], b.source) if isinstance(b, Heading) else b
                    for b in blocks[1:]]  # a 专栏 holds no headings
            return [Box(title, self.blocks(body), first.source)]
        words = plain_text(first.inlines)[:20] if isinstance(first, (Paragraph, Heading)) \
            else "表格"
        self.note(f"文本框中的文字“{words}”按正文导入（首段不像标题，未作专栏）：请核对", first,
                  "E933")
        return self.blocks(blocks)

    def bordered_box(self, blocks: list[Block], index: int) -> tuple[Box | None, int]:
        """Bordered paragraphs whose first line is 专栏N 标题: one box."""
        first = blocks[index]
        title = BOX_TITLE.match(plain_text(first.inlines))
        if not title or not title.group(1).strip():
            return None, index
        end = index + 1
        while end < len(blocks) and isinstance(blocks[end], (Paragraph, ListBlock)) and \
                self.cue(blocks[end]).bordered:
            end += 1
        return Box(title.group(1).strip(), self.blocks(blocks[index + 1:end]),
                   first.source), end

    def captions(self, blocks: list[Block]) -> list[Block]:
        """表N … above a table and 图N … below a figure become their captions."""
        out: list[Block] = []
        for block in blocks:
            last = out[-1] if out else None
            if isinstance(block, Table) and not block.caption and isinstance(last, Paragraph):
                caption = caption_of(plain_text(last.inlines), TABLE_CAPTION)
                if caption is not None:
                    out.pop()
                    block.caption, block.caption_source = caption, last.source
            if isinstance(block, Paragraph) and isinstance(last, Image):
                caption = caption_of(plain_text(block.inlines), FIGURE_CAPTION)
                if caption is not None:
                    if not last.caption:
                        last.caption = caption
                    continue
            out.append(block)
        return out


def typed_lists(blocks: list[Block]) -> list[Block]:
    """Paragraphs typed as list items — ●… or 1.…, 2.… in sequence — as lists."""
    out: list[Block] = []
    typed: set[int] = set()  # the lists made here, which the next typed item may continue
    for block in blocks:
        if isinstance(block, (Box, Note)):
            out.append(replace(block, blocks=typed_lists(block.blocks)))
            continue
        if isinstance(block, ListBlock):
            out.append(replace(block, items=[replace(i, blocks=typed_lists(i.blocks))
                                             for i in block.items]))
            continue
        item = typed_item(block)
        if item is None:
            out.append(block)
            continue
        ordered, number, inlines = item
        entry = ListItem([Paragraph(inlines, block.source)], block.source)
        last = out[-1] if out else None
        if isinstance(last, ListBlock) and id(last) in typed and last.ordered == ordered and \
                (not ordered or number == last.start + len(last.items)):
            last.items.append(entry)
            continue
        out.append(ListBlock([entry], ordered, number if ordered else 1, block.source))
        typed.add(id(out[-1]))
    return out


def typed_item(block: Block) -> tuple[bool, int, list[Inline]] | None:
    if not isinstance(block, Paragraph):
        return None
    text = plain_text(block.inlines)
    if text[:1] in BULLETS and text[1:].strip():
        return False, 1, strip_prefix(block.inlines, 1)
    match = TYPED_ITEM.match(text)
    if match and text[match.end():].strip():
        return True, int(match.group(1)), strip_prefix(block.inlines, match.end())
    return None
