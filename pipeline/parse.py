"""Parse stage: chapter Markdown → document blocks, through markdown-it-py and its plugins."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.rules_block.table import escapedSplit
from markdown_it.tree import SyntaxTreeNode
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .errors import Diagnostic, PlanError
from .placeholders import BLOCK_MARK, BLOCK_PLACEHOLDER, TEMPLATE_COMMENT
from .files import inside
from .references import check_references
from .model import (Block, Box, Chapter, CrossRef, FootnoteRef, Heading, Image, Inline, LineBreak,
                    ListBlock, ListItem, Merge, Note, PageBreak, ParsedChapter, Paragraph,
                    Rendered, Source, Span, Table, VersionBlock, VersionSpec, map_blocks,
                    map_inlines, plain_text, walk)

BOX = "专栏"
NOTE = "编者注"
ONLY = "版本"  # ::: 版本 review final   (keys or labels: ::: 版本 征求意见稿 报批稿)
CONTAINERS = (BOX, NOTE, ONLY)
CAPTION_PREFIXES = ("表：", "表:")
# Numbering a drafter typed by hand; the pipeline generates it, so typed numbering would double up.
TYPED_NUMBER = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇\d]+[章节篇部分]|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十]+[）)]|\d+[.．、]\s*\S|[（(]\d+[）)]|\d{1,2}[ \t\u3000]+\S)")
# 表1　…, 图2 …, 专栏3 … typed into a caption or a box title: the label is generated too.
TYPED_LABEL = re.compile(r"^\s*(?:表|图|专栏)?\s*[0-9０-９]+(?:[-－.．][0-9０-９]+)?"
                         r"(?=[ \t\u3000:：.．、]|$)")
TYPED_TABLE_LABEL = re.compile(r"^\s*表\s*[0-9０-９]+(?:[-－.．][0-9０-９]+)?[ \t\u3000:：.．、]")
# 表3, 专栏2, 第三章 typed into a reference's words: the label is printed after them anyway.
TYPED_REFERENCE = re.compile(r"(?:表|图|专栏)\s*[0-9０-９]+$|第[一二三四五六七八九十百零〇\d]+[章节篇]$")
SOFT_SPACE = re.compile(r"[A-Za-z0-9,.;:!?)]$")
ASCII_START = re.compile(r"^[A-Za-z0-9(]")
CJK_INDENT = re.compile(r"^[\u3000 \t]+")
BLOCK_MARK_START = BLOCK_MARK[0]
# Merged cells in pipe tables, as MultiMarkdown writes them: a cell holding only ^^ joins the
# cell above; an empty cell with no space between its pipes (||) joins the cell to its left.
JOIN_UP, JOIN_LEFT = "^^", ""
# `##标题`: a heading with its space forgotten (`#1机组` is text: a unit's number).
HEADING_WITHOUT_SPACE = re.compile(r"#{1,6}(?=[^\s#0-9])")
# Pandoc's attributes at the end of a heading, a caption or a 专栏 title, in any combination:
# `{#id}` (what a cross-reference names), `{-}` or `{.unnumbered}` (序言, 附件: no number),
# `{.landscape}` (a table on landscape pages): `# 序言 {- #xuyan}`.
IDENTIFIER = r"[^\W_][\w.:-]*"
ATTRIBUTE = rf"(?:#{IDENTIFIER}|\.[^\W_][\w-]*|-)"
ATTRIBUTES = re.compile(rf"[ \t]*\{{[ \t]*((?:{ATTRIBUTE}[ \t]*)+)\}}[ \t]*$")
REFERENCE = re.compile(rf"^#({IDENTIFIER})$")
CONTAINER_LINE = re.compile(r"^[ \t>]*:{3,}[ \t]*$")
# `:: 专栏 标题`: a container with too few colons stays a paragraph.
SHORT_CONTAINER = re.compile(rf"^:{{1,2}}(?!:)[ \t]*(?:{'|'.join(CONTAINERS)})")
QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*")
TASK_BOX = re.compile(r"^\[[ xX]\][ \t]")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*[^>]*>|<![A-Za-z][^>]*>|<\?.*?\?>", re.S)
WEB_LINK = re.compile(r"^(?:https?|ftp)://", re.I)
IMAGE_FORMATS = ("PNG", "JPEG")
ALLOWED_SHOWN = {"unnumbered": "{-}（不编号）", "landscape": "{.landscape}（横排）"}


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    # HTML is read as HTML so that it can be refused (and comments dropped), never printed;
    # ~~strike~~ is read so that it can be refused.
    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(
        ["table", "strikethrough"])
    md.use(cjk_friendly)  # **加粗。**后接汉字: CommonMark's flanking rules alone reject it
    md.use(footnote_plugin)
    md.use(container_plugin, name=BOX)
    md.use(container_plugin, name=NOTE)
    md.use(container_plugin, name=ONLY)
    md.block.ruler.before("heading", "heading_without_space", _heading_without_space,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.inline.ruler.at("text", _text)
    return md


# markdown-it's own text rule steps one character at a time in Python, the parse's hottest loop
# on long Chinese paragraphs; this skips the same characters (its terminator set) in one match.
PLAIN_TEXT = re.compile(r"[^\n!#$%&*+\-:<=>@\[\\\]^_`{}~]+")


def _text(state: StateInline, silent: bool) -> bool:
    match = PLAIN_TEXT.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        state.pending += match.group()
    state.pos = match.end()
    return True


def _heading_without_space(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`##标题` read as the heading it was meant to be (marked `no_space`): the parse stage
    reports it at its own line, and the headings after it keep their true levels."""
    if state.is_code_block(start):
        return False
    begin = state.bMarks[start] + state.tShift[start]
    line = state.src[begin:state.eMarks[start]]
    match = HEADING_WITHOUT_SPACE.match(line)
    if not match:
        return False
    if silent:
        return True
    level = len(match.group())
    state.line = start + 1
    opening = state.push("heading_open", f"h{level}", 1)
    opening.markup, opening.map, opening.meta = "#" * level, [start, start + 1], {"no_space": True}
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = line[level:].strip(), [start, start + 1], []
    state.push("heading_close", f"h{level}", -1).markup = "#" * level
    return True


