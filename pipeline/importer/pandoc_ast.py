"""pandoc's reading of a .docx (its JSON AST) → the pipeline's document blocks, with each
paragraph's number in the Word file (Source.line). Comments and tracked changes are counted by
the one Word reader (wordfile); pandoc accepts or rejects the changes and leaves comments out.

pandoc runs sandboxed (no file or network access beyond the input) with a memory ceiling."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import Diagnostic, PlanError, warning
from ..model import (Block, Box, FootnoteRef, Heading, Image, Inline, LineBreak, ListBlock,
                     ListItem, Merge, PageBreak, Paragraph, Source, Span, Table, plain_text)
from .text import PRIVATE_USE, tidy
from .wordxml import MARK, PAGE

PANDOC_MEMORY = "-M1536m"
ALIGNS = {"AlignLeft": "left", "AlignCenter": "center", "AlignRight": "right"}
BOX_TITLE = re.compile(r"^专栏\s*[\d０-９]*[\s\u3000:：、.．]*(.*)$")
SUPERSCRIPT = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def run_pandoc(path: Path, shown: str, changes: str = "accept") -> dict:
    """pandoc's AST of a .docx, its tracked changes accepted or rejected."""
    import pypandoc
    args = [f"--track-changes={changes}", "--quiet", "+RTS", PANDOC_MEMORY, "-RTS"]
    try:
        text = pypandoc.convert_file(str(path), "json", format="docx", extra_args=args,
                                     sandbox=True)
    except (RuntimeError, OSError) as exc:
        detail = str(exc).strip().splitlines()
        reason = detail[-1][:200] if detail else type(exc).__name__
        raise PlanError(f"pandoc 无法读取这个 Word 文件（{reason}）", shown, code="E985") from None
    try:
        return json.loads(text)
    except ValueError:
        raise PlanError("pandoc 的输出无法解析", shown, code="E985") from None


@dataclass
class ReadDocument:
    title: str
    blocks: list[Block]
    footnotes: dict[str, list[Block]]  # label "1", "2", … in reading order
    notes: list[Diagnostic] = field(default_factory=list)  # what was dropped or changed


def stringify(nodes: list) -> str:
    """Plain text of AST inlines or blocks, footnotes left out."""
    out = []
    for node in nodes:
        kind, c = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(c)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(c[1])
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                      "SmallCaps", "Para", "Plain"):
            out.append(stringify(c))
        elif kind in ("Span", "Link", "Quoted", "Cite", "Div"):
            out.append(stringify(c[1]))
        elif kind == "Header":
            out.append(stringify(c[2]))
    return "".join(out)


