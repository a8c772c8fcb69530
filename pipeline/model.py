"""The document model between parsing and writing: small typed blocks that know their source."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import PlanData


@dataclass(frozen=True)
class Source:
    file: str  # as shown to the drafter, relative to the plan folder
    line: int


# ---- inlines -------------------------------------------------------------

@dataclass
class Span:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class FootnoteRef:
    label: str
    number: int = 0  # assigned by the transform stage, through the whole document


@dataclass
class LineBreak:
    pass


Inline = Span | FootnoteRef | LineBreak


def plain_text(inlines: list[Inline]) -> str:
    return "".join(i.text for i in inlines if isinstance(i, Span))


# ---- blocks --------------------------------------------------------------

@dataclass
class Heading:
    level: int  # 1-based level in the numbering scheme
    inlines: list[Inline]
    source: Source
    number: str = ""  # generated, e.g. 第一章, 一、, （一）
    bookmark: str = ""

    @property
    def text(self) -> str:
        return plain_text(self.inlines)


@dataclass
class Paragraph:
    inlines: list[Inline]
    source: Source


@dataclass
class ListItem:
    blocks: list["Block"]
    source: Source


@dataclass
class ListBlock:
    items: list[ListItem]
    ordered: bool
    start: int
    source: Source


@dataclass(frozen=True)
class Merge:
    """One body cell spanning `rows` rows and `cols` columns from (row, col); the cells it covers
    stay in `Table.rows` but are not written."""
    row: int
    col: int
    rows: int = 1
    cols: int = 1


@dataclass
class Table:
    header: list[list[Inline]]
    rows: list[list[list[Inline]]]
    aligns: list[str]  # "left" | "center" | "right" | "" per column
    source: Source
    caption: str = ""
    number: int = 0
    merges: list[Merge] = field(default_factory=list)
    note: str = ""  # a line under the table, e.g. 注：〔 〕内为五年累计数。


@dataclass
class Box:
    """专栏: a boxed text numbered through the document."""
    title: str
    blocks: list["Block"]
    source: Source
    number: int = 0


@dataclass
class Note:
    """编者注: a drafters' note, never meant for outside readers."""
    blocks: list["Block"]
    source: Source


@dataclass
class Image:
    path: Path  # resolved, inside the plan folder
    caption: str
    source: Source
    number: int = 0


@dataclass
class PageBreak:
    source: Source


Block = Heading | Paragraph | ListBlock | Table | Box | Note | Image | PageBreak


# ---- plan ----------------------------------------------------------------

@dataclass
class VersionSpec:
    key: str  # draft | review | final
    label: str  # 初稿
    date: str  # YYYY-MM


@dataclass
class PlanMeta:
    title: str
    organization: str
    period: str
    versions: dict[str, VersionSpec]
    chapter_files: list[str] | None
    numbering: str
    layout: str


@dataclass
class Chapter:
    path: Path
    display: str
    id: str
    title: str
    owner: str
    status: str
    versions: list[str]
    body: str  # Markdown after the front matter
    body_line: int  # line of the body's first line in the file
    id_line: int = 1
    blocks: list[Block] = field(default_factory=list)
    footnotes: dict[str, list[Block]] = field(default_factory=dict)
    # Set by the render stage: the body as Markdown, the file line of each of its lines, and
    # the blocks that table directives built from data, by the key of their placeholder.
    markdown: str | None = None
    line_map: list[int] = field(default_factory=list)
    data_blocks: dict[str, Block] = field(default_factory=dict)

    def file_line(self, index: int) -> int:
        """Line in the chapter file of line `index` (0-based) of the Markdown that is parsed."""
        if self.line_map:
            return self.line_map[min(index, len(self.line_map) - 1)]
        return self.body_line + index


@dataclass
class Plan:
    root: Path
    meta: PlanMeta
    chapters: list[Chapter]
    data: PlanData | None = None


@dataclass
class Document:
    """A plan resolved for one version: numbered, footnotes numbered, ready to write."""
    meta: PlanMeta
    version: VersionSpec
    blocks: list[Block]
    footnotes: dict[int, list[Block]]
