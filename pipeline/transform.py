"""Transform stage: pure functions from a parsed Plan to a numbered Document for one version.

Nothing here changes what it is given: every function returns new blocks, so one parsed plan
resolves to several versions side by side (a redline compares two of them)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .chinese import format_number
from .names import TOC_BOOKMARK
from .errors import PlanError
from .model import (Block, Box, Document, FootnoteRef, Heading, Image, Inline, ListBlock,
                    Note, Plan, Span, Table, TodoMarker, VersionBlock, VersionSpec,
                    inlines_of, map_blocks, map_inlines, walk)

# Markers drafters leave for work still to do (plan-domain.md): TODO, 【待补】, 【待定：…】.
TODO = re.compile(r"TODO|【待[补定][^】]{0,40}】")
LABEL_GAP = "\u3000"  # between 表1 and the caption, as plan texts print it


@dataclass(frozen=True)
class Level:
    """One level of a numbering scheme: 第{cn}章　, and whether its count runs on through the
    levels above it (the chapters of an outline plan count through its 篇)."""
    pattern: str
    continuous: bool = False


@dataclass(frozen=True)
class Labels:
    """The words before a number: 表1, 图1, 专栏1 (from the layout profile)."""
    table: str
    figure: str
    box: str
    # List item markers per nesting level, (ordered, bullet); deeper lists take the last.
    lists: tuple[tuple[str, str], ...] = (("{n}.", "●"),)


def resolve(plan: Plan, version: str, heading_numbers: list[Level], labels: Labels
            ) -> Document:
    if version not in plan.meta.versions:
        raise PlanError(f"plan.yaml 中没有版本“{version}”（可用：{'、'.join(plan.meta.versions)}）",
                        "plan.yaml", code="E301")
    spec = plan.meta.versions[version]
    blocks: list[Block] = []
    footnote_bodies: dict[str, list[Block]] = {}
    for parsed in plan.parsed:
        if version in parsed.chapter.versions:
            blocks.extend(select(parsed.blocks, spec))
            footnote_bodies.update(parsed.footnotes)
    blocks = number_headings(blocks, heading_numbers)
    blocks = number_objects(blocks, labels)
    blocks = list_markers(blocks, labels.lists)
    blocks, footnotes = number_footnotes(blocks, footnote_bodies)
    blocks = mark_todos(blocks)
    footnotes = {n: mark_todos(body) for n, body in footnotes.items()}
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
            out.append(replace(block, items=[replace(i, blocks=select(i.blocks, version))
                                             for i in block.items]))
        else:
            out.append(block)
    return out


def number_headings(blocks: list[Block], levels: list[Level]) -> list[Block]:
    """第一章, 一、 …: counted per level through the document, a level restarting under each
    heading above it unless it is continuous (第一篇 第一章 … 第二篇 第四章); an unnumbered
    heading (序言) takes no number and leaves the counters as they are. Every heading gets its
    目录 bookmark."""
    counters = [0] * len(levels)
    out: list[Block] = []
    index = 0
    for block in blocks:
        if isinstance(block, Heading):
            index += 1
            number = ""
            if block.numbered:
                level = block.level - 1
                counters[level] += 1
                for deeper in range(level + 1, len(levels)):
                    if not levels[deeper].continuous:
                        counters[deeper] = 0
                number = format_number(levels[level].pattern, counters[level])
            block = replace(block, number=number, bookmark=f"{TOC_BOOKMARK}{index:08d}")
        out.append(block)
    return out


def number_objects(blocks: list[Block], labels: Labels) -> list[Block]:
    """表N, 图N and 专栏N each count through the whole document; uncaptioned tables take none."""
    counts = {Table: 0, Image: 0, Box: 0}

    def number(block: Block) -> Block:
        kind = type(block)
        if kind not in counts or (isinstance(block, Table) and not block.caption):
            return block
        counts[kind] += 1
        n = counts[kind]
        prefix = labels.table if kind is Table else labels.box if kind is Box else labels.figure
        return replace(block, number=n, label=f"{prefix}{n}")
    return map_blocks(blocks, number)


def list_markers(blocks: list[Block], levels: tuple[tuple[str, str], ...]) -> list[Block]:
    """Each list's item marker by its nesting level: 1. → （1） → ①, ● → ○ → ■ as the layout
    profile says, so a nested list reads as one, not as a second list numbered from 1."""
    def mark(block: Block) -> Block:
        if not isinstance(block, ListBlock):
            return block
        ordered, bullet = levels[min(block.depth, len(levels) - 1)]
        return replace(block, marker=ordered if block.ordered else bullet)
    return map_blocks(blocks, mark)


def number_footnotes(blocks: list[Block], bodies: dict[str, list[Block]]
                     ) -> tuple[list[Block], dict[int, list[Block]]]:
    """Footnotes numbered 1, 2, … in the order their first reference is read."""
    numbered: dict[int, list[Block]] = {}
    by_label: dict[str, int] = {}

    def refs(inlines: list[Inline]) -> list[Inline]:
        out: list[Inline] = []
        for item in inlines:
            if isinstance(item, FootnoteRef):
                if item.label not in by_label:
                    by_label[item.label] = len(by_label) + 1
                    numbered[by_label[item.label]] = bodies.get(item.label, [])
                item = replace(item, number=by_label[item.label])
            out.append(item)
        return out
    blocks = map_blocks(blocks, lambda block: map_inlines(block, refs))
    return blocks, numbered


def mark_todos(blocks: list[Block]) -> list[Block]:
    """Each TODO marker its own span, marked, so every version shows it highlighted."""
    def split(inlines: list[Inline]) -> list[Inline]:
        out: list[Inline] = []
        for item in inlines:
            if not isinstance(item, Span) or item.todo or not TODO.search(item.text):
                out.append(item)
                continue
            at = 0
            for match in TODO.finditer(item.text):
                if match.start() > at:
                    out.append(replace(item, text=item.text[at:match.start()]))
                out.append(replace(item, text=match.group(), todo=True))
                at = match.end()
            if at < len(item.text):
                out.append(replace(item, text=item.text[at:]))
        return out
    return map_blocks(blocks, lambda block: map_inlines(block, split))


def todo_markers(blocks: list[Block]) -> list[TodoMarker]:
    found = []
    for block in walk(blocks):
        for inlines in inlines_of(block):
            text, at = "", []
            for item in inlines:
                if isinstance(item, Span):
                    if item.todo:
                        at.append((len(text), item.text))
                    text += item.text
            for start, marker in at:
                context = text[max(0, start - 12):start + len(marker) + 12]
                found.append(TodoMarker(block.source, marker, context))
    return found