class AstReader:
    def __init__(self, shown: str):
        self.shown = shown
        self.footnotes: dict[str, list[Block]] = {}
        self.notes: list[Diagnostic] = []
        self.paragraph = 0  # the Word paragraph being read (its marker)

    def note(self, code: str, message: str, paragraph: int | None = None) -> None:
        self.notes.append(warning(code, message, self.shown, paragraph or self.paragraph or None))

    # ---- whole document ------------------------------------------------------------------
    def read(self, ast: dict) -> ReadDocument:
        meta = ast.get("meta", {}).get("title", {})
        title = tidy_text(stringify(meta.get("c", []))) if isinstance(meta, dict) else ""
        blocks = self.blocks(ast.get("blocks", []))
        return ReadDocument(title, blocks, self.footnotes, self.notes)

    def source(self) -> Source:
        return Source(self.shown, self.paragraph)

    # ---- blocks ------------------------------------------------------------------------
    def blocks(self, nodes: list) -> list[Block]:
        out: list[Block] = []
        previous = None
        for node in nodes:
            kind = node.get("t")
            if kind == "Table" and previous == "Table" and out and isinstance(out[-1], Box) \
                    and not self.opens_box(node["c"]):
                # The pipeline sets a 专栏 holding a table as framed tables one under the other
                # (docx/boxes.py): a table touching the box goes on with it.
                out[-1].blocks.extend(self.box_part(node["c"]))
            else:
                out.extend(self.block(node))
            if kind not in ("Para", "Plain") or MARK.sub("", stringify(node.get("c"))).strip():
                previous = kind  # an empty paragraph (what joins a box's parts) is passed over
        return out

    def opens_box(self, c: list) -> bool:
        """A table whose first cell starts with 专栏N 标题."""
        rows = self.rows(c)
        first = rows[0][1][0] if rows and rows[0][1] else None
        return bool(first) and bool(BOX_TITLE.match(cell_text(Cell(first[4], 1, 1))))

    @staticmethod
    def rows(c: list) -> list:
        _, _, _, head, bodies, foot = c
        return [*head[1], *(r for body in bodies for r in body[2] + body[3]), *foot[1]]

    def box_part(self, c: list) -> list[Block]:
        """A part of a 专栏: a one-column table's cells as the box's paragraphs, or a table."""
        if len(c[2]) > 1:
            return [self.table(c)]
        return [block for row in self.rows(c) for cell in row[1][:1]
                for block in self.blocks(cell[4])]

    def block(self, node: dict) -> list[Block]:
        kind, c = node.get("t"), node.get("c")
        if kind in ("Para", "Plain"):
            return self.para(c)
        if kind == "Header":
            inlines = self.inlines(c[2])
            return split_pages(Heading(int(c[0]), inlines, self.source()))
        if kind in ("BulletList", "OrderedList"):
            items_ast = c if kind == "BulletList" else c[1]
            start = int(c[0][0]) if kind == "OrderedList" else 1
            items = []
            for item in items_ast:
                blocks = self.blocks(item)
                items.append(ListItem(blocks, blocks[0].source if blocks else self.source()))
            return [ListBlock(items, kind == "OrderedList", start, self.source())]
        if kind in ("Div", "BlockQuote"):
            return self.blocks(c[1] if kind == "Div" else c)
        if kind == "Table":
            return [self.table(c)]
        if kind == "Figure":
            return self.figure(c)
        if kind == "CodeBlock":
            text = " ".join(line.strip() for line in c[1].splitlines() if line.strip())
            return [Paragraph([Span(text)], self.source())] if text else []
        if kind == "LineBlock":
            return [Paragraph(self.inlines(line), self.source()) for line in c]
        if kind == "DefinitionList":
            out: list[Block] = []
            for term, definitions in c:
                out.append(Paragraph(self.inlines(term, bold=True), self.source()))
                for definition in definitions:
                    out.extend(self.blocks(definition))
            return out
        if kind == "RawBlock":
            self.note("E996", f"原文中的 {c[0]} 原始内容未导入")
            return []
        return []  # HorizontalRule, Null: nothing a plan keeps

    def para(self, content: list) -> list[Block]:
        images = [n for n in content if isinstance(n, dict) and n.get("t") == "Image"]
        inlines = self.inlines(content)
        out: list[Block] = []
        if plain_text(inlines).strip(" \u3000" + PAGE) or any(
                not isinstance(i, Span) for i in inlines) or not images:
            out.extend(split_pages(Paragraph(inlines, self.source())))
        for image in images:
            attr, alt, (target, _) = image["c"]
            out.append(Image(Path(target), tidy_text(stringify(alt)), self.source()))
        if images and len(out) > len(images):
            self.note("E996", "图片与文字在同一段中：图片已另起一段")
        return [b for b in out if not (isinstance(b, Paragraph) and not b.inlines)]

    def figure(self, c: list) -> list[Block]:
        caption = tidy_text(stringify(c[1][1])) if c[1] and c[1][1] else ""
        blocks = self.blocks(c[2])
        for block in blocks:
            if isinstance(block, Image) and caption:
                block.caption = caption
        return blocks

    # ---- tables ------------------------------------------------------------------------
    def table(self, c: list) -> Block:
        _, caption, colspecs, head, bodies, foot = c
        ncols = max(len(colspecs), 1)
        rows = list(head[1])
        head_rows = len(rows)
        for body in bodies:
            rows += body[2] + body[3]
        rows += foot[1]
        grid = self.grid(rows, ncols)
        source = self.source()
        title = BOX_TITLE.match(cell_text(grid[0][0]) if grid and grid[0] and grid[0][0]
                                else "")
        if ncols == 1 and title and title.group(1).strip():
            return self.box(grid, title.group(1).strip(), source)
        aligns = [ALIGNS.get(spec[0].get("t", ""), "") for spec in colspecs] or [""]
        table = Table([], [], aligns, source)
        table.caption = tidy_text(stringify(caption[1][0]["c"])) if caption[1] and \
            caption[1][0].get("t") in ("Para", "Plain") else ""
        first = grid[0][0] if grid and grid[0] else None
        if title and title.group(1).strip() and isinstance(first, Cell) and first.cols == ncols:
            # A 专栏 that opens with its table: the box's title is the table's first row.
            self.fill_table(table, grid[1:], source)
            return Box(title.group(1).strip(), [table], source)
        self.fill_table(table, grid, source)
        if head_rows > table.head_rows:
            self.note("E996", f"表格有 {head_rows} 行表头：前 {table.head_rows} 行作表头，其余"
                              "作表身（只有表头单元格向下合并到的行才作表头）", source.line)
        return table

    def fill_table(self, table: Table, grid: list, source: Source) -> None:
        """The header and body rows of `table` from the grid, merges kept (the header row's
        as row -1); the rows under the header that a header cell spans down into are header
        rows too, as the Markdown reads them back."""
        for r, row in enumerate(grid):
            cells: list[list[Inline]] = []
            for col, cell in enumerate(row):
                if isinstance(cell, Cell):
                    cells.append(self.cell_inlines(cell, source.line))
                    if cell.cols > 1 or cell.rows > 1:
                        table.merges.append(Merge(r - 1, col, cell.rows, cell.cols))
                else:
                    cells.append([])
            if r == 0:
                table.header = cells
            else:
                table.rows.append(cells)
        head = 1
        while head < len(grid) and any(m.row + 1 < head < m.row + 1 + m.rows
                                       for m in table.merges):
            head += 1
        table.head_rows = head

    def grid(self, rows: list, ncols: int) -> list[list["Cell | str | None"]]:
        """Rows of cells, each position the Cell starting there, 'up'/'left' where a merged
        cell covers it, None where a row is short."""
        grid: list[list[Cell | str | None]] = []
        pending: dict[tuple[int, int], str] = {}
        for r, row in enumerate(rows):
            line: list[Cell | str | None] = [None] * ncols
            for (pr, pc), kind in list(pending.items()):
                if pr == r:
                    line[pc] = kind
                    del pending[(pr, pc)]
            col = 0
            for cell in row[1]:
                while col < ncols and line[col] is not None:
                    col += 1
                if col >= ncols:
                    break
                _, _, rowspan, colspan, blocks = cell
                rowspan, colspan = max(int(rowspan), 1), max(min(int(colspan), ncols - col), 1)
                rowspan = min(rowspan, len(rows) - r)
                line[col] = Cell(blocks, rowspan, colspan)
                for c2 in range(col + 1, col + colspan):
                    line[c2] = "left"
                for r2 in range(r + 1, r + rowspan):
                    for c2 in range(col, col + colspan):
                        pending[(r2, c2)] = "up" if c2 == col else "left"
                col += colspan
            grid.append(line)
        return grid

    def cell_inlines(self, cell: Cell, line: int) -> list[Inline]:
        blocks = self.blocks(cell.blocks)
        paragraphs = []
        for block in flatten(blocks):
            if isinstance(block, (Paragraph, Heading)):
                paragraphs.append(block.inlines)
            elif isinstance(block, Image):
                self.note("E996", "表格中的图片未导入", line)
            elif isinstance(block, Table):
                self.note("E996", "表格中嵌套的表格已展开为文字", line)
                for row in [block.header, *block.rows]:
                    paragraphs.append([Span(" ".join(plain_text(c) for c in row))])
        if len(paragraphs) > 1:
            self.note("E996", "表格单元格中的多段文字已合并为一段", line)
        out: list[Inline] = []
        for inlines in paragraphs:
            if out:
                out.append(Span(" "))
            out.extend(inlines)
        return tidy(out)

    def box(self, grid: list, title: str, source: Source) -> Box:
        blocks: list[Block] = []
        for r, row in enumerate(grid):
            cell = row[0]
            if not isinstance(cell, Cell):
                continue
            content = self.blocks(cell.blocks)
            if r == 0 and content:
                content = content[1:]  # the 专栏N title line
            blocks.extend(content)
        return Box(title, blocks, source)

    # ---- inlines -----------------------------------------------------------------------
    def inlines(self, nodes: list, bold: bool = False, italic: bool = False) -> list[Inline]:
        out: list[Inline] = []
        self._inlines(nodes, bold, italic, out)
        return tidy(out)

    def _inlines(self, nodes: list, bold: bool, italic: bool, out: list[Inline]) -> None:
        for node in nodes:
            kind, c = node.get("t"), node.get("c")
            if kind == "Str":
                out.append(Span(self.markers(c), bold, italic))
            elif kind in ("Space", "SoftBreak"):
                out.append(Span(" ", bold, italic))
            elif kind == "LineBreak":
                out.append(LineBreak())
            elif kind == "Strong":
                self._inlines(c, True, italic, out)
            elif kind == "Emph":
                self._inlines(c, bold, True, out)
            elif kind in ("Underline", "Strikeout", "SmallCaps", "Subscript"):
                self._inlines(c, bold, italic, out)
            elif kind == "Superscript":
                text = stringify(c)
                raised = text.translate(SUPERSCRIPT)
                if raised == text or any(ch not in "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻" for ch in raised):
                    self.note("E996", f"上标“{text}”按普通文字导入")
                    self._inlines(c, bold, italic, out)
                else:
                    out.append(Span(raised, bold, italic))
            elif kind == "Quoted":
                opening, closing = ("“", "”") if c[0].get("t") == "DoubleQuote" else ("‘", "’")
                out.append(Span(opening, bold, italic))
                self._inlines(c[1], bold, italic, out)
                out.append(Span(closing, bold, italic))
            elif kind in ("Link", "Cite"):
                self._inlines(c[1], bold, italic, out)
            elif kind == "Code":
                out.append(Span(c[1], bold, italic))
            elif kind == "Math":
                self.note("E996", f"公式“{c[1][:40]}”未能导入为公式，按其 TeX 文字保留")
                out.append(Span(c[1], bold, italic))
            elif kind == "Note":
                label = str(len(self.footnotes) + 1)
                here = self.paragraph
                self.footnotes[label] = self.blocks(c)
                self.paragraph = here
                out.append(FootnoteRef(label))
            elif kind == "Span":
                self.span(c, bold, italic, out)
            elif kind == "RawInline":
                self.note("E996", f"原文中的 {c[0]} 原始内容未导入")
            # Image: read by para(); anything else carries no text

    def span(self, c: list, bold: bool, italic: bool, out: list[Inline]) -> None:
        if "comment-start" in c[0][1]:  # (pandoc's accept/reject leave none; never text)
            return
        self._inlines(c[1], bold, italic, out)

    def markers(self, text: str) -> str:
        """The text without paragraph markers (the first one names the paragraph) and without
        private-use characters (symbol fonts' glyphs, which no other font shows)."""
        found = MARK.search(text)
        if found:
            self.paragraph = int(found.group(1))
            text = MARK.sub("", text)
        if PRIVATE_USE.search(text):
            self.note("E996", f"删去了 {len(PRIVATE_USE.findall(text))} 个私用区字符"
                              "（符号字体中的图形，其他字体无法显示）")
            text = PRIVATE_USE.sub("", text)
        return text


