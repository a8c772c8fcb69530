"""The walker of comments and tracked changes: every comment (with replies and ranges) and every
run-level change (insertion, deletion, move) of the body, footnotes, endnotes, headers and
footers, each with the `_Src` anchor around its start.

Word splits one change into many elements: consecutive elements of one kind, author and date
inside a paragraph, with no unchanged text between them, are one change. A change that holds
no text (an image, a formula, a tab, a field, a note reference) is its own item and says what
it holds (“[图片]”). A deletion and an insertion at one place by one reviewer at one time are a
replacement. A paired move is one item, where the text came from.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..names import M, MC, SOURCE_ANCHOR, W, W14, W15
from ..safefile import TOO_BIG, Limits, refuse
from .package import WordFile

REVISIONS = {f"{{{W}}}ins": "insertion", f"{{{W}}}del": "deletion",
             f"{{{W}}}moveFrom": "moveFrom", f"{{{W}}}moveTo": "moveTo"}
REMOVED = ("deletion", "moveFrom")
# Property parents: a paragraph mark, row or cell change is not a run-level change.
NOT_RUNS = {f"{{{W}}}{n}" for n in ("rPr", "trPr", "tcPr", "pPr", "numPr", "sectPr")}
# What a change without text holds, as the tables name it.
OBJECTS = {"drawing": "图片", "pict": "图片", "object": "嵌入对象", "sym": "符号",
           "tab": "制表符", "ptab": "制表符", "br": "换行符", "cr": "换行符",
           "instrText": "域代码", "delInstrText": "域代码", "fldSimple": "域",
           "footnoteReference": "脚注引用", "endnoteReference": "尾注引用",
           "noBreakHyphen": "连字符", "softHyphen": "连字符"}
OBJECT_TAGS = {f"{{{W}}}{n}": label for n, label in OBJECTS.items()}
MATH_TEXT = f"{{{M}}}t"
FALLBACK = f"{{{MC}}}Fallback"
ISO_DATE = re.compile(r"^[1-9]\d{3}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?")
MERGED = "merged"  # the insertion of a replacement, dropped when the walk ends
ONE_TIME = 60  # seconds between a deletion and an insertion made as one replacement
# Parts walked, in this order; `part` of a mark says which one it is in.
WALKED = (("footnotes", "footnote"), ("endnotes", "endnote"), ("header", "header"),
          ("footer", "footer"))


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(eq=False)
class Mark:
    """One comment or tracked change as it stands in the returned file."""
    kind: str  # comment | insertion | deletion | move | replacement
    author: str
    date: str  # ISO 8601 as written, "" when absent or invalid (LibreOffice writes 0-00-00)
    text: str  # the comment, or the inserted / deleted / moved / new text
    anchor_text: str = ""  # the commented text; for a change, its paragraph as first built
    anchor: str = ""  # the _Src bookmark around its start ("" when the edits destroyed it)
    paragraph: str = ""  # the paragraph where it starts, as first built (to match by text)
    previous: str = ""  # the last anchor before its paragraph (for a paragraph a reviewer added)
    comment_id: str = ""
    parent_id: str = ""  # a reply: the comment it answers
    destination: str = ""  # a move: the paragraph the text went to
    destination_anchor: str = ""  # a move: the anchor of that paragraph
    move_name: str = ""
    order: int = 0  # where it starts, in reading order
    part: str = "body"  # body | footnote | endnote | header | footer
    old_text: str = ""  # a replacement: the text it replaces
    objects: str = ""  # a change without text: what it holds (图片、公式…), in `text` too
    paired: bool = False  # a move whose moveTo was found (the two elements are one item)
    follows: bool = field(default=False, repr=False)  # no unchanged text since the last change


@dataclass
class ReturnedDocument:
    marks: list[Mark]
    paragraphs: dict[str, str]  # _Src anchor → that paragraph's text as first built, now
    properties: dict[str, str]  # custom document properties (PlanVersion, SourceCommit, …)
    main_part: str = "word/document.xml"
    strict: bool = False


def clean_date(value: str | None) -> str:
    return value if value and ISO_DATE.match(value) else ""


@dataclass
class ParagraphState:
    anchor: str = ""  # the _Src bookmark open at its start or starting inside it
    previous: str = ""  # the last _Src bookmark before it
    original: list[str] = field(default_factory=list)  # text without insertions
    current: list[str] = field(default_factory=list)  # text as the reviewer left it
    marks: list[Mark] = field(default_factory=list)


@dataclass
class OpenRevision:
    mark: Mark
    key: tuple[str, str, str]
    parts: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)


class Walker:
    """One pass over a part in reading order, start and end events."""

    def __init__(self) -> None:
        self.marks: list[Mark] = []
        self.paragraphs: dict[str, str] = {}
        self.open_anchors: dict[str, str] = {}  # bookmark id → name, in opening order
        self.open_comments: dict[str, tuple[Mark, list[str]]] = {}
        self.ranged: set[str] = set()
        self.revisions: list[OpenRevision] = []  # innermost last
        self.move_names: dict[str, str] = {}  # open move range id → its name
        self.stack: list[ParagraphState] = []  # nested paragraphs: a text box in a paragraph
        self.outside = ParagraphState()  # marks that start outside any paragraph
        self.last_key: tuple[str, str, str] | None = None  # the last change group's key
        self.last_group: Mark | None = None
        self.last_anchor = ""
        self.part = "body"
        self.seq = 0

    @property
    def para(self) -> ParagraphState:
        return self.stack[-1] if self.stack else self.outside

    def innermost_anchor(self) -> str:
        return next(reversed(self.open_anchors.values()), "")

    def walk(self, root: etree._Element, part: str) -> None:
        self.part = part
        skip = 0  # inside mc:Fallback (a second copy of the same content)
        for event, node in etree.iterwalk(root, events=("start", "end")):
            tag = node.tag
            if not isinstance(tag, str):
                continue
            if tag == FALLBACK:
                skip += 1 if event == "start" else -1
            elif skip:
                continue
            elif event == "start":
                self.start(node, tag)
            else:
                self.end(node, tag)
        self.open_anchors.clear()

    def start(self, node: etree._Element, tag: str) -> None:
        if tag == w("p"):
            self.stack.append(ParagraphState(anchor=self.innermost_anchor(),
                                             previous=self.last_anchor))
            self.last_key = None
            for mark, parts in self.open_comments.values():
                if parts and parts[-1] != "\n":
                    parts.append("\n")
        elif tag in (w("t"), w("delText")):
            self.text(node.text or "")
        elif tag in REVISIONS and node.getparent().tag not in NOT_RUNS:
            kind = REVISIONS[tag]
            mark = self.new_mark(kind, node, keep=False)  # kept when it ends with content
            mark.move_name = next(reversed(self.move_names.values()), "")
            self.revisions.append(OpenRevision(mark, (kind, mark.author, mark.date)))
        elif tag in OBJECT_TAGS or tag == MATH_TEXT:
            if self.revisions:
                label = "公式" if tag == MATH_TEXT else OBJECT_TAGS[tag]
                if tag == w("br") and node.get(w("type")) == "page":
                    label = "分页符"
                self.revisions[-1].objects.append(label)
        elif tag == w("bookmarkStart"):
            name = node.get(w("name"), "")
            if name.startswith(SOURCE_ANCHOR):
                self.open_anchors[node.get(w("id"), "")] = name
                self.last_anchor = name
                if self.stack and not self.para.anchor:
                    self.para.anchor = name
        elif tag == w("bookmarkEnd"):
            self.open_anchors.pop(node.get(w("id"), ""), None)
        elif tag == w("commentRangeStart"):
            cid = node.get(w("id"), "")
            self.ranged.add(cid)
            self.open_comments[cid] = (self.new_mark("comment", node, cid), [])
        elif tag == w("commentRangeEnd"):
            self.close_comment(node.get(w("id"), ""))
        elif tag == w("commentReference"):
            cid = node.get(w("id"), "")
            if cid not in self.ranged:  # a comment on a point, with no range
                self.ranged.add(cid)
                self.marks.append(self.new_mark("comment", node, cid))
        elif tag in (w("moveFromRangeStart"), w("moveToRangeStart")):
            self.move_names[node.get(w("id"), "")] = node.get(w("name"), "")
        elif tag in (w("moveFromRangeEnd"), w("moveToRangeEnd")):
            self.move_names.pop(node.get(w("id"), ""), None)

    def new_mark(self, kind: str, node: etree._Element, cid: str = "", keep: bool = True
                 ) -> Mark:
        mark = Mark(kind, node.get(w("author"), ""), clean_date(node.get(w("date"))), "",
                    anchor=self.innermost_anchor(), comment_id=cid, order=self.seq,
                    part=self.part)
        self.seq += 1
        if keep:
            self.para.marks.append(mark)
        return mark

    def text(self, text: str) -> None:
        kinds = {r.mark.kind for r in self.revisions}
        removed = bool(kinds & set(REMOVED))
        if not kinds - set(REMOVED):
            self.para.original.append(text)
        if not removed:
            self.para.current.append(text)
            for _, parts in self.open_comments.values():
                parts.append(text)
        if self.revisions:
            if text:
                self.revisions[-1].parts.append(text)
        elif text:
            self.last_key = None  # unchanged text ends a change

    def close_comment(self, cid: str) -> None:
        if cid in self.open_comments:
            mark, parts = self.open_comments.pop(cid)
            mark.anchor_text = "".join(parts).strip()
            self.marks.append(mark)

    def end(self, node: etree._Element, tag: str) -> None:
        if tag in REVISIONS and self.revisions and node.getparent().tag not in NOT_RUNS:
            self.end_revision(self.revisions.pop())
        elif tag == w("p") and self.stack:
            self.end_paragraph(self.stack.pop())
            self.last_key = None

    def end_revision(self, open_: OpenRevision) -> None:
        mark = open_.mark
        if open_.parts:
            mark.text = "".join(open_.parts)
            if open_.key == self.last_key and self.last_group is not None:
                self.last_group.text += mark.text  # one change Word wrote as many elements
                return
            mark.follows = self.last_key is not None
            self.last_key, self.last_group = open_.key, mark
        elif open_.objects:  # no text: say what it holds; it does not end a group
            mark.objects = "、".join(dict.fromkeys(open_.objects))
            mark.text = f"[{mark.objects}]"
        else:
            return
        self.para.marks.append(mark)
        self.marks.append(mark)

    def end_paragraph(self, para: ParagraphState) -> None:
        original = "".join(para.original)
        for mark in para.marks:
            mark.anchor = mark.anchor or para.anchor
            mark.previous = para.previous
            mark.paragraph = original
            if mark.kind != "comment":
                mark.anchor_text = original
            if mark.kind == "moveTo":
                mark.destination = "".join(para.current)
                mark.destination_anchor = para.anchor
        if para.anchor and para.anchor not in self.paragraphs:
            self.paragraphs[para.anchor] = original
        self.replacements(para.marks)

    def replacements(self, marks: list[Mark]) -> None:
        """A deletion right next to an insertion, same reviewer, same time: one replacement."""
        changes = sorted((m for m in marks if m.kind in ("insertion", "deletion")
                          and not m.objects), key=lambda m: m.order)
        for first, second in zip(changes, changes[1:]):
            if not second.follows or {first.kind, second.kind} != {"insertion", "deletion"} \
                    or first.kind == "replacement" or first.author != second.author \
                    or not one_time(first.date, second.date):
                continue
            old, new = (first, second) if first.kind == "deletion" else (second, first)
            first.kind, first.text, first.old_text = "replacement", new.text, old.text
            first.date = first.date or second.date
            second.kind = MERGED

    def finish(self) -> list[Mark]:
        for cid in list(self.open_comments):  # a range never closed: keep what it covered
            self.close_comment(cid)
        kept = (m for m in self.marks if m.kind != MERGED)
        return pair_moves(sorted(kept, key=lambda m: m.order))


def one_time(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        first, second = (dt.datetime.fromisoformat(d.replace("Z", "+00:00")) for d in (a, b))
        return abs((first - second).total_seconds()) <= ONE_TIME
    except (TypeError, ValueError):
        return False


def pair_moves(marks: list[Mark]) -> list[Mark]:
    """Word writes a move as moveFrom + moveTo sharing a range name: one `move` item, placed
    where the text came from (that is what the source file holds)."""
    destinations: dict[str, Mark] = {m.move_name: m for m in marks
                                     if m.kind == "moveTo" and m.move_name}
    paired = {m.move_name for m in marks if m.kind == "moveFrom" and m.move_name} & \
        set(destinations)
    out = []
    for mark in marks:
        if mark.kind == "moveTo" and mark.move_name in paired:
            continue
        if mark.kind == "moveFrom" and mark.move_name in paired:
            target = destinations[mark.move_name]
            mark.destination, mark.destination_anchor = target.destination, \
                target.destination_anchor
            mark.paired = True
        if mark.kind in ("moveFrom", "moveTo"):
            mark.kind = "move"
        out.append(mark)
    return out


def comment_texts(root: etree._Element | None) -> dict[str, tuple[Mark, str]]:
    """comments.xml: id → (author/date/text as a Mark, paraId of its last paragraph)."""
    found: dict[str, tuple[Mark, str]] = {}
    if root is None:
        return found
    for comment in root.iter(w("comment")):
        paras = comment.findall(f".//{w('p')}")
        lines = ["".join(t.text or "" for t in p.iter(w("t"))) for p in paras]
        para_id = paras[-1].get(f"{{{W14}}}paraId", "") if paras else ""
        mark = Mark("comment", comment.get(w("author"), ""), clean_date(comment.get(w("date"))),
                    "\n".join(line for line in lines if line.strip()))
        found[comment.get(w("id"), "")] = (mark, para_id)
    return found


def reply_parents(root: etree._Element | None) -> dict[str, str]:
    """commentsExtended.xml: paraId of a reply → paraId of the comment it answers."""
    if root is None:
        return {}
    return {ex.get(f"{{{W15}}}paraId"): ex.get(f"{{{W15}}}paraIdParent")
            for ex in root.iter(f"{{{W15}}}commentEx") if ex.get(f"{{{W15}}}paraIdParent")}


_REVISION_COUNT = etree.XPath("count(//w:ins | //w:del | //w:moveFrom | //w:moveTo)",
                              namespaces={"w": W})


def count_marks(word: WordFile) -> int:
    """Comments and change elements, counted in C before anything is walked: a bound on the
    work a file can cause."""
    comments = sum(int(root.xpath("count(//w:comment)", namespaces={"w": W}))
                   for _, root in word.parts("comments"))
    roots = [word.main] + [root for kind, _ in WALKED for _, root in word.parts(kind)]
    return comments + sum(int(_REVISION_COUNT(root)) for root in roots)


def read_marks(word: WordFile) -> ReturnedDocument:
    """Every comment and change of an opened Word file. Refuses a file with more than
    `limits.items` of them."""
    count = count_marks(word)
    if count > word.limits.items:
        raise refuse(word.path, f"文件中有 {count} 处批注和修订标记，超过上限 "
                                f"{word.limits.items} 处，疑为异常文件，未读取；"
                                "确有这么多意见时请分成几个文件发送", TOO_BIG)
    walker = Walker()
    walker.walk(word.main, "body")
    for kind, part in WALKED:
        for _, root in word.parts(kind):
            walker.walk(root, part)
    marks = walker.finish()
    comments: dict[str, tuple[Mark, str]] = {}
    parents: dict[str, str] = {}
    for _, root in word.parts("comments"):
        comments.update(comment_texts(root))
    for _, root in word.parts("commentsExtended"):
        parents.update(reply_parents(root))
    attach_comments(marks, comments, parents)
    marks = [m for m in marks if m.kind != "comment" or m.comment_id in comments]
    return ReturnedDocument(marks, walker.paragraphs, word.properties, word.main_name,
                            word.strict)


def attach_comments(marks: list[Mark], comments: dict[str, tuple[Mark, str]],
                    parents: dict[str, str]) -> None:
    """Texts, authors and replies from comments.xml onto the places found in the text."""
    by_para_id = {para_id: cid for cid, (_, para_id) in comments.items() if para_id}
    placed = {m.comment_id: m for m in marks if m.kind == "comment"}
    for cid, (found, para_id) in comments.items():
        mark = placed.get(cid)
        if mark is None:  # in comments.xml but nowhere in the text: keep it, unplaced
            mark = Mark("comment", "", "", "", comment_id=cid, order=len(marks))
            marks.append(mark)
        mark.author, mark.date, mark.text = found.author, found.date, found.text
        mark.parent_id = by_para_id.get(parents.get(para_id, ""), "")
    for mark in marks:  # a reply without a range of its own sits where its comment is
        parent = placed.get(mark.parent_id)
        if parent is not None and not mark.anchor and not mark.paragraph:
            mark.anchor, mark.paragraph = parent.anchor, parent.paragraph
            mark.anchor_text = mark.anchor_text or parent.anchor_text


def read_returned(path: Path, limits: Limits = Limits()) -> ReturnedDocument:
    """Raises FileRefused (one Chinese sentence) for a file that cannot be read safely."""
    with WordFile(path, limits) as word:
        return read_marks(word)
