"""Parse stage: chapter Markdown → document blocks, through markdown-it-py and its plugins."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import replace
from functools import lru_cache
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .errors import Diagnostic, PlanError
from .placeholders import BLOCK_MARK, BLOCK_PLACEHOLDER
from .files import inside
from .model import (Block, Box, Chapter, FootnoteRef, Heading, Image, Inline, LineBreak,
                    ListBlock, ListItem, Merge, Note, PageBreak, ParsedChapter, Paragraph,
                    Rendered, Source, Span, Table, VersionBlock, VersionSpec, plain_text)

BOX = "专栏"
NOTE = "编者注"
ONLY = "版本"  # ::: 版本 review final   (keys or labels: ::: 版本 征求意见稿 报批稿)
CAPTION_PREFIXES = ("表：", "表:")
# Numbering a drafter typed by hand; the pipeline generates it, so typed numbering would double up.
TYPED_NUMBER = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇\d]+[章节篇部分]|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十]+[）)]|\d+[.．、]\s*\S|[（(]\d+[）)])")
SOFT_SPACE = re.compile(r"[A-Za-z0-9,.;:!?)]$")
ASCII_START = re.compile(r"^[A-Za-z0-9(]")
CJK_INDENT = re.compile(r"^[\u3000 \t]+")
# {# … #}: a template comment, never printed; `plan check` reads its silence markers from them.
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}", re.S)
BLOCK_MARK_START = BLOCK_MARK[0]
# Merged cells in pipe tables, as MultiMarkdown writes them: a cell holding only ^^ joins the
# cell above; an empty cell with no space between its pipes (||) joins the cell to its left.
JOIN_UP, JOIN_LEFT = "^^", ""
QUOTE_PREFIX = re.compile(r"^\s*(?:>\s?)*")


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    md.use(cjk_friendly)  # **加粗。**后接汉字: CommonMark's flanking rules alone reject it
    md.use(footnote_plugin)
    md.use(container_plugin, name=BOX)
    md.use(container_plugin, name=NOTE)
    md.use(container_plugin, name=ONLY)
    return md


def parse_chapter(chapter: Chapter, rendered: Rendered, levels: int,
                  versions: dict[str, VersionSpec]) -> tuple[ParsedChapter, list[Diagnostic]]:
    """The chapter's blocks and footnotes, and everything wrong with them: a block that cannot
    be read is left out and reported, so one build names every problem of the chapter."""
    reader = _Reader(chapter, rendered, versions)
    root = SyntaxTreeNode(markdown().parse(strip_template_comments(rendered.markdown)))
    blocks = reader.blocks(root.children)
    title = chapter.title
    if title and not (blocks and isinstance(blocks[0], Heading) and blocks[0].level == 1):
        blocks.insert(0, Heading(1, [Span(title)], Source(chapter.display, 2)))
    if not title and blocks and isinstance(blocks[0], Heading) and blocks[0].level == 1:
        title = blocks[0].text
    problems = reader.problems + check_headings(blocks, levels, chapter.display)
    problems.sort(key=lambda d: d.line or 0)
    return ParsedChapter(chapter, title, blocks, reader.footnotes), problems


def strip_template_comments(text: str) -> str:
    """Drop {# … #} comments as Jinja would, keeping their line breaks so lines still match."""
    return TEMPLATE_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)


def check_headings(blocks: list[Block], levels: int, file: str) -> list[Diagnostic]:
    headings = [(b.level, b.text, b.source.line) for b in blocks if isinstance(b, Heading)]
    return [Diagnostic(p.code, "error", p.message, file, p.line)
            for p in heading_problems(headings, levels)]


@dataclass(frozen=True)
class HeadingProblem:
    code: str
    message: str
    line: int


def heading_problems(headings: Iterable[tuple[int, str, int]], levels: int
                     ) -> Iterator[HeadingProblem]:
    """Every heading the numbering cannot take: (level, text, line) in document order."""
    previous = 0
    for level, text, line in headings:
        if level > levels:
            yield HeadingProblem("E201", f"标题层级过深：编号方案只有 {levels} 级，此处为第 {level} 级"
                                 f"（{'#' * level}）", line)
        if level > previous + 1:
            yield HeadingProblem("E202", f"标题层级跳跃：从第 {previous} 级直接到第 {level} 级"
                                 f"（{'#' * level}），中间缺少一级标题", line)
        if TYPED_NUMBER.match(text):
            yield HeadingProblem("E203", f"标题“{text}”自带编号；编号由流水线自动生成，请删去手写的编号",
                                 line)
        if not text.strip():
            yield HeadingProblem("E204", "标题为空", line)
        previous = level