def parse_chapter(chapter: Chapter, rendered: Rendered, levels: int,
                  versions: dict[str, VersionSpec]) -> tuple[ParsedChapter, list[Diagnostic]]:
    """The chapter's blocks and footnotes, and everything wrong with them: a block that cannot
    be read is left out and reported, so one build names every problem of the chapter.
    `plan check` reports the same diagnostics (check/slips.py)."""
    text = strip_template_comments(rendered.markdown)
    reader = _Reader(chapter, rendered, versions, text.split("\n"))
    root = SyntaxTreeNode(markdown().parse(text))
    blocks = reader.blocks(root.children)
    problems = reader.problems + empty_chapter(chapter, blocks, reader.problems)
    title = chapter.title
    if title and not (blocks and isinstance(blocks[0], Heading) and blocks[0].level == 1):
        blocks.insert(0, Heading(1, [Span(title)], Source(chapter.display, 2)))
    if not title and blocks and isinstance(blocks[0], Heading) and blocks[0].level == 1:
        title = blocks[0].text
    problems += check_headings(blocks, levels, chapter.display)
    problems.sort(key=lambda d: d.line or 0)
    return ParsedChapter(chapter, title, blocks, reader.footnotes), problems


def empty_chapter(chapter: Chapter, blocks: list[Block], found: list[Diagnostic]
                  ) -> list[Diagnostic]:
    if blocks or found:
        return []
    what = "本章只有标题（章节属性 title），没有正文" if chapter.title else \
        "章节文件没有内容，不会出现在文档中"
    return [Diagnostic("E052", "warning", what, chapter.display)]


