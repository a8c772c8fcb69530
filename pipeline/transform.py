"""Transform stage: pure functions from a parsed Plan to a numbered Document for one version."""
from __future__ import annotations

from collections.abc import Iterator

from .chinese import format_number
from .errors import PlanError
from .model import (Block, Box, Document, FootnoteRef, Heading, Image, Inline, ListBlock,
                    Note, Paragraph, Plan, Table)


def resolve(plan: Plan, version: str, heading_numbers: list[str]) -> Document:
    if version not in plan.meta.versions:
        raise PlanError(f"plan.yaml 中没有版本“{version}”（可用：{'、'.join(plan.meta.versions)}）",
                        "plan.yaml", code="E301")
    blocks: list[Block] = []
    footnote_bodies: dict[str, list[Block]] = {}
    for chapter in plan.chapters:
        if version in chapter.versions:
            blocks.extend(chapter.blocks)
            footnote_bodies.update(chapter.footnotes)
    number_headings(blocks, heading_numbers)
    number_objects(blocks)
    footnotes = number_footnotes(blocks, footnote_bodies)
    return Document(plan.meta, plan.meta.versions[version], blocks, footnotes)


def walk(blocks: list[Block]) -> Iterator[Block]:
    """Every block in document order, nested ones included."""
    for block in blocks:
        yield block
        if isinstance(block, (Box, Note)):
            yield from walk(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk(item.blocks)


def inlines_of(block: Block) -> Iterator[list[Inline]]:
    if isinstance(block, (Heading, Paragraph)):
        yield block.inlines
    elif isinstance(block, Table):
        yield from block.header
        for row in block.rows:
            yield from row


def number_headings(blocks: list[Block], patterns: list[str]) -> None:
    counters = [0] * len(patterns)
    for index, block in enumerate(b for b in blocks if isinstance(b, Heading)):
        level = block.level - 1
        counters[level] += 1
        counters[level + 1:] = [0] * (len(patterns) - level - 1)
        block.number = format_number(patterns[level], counters[level])
        block.bookmark = f"_Toc{index + 1:08d}"


def number_objects(blocks: list[Block]) -> None:
    """表N, 图N and 专栏N each count through the whole document; uncaptioned tables take none."""
    counts = {Table: 0, Image: 0, Box: 0}
    for block in walk(blocks):
        kind = type(block)
        if kind in counts and not (isinstance(block, Table) and not block.caption):
            counts[kind] += 1
            block.number = counts[kind]  # type: ignore[union-attr]


def number_footnotes(blocks: list[Block], bodies: dict[str, list[Block]]) -> dict[int, list[Block]]:
    numbered: dict[int, list[Block]] = {}
    by_label: dict[str, int] = {}
    for block in walk(blocks):
        for inlines in inlines_of(block):
            for item in inlines:
                if isinstance(item, FootnoteRef):
                    if item.label not in by_label:
                        by_label[item.label] = len(by_label) + 1
                        numbered[by_label[item.label]] = bodies.get(item.label, [])
                    item.number = by_label[item.label]
    return numbered
