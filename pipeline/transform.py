"""Transform stage: pure functions from a parsed Plan to a numbered Document for one version."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from .chinese import format_number
from .names import TOC_BOOKMARK
from .errors import PlanError
from .model import (Block, Box, Document, FootnoteRef, Heading, Image, Inline, ListBlock,
                    ListItem, Note, Paragraph, Plan, Span, Table, TodoMarker, VersionBlock,
                    VersionSpec)

# Markers drafters leave for work still to do (plan-domain.md): TODO, 【待补】, 【待定：…】.
TODO = re.compile(r"TODO|【待[补定][^】]{0,40}】")


def resolve(plan: Plan, version: str, heading_numbers: list[str]) -> Document:
    if version not in plan.meta.versions:
        raise PlanError(f"plan.yaml 中没有版本“{version}”（可用：{'、'.join(plan.meta.versions)}）",
                        "plan.yaml", code="E301")
    spec = plan.meta.versions[version]
    blocks: list[Block] = []
    footnote_bodies: dict[str, list[Block]] = {}
    for chapter in plan.chapters:
        if version in chapter.versions:
            blocks.extend(select(chapter.blocks, spec))
            footnote_bodies.update(chapter.footnotes)
    number_headings(blocks, heading_numbers)
    number_objects(blocks)
    footnotes = number_footnotes(blocks, footnote_bodies)
    todos = todo_markers(blocks) + [m for body in footnotes.values() for m in todo_markers(body)]
    return Document(plan.meta, spec, blocks, footnotes, todos)


def select(blocks: list[Block], version: VersionSpec) -> list[Block]:
    """The blocks this version's readers see: version-limited text resolved, notes as set."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, VersionBlock):
            if version.key in block.versions:
                out.extend(select(block.blocks, version))
        elif isinstance(block, Note):
            if version.notes:
                out.append(replace(block, blocks=select(block.blocks, version)))
        elif isinstance(block, Box):
            out.append(replace(block, blocks=select(block.blocks, version)))
        elif isinstance(block, ListBlock):
            items = [ListItem(select(i.blocks, version), i.source) for i in block.items]
            out.append(replace(block, items=items))
        else:
            out.append(block)
    return out


def todo_markers(blocks: list[Block]) -> list[TodoMarker]:
    found = []
    for block in walk(blocks):
        for inlines in inlines_of(block):
            text = "".join(i.text for i in inlines if isinstance(i, Span))
            for match in TODO.finditer(text):
                context = text[max(0, match.start() - 12):match.end() + 12]
                found.append(TodoMarker(block.source, match.group(), context))
    return found


def walk(blocks: list[Block]) -> Iterator[Block]:
    """Every block in document order, nested ones included."""
    for block in blocks:
        yield block
        if isinstance(block, (Box, Note, VersionBlock)):
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
        block.bookmark = f"{TOC_BOOKMARK}{index + 1:08d}"


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
