"""The outline: the same heading checks the build makes (parse.heading_problems), reported as
findings instead of stopping, and sections that have a heading but nothing under it."""
from __future__ import annotations

from collections.abc import Iterator

from ..parse import heading_problems
from .registry import Context, Hit, chapter_rule
from .text import ChapterText, HeadingLine

# Codes of parse.heading_problems → the check rule that reports them.
BUILD_CODES = {"E203": "H501", "E201": "H502", "E202": "H502", "E204": "H503"}


def outline_of(text: ChapterText) -> list[HeadingLine]:
    """The headings as the parse stage numbers them: a title from the front matter comes first
    when the body does not open with its own level-1 heading (see parse.parse_chapter)."""
    headings = list(text.headings)
    opens_with_title = bool(text.outline) and text.outline[0] is not None \
        and text.outline[0].level == 1
    if text.chapter.title and not opens_with_title:
        headings.insert(0, HeadingLine(1, text.chapter.title, 2, -1))
    return headings


def problems(text: ChapterText, ctx: Context, code: str) -> Iterator[Hit]:
    headings = outline_of(text)
    by_line = {h.line: h for h in headings}
    for problem in heading_problems([(h.level, h.text, h.line) for h in headings], ctx.levels):
        if BUILD_CODES[problem.code] == code:
            heading = by_line[problem.line]
            offset = heading.offset if heading.offset >= 0 else 0
            yield Hit(text, offset, problem.message)


@chapter_rule("H501")
def typed_numbering(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    return problems(text, ctx, "H501")


@chapter_rule("H502")
def level_skips(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    return problems(text, ctx, "H502")


@chapter_rule("H503")
def empty_headings(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    return problems(text, ctx, "H503")


@chapter_rule("H504")
def empty_sections(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    blocks = text.outline
    for index, heading in enumerate(blocks):
        if heading is None:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        ends_here = index + 1 == len(blocks) or (following is not None
                                                and following.level <= heading.level)
        if ends_here:
            yield Hit(text, heading.offset, f"“{heading.text}”一节没有内容（标题下既无正文也无下级标题）")
