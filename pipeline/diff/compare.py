"""Two resolved Documents → a redline Document (NEW's blocks carrying tracked changes) and one
ChangeRecord per changed paragraph, table row or whole block, in document order.

Inside a paragraph the comparison is by character for Chinese (which has no spaces to split
words on) and by whole token for Latin letters and numbers, so 29 → 30 and PM2.5 change as a
whole. Equal islands of one or two characters between edits (的, 和, a shared digit) are folded
into the edit around them: a reader sees 改“加强监管”为“严格执法”, not a confetti of single
characters. A paragraph that keeps less than a third of its characters is shown deleted and
rewritten whole.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from ..model import (Block, Box, Change, Document, FootnoteRef, Heading, Image, Inline, LineBreak,
                     ListBlock, ListItem, Note, PageBreak, Paragraph, Redline, Source, Span, Table,
                     is_removed, plain_text)
from ..model import inlines_of, walk

INS, DEL = Change("ins"), Change("del")
TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.%][A-Za-z0-9]+)*|.", re.S)
ISLAND = 2  # equal runs this short between two edits join the edit
REWRITE = 1 / 3  # below this share of kept characters a paragraph is replaced whole
PAIR = 0.5  # two blocks this similar are the same block edited, not one deleted and one added
MOVE_MIN = 6  # characters a paragraph needs before an identical delete + insert is a move
PAIR_LIMIT = 4000  # old × new blocks in one changed region above which pairing goes in order

# version: text one side's version prints and the other's never does (::: 版本, 编者注)
KINDS = {"edit": "修改", "ins": "新增", "del": "删除", "move": "移动", "version": "版本差异"}


@dataclass
class ChangeRecord:
    """One row of the 修改对照表."""
    id: str  # stable for the same change: the key of its 修改说明
    kind: str  # edit | ins | del | move
    chapter: str  # numbered heading path, e.g. 第三章 第二节 一、
    chapter_title: str  # the chapter (level 1) it belongs to, for grouping
    old: str
    new: str
    where: str = ""  # a finer place inside the heading: 表2 第3行, 专栏1
    note: str = ""  # 修改说明, from the drafter's notes file


@dataclass
class DiffResult:
    redline: Document
    records: list[ChangeRecord]

    @property
    def tracked(self) -> int:
        """Tracked changes in the redline (renumbered headings count, though no record does)."""
        return sum(1 for _ in tracked(self.redline.blocks))


def compare(old: Document, new: Document, redline: Redline,
            only: tuple[dict[Source, str], dict[Source, str]] = ({}, {})) -> DiffResult:
    """`only`: for OLD and for NEW, the sources of blocks their version alone prints (a
    征求意见稿's `::: 版本 review` text), recorded as version differences, not deletions."""
    differ = _Differ(*only)
    blocks = differ.blocks(old.blocks, new.blocks)
    settle_marks(blocks)
    differ.find_moves(blocks)
    footnotes = differ.footnotes(old, new, blocks)
    records = differ.in_chapter_order()
    seen: dict[str, int] = {}
    for record in records:  # the same edit made twice gets the ids abc123, abc123-2
        digest = hashlib.sha1(f"{record.kind}\0{record.old}\0{record.new}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        record.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    document = replace(new, blocks=blocks, footnotes=footnotes, redline=redline)
    return DiffResult(document, records)


def settle_marks(blocks: list[Block]) -> None:
    """A paragraph mark right before a table, or the body's last one, cannot go: Word and
    LibreOffice keep an empty paragraph there. Paragraphs added or removed just before such a
    place are tracked as Word tracks them: the mark of the unchanged paragraph before them
    changes, and their own marks stay. Paragraphs of list items count; the changed blocks are
    copies, NEW's own blocks are never changed."""
    Where = tuple[int, ...]  # (block,) or (list block, item, child)
    units: list[tuple[Where, Paragraph | Heading] | None] = []  # None: not a paragraph
    stuck: set[int] = set()  # unit indexes followed by a table or the end of the body
    for i, block in enumerate(blocks):
        if isinstance(block, (Paragraph, Heading)):
            units.append(((i,), block))
        elif isinstance(block, ListBlock):
            for j, item in enumerate(block.items):
                for k, child in enumerate(item.blocks):
                    units.append(((i, j, k), child) if isinstance(child, Paragraph) else None)
        else:
            if units and (isinstance(block, Box) or isinstance(block, Table) and
                          not block.caption):
                stuck.add(len(units) - 1)
            units.append(None)
    stuck.add(len(units) - 1)

    def set_change(path: Where, change: Change | None) -> Paragraph | Heading:
        i = path[0]
        if len(path) == 1:
            blocks[i] = replace(blocks[i], change=change)
            return blocks[i]
        items = list(blocks[i].items)
        children = list(items[path[1]].blocks)
        children[path[2]] = replace(children[path[2]], change=change)
        items[path[1]] = replace(items[path[1]], blocks=children)
        blocks[i] = replace(blocks[i], items=items)
        return children[path[2]]

    for index in sorted(stuck):
        unit = units[index] if index >= 0 else None
        if unit is None or unit[1].change is None:
            continue
        removed = is_removed(unit[1].change)
        for at in range(index - 1, -1, -1):
            before = units[at]
            if before is None:
                break  # a table, figure or note in between: left as it is
            if before[1].change is None:
                units[at] = (before[0], set_change(before[0], Change("del" if removed
                                                                     else "ins")))
                units[index] = (unit[0], set_change(unit[0], None))
                break
            if is_removed(before[1].change) != removed:
                break  # deleted and inserted paragraphs mixed: left as they are


def tracked(blocks: list[Block]) -> Iterator[Change]:
    """Every tracked change in a redline's blocks."""
    for block in walk(blocks):
        for change in (getattr(block, "change", None), *getattr(block, "row_changes", [])):
            if change is not None:
                yield change
        for inlines in _all_inlines(block):
            for item in inlines:
                if isinstance(item, (Span, FootnoteRef)) and item.change is not None:
                    yield item.change


def _all_inlines(block: Block) -> Iterator[list[Inline]]:
    if isinstance(block, (Heading, Paragraph)):
        yield block.inlines
    if isinstance(block, Table):
        yield block.header
        yield from (cell for row in block.rows for cell in row)
    if isinstance(block, (Heading, Table, Box, Image)):
        yield block.label_change


# ---- inside a paragraph --------------------------------------------------

def _tokens(inlines: list[Inline]) -> list[tuple[object, Inline]]:
    out: list[tuple[object, Inline]] = []
    for item in inlines:
        if isinstance(item, Span):
            out.extend((m.group(), item) for m in TOKEN.finditer(item.text))
        elif isinstance(item, FootnoteRef):
            out.append((("footnote",), item))  # numbers shift when one is added before
        elif isinstance(item, LineBreak):
            out.append((("br",), item))
    return out


def _opcodes(a: list, b: list) -> list[tuple[str, int, int, int, int]]:
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    kept = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    if kept < REWRITE * max(len(a), len(b)):
        return [("replace", 0, len(a), 0, len(b))]
    changed = True
    while changed:  # fold short equal islands into the edits on both sides
        changed = False
        merged: list[list] = []
        for op in ops:
            if merged and op[0] != "equal" and merged[-1][0] != "equal":
                merged[-1] = ["replace", merged[-1][1], op[2], merged[-1][3], op[4]]
                continue
            merged.append(list(op))
        ops = []
        for index, op in enumerate(merged):
            inner = 0 < index < len(merged) - 1
            if op[0] == "equal" and inner and op[2] - op[1] <= ISLAND:
                op = ["replace", *op[1:]]
                changed = True
            ops.append(tuple(op))
    return _slide(ops, a, b)


def _is_boundary(token: object | None) -> bool:
    """The edge of the paragraph, punctuation, or something that is not text."""
    return not isinstance(token, str) or unicodedata.category(token[0])[0] in "PSZ"


def _slide(ops: list[tuple[str, int, int, int, int]], a: list, b: list
           ) -> list[tuple[str, int, int, int, int]]:
    """An insertion or deletion between equal text can often sit in several places with the
    same result (以2020年[年全]监测 or 以2020年[全年]监测). Put it against punctuation when it
    can be, otherwise as far right as it goes: 生态环境[和环境]保护, not 生态[环境和]环境保护."""
    out = [list(op) for op in ops]
    for k, op in enumerate(out):
        tag = op[0]
        if tag not in ("insert", "delete"):
            continue
        prev = out[k - 1] if k > 0 and out[k - 1][0] == "equal" else None
        nxt = out[k + 1] if k + 1 < len(out) and out[k + 1][0] == "equal" else None
        if prev is None and nxt is None:
            continue
        seq, s, e = (b, op[3], op[4]) if tag == "insert" else (a, op[1], op[2])
        room_left = prev[2] - prev[1] if prev else 0
        room_right = nxt[2] - nxt[1] if nxt else 0
        left = 0
        while left < room_left and seq[e - 1 - left] == seq[s - 1 - left]:
            left += 1
        right = 0
        while right < room_right and seq[s + right] == seq[e + right]:
            right += 1
        if not left and not right:
            continue

        def score(d: int) -> tuple[int, int]:
            before = seq[s + d - 1] if s + d > 0 else None
            after = seq[e + d] if e + d < len(seq) else None
            return _is_boundary(before) + _is_boundary(after), d
        delta = max(range(-left, right + 1), key=score)
        if delta:
            op[1:] = [op[1] + delta, op[2] + delta, op[3] + delta, op[4] + delta]
            if prev:
                prev[2] += delta
                prev[4] += delta
            if nxt:
                nxt[1] += delta
                nxt[3] += delta
    return [tuple(op) for op in out if op[0] != "equal" or op[2] > op[1] or op[4] > op[3]]


def _emit(tokens: list[tuple[object, Inline]], change: Change | None) -> list[Inline]:
    out: list[Inline] = []
    for key, item in tokens:
        if isinstance(item, Span):
            text = key if isinstance(key, str) else ""
            last = out[-1] if out else None
            if (isinstance(last, Span) and last.change == change and last.bold == item.bold
                    and last.italic == item.italic and last.link == item.link):
                last.text += text
            else:
                out.append(Span(text, item.bold, item.italic, change, link=item.link))
        elif isinstance(item, FootnoteRef):
            out.append(replace(item, change=change) if change else item)
        elif change is None or not is_removed(change):
            out.append(item)  # a removed line break has no text to track
    return out


def diff_inlines(old: list[Inline], new: list[Inline]) -> list[Inline] | None:
    """New inlines with the edits from old tracked; None when the text is the same."""
    a, b = _tokens(old), _tokens(new)
    keys_a, keys_b = [k for k, _ in a], [k for k, _ in b]
    if keys_a == keys_b:
        return None
    out: list[Inline] = []
    for tag, i1, i2, j1, j2 in _opcodes(keys_a, keys_b):
        if tag == "equal":
            out.extend(_emit(b[j1:j2], None))
        else:
            out.extend(_emit(a[i1:i2], DEL))
            out.extend(_emit(b[j1:j2], INS))
    return out


def mark_inlines(inlines: list[Inline], change: Change) -> list[Inline]:
    return _emit(_tokens(inlines), change)


# ---- blocks --------------------------------------------------------------

def block_text(block: Block) -> str:
    if isinstance(block, Heading):
        return block.text
    if isinstance(block, Paragraph):
        return plain_text(block.inlines)
    if isinstance(block, Table):
        return "\n".join([block.caption, _row_text(block.header),
                          *(_row_text(r) for r in block.rows)])
    if isinstance(block, Box):
        return block.title + "\n" + "\n".join(block_text(b) for b in block.blocks)
    if isinstance(block, Note):
        return "\n".join(block_text(b) for b in block.blocks)
    if isinstance(block, ListBlock):
        return "\n".join(_item_text(i) for i in block.items)
    if isinstance(block, Image):
        return f"{block.path.name}\n{block.caption}"
    return ""


def _item_text(item: ListItem) -> str:
    return "\n".join(block_text(b) for b in item.blocks)


def _row_text(cells: list[list[Inline]]) -> str:
    return " | ".join(plain_text(c) for c in cells)


def _similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= PAIR and \
        matcher.quick_ratio() >= PAIR else 0.0


def _row_similarity(a: list[list[Inline]], b: list[list[Inline]]) -> float:
    """Rows are the same row edited when most of their cells are unchanged."""
    same = sum(plain_text(x) == plain_text(y) for x, y in zip(a, b))
    return same / max(len(a), len(b), 1)


def _pair(old: list, new: list, text, similar=None) -> list[tuple[object | None, object | None]]:
    """Old and new items aligned: identical ones by longest common runs, then inside each
    changed region the most similar items of the same kind paired in order."""
    out: list[tuple[object | None, object | None]] = []
    keys_a = [(type(x).__name__, text(x)) for x in old]
    keys_b = [(type(x).__name__, text(x)) for x in new]
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, keys_a, keys_b,
                                               autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(zip(old[i1:i2], new[j1:j2]))
        else:
            out.extend(_pair_region(old[i1:i2], new[j1:j2], text, similar))
    return out


def _pair_region(old: list, new: list, text, similar) -> list[tuple[object | None, object | None]]:
    n, m = len(old), len(new)
    if n * m > PAIR_LIMIT:
        score = {(i, i): 1.0 for i in range(min(n, m)) if type(old[i]) is type(new[i])}
    else:
        score = {}
        for i in range(n):
            for j in range(m):
                if type(old[i]) is type(new[j]):
                    s = similar(old[i], new[j]) if similar else \
                        _similarity(text(old[i]), text(new[j]))
                    if s >= PAIR:
                        score[i, j] = s
    # Best monotone pairing (the order of the text is kept): a small dynamic programme.
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1],
                             score.get((i, j), -1.0) + best[i + 1][j + 1])
    out: list[tuple[object | None, object | None]] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and (i, j) in score and \
                best[i][j] == score[i, j] + best[i + 1][j + 1]:
            out.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif i < n and (j == m or best[i][j] == best[i + 1][j]):
            out.append((old[i], None))
            i += 1
        else:
            out.append((None, new[j]))
            j += 1
    return out


