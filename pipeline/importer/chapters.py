"""The recognised blocks cut into chapters, one per 章 (level-1 heading), and what stands before
the first one: the title, the 规划期限 and 编制单位 of the cover, a table of contents; any other
text there is kept in an 编者注 at the head of the first chapter, not lost."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Diagnostic, info, warning
from ..model import Block, Heading, PageBreak, Paragraph, Source, Span, plain_text
from .headings import TOC_LINE
from .objects import CLOSING
from .wordxml import Cue

PERIOD = re.compile(r"^[（(]?\s*(\d{4})(?:\s*[—–\-－~～至到]+\s*(\d{4}))?\s*年?\s*[）)]?$")
ORGANIZATION = re.compile(r"(局|委|厅|办|政府|办公室|委员会|院|所|中心|公司|集团|部|署|会)$")
UNSAFE = re.compile(r'[\\/:*?"<>|\s\u3000]+')
TOC_TITLE = ("目录", "目次")


@dataclass
class ImportedChapter:
    number: int
    title: str
    blocks: list[Block]  # the level-1 heading first (in the first, any text before it)

    @property
    def file_name(self) -> str:
        return f"{self.number:02d}-{file_stem(self.title)}.md"

    @property
    def id(self) -> str:
        return f"ch{self.number:02d}"


@dataclass
class Outline:
    title: str
    period: str = ""
    organization: str = ""
    chapters: list[ImportedChapter] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    toc_lines: int = 0
    cover_lines: list[str] = field(default_factory=list)


def file_stem(title: str, limit: int = 40) -> str:
    """A chapter title as a file name: Chinese kept, what file systems refuse taken out."""
    stem = UNSAFE.sub("-", title).strip("-.") or "章"
    return stem[:limit]


def cover_like(text: str) -> bool:
    return len(text) <= 40 and not text.endswith(tuple(CLOSING))


def outline(blocks: list[Block], cues: dict[int, Cue], title: str, fallback_title: str,
            file: str, toc_lines: int = 0) -> Outline:
    """Chapters and cover; `title` is the document's own (Word's Title style), if any;
    `toc_lines` the lines of a table of contents already left out."""
    first = next((i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.level == 1),
                 None)
    front, body = (blocks[:first], blocks[first:]) if first is not None else ([], blocks)
    result = Outline(title, toc_lines=toc_lines)
    kept: list[Block] = []
    for block in front:
        if isinstance(block, PageBreak):
            continue
        text = plain_text(block.inlines).strip() if isinstance(block, Paragraph) else ""
        cue = cues.get(block.source.line, Cue()) if hasattr(block, "source") else Cue()
        if isinstance(block, Paragraph) and text in TOC_TITLE:
            continue  # the 目录 line; its entries are counted
        if isinstance(block, Paragraph) and TOC_LINE.search(text) and len(text) <= 60:
            result.toc_lines += 1
            continue
        if isinstance(block, Paragraph) and cover_like(text) and not kept:
            if not result.title and (cue.align == "center" or cue.emphasis or cue.size >= 18):
                result.title = text
            elif PERIOD.match(text) and not result.period:
                start, end = PERIOD.match(text).groups()
                result.period = f"{start}—{end}年" if end else f"{start}年"
            elif ORGANIZATION.search(text) and not result.organization and \
                    not text.startswith("（"):
                result.organization = text
            else:
                result.cover_lines.append(text)
            continue
        kept.append(Paragraph([Span(block.text, bold=True)], block.source)
                    if isinstance(block, Heading) else block)
    if not result.title:
        result.title = fallback_title
    if first is None:
        result.notes.append(warning("E997", "未识别出章标题（“第X章”、标题样式或“一、”）："
                                            f"全文导入为一章“{result.title}”", file))
        body = [Heading(1, [Span(result.title)], Source(file, 0)), *body]
    if kept:
        result.notes.append(info("E996", f"第一章标题之前有 {len(kept)} 段正文（如序言）：放在第一章"
                                         "文件开头、章标题之前，生成时照样排在第一章之前", file,
                                 kept[0].source.line or None))
    if result.cover_lines:
        result.notes.append(info("E996", "封面上的文字未导入："
                                         + "；".join(result.cover_lines[:8]), file))
    if result.toc_lines:
        result.notes.append(info("E996", f"原文目录 {result.toc_lines} 行未导入（流水线生成目录）",
                                 file))
    number = 0
    for block in body:
        if kept and not result.chapters and isinstance(block, Heading) and block.level == 1:
            number += 1
            result.chapters.append(ImportedChapter(number, plain_text(block.inlines),
                                                   [*kept, block]))
            continue
        if isinstance(block, Heading) and block.level == 1:
            number += 1
            result.chapters.append(ImportedChapter(number, plain_text(block.inlines), [block]))
        elif result.chapters:
            result.chapters[-1].blocks.append(block)
    return result