class _Reader:
    def __init__(self, chapter: Chapter, rendered: Rendered, versions: dict[str, VersionSpec]):
        self.chapter = chapter
        self.rendered = rendered
        self.lines = rendered.markdown.split("\n")  # as parsed: how a table cell was written
        self.problems: list[Diagnostic] = []
        self.version_names = {name: spec.key for spec in versions.values()
                              for name in (spec.key, spec.label) if name}
        self.file = chapter.display
        self.footnotes: dict[str, list[Block]] = {}
        self.line: int | None = None  # of the block being read, for errors inside its text

    def source(self, node: SyntaxTreeNode) -> Source:
        return Source(self.file, self.rendered.file_line(node.map[0] if node.map else 0))

    def error(self, message: str, node: SyntaxTreeNode | None, code: str) -> None:
        """Report what cannot be read; the caller leaves it out and reading goes on."""
        line = self.source(node).line if node is not None else self.line
        self.problems.append(Diagnostic(code, "error", message, self.file, line))

    def blocks(self, nodes: list[SyntaxTreeNode]) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            if node.type == "blockquote":  # quoting has no meaning in a plan: keep the text
                out.extend(self.blocks(node.children))
                continue
            block = self.block(node)
            if block is None:
                continue
            if isinstance(block, Table) and out and _is_caption(out[-1]):
                caption = out.pop()
                block.caption, block.caption_source = _caption_text(caption), caption.source
            out.append(block)
        return out

    def block(self, node: SyntaxTreeNode) -> Block | None:
        kind = node.type
        src = self.source(node)
        self.line = src.line
        if kind == "heading":
            return Heading(int(node.tag[1]), self.inlines(node.children[0]), src)
        if kind == "paragraph":
            return self.paragraph(node)
        if kind in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1)) if kind == "ordered_list" else 1
            items = [ListItem(self.blocks(item.children), self.source(item))
                     for item in node.children]
            return ListBlock(items, kind == "ordered_list", start, src)
        if kind == "table":
            return self.table(node)
        if kind == f"container_{BOX}":
            title = node.info.strip().removeprefix(BOX).strip()
            if not title:
                return self.error("专栏缺少标题：应写作“::: 专栏 标题”", node, "E211")
            return Box(title, self.blocks(node.children), src)
        if kind == f"container_{NOTE}":
            return Note(self.blocks(node.children), src)
        if kind == f"container_{ONLY}":
            names = node.info.strip().removeprefix(ONLY).replace("，", " ").replace(",", " ").split()
            unknown = [n for n in names if n not in self.version_names]
            if not names or unknown:
                known = "、".join(self.version_names)
                return self.error(f"“::: {ONLY}”后应写版本名（{known}），"
                                 f"{'未知的版本：' + '、'.join(unknown) if unknown else '缺少版本名'}",
                                 node, "E217")
            return VersionBlock([self.version_names[n] for n in names],
                                self.blocks(node.children), src)
        if kind == "hr":
            return PageBreak(src)
        if kind in ("code_block", "fence"):
            # Drafters who indent paragraphs with four spaces get a code block; keep it as text.
            text = " ".join(line.strip() for line in node.content.splitlines() if line.strip())
            return Paragraph([Span(text)], src) if text else None
        if kind == "footnote_block":
            for footnote in node.children:
                label = f"{self.chapter.id}:{footnote.meta['label']}"
                self.footnotes[label] = self.blocks(footnote.children)
            return None
        return self.error(f"不支持的 Markdown 结构：{kind}", node, "E210")

    def paragraph(self, node: SyntaxTreeNode) -> Block | None:
        inline = node.children[0]
        images = [c for c in inline.children if c.type == "image"]
        if images:
            others = [c for c in inline.children
                      if c.type != "image" and not (c.type in ("text", "softbreak")
                                                    and not c.content.strip())]
            if others or len(images) > 1:
                return self.error("图片应单独成段：![图题](路径) 前后空一行", node, "E212")
            return self.image(images[0], node)
        placeholder = BLOCK_PLACEHOLDER.match(inline.content.strip())
        if placeholder and placeholder.group(1) in self.rendered.data_blocks:
            return replace(self.rendered.data_blocks[placeholder.group(1)],
                           source=self.source(node))
        inlines = self.inlines(inline)
        text = plain_text(inlines)
        if text.startswith(":::"):
            name = text[3:].strip().split()[0] if text[3:].strip() else ""
            return self.error(f"未知的容器“{name}”或缺少结束行“:::”：可用的容器为“{BOX} 标题”、"
                             f"“{NOTE}”和“{ONLY} 版本名”", node, "E213")
        if "[^" in text:
            return self.error("脚注引用没有对应的脚注内容（应在文末写“[^标签]: 内容”）", node, "E214")
        if inlines and isinstance(inlines[0], Span):
            inlines[0].text = CJK_INDENT.sub("", inlines[0].text)
        return Paragraph(inlines, self.source(node)) if text.strip() or len(inlines) > 1 else None

    def image(self, node: SyntaxTreeNode, para: SyntaxTreeNode) -> Image | None:
        src = self.source(para)
        # markdown-it percent-encodes the destination (图.png → %E5%9B%BE.png): decode it back
        target = unquote(str(node.attrs.get("src", "")))
        if re.match(r"^[a-z][a-z0-9+.-]*:", str(target), re.I):
            return self.error(f"图片只能引用规划目录内的文件，不能引用网址：{target}", para, "E215")
        root = self.chapter.path.parent.parent
        try:
            path = inside(root, self.chapter.path.parent / str(target), self.file, src.line)
        except PlanError as exc:
            return self.error(exc.message, para, exc.code)
        if not path.is_file():
            return self.error(f"找不到图片文件：{target}", para, "E216")
        caption = "".join(c.content for c in node.children if c.type == "text")
        return Image(path, caption.strip(), src)

    def table(self, node: SyntaxTreeNode) -> Table | None:
        head, *body = node.children
        header_row = head.children[0]
        aligns = [_align(cell) for cell in header_row.children]
        header = [self.inlines(cell.children[0]) if cell.children else []
                  for cell in header_row.children]
        rows, sources, trs = [], [], []
        for section in body:
            for tr in section.children:
                rows.append([self.inlines(cell.children[0]) if cell.children else []
                             for cell in tr.children])
                sources.append(self.source(tr))
                trs.append(tr)
        table = Table(header, rows, aligns, self.source(node), row_sources=sources)
        merges = self.merges(header_row, trs, table)
        if merges is None:
            return None
        table.merges = merges
        return table

    def raw_cells(self, tr: SyntaxTreeNode, count: int) -> list[str]:
        """A row's cells as written, split the way markdown-it splits them (escaped pipes kept)."""
        line = QUOTE_PREFIX.sub("", self.lines[tr.map[0]]).strip() \
            if tr.map and tr.map[0] < len(self.lines) else ""
        cells = _split_row(line)
        return (cells + [" "] * count)[:count]

    def merges(self, header_row: SyntaxTreeNode, trs: list[SyntaxTreeNode], table: Table
               ) -> list[Merge] | None:
        """Table.merges from ^^ and || cells, covered cells emptied; None (reported) when a span
        is not a rectangle inside the body — the header row has one cell per column."""
        count = len(table.aligns)
        for col, cell in enumerate(self.raw_cells(header_row, count)):
            if cell.strip() == JOIN_UP:
                return self.error("表格第一行（表头）中的“^^”上方没有可合并的单元格", header_row,
                                  "E980")
            if cell == JOIN_LEFT:
                return self.error(f"表头第 {col + 1} 列是“||”：表头不能合并单元格，请在两条竖线"
                                  "之间写上文字或空格", header_row, "E982")
        grid = [[_joins(cell) for cell in self.raw_cells(tr, count)] for tr in trs]
        for row, kinds in enumerate(grid):
            if row == 0 and "up" in kinds:
                return self.error(f"表头下第一行第 {kinds.index('up') + 1} 列是“^^”：合并单元格"
                                  "不能跨越表头", trs[0], "E981")
            if kinds and kinds[0] == "left":
                return self.error("行首的“||”左边没有可合并的单元格：空单元格请在两条竖线之间"
                                  "写一个空格", trs[row], "E983")

        def origin(row: int, col: int) -> tuple[int, int]:
            while grid[row][col]:
                row, col = (row - 1, col) if grid[row][col] == "up" else (row, col - 1)
            return row, col
        covered: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for row, kinds in enumerate(grid):
            for col, kind in enumerate(kinds):
                if kind:
                    covered.setdefault(origin(row, col), []).append((row, col))
        merges = []
        for (row, col), cells in sorted(covered.items()):
            cols = 1
            while col + cols < count and grid[row][col + cols] == "left":
                cols += 1
            rows = 1
            while row + rows < len(grid) and grid[row + rows][col] == "up":
                rows += 1
            square = {(r, c) for r in range(row, row + rows) for c in range(col, col + cols)}
            stray = sorted(set(cells) ^ (square - {(row, col)}))
            if stray:
                return self.error(f"第 {row + 1} 行第 {col + 1} 列起的合并单元格不是矩形：向下合并"
                                  "（^^）的各行应合并同样多的列（||）", trs[stray[0][0]], "E984")
            for r, c in cells:
                table.rows[r][c] = []
            merges.append(Merge(row, col, rows, cols))
        return merges

    def inlines(self, node: SyntaxTreeNode, bold: bool = False, italic: bool = False
                ) -> list[Inline]:
        out: list[Inline] = []
        for child in node.children:
            kind = child.type
            if kind in ("text", "code_inline"):
                if BLOCK_MARK_START in child.content:
                    self.error("表格指令 table() 应单独成段：上下各空一行，不写在文字、标题或表格中",
                               None, "E218")
                    continue
                if child.content:
                    out.append(Span(child.content, bold, italic))
            elif kind == "strong":
                out.extend(self.inlines(child, True, italic))
            elif kind == "em":
                out.extend(self.inlines(child, bold, True))
            elif kind == "softbreak":
                # Chinese lines join without a space; Latin words keep one.
                prev = out[-1].text if out and isinstance(out[-1], Span) else ""
                nxt = _next_text(node.children, child)
                if SOFT_SPACE.search(prev) and ASCII_START.match(nxt):
                    out.append(Span(" ", bold, italic))
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "footnote_ref":
                out.append(FootnoteRef(f"{self.chapter.id}:{child.meta['label']}"))
            elif kind == "link":
                out.extend(self.inlines(child, bold, italic))
            elif kind == "image":
                self.error("图片应单独成段：![图题](路径) 前后空一行", None, "E212")
            elif kind in ("html_inline", "footnote_anchor"):
                continue
            else:
                out.extend(self.inlines(child, bold, italic))
        return _merge(out)