class _Differ:
    def __init__(self, only_old: dict[Source, str] | None = None,
                 only_new: dict[Source, str] | None = None) -> None:
        self.only = {"del": only_old or {}, "ins": only_new or {}}
        self.records: list[ChangeRecord] = []
        self.path: list[str] = []  # heading numbers down to the current heading
        self.chapter = ""
        self.moves = 0
        # Paragraphs inserted or deleted whole, with their records: the candidates for moves.
        self.whole: dict[int, tuple[Paragraph, ChangeRecord]] = {}

    def record(self, kind: str, old: str, new: str, where: str = "") -> ChangeRecord:
        path = " ".join(n.strip() for n in self.path if n.strip())
        record = ChangeRecord("", kind, path, self.chapter, old, new, where)
        self.records.append(record)
        return record

    def enter(self, heading: Heading, number: str) -> None:
        del self.path[heading.level - 1:]
        self.path += [""] * (heading.level - 1 - len(self.path)) + [number]
        if heading.level == 1:
            self.chapter = f"{number}{heading.text}"

    def blocks(self, old: list[Block], new: list[Block]) -> list[Block]:
        out: list[Block] = []
        for a, b in _pair(old, new, block_text, self.similar):
            if a is None:
                out.append(self.whole_block(b, INS))
            elif b is None:
                out.append(self.whole_block(a, DEL))
            else:
                out.append(self.pair(a, b))
        return out

    # -- a block present on one side only --------------------------------
    def similar(self, a: Block, b: Block) -> float:
        """Text one version alone prints is never the other's text edited."""
        if a.source in self.only["del"] or b.source in self.only["ins"]:
            return 0.0
        return _similarity(block_text(a), block_text(b))

    def whole_block(self, block: Block, change: Change) -> Block:
        marked = self.mark(block, change)
        kind = change.kind
        why = self.only[kind].get(block.source)
        if isinstance(block, (Heading, Paragraph)):
            text = (block.number if isinstance(block, Heading) else "") + \
                plain_text(block.inlines)
            record = self.record(kind, text if kind == "del" else "", "" if kind == "del" else text)
            if isinstance(block, Paragraph) and why is None:
                self.whole[id(marked)] = (marked, record)
        elif not isinstance(block, PageBreak):
            text = _whole_text(block)
            record = self.record(kind, text if kind == "del" else "",
                                 "" if kind == "del" else text, _label(block))
        else:
            return marked
        if why is not None:
            record.kind, record.note = "version", why
        return marked

    def mark(self, block: Block, change: Change) -> Block:
        if isinstance(block, Heading):
            self.enter(block, block.number)
            return replace(block, inlines=mark_inlines(block.inlines, change), change=change,
                           label_change=[Span(block.number, change=change)])
        if isinstance(block, Paragraph):
            return replace(block, inlines=mark_inlines(block.inlines, change), change=change)
        if isinstance(block, ListBlock):
            return replace(block, items=[ListItem([self.mark(b, change) for b in i.blocks],
                                                  i.source, change) for i in block.items])
        if isinstance(block, Table):
            return replace(block, header=[mark_inlines(c, change) for c in block.header],
                           rows=[[mark_inlines(c, change) for c in row] for row in block.rows],
                           change=change, label_change=[Span(_caption(block), change=change)]
                           if block.caption else [])
        if isinstance(block, Box):
            return replace(block, blocks=[self.mark(b, change) for b in block.blocks],
                           change=change, label_change=[Span(_title(block), change=change)])
        if isinstance(block, Note):
            return replace(block, blocks=[self.mark(b, change) for b in block.blocks])
        if isinstance(block, Image):
            return replace(block, change=change,
                           label_change=[Span(_figure_caption(block), change=change)])
        return block

    # -- the same block on both sides, perhaps edited ---------------------
    def pair(self, a: Block, b: Block) -> Block:
        if isinstance(b, Heading):
            self.enter(b, b.number)
            inlines = diff_inlines(a.inlines, b.inlines)
            number = diff_inlines([Span(a.number)], [Span(b.number)])
            if inlines is not None:
                self.record("edit", a.number + a.text, b.number + b.text)
            if inlines is None and number is None:
                return b
            return replace(b, inlines=inlines or b.inlines, label_change=number or [])
        if isinstance(b, Paragraph):
            inlines = diff_inlines(a.inlines, b.inlines)
            if inlines is None:
                return b
            self.record("edit", plain_text(a.inlines), plain_text(b.inlines))
            return replace(b, inlines=inlines)
        if isinstance(b, Table):
            return self.table(a, b)
        if isinstance(b, Box):
            label = diff_inlines([Span(_title(a))], [Span(_title(b))])
            if a.title != b.title:
                self.record("edit", _title(a), _title(b), _label(b))
            return replace(b, blocks=self.blocks(a.blocks, b.blocks), label_change=label or [])
        if isinstance(b, Note):
            return replace(b, blocks=self.blocks(a.blocks, b.blocks))
        if isinstance(b, ListBlock):
            items = []
            for x, y in _pair(a.items, b.items, _item_text):
                if x is None or y is None:
                    item = x or y
                    change = INS if x is None else DEL
                    marked = [self.whole_block(child, change) for child in item.blocks]
                    items.append(ListItem(marked, item.source, change))
                else:
                    items.append(replace(y, blocks=self.blocks(x.blocks, y.blocks)))
            return replace(b, items=items)
        if isinstance(b, Image):
            label = diff_inlines([Span(_figure_caption(a))], [Span(_figure_caption(b))])
            if a.caption != b.caption:
                self.record("edit", _figure_caption(a), _figure_caption(b))
            return replace(b, label_change=label or [])
        return b

    def table(self, a: Table, b: Table) -> Table:
        """Cell by cell: rows aligned like paragraphs, each kept row compared per cell."""
        where = _label(b)
        if a.caption != b.caption:
            self.record("edit", _caption(a), _caption(b), where)
        label = diff_inlines([Span(_caption(a))], [Span(_caption(b))]) if a.caption or \
            b.caption else None
        header = self.cells(a.header, b.header)
        if header is not None:
            self.record("edit", _row_text(a.header), _row_text(b.header), f"{where} 表头")
        rows, changes = [], []
        old_number = number = 0  # a row is named by its place in the text it is found in
        for x, y in _pair(a.rows, b.rows, _row_text, _row_similarity):
            old_number += x is not None
            number += y is not None
            if x is None or y is None:
                change = INS if x is None else DEL
                rows.append([mark_inlines(c, change) for c in (x or y)])
                changes.append(change)
                self.record(change.kind, _row_text(x) if x else "", _row_text(y) if y else "",
                            f"{where} 第{number if y else old_number}行")
                continue
            cells = self.cells(x, y)
            rows.append(cells if cells is not None else y)
            changes.append(None)
            if cells is not None:
                self.record("edit", _row_text(x), _row_text(y), f"{where} 第{number}行")
        if label is None and header is None and rows == b.rows and not any(changes):
            return b
        return replace(b, header=header or b.header, rows=rows, row_changes=changes,
                       label_change=label or [])

    @staticmethod
    def cells(old: list[list[Inline]], new: list[list[Inline]]) -> list[list[Inline]] | None:
        diffs = [diff_inlines(old[i] if i < len(old) else [], cell) for i, cell in enumerate(new)]
        if all(d is None for d in diffs):
            return None
        return [d if d is not None else cell for d, cell in zip(diffs, new)]

    # -- footnotes ----------------------------------------------------------
    def footnotes(self, old: Document, new: Document, blocks: list[Block]
                  ) -> dict[int, list[Block]]:
        """The redline's footnotes: NEW's, each compared with the old footnote of the same
        label; a new one marked inserted; and the old footnote of every removed reference
        added after them, marked deleted, so that rejecting the reference brings it back."""
        old_numbers = {r.label: r.number for r in _refs(old.blocks)}
        labels: dict[int, str] = {}
        for ref in _refs(new.blocks):
            labels.setdefault(ref.number, ref.label)
        places = self.footnote_places(blocks)
        out: dict[int, list[Block]] = {}
        for number, body in sorted(new.footnotes.items()):
            self.path, self.chapter = places.get(number, ([], ""))
            before = old_numbers.get(labels.get(number, ""))
            if before is None or before not in old.footnotes:
                out[number] = [self.mark(b, INS) for b in body]
                continue
            first = len(self.records)
            out[number] = self.blocks(old.footnotes[before], body)
            for record in self.records[first:]:
                record.where = f"脚注{number}"
        extra = max([*out, *new.footnotes, 0])
        for ref in _refs(blocks):
            if is_removed(ref.change):
                extra += 1
                out[extra] = [self.mark(b, DEL) for b in old.footnotes.get(ref.number, [])]
                ref.number = extra  # a copy made by the comparison, never OLD's own
        return out

    def footnote_places(self, blocks: list[Block]) -> dict[int, tuple[list[str], str]]:
        """Each footnote's heading path and chapter, where the redline first refers to it."""
        places: dict[int, tuple[list[str], str]] = {}
        for block in walk(blocks):
            if isinstance(block, Heading) and not is_removed(block.change):
                self.enter(block, block.number)
            for ref in (i for inlines in inlines_of(block) for i in inlines):
                if isinstance(ref, FootnoteRef) and not is_removed(ref.change):
                    places.setdefault(ref.number, (list(self.path), self.chapter))
        return places

    def in_chapter_order(self) -> list[ChangeRecord]:
        """Records grouped by chapter in the order chapters first appear (footnotes, compared
        last, join their chapter)."""
        order: dict[str, int] = {}
        for record in self.records:
            order.setdefault(record.chapter_title, len(order))
        return sorted(self.records, key=lambda r: order[r.chapter_title])

    # -- moves ------------------------------------------------------------
    def is_whole(self, paragraph: Paragraph) -> bool:
        return self.whole.get(id(paragraph), (None,))[0] is paragraph

    def find_moves(self, blocks: list[Block]) -> None:
        """A paragraph deleted in one place and inserted word for word in another is a move:
        Word shows it in green with a double line and pairs the two places."""
        removed: dict[str, list[Paragraph]] = {}
        for block in walk(blocks):
            if isinstance(block, Paragraph) and block.change == DEL and self.is_whole(block):
                removed.setdefault(_span_text(block), []).append(block)
        for block in walk(blocks):
            if not (isinstance(block, Paragraph) and block.change == INS):
                continue
            text = _span_text(block)
            if len(text) < MOVE_MIN or not removed.get(text) or not self.is_whole(block):
                continue
            source = removed[text].pop(0)
            self.moves += 1
            name = f"move{self.moves}"
            for paragraph, kind in ((source, "moveFrom"), (block, "moveTo")):
                change = Change(kind, name)
                paragraph.change = change
                paragraph.inlines = [replace(i, change=Change(kind)) if isinstance(i, Span)
                                     else i for i in paragraph.inlines]
            gone, came = self.whole.pop(id(source))[1], self.whole.pop(id(block))[1]
            self.records.remove(gone)
            came.kind, came.old = "move", f"〔原在{gone.chapter or '正文开头'}〕{text}"


