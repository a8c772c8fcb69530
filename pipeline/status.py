"""plan status: the table the 领导小组 asks for at each meeting — who owns what, how far along."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Box, Note, ParsedChapter, Plan, inlines_of, walk
from .transform import TODO


@dataclass(frozen=True)
class ChapterStatus:
    file: str
    id: str
    title: str
    owner: str
    status: str
    characters: int  # characters of text the chapter contributes, drafters' notes excluded
    todos: int
    versions: list[str]  # labels of the versions that include the chapter


def chapter_status(plan: Plan) -> list[ChapterStatus]:
    labels = {key: spec.name for key, spec in plan.meta.versions.items()}
    return [ChapterStatus(p.chapter.display, p.chapter.id, p.title, p.chapter.owner,
                          p.chapter.status, characters(p), len(TODO.findall(p.chapter.body)),
                          [labels[v] for v in p.chapter.versions])
            for p in plan.parsed]


def characters(chapter: ParsedChapter) -> int:
    notes = {id(b) for n in walk(chapter.blocks) if isinstance(n, Note) for b in walk(n.blocks)}
    count = 0
    for block in walk(chapter.blocks):
        if id(block) in notes or isinstance(block, Note):
            continue
        if isinstance(block, Box):
            count += len(block.title)
        for inlines in inlines_of(block):
            count += sum(len(i.text.strip()) for i in inlines if hasattr(i, "text"))
    return count
