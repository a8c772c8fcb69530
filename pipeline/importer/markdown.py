"""Imported chapters as the Markdown drafters write (README “怎样写一章”): front matter, `#`
headings, paragraphs on one line each, **加粗** and *强调*, lists, `表：` captions over pipe
tables (merged cells as ^^ and ||), `::: 专栏` and `::: 编者注` blocks, `***` page breaks,
footnotes at the end. Text is escaped so that nothing in it becomes Markdown or template syntax."""
from __future__ import annotations

import re

import yaml

from ..model import (Block, Box, FootnoteRef, Heading, Image, Inline, LineBreak, ListBlock,
                     Note, PageBreak, Paragraph, Span, Table)
from ..transform import walk
from .chapters import ImportedChapter

ASCII_MARKS = re.compile(r"([\\`*_\[\]<>&~|])")
TEMPLATE = re.compile(r"\{(?=[{%#])")
LINE_START = re.compile(r"^(#|[-+=](?=\s|$)|\d+(?=[.)])|:::|\^\^$)")


def escape(text: str) -> str:
    """Text that Markdown and Jinja print as it is."""
    text = ASCII_MARKS.sub(r"\\\1", text)
    return TEMPLATE.sub("{{ '{' }}", text)


def escape_start(line: str) -> str:
    """A line that would start a heading, list, container or break, kept as text."""
    match = LINE_START.match(line)
    if not match:
        return line
    if match.group(1).isdigit():
        end = match.end()
        return line[:end] + "\\" + line[end:]
    return "\\" + line


def inlines_md(inlines: list[Inline], labels: dict[str, str]) -> str:
    out = []
    for item in inlines:
        if isinstance(item, Span):
            out.append(span_md(item))
        elif isinstance(item, FootnoteRef):
            out.append(f"[^{labels.setdefault(item.label, str(len(labels) + 1))}]")
        elif isinstance(item, LineBreak):
            out.append(" ")
    return "".join(out)


def span_md(span: Span) -> str:
    text = span.text
    core = text.strip(" ")
    if not core or not (span.bold or span.italic):
        return escape(text)
    lead, trail = text[:len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")):]
    mark = "***" if span.bold and span.italic else "**" if span.bold else "*"
    return f"{lead}{mark}{escape(core)}{mark}{trail}"


def paragraph_md(inlines: list[Inline], labels: dict[str, str]) -> str:
    return escape_start(inlines_md(inlines, labels).strip())


class Writer:
    def __init__(self, images: dict[int, str]):
        self.images = images  # id of an Image block → its path from chapters/
        self.labels: dict[str, str] = {}

    def blocks(self, blocks: list[Block]) -> list[str]:
        """Markdown of blocks, one string per block (blank lines go between them)."""
        return [text for block in blocks if (text := self.block(block))]

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            return "#" * block.level + " " + inlines_md(block.inlines, self.labels).strip()
        if isinstance(block, Paragraph):
            return paragraph_md(block.inlines, self.labels)
        if isinstance(block, ListBlock):
            return self.list_md(block)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Box):
            inner = "\n\n".join(self.blocks(block.blocks))
            return f"::: 专栏 {block.title}\n{inner}\n:::" if inner else \
                f"::: 专栏 {block.title}\n:::"
        if isinstance(block, Note):
            inner = "\n\n".join(self.blocks(block.blocks))
            return f"::: 编者注\n{inner}\n:::"
        if isinstance(block, Image):
            path = self.images.get(id(block))
            if path is None:
                return ""
            return f"![{escape(block.caption)}](<{path}>)"
        if isinstance(block, PageBreak):
            return "***"
        return ""

    def list_md(self, block: ListBlock) -> str:
        lines = []
        for index, item in enumerate(block.items):
            marker = f"{block.start + index}. " if block.ordered else "- "
            parts = self.blocks(item.blocks) or [""]
            pad = " " * len(marker)
            body = "\n\n".join(parts)
            indented = "\n".join(pad + line if line else line for line in body.split("\n"))
            lines.append(marker + indented[len(pad):])
        return "\n".join(lines)

    def table(self, block: Table) -> str:
        covered = covered_cells(block)
        lines = []
        if block.caption:
            lines += [f"表：{escape(block.caption)}", ""]
        count = len(block.aligns)
        marks = {"left": ":---", "center": ":---:", "right": "---:"}
        for r, row in enumerate([block.header, *block.rows], start=-1):
            row = (row + [[]] * count)[:count]
            line = "|"
            for c, cell in enumerate(row):
                kind = covered.get((r, c))
                if kind == "left":
                    line += "|"
                elif kind == "up":
                    line += " ^^ |"
                else:
                    line += f" {self.cell(cell) or ' '} |"
            lines.append(line)
            if r < 0:
                lines.append("|" + "|".join(marks.get(a, "---") for a in block.aligns) + "|")
        return "\n".join(lines)

    def cell(self, inlines: list[Inline]) -> str:
        text = inlines_md(inlines, self.labels).strip()
        return "\\^^" if text == "^^" else text

    def footnotes(self, bodies: dict[str, list[Block]]) -> list[str]:
        out = []
        written: set[str] = set()
        while len(written) < len(self.labels):  # a footnote may cite another
            for label, shown in list(self.labels.items()):
                if label in written:
                    continue
                written.add(label)
                parts = self.blocks(bodies.get(label, [])) or [""]
                first, *rest = parts
                text = f"[^{shown}]: {first}"
                for part in rest:
                    text += "\n\n" + "\n".join("    " + line for line in part.split("\n"))
                out.append(text)
        return out


def covered_cells(table: Table) -> dict[tuple[int, int], str]:
    """Positions a merged cell covers (row -1: the header row): 'up' in its first column below
    its first row (^^), 'left' in its other columns (||)."""
    out = {}
    for merge in table.merges:
        for r in range(merge.row, merge.row + merge.rows):
            for c in range(merge.col, merge.col + merge.cols):
                if (r, c) != (merge.row, merge.col):
                    out[(r, c)] = "up" if c == merge.col else "left"
    return out


def chapter_markdown(chapter: ImportedChapter, footnotes: dict[str, list[Block]],
                     images: dict[int, str]) -> tuple[str, dict[int, int]]:
    """The chapter file, and the line each Word paragraph landed on (for the report)."""
    writer = Writer(images)
    meta = {"id": chapter.id, "title": chapter.title, "owner": "", "status": "起草中"}
    if not isinstance(chapter.blocks[0], Heading):
        del meta["title"]  # text before the chapter heading: a title would be put above it
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    text = f"---\n{front}---\n"
    positions: dict[int, int] = {}
    for block in chapter.blocks:
        part = writer.block(block)
        if not part:
            continue
        line = text.count("\n") + 2
        for inner in walk([block]):
            if inner.source.line:
                positions.setdefault(inner.source.line, line)
        text += "\n" + part + "\n"
    for part in writer.footnotes(footnotes):
        text += "\n" + part + "\n"
    return text, positions