def _refs(blocks: list[Block]) -> Iterator[FootnoteRef]:
    for block in walk(blocks):
        for inlines in inlines_of(block):
            yield from (i for i in inlines if isinstance(i, FootnoteRef))


def _span_text(p: Paragraph) -> str:
    return "".join(i.text for i in p.inlines if isinstance(i, Span))


def _caption(t: Table) -> str:
    return f"表{t.number}　{t.caption}"


def _title(b: Box) -> str:
    return f"专栏{b.number}　{b.title}"


def _figure_caption(i: Image) -> str:
    return f"图{i.number}　{i.caption}" if i.caption else f"图{i.number}"


def _label(block: Block) -> str:
    if isinstance(block, Table):
        return f"表{block.number}" if block.caption else "表格"
    if isinstance(block, Box):
        return f"专栏{block.number}"
    if isinstance(block, Image):
        return f"图{block.number}"
    return ""


def _whole_text(block: Block) -> str:
    if isinstance(block, Table):
        lines = [_caption(block)] if block.caption else []
        return "\n".join(lines + [_row_text(block.header), *(_row_text(r) for r in block.rows)])
    if isinstance(block, Box):
        return "\n".join([_title(block), *(_whole_text(b) for b in block.blocks)])
    if isinstance(block, Image):
        return _figure_caption(block)
    return block_text(block)
