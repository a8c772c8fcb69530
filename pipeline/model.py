"""The document model between parsing and writing: small typed blocks that know their source."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import PlanData
    from .errors import Diagnostic
    from .workspace_data import CountyData


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
    todo: bool = False  # a TODO marker, highlighted wherever it shows (set by the transform)


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
    numbered: bool = True  # False: 序言, 附件 … (`{-}`): no number, still in the 目录
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
    depth: int = 0  # 0 for a list in the text, 1 for one inside a list item, …
    marker: str = ""  # the item marker's pattern, e.g. "{n}." or "（{n}）" or "●" (transform)


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
    label: str = ""  # the number as printed, given by the transform: 表1, 专栏1, 图1
    caption_source: Source | None = None  # the 表：… line
    merges: list[Merge] = field(default_factory=list)
    note: str = ""  # a line under the table, e.g. 注：〔 〕内为五年累计数。
    row_sources: list[Source] = field(default_factory=list)  # per body row, where known
    change: Change | None = None  # redline: the whole table inserted or deleted
    row_changes: list[Change | None] = field(default_factory=list)  # redline: per body row
    label_change: list[Inline] = field(default_factory=list)  # redline: the caption line, tracked
    landscape: bool = False  # on landscape pages of its own (表：… {.landscape})


@dataclass
class Box:
    """专栏: a boxed text numbered through the document."""
    title: str
    blocks: list["Block"]
    source: Source
    number: int = 0
    label: str = ""  # the number as printed, given by the transform: 表1, 专栏1, 图1
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
    label: str = ""  # the number as printed, given by the transform: 表1, 专栏1, 图1
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


# ---- one walk and one map over the model -------------------------------------

def walk(blocks: list[Block]) -> Iterator[Block]:
    """Every block in document order, nested ones included."""
    for block in blocks:
        yield block
        if isinstance(block, (Box, Note, VersionBlock)):
            yield from walk(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk(item.blocks)


def map_blocks(blocks: list[Block], fn: Callable[[Block], Block]) -> list[Block]:
    """A new tree: each block through `fn` in document order (a container before what it
    holds), then its children mapped. Containers are copied, never changed in place, so one
    parsed plan can be resolved for several versions."""
    out: list[Block] = []
    for block in blocks:
        block = fn(block)
        if isinstance(block, (Box, Note, VersionBlock)):
            block = replace(block, blocks=map_blocks(block.blocks, fn))
        elif isinstance(block, ListBlock):
            block = replace(block, items=[replace(item, blocks=map_blocks(item.blocks, fn))
                                          for item in block.items])
        out.append(block)
    return out


def inlines_of(block: Block) -> Iterator[list[Inline]]:
    """The runs of text a block holds itself (not those of the blocks inside it)."""
    if isinstance(block, (Heading, Paragraph)):
        yield block.inlines
    elif isinstance(block, Table):
        yield from block.header
        for row in block.rows:
            yield from row


def map_inlines(block: Block, fn: Callable[[list[Inline]], list[Inline]]) -> Block:
    """The block with each of its own runs of text replaced by fn(run), in reading order."""
    if isinstance(block, (Heading, Paragraph)):
        return replace(block, inlines=fn(block.inlines))
    if isinstance(block, Table):
        return replace(block, header=[fn(cell) for cell in block.header],
                       rows=[[fn(cell) for cell in row] for row in block.rows])
    return block


# ---- plan ----------------------------------------------------------------

DEFAULT_LABELS = {"draft": "初稿", "review": "征求意见稿", "final": "报批稿"}


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

    @property
    def name(self) -> str:
        """The version as messages name it: its label; a version printed without one (the
        published text, `label: ''`) is still named, 报批稿（无标注）, never by its key."""
        return self.label or f"{DEFAULT_LABELS.get(self.key, self.key)}（无标注）"


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
    print: str = "duplex"  # duplex: each part opens on a recto, blank versos where needed
    title_lines: list[str] | None = None  # the cover title's lines, when plan.yaml sets them


@dataclass(frozen=True)
class Chapter:
    """A chapter file as loaded: its front matter and its Markdown body, untouched."""
    path: Path
    display: str
    id: str
    title: str  # from the front matter; "" when the body's first heading gives it
    owner: str
    status: str
    versions: list[str]
    body: str  # Markdown after the front matter
    body_line: int  # line of the body's first line in the file
    id_line: int = 1


@dataclass(frozen=True)
class Rendered:
    """A chapter body after the render stage: Markdown, the file line of each of its lines, and
    the blocks that table directives built from data, by the key of their placeholder."""
    markdown: str
    line_map: list[int]
    data_blocks: dict[str, Block] = field(default_factory=dict)

    @classmethod
    def unchanged(cls, chapter: Chapter) -> Rendered:
        lines = chapter.body.count("\n") + 1
        return cls(chapter.body, list(range(chapter.body_line, chapter.body_line + lines)))

    def file_line(self, index: int) -> int:
        """Line in the chapter file of line `index` (0-based) of the Markdown that is parsed."""
        return self.line_map[min(index, len(self.line_map) - 1)]


@dataclass(frozen=True)
class ParsedChapter:
    """A chapter as the parse stage read it: what the transform stage numbers and selects."""
    chapter: Chapter
    title: str  # the front matter's, else the text of the body's first heading
    blocks: list[Block]
    footnotes: dict[str, list[Block]]  # by label, "<chapter id>:<label>"


@dataclass
class Plan:
    root: Path
    meta: PlanMeta
    chapters: list[Chapter]
    data: PlanData | None = None
    parsed: list[ParsedChapter] = field(default_factory=list)  # set when the plan is read
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings and notes on reading
    counties: list[CountyData] = field(default_factory=list)  # a workspace's city plan only


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