def glued_chapters(parsed: list[ParsedChapter]) -> list[Diagnostic]:
    """A chapter whose text does not open with a level-1 heading (or a front-matter title) is
    printed as the end of the chapter before it. Text before the first chapter's heading is
    the plan's preamble (序言), as real plan texts have one."""
    return [Diagnostic("E053", "error", "本章开头没有一级标题，这些文字会接在上一章之后：请在开头写"
                       "“# 章标题”，或在章节属性中写 title", p.chapter.display, p.blocks[0].source.line)
            for p in parsed[1:] if p.blocks and not isinstance(p.blocks[0], Heading)]


def plan_problems(parsed: list[ParsedChapter]) -> list[Diagnostic]:
    """What only the chapters together show: a chapter glued to the one before, an id used
    twice, a reference to an id no chapter has."""
    return glued_chapters(parsed) + check_references(parsed)


def strip_template_comments(text: str) -> str:
    """Drop {# … #} comments as Jinja would, keeping their line breaks so lines still match;
    `plan check` reads its silence markers from them."""
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
    def __init__(self, chapter: Chapter, rendered: Rendered, versions: dict[str, VersionSpec],
                 lines: list[str]):
        self.chapter = chapter
        self.rendered = rendered
        self.lines = lines  # of the Markdown parsed: what a drafter typed, for slips tokens lose
        self.problems: list[Diagnostic] = []
        self.version_names = {name: spec.key for spec in versions.values()
                              for name in (spec.key, spec.label) if name}
        self.file = chapter.display
        self.footnotes: dict[str, list[Block]] = {}
        self.row = 0  # Markdown line being read, for errors inside a block's text
        self.depth = 0  # lists around the one being read

    def source(self, node: SyntaxTreeNode) -> Source:
        return Source(self.file, self.rendered.file_line(node.map[0] if node.map else 0))

    def error(self, message: str, node: SyntaxTreeNode | None, code: str,
              line: int | None = None) -> None:
        """Report what cannot be read; the caller leaves it out and reading goes on."""
        if line is None:
            line = self.source(node).line if node is not None else \
                self.rendered.file_line(self.row)
        if not any(p.code == code and p.line == line for p in self.problems):  # <b>…</b>: once
            self.problems.append(Diagnostic(code, "error", message, self.file, line))

    def blocks(self, nodes: list[SyntaxTreeNode]) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            if node.type == "blockquote":
                out.extend(self.quote(node))
                continue
            if node.type == "table":
                self.row_widths(node)
            block = self.block(node)
            if block is None:
                continue
            if isinstance(block, Table) and out and _is_caption(out[-1]):
                caption = out.pop()
                block.caption_source = caption.source
                if any(isinstance(i, CrossRef) for i in caption.inlines):
                    self.error("表题中不能写引用“[](#标识)”：表题只能是文字", None, "E237",
                               caption.source.line)
                block.caption, block.id, classes = self.attributes(
                    _caption_text(caption), "表题", ("landscape",), caption.source.line)
                block.landscape = "landscape" in classes
                self.typed_label(block.caption, "表题", caption.source.line)
            elif isinstance(block, Table) and out and isinstance(out[-1], Paragraph) and \
                    TYPED_TABLE_LABEL.match(plain_text(out[-1].inlines)):
                text = plain_text(out[-1].inlines)
                self.error(f"表题“{text}”自带编号，不会成为表题：应写作“表：标题”（去掉编号），"
                           "编号由流水线生成", None, "E228", out[-1].source.line)
            out.append(block)
        return out

    def attributes(self, text: str, what: str, allowed: tuple[str, ...], line: int
                   ) -> tuple[str, str, list[str]]:
        """Text without the attributes at its end, its id and its classes (`-` is
        unnumbered); a class this kind of text cannot take is reported."""
        match = ATTRIBUTES.search(text)
        if not match:
            return text, "", []
        ids, classes = [], []
        for token in match.group(1).split():
            if token.startswith("#"):
                ids.append(token[1:])
            else:
                classes.append("unnumbered" if token == "-" else token[1:])
        wrong = [f".{c}" for c in classes if c not in allowed] + \
            [f"#{i}" for i in ids[1:]]
        if wrong:
            usable = "、".join(["{#标识}", *(ALLOWED_SHOWN[c] for c in allowed)])
            self.error(f"{what}的属性“{'、'.join(wrong)}”无法使用：{what}可写的属性为 {usable}"
                       "（一处只写一个标识）", None, "E236", line)
        return text[:match.start()], ids[0] if ids else "", classes

    def typed_label(self, text: str, what: str, line: int) -> None:
        if TYPED_LABEL.match(text):
            self.error(f"{what}“{text}”自带编号；表、图、专栏的编号由流水线自动生成，请删去手写的编号",
                       None, "E228", line)

    def block(self, node: SyntaxTreeNode) -> Block | None:
        kind = node.type
        src = self.source(node)
        self.row = node.map[0] if node.map else self.row
        if kind == "heading":
            return self.heading(node, src)
        if kind == "paragraph":
            return self.paragraph(node)
        if kind in ("bullet_list", "ordered_list"):
            return self.list_block(node, src)
        if kind == "table":
            return self.table(node)
        if kind.startswith("container_") and not self.closed(node):
            name = node.info.strip().split()[0] if node.info.strip() else ""
            return self.error(f"“::: {name}”没有结束行“:::”，其后的全部内容都会被当作{name}：请在"
                              f"{name}结束处单独写一行“:::”", node, "E226")
        if kind == f"container_{BOX}":
            title, ident, _ = self.attributes(node.info.strip().removeprefix(BOX).strip(),
                                              "专栏标题", (), src.line)
            if not title:
                return self.error("专栏缺少标题：应写作“::: 专栏 标题”", node, "E211")
            self.typed_label(title, "专栏标题", src.line)
            return Box(title, self.blocks(node.children), src, id=ident)
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
        if kind == "code_block":
            # Drafters who indent paragraphs with four spaces get a code block; keep it as text.
            text = " ".join(line.strip() for line in node.content.splitlines() if line.strip())
            return Paragraph([Span(text)], src) if text else None
        if kind == "fence":
            return self.error(f"不支持代码块（{node.markup[:3]} 围起的内容）：规划文本中没有代码；要照录的"
                              "文字请写成普通段落", node, "E224")
        if kind == "html_block":
            return self.html(node.content, node)
        if kind == "footnote_block":
            for footnote in node.children:
                label = f"{self.chapter.id}:{footnote.meta['label']}"
                self.footnotes[label] = self.blocks(footnote.children)
            return None
        return self.error(f"不支持的 Markdown 结构：{kind}", node, "E210")

    def closed(self, node: SyntaxTreeNode) -> bool:
        """A container ends at its own `:::` line; the container plugin closes an unclosed one
        at the end of the chapter (or of the container around it) without a word."""
        end = node.map[1] if node.map else len(self.lines)
        return end < len(self.lines) and bool(CONTAINER_LINE.match(self.lines[end]))

    def heading(self, node: SyntaxTreeNode, src: Source) -> Heading:
        level = int(node.tag[1])
        inlines = self.inlines(node.children[0])
        if node.markup in ("=", "-"):
            underline = "---" if node.markup == "-" else "==="
            self.error(f"段落下一行的“{underline}”把这段文字变成了标题（Markdown 的 setext 写法）："
                       "分页请在前后各空一行；标题请用“## 标题”的写法", node, "E229")
        elif node.meta.get("no_space"):
            self.error(f"“{'#' * level}{plain_text(inlines)}”的井号后缺少空格，不会成为标题："
                       f"应写作“{'#' * level} {plain_text(inlines)}”", node, "E219")
        ident, classes = "", []
        last = inlines[-1] if inlines else None
        if isinstance(last, Span):
            last.text, ident, classes = self.attributes(last.text, "标题", ("unnumbered",),
                                                        src.line)
            if not last.text:
                inlines.pop()
        return Heading(level, inlines, src, numbered="unnumbered" not in classes, id=ident)

    def list_block(self, node: SyntaxTreeNode, src: Source) -> ListBlock:
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        depth = self.depth
        self.depth += 1
        try:
            items = []
            for item in node.children:
                first = item.children[0] if item.children else None
                if first is not None and first.type == "paragraph" and \
                        TASK_BOX.match(first.children[0].content):
                    self.error(f"不支持任务列表（“{first.children[0].content[:3]}”）：规划文本中没有勾选框；"
                               "待办事项请写【待补】等待办标记，普通列表请去掉方括号", item, "E222")
                    continue
                items.append(ListItem(self.blocks(item.children), self.source(item)))
        finally:
            self.depth = depth
        return ListBlock(items, ordered, start, src, depth=depth)

    def quote(self, node: SyntaxTreeNode) -> list[Block]:
        """`> …`: a quotation, set as its paragraphs in the emphasis face (楷体)."""
        blocks = self.blocks(node.children)
        for block in walk(blocks):
            if not isinstance(block, (Paragraph, ListBlock)):
                self.error("引文（> 开头的段落）中只能写段落和列表，不能有标题、表格、图片或专栏",
                           None, "E223", block.source.line)
                return []
        return map_blocks(blocks, lambda b: map_inlines(b, _emphasised))

    def html(self, content: str, node: SyntaxTreeNode | None) -> None:
        """HTML comments are how drafters hide text: dropped from every version. Any other
        HTML is refused: the official format has no place for it."""
        rest = HTML_COMMENT.sub("", content)
        if "<!--" in rest:
            return self.error("注释“<!--”没有结束的“-->”：其后的文字都会被当作注释删去", node, "E220")
        tag = HTML_TAG.search(rest)
        if tag:
            return self.error(f"不支持 HTML 标记“{tag.group()[:40]}”：规划文本只用 Markdown 写法"
                              "（强调用 **加粗** 或 *楷体*，换行请另起一段）", node, "E220")
        if node is not None and rest.strip():
            return self.error(f"注释结束后的文字“{rest.strip()[:20]}”与注释在同一行，会被一起删去："
                              "请把它另起一行", node, "E220")
        return None

    def row_widths(self, node: SyntaxTreeNode) -> None:
        """A pipe-table row with more or fewer cells than the header: markdown-it pads or cuts
        it silently, shifting its cells under the wrong columns."""
        head, *body = node.children
        width = len(head.children[0].children)
        for section in body:
            for tr in section.children:
                line = QUOTE_PREFIX.sub("", self.lines[tr.map[0]]).strip()
                cells = escapedSplit(line)
                if cells and cells[0] == "":
                    cells.pop(0)
                if cells and cells[-1] == "":
                    cells.pop()
                if len(cells) != width:
                    self.error(f"表格此行有 {len(cells)} 个单元格，表头有 {width} 列：多出的单元格会丢失、"
                               "缺少的会错位；空单元格也要写出两侧的“|”", tr, "E230")

    def paragraph(self, node: SyntaxTreeNode) -> Block | None:
        inline = node.children[0]
        images = [c for c in inline.children if c.type == "image"]
        if images:
            others = [c for c in inline.children
                      if c.type != "image" and not (c.type in ("text", "softbreak")
                                                    and not c.content.strip())]
            after = others[0] if len(others) == 1 and inline.children[-1] is others[0] and \
                others[0].type == "text" and ATTRIBUTES.fullmatch(others[0].content) else None
            if (others and after is None) or len(images) > 1:
                return self.error("图片应单独成段：![图题](路径) 前后空一行", node, "E212")
            image = self.image(images[0], node)
            if image is not None and after is not None:
                _, image.id, _ = self.attributes(after.content, "图题", (), image.source.line)
            return image
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
        if SHORT_CONTAINER.match(text):
            return self.error(f"“{text.split()[0]}”少了冒号：容器以三个冒号开头，应写作"
                              f"“::: {BOX} 标题”“::: {NOTE}”或“::: {ONLY} 版本名”", node, "E227")
        if "[^" in text:
            return self.error("脚注引用没有对应的脚注内容（应在文末写“[^标签]: 内容”）", node, "E214")
        if inlines and isinstance(inlines[0], Span):
            inlines[0].text = CJK_INDENT.sub("", inlines[0].text)
        printed = text.strip() or len(inlines) > 1 or any(isinstance(i, CrossRef) for i in inlines)
        return Paragraph(inlines, self.source(node)) if printed else None

    def image(self, node: SyntaxTreeNode, para: SyntaxTreeNode) -> Image | None:
        src = self.source(para)
        target = unquote(str(node.attrs.get("src", "")))  # markdown-it %-encodes 图.png
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            return self.error(f"图片只能引用规划目录内的文件，不能引用网址：{target}", para, "E215")
        root = self.chapter.path.parent.parent
        try:
            path = inside(root, self.chapter.path.parent / target, self.file, src.line)
        except PlanError as exc:
            return self.error(exc.message, para, exc.code)
        if not path.is_file():
            return self.error(f"找不到图片文件：{target}", para, "E216")
        problem = image_problem(path)
        if problem:
            return self.error(f"图片 {target} {problem[1]}", para, problem[0])
        caption = "".join(c.content for c in node.children if c.type == "text")
        self.typed_label(caption, "图题", src.line)
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
        is not a rectangle. The header row may merge too: a ^^ below it makes its row part of
        the header (Table.head_rows), as a 序号 cell spanning two header rows does."""
        count = len(table.aligns)
        nodes = [header_row, *trs]
        grid = [[_joins(cell) for cell in self.raw_cells(node, count)] for node in nodes]
        if "up" in grid[0]:
            return self.error("表格第一行（表头）中的“^^”上方没有可合并的单元格", header_row,
                              "E980")
        for row, kinds in enumerate(grid):
            if kinds and kinds[0] == "left":
                return self.error("行首的“||”左边没有可合并的单元格：空单元格请在两条竖线之间"
                                  "写一个空格", nodes[row], "E983")

        def origin(row: int, col: int) -> tuple[int, int]:
            while grid[row][col]:
                row, col = (row - 1, col) if grid[row][col] == "up" else (row, col - 1)
            return row, col
        covered: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for row, kinds in enumerate(grid):
            for col, kind in enumerate(kinds):
                if kind:
                    covered.setdefault(origin(row, col), []).append((row, col))
        head = 1
        while head < len(grid) and any(kind == "up" and origin(head, col)[0] < head
                                       for col, kind in enumerate(grid[head])):
            head += 1
        table.head_rows = head
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
                start = f"第 {row} 行" if row else "表头"
                return self.error(f"{start}第 {col + 1} 列起的合并单元格不是矩形：向下合并"
                                  "（^^）的各行应合并同样多的列（||）", nodes[stray[0][0]], "E984")
            for r, c in cells:
                (table.header if r == 0 else table.rows[r - 1])[c] = []
            merges.append(Merge(row - 1, col, rows, cols))
        return merges

    def inlines(self, node: SyntaxTreeNode, bold: bool = False, italic: bool = False
                ) -> list[Inline]:
        out: list[Inline] = []
        if node.type == "inline" and node.map:
            self.row = node.map[0]
        for child in node.children:
            kind = child.type
            if kind in ("text", "code_inline"):
                if BLOCK_MARK_START in child.content:
                    self.error("表格指令 table() 应单独成段：上下各空一行，不写在文字、标题或表格中",
                               None, "E218")
                    continue
                if kind == "text" and "<!--" in child.content:
                    self.html(child.content, None)
                    continue
                if kind == "text" and "~~" in child.content:  # ~~ beside punctuation stays text
                    self.strike(child.content)
                    continue
                if child.content:
                    out.append(Span(child.content, bold, italic))
            elif kind == "strong":
                out.extend(self.inlines(child, True, italic))
            elif kind == "em":
                out.extend(self.inlines(child, bold, True))
            elif kind == "softbreak":
                self.row += 1
                # Chinese lines join without a space; Latin words keep one.
                prev = out[-1].text if out and isinstance(out[-1], Span) else ""
                nxt = _next_text(node.children, child)
                if SOFT_SPACE.search(prev) and ASCII_START.match(nxt):
                    out.append(Span(" ", bold, italic))
            elif kind == "hardbreak":
                self.row += 1
                out.append(LineBreak())
            elif kind == "footnote_ref":
                out.append(FootnoteRef(f"{self.chapter.id}:{child.meta['label']}"))
            elif kind == "link":
                out.extend(self.link(child, bold, italic))
            elif kind == "image":
                self.error("图片应单独成段：![图题](路径) 前后空一行", None, "E212")
            elif kind == "html_inline":
                self.html(child.content, None)
            elif kind == "s":
                self.strike(f"~~{plain_text(self.inlines(child))}~~")
            elif kind == "footnote_anchor":
                continue
            else:
                out.extend(self.inlines(child, bold, italic))
        return _merge(out)

    def strike(self, text: str) -> None:
        self.error(f"不支持删除线“{text}”：正式文本中没有删除线；要删去的文字请直接删除"
                   "（修改对照由 plan diff 生成）", None, "E221")

    def link(self, node: SyntaxTreeNode, bold: bool, italic: bool) -> list[Inline]:
        """A printed text cannot be clicked: a web address is printed after the words, in
        brackets as plan texts write it; `<http://…>` prints the address once."""
        words = self.inlines(node, bold, italic)
        href = unquote(str(node.attrs.get("href", "")))
        shown = href.removeprefix("mailto:")
        reference = REFERENCE.match(href)
        if reference:
            where = Source(self.file, self.rendered.file_line(self.row))
            text, ident = plain_text(words), reference.group(1)
            typed = TYPED_REFERENCE.search(text)
            if typed:
                self.error(f"引用“[{text}](#{ident})”的文字自带编号“{typed.group()}”：编号由流水线生成，"
                           f"应写作“[{text[:typed.start()]}](#{ident})”", None, "E238", where.line)
            return [CrossRef(reference.group(1), words, where, bold, italic)]
        if node.markup == "autolink" or plain_text(words) == shown:
            return words
        if WEB_LINK.match(href) or href.startswith("mailto:"):
            return [*words, Span(f"（{shown}）", bold, italic)]
        self.error(f"链接“{plain_text(words)}”指向“{href}”：印出的文本中无法跳转；请写出网址"
                   "（http:// 或 https:// 开头），或去掉链接只留文字", None, "E225")
        return words


def image_problem(path: Path) -> tuple[str, str] | None:
    """Why an image file cannot go into the Word file, as (code, words): not an image, not a
    PNG or JPEG (an SVG), or cut short. Pillow decodes it whole, so a truncated file is caught
    here and not as a black box in the PDF."""
    from PIL import Image as PILImage, UnidentifiedImageError  # only plans with figures pay

    try:
        with PILImage.open(path) as img:
            kind = img.format
            if kind in IMAGE_FORMATS:
                img.load()
    except UnidentifiedImageError:
        head = path.read_bytes()[:512].lstrip()
        if path.suffix.lower() == ".svg" or head.startswith((b"<svg", b"<?xml")):
            return "E231", "是 SVG 矢量图，Word 文件只收 PNG 或 JPEG：请导出为 PNG（建议 300 dpi）"
        return "E231", "不是图片文件（无法识别格式），请换成 PNG 或 JPEG 图片"
    except PILImage.DecompressionBombError:
        return "E231", "像素过多，疑为异常文件，请缩小后再用"
    except (OSError, SyntaxError, ValueError):
        return "E232", "已损坏或不完整（文件可能没有传完），请重新导出或复制"
    if kind not in IMAGE_FORMATS:
        return "E231", f"是 {kind} 格式，Word 文件只收 PNG 或 JPEG：请转换后再用"
    return None


def _emphasised(inlines: list[Inline]) -> list[Inline]:
    return [replace(i, italic=True) if isinstance(i, Span) else i for i in inlines]
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