def _next_text(siblings: list[SyntaxTreeNode], node: SyntaxTreeNode) -> str:
    index = siblings.index(node)
    for sib in siblings[index + 1:]:
        if sib.type == "text":
            return sib.content
        if sib.children:
            return _next_text(sib.children, sib.children[0]) if sib.children[0].type != "text" \
                else sib.children[0].content
    return ""


def _joins(cell: str) -> str:
    """'up' for a ^^ cell, 'left' for a cell written || (nothing between the pipes), else ''."""
    return "up" if cell.strip() == JOIN_UP else "left" if cell == JOIN_LEFT else ""


def _split_row(line: str) -> list[str]:
    """Cells of a pipe-table line as markdown-it's escapedSplit cuts them, outer pipes dropped."""
    cells, current, escaped = [], "", False
    for char in line:
        if char == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\"
    cells.append(current)
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _merge(inlines: list[Inline]) -> list[Inline]:
    """Join neighbouring spans of the same format: fewer Word runs, same text."""
    out: list[Inline] = []
    for item in inlines:
        last = out[-1] if out else None
        if (isinstance(item, Span) and isinstance(last, Span)
                and (last.bold, last.italic) == (item.bold, item.italic)):
            out[-1] = Span(last.text + item.text, item.bold, item.italic)
        else:
            out.append(item)
    return out


def _align(cell: SyntaxTreeNode) -> str:
    style = str(cell.attrs.get("style", ""))
    return style.removeprefix("text-align:") if style.startswith("text-align:") else ""


def _is_caption(block: Block) -> bool:
    return isinstance(block, Paragraph) and plain_text(block.inlines).startswith(CAPTION_PREFIXES)


def _caption_text(block: Block) -> str:
    text = plain_text(block.inlines)  # type: ignore[union-attr]
    for prefix in CAPTION_PREFIXES:
        text = text.removeprefix(prefix)
    return text.strip()
