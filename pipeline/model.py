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


# ---- tracked changes (only in a redline made by the diff stage) ----------

@dataclass(frozen=True)
class Change:
    """What happened to a run, a paragraph mark or a table row between two texts."""
    kind: str  # "ins" | "del" | "moveFrom" | "moveTo"
    move: str = ""  # the name pairing a moveFrom with its moveTo


@dataclass(frozen=True)
class Redline:
    """Who made the tracked changes of a redline, and when (ISO 8601, UTC)."""
    author: str
    date: str


# ---- inlines -------------------------------------------------------------

@dataclass
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    change: Change | None = None


@dataclass
class FootnoteRef:
    label: str
    number: int = 0  # assigned by the transform stage, through the whole document
    change: Change | None = None  # redline: the reference (and so the footnote) added or removed


@dataclass
class LineBreak:
    pass


Inline = Span | FootnoteRef | LineBreak


def plain_text(inlines: list[Inline]) -> str:
    """The text a reader sees; in a redline, the new text (deleted runs left out)."""
    return "".join(i.text for i in inlines if isinstance(i, Span) and not is_removed(i.change))


def is_removed(change: Change | None) -> bool:
    return change is not None and change.kind in ("del", "moveFrom")


# ---- blocks --------------------------------------------------------------

@dataclass
class Heading:
    level: int  # 1-based level in the numbering scheme
    inlines: list[Inline]
    source: Source
    number: str = ""  # generated, e.g. 第一章, 一、, （一）
    bookmark: str = ""
    change: Change | None = None  # redline: the paragraph mark inserted or deleted
    label_change: list[Inline] = field(default_factory=list)  # redline: the number, tracked

    @property
    def text(self) -> str:
        return plain_text(self.inlines)


@dataclass
class Paragraph:
    inlines: list[Inline]
    source: Source
    change: Change | None = None  # redline: the paragraph mark inserted, deleted or moved


@dataclass
class ListItem:
    blocks: list["Block"]
    source: Source
    change: Change | None = None  # redline: the whole item (and its marker) inserted or deleted


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
    caption_source: Source | None = None  # the 表：… line
    merges: list[Merge] = field(default_factory=list)
    note: str = ""  # a line under the table, e.g. 注：〔 〕内为五年累计数。
    row_sources: list[Source] = field(default_factory=list)  # per body row, where known
    change: Change | None = None  # redline: the whole table inserted or deleted
    row_changes: list[Change | None] = field(default_factory=list)  # redline: per body row
    label_change: list[Inline] = field(default_factory=list)  # redline: the caption line, tracked


@dataclass
class Box:
    """专栏: a boxed text numbered through the document."""
    title: str
    blocks: list["Block"]
    source: Source
    number: int = 0
    change: Change | None = None  # redline: the whole box inserted or deleted
    label_change: list[Inline] = field(default_factory=list)  # redline: the title line, tracked


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
    change: Change | None = None  # redline: the whole figure inserted or deleted
    label_change: list[Inline] = field(default_factory=list)  # redline: the caption, tracked


@dataclass
class PageBreak:
    source: Source


@dataclass
class VersionBlock:
    """Text that belongs to some versions only (`::: 版本 review final`)."""
    versions: list[str]
    blocks: list["Block"]
    source: Source


Block = Heading | Paragraph | ListBlock | Table | Box | Note | Image | PageBreak | VersionBlock


# ---- plan ----------------------------------------------------------------

@dataclass
class VersionSpec:
    """What one version shows its readers; every field can be set in plan.yaml."""
    key: str  # draft | review | final
    label: str  # 初稿; "" prints no label (the published text)
    date: str  # YYYY-MM; "" means the source date
    organization: str = ""  # 编制单位 on the cover, when it differs from the plan's
    notes: bool = False  # drafters' notes (编者注) shown
    header: bool = False  # title and label in the page header
    line_numbers: bool = False  # numbered lines, restarting on each page, for 第N页第M行
    mark: str = ""  # a mark in the header, such as 内部讨论稿
    revision: bool = False  # source commit and date in the header
    todo: str = "error"  # what a TODO marker is in this version: info | warning | error
    strict: bool = True  # plan check errors refuse the build
    responses: str = "info"  # a review opinion without 采纳情况 (reviews/*.yaml): same levels


@dataclass(frozen=True)
class SourceRevision:
    commit: str  # short hash, "" outside git
    dirty: bool  # uncommitted changes in the plan folder
    date: str  # YYYY-MM-DD of the source date
    epoch: int = 0  # the source date in seconds, for file stamps


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


@dataclass(frozen=True)
class TodoMarker:
    source: Source
    marker: str
    context: str  # the text around it, for the message


@dataclass
class Document:
    """A plan resolved for one version: numbered, footnotes numbered, ready to write."""
    meta: PlanMeta
    version: VersionSpec
    blocks: list[Block]
    footnotes: dict[int, list[Block]]
    todos: list[TodoMarker] = field(default_factory=list)
    revision: SourceRevision = SourceRevision("", False, "")
    redline: Redline | None = None  # set when blocks carry tracked changes
    front_matter: bool = True  # cover and 目录 before the body (a plain table document has none)
