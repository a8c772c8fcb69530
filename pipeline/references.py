"""Cross-references: `{#id}` gives a heading, a table's or figure's caption or a 专栏's title an
id; `[](#id)` or `[见](#id)` in the text refers to it. Reading the plan checks the ids (each used
once) and the references (each to an id the plan has); the transform stage prints a reference
as its words and the target's label as the plan numbers it (见表3, 第三章), linked to the
target's bookmark, so the numbers follow when a table or chapter is inserted before."""
from __future__ import annotations

from collections.abc import Iterator
from difflib import get_close_matches

from .errors import Diagnostic
from .model import Block, Box, CrossRef, Heading, Image, ParsedChapter, Source, Table, \
    inlines_of, walk


def target_source(block: Block) -> Source:
    """Where the id was written: a table's caption line, else the block's own line."""
    if isinstance(block, Table) and block.caption_source is not None:
        return block.caption_source
    return block.source


def targets(blocks: list[Block]) -> Iterator[tuple[str, Block]]:
    for block in walk(blocks):
        if isinstance(block, (Heading, Table, Box, Image)) and block.id:
            yield block.id, block


def references(blocks: list[Block]) -> Iterator[CrossRef]:
    for block in walk(blocks):
        for inlines in inlines_of(block):
            yield from (i for i in inlines if isinstance(i, CrossRef))


def check_references(parsed: list[ParsedChapter]) -> list[Diagnostic]:
    """Every id used once in the whole plan, every reference to an id the plan has."""
    bodies = [body for chapter in parsed for body in (chapter.blocks, *chapter.footnotes.values())]
    seen: dict[str, Source] = {}
    problems = []
    for body in bodies:
        for ident, block in targets(body):
            where = target_source(block)
            first = seen.setdefault(ident, where)
            if first is not where:
                problems.append(Diagnostic(
                    "E233", "error", f"标识“#{ident}”重复：{first.file}:{first.line} 已用过这个标识；"
                    "同一规划中每个标识只能用一次，请改用另一个", where.file, where.line))
    for body in bodies:
        for ref in references(body):
            if ref.target in seen:
                continue
            near = get_close_matches(ref.target, list(seen), n=1)
            hint = f"（是否指“#{near[0]}”？）" if near else \
                f"：请在要引用的标题、表题、图题或专栏标题末尾写上“{{#{ref.target}}}”"
            problems.append(Diagnostic("E234", "error", f"引用的标识“#{ref.target}”不存在{hint}",
                                       ref.source.file, ref.source.line))
    return problems