@dataclass
class Cell:
    blocks: list
    rows: int = 1
    cols: int = 1


def cell_text(cell: Cell | str | None) -> str:
    """The first line of a cell: where a 专栏 table has its title."""
    if not isinstance(cell, Cell):
        return ""
    for block in cell.blocks:
        text = tidy_text(stringify([block]))
        if text:
            return text
    return ""


def tidy_text(text: str) -> str:
    return plain_text(tidy([Span(MARK.sub("", text))]))


def flatten(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, ListBlock):
            for item in block.items:
                out.extend(flatten(item.blocks))
        elif isinstance(block, Box):
            out.append(Paragraph([Span(block.title)], block.source))
            out.extend(flatten(block.blocks))
        else:
            out.append(block)
    return out


def split_pages(block: Paragraph | Heading) -> list[Block]:
    """A paragraph holding page-break markers: the text around them, and the breaks."""
    if not any(isinstance(i, Span) and PAGE in i.text for i in block.inlines):
        return [block]
    out: list[Block] = []
    current: list[Inline] = []

    def flush() -> None:
        if plain_text(current).strip() or any(not isinstance(i, Span) for i in current):
            out.append(replace(block, inlines=tidy(current)))
        current.clear()
    for item in block.inlines:
        if not (isinstance(item, Span) and PAGE in item.text):
            current.append(item)
            continue
        first, *rest = item.text.split(PAGE)
        current.append(Span(first, item.bold, item.italic))
        for piece in rest:
            flush()
            out.append(PageBreak(block.source))
            current.append(Span(piece, item.bold, item.italic))
    flush()
    return out
