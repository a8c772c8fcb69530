"""Reader of a returned .docx: every comment (with replies and ranges) and every tracked change
(insertion, deletion, move), each with the `_Src` anchor around its start.

Only OOXML is read here; the package is opened through `safefile` (sizes checked, no DTDs).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..safefile import Limits, SafePackage, refuse

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
ANCHOR_PREFIX = "_Src"
# Run-level tracked changes and what they are called in the 意见汇总表's `kind`.
REVISIONS = {f"{{{W}}}ins": "insertion", f"{{{W}}}del": "deletion",
             f"{{{W}}}moveFrom": "moveFrom", f"{{{W}}}moveTo": "moveTo"}
REMOVED = ("deletion", "moveFrom")
ISO_DATE = re.compile(r"^[1-9]\d{3}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass
class Mark:
    """One comment or tracked change as it stands in the returned file."""
    kind: str  # comment | insertion | deletion | move
    author: str
    date: str  # ISO 8601 as written, "" when absent or invalid (LibreOffice writes 0-00-00)
    text: str  # the comment, or the inserted / deleted / moved text
    anchor_text: str = ""  # the commented text; for a change, its paragraph as first built
    anchor: str = ""  # the _Src bookmark around its start ("" when the edits destroyed it)
    paragraph: str = ""  # the paragraph where it starts, as first built (to match by text)
    previous: str = ""  # the last anchor before its paragraph (for a paragraph a reviewer added)
    comment_id: str = ""
    parent_id: str = ""  # a reply: the comment it answers
    destination: str = ""  # a move: the paragraph the text went to
    move_name: str = ""
    order: int = 0  # where it starts, in reading order


@dataclass
class ReturnedDocument:
    marks: list[Mark]
    paragraphs: dict[str, str]  # _Src anchor → that paragraph's text as first built, now
    properties: dict[str, str]  # custom document properties (PlanVersion, SourceCommit, …)


def clean_date(value: str | None) -> str:
    return value if value and ISO_DATE.match(value) else ""


@dataclass
class ParagraphState:
    anchor: str = ""  # the _Src bookmark open at its start or starting inside it
    previous: str = ""  # the last _Src bookmark before it
    original: list[str] = field(default_factory=list)  # text without insertions
    current: list[str] = field(default_factory=list)  # text as the reviewer left it
    marks: list[Mark] = field(default_factory=list)


class DocumentWalker:
    """One pass over document.xml in reading order, start and end events."""

    def __init__(self) -> None:
        self.marks: list[Mark] = []
        self.paragraphs: dict[str, str] = {}
        self.open_anchors: dict[str, str] = {}  # bookmark id → name, in opening order
        self.open_comments: dict[str, tuple[Mark, list[str]]] = {}
        self.referenced: set[str] = set()
        self.ranged: set[str] = set()
        self.revisions: list[Mark] = []  # open tracked-change elements, innermost last
        self.move_names: dict[str, str] = {}  # open move range id → its name
        self.plain_since_last = True  # unchanged text since the last tracked change
        self.para = ParagraphState()
        self.last_anchor = ""  # the last _Src bookmark seen, in reading order
        self.seq = 0
        self.skip = 0  # inside mc:Fallback (a second copy of the same text)

    def innermost_anchor(self) -> str:
        return next(reversed(self.open_anchors.values()), "")

    def walk(self, root: etree._Element) -> None:
        for event, node in etree.iterwalk(root, events=("start", "end")):
            tag = node.tag
            if not isinstance(tag, str):
                continue
            if tag == f"{{{MC}}}Fallback":
                self.skip += 1 if event == "start" else -1
                continue
            if self.skip:
                continue
            if event == "start":
                self.start(node, tag)
            else:
                self.end(node, tag)

    def start(self, node: etree._Element, tag: str) -> None:
        if tag == w("p"):
            self.para = ParagraphState(anchor=self.innermost_anchor(), previous=self.last_anchor)
            for _, (_, parts) in self.open_comments.items():
                if parts and parts[-1] != "\n":
                    parts.append("\n")
        elif tag == w("bookmarkStart"):
            name = node.get(w("name"), "")
            if name.startswith(ANCHOR_PREFIX):
                self.open_anchors[node.get(w("id"), "")] = name
                self.last_anchor = name
                if not self.para.anchor:
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
            self.referenced.add(cid)
            if cid not in self.ranged:  # a comment on a point, with no range
                self.ranged.add(cid)
                self.marks.append(self.new_mark("comment", node, cid))
        elif tag in (w("moveFromRangeStart"), w("moveToRangeStart")):
            self.move_names[node.get(w("id"), "")] = node.get(w("name"), "")
        elif tag in (w("moveFromRangeEnd"), w("moveToRangeEnd")):
            self.move_names.pop(node.get(w("id"), ""), None)
        elif tag in REVISIONS and node.getparent().tag not in (w("rPr"), w("trPr"), w("tcPr")):
            mark = self.new_mark(REVISIONS[tag], node)
            mark.move_name = next(reversed(self.move_names.values()), "")
            self.revisions.append(mark)
        elif tag in (w("t"), w("delText")):
            self.text(node.text or "")

    def new_mark(self, kind: str, node: etree._Element, cid: str = "") -> Mark:
        mark = Mark(kind, node.get(w("author"), ""), clean_date(node.get(w("date"))), "",
                    anchor=self.innermost_anchor(), comment_id=cid, order=self.seq)
        self.seq += 1
        self.para.marks.append(mark)
        return mark

    def text(self, text: str) -> None:
        kinds = {m.kind for m in self.revisions}
        removed = bool(kinds & set(REMOVED))
        inserted = bool(kinds - set(REMOVED))
        if not inserted:
            self.para.original.append(text)
        if not removed:
            self.para.current.append(text)
            for _, parts in self.open_comments.values():
                parts.append(text)
        if self.revisions:
            self.revisions[-1].text += text
        elif text:
            self.plain_since_last = True

    def close_comment(self, cid: str) -> None:
        if cid in self.open_comments:
            mark, parts = self.open_comments.pop(cid)
            mark.anchor_text = "".join(parts).strip()
            self.marks.append(mark)

    def end(self, node: etree._Element, tag: str) -> None:
        if tag in REVISIONS and self.revisions and node.getparent().tag not in (
                w("rPr"), w("trPr"), w("tcPr")):
            mark = self.revisions.pop()
            if not mark.text:
                return
            last = self.marks[-1] if self.marks else None
            if (last is not None and not self.plain_since_last and last.kind == mark.kind
                    and last.author == mark.author and last.date == mark.date
                    and any(m is last for m in self.para.marks)):
                last.text += mark.text  # Word splits one change into many elements
            else:
                self.marks.append(mark)
            self.plain_since_last = False
        elif tag == w("p"):
            para = self.para
            original = "".join(para.original)
            for mark in para.marks:
                mark.anchor = mark.anchor or para.anchor
                mark.previous = para.previous
                mark.paragraph = original
                if mark.kind != "comment":
                    mark.anchor_text = original
                if mark.kind == "moveTo":
                    mark.destination = "".join(para.current)
            if para.anchor and para.anchor not in self.paragraphs:
                self.paragraphs[para.anchor] = original
            self.plain_since_last = True

    def finish(self) -> list[Mark]:
        for cid in list(self.open_comments):  # a range never closed: keep what it covered
            self.close_comment(cid)
        return pair_moves(sorted(self.marks, key=lambda m: m.order))


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
            mark.destination = destinations[mark.move_name].destination
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


def document_properties(custom: etree._Element | None, core: etree._Element | None
                        ) -> dict[str, str]:
    """Custom properties by name, and the core lastModifiedBy (who saved the file last)."""
    found = {}
    if custom is not None:
        found = {prop.get("name", ""): "".join(prop.itertext()).strip() for prop in custom}
    if core is not None:
        for node in core:
            if isinstance(node.tag, str) and node.tag.endswith("}lastModifiedBy"):
                found["lastModifiedBy"] = (node.text or "").strip()
    return found


def read_returned(path: Path, limits: Limits = Limits()) -> ReturnedDocument:
    """Raises FileRefused (one Chinese sentence) for a file that cannot be read safely."""
    with SafePackage(path, limits) as package:
        if "word/document.xml" not in package.names:
            raise refuse(path, "压缩包中没有 word/document.xml，不是 Word 文档，未读取")
        walker = DocumentWalker()
        for part in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
            root = package.xml(part)
            if root is not None:
                walker.walk(root)
        marks = walker.finish()
        comments = comment_texts(package.xml("word/comments.xml"))
        parents = reply_parents(package.xml("word/commentsExtended.xml"))
        properties = document_properties(package.xml("docProps/custom.xml"),
                                         package.xml("docProps/core.xml"))
    by_para_id = {para_id: cid for cid, (_, para_id) in comments.items() if para_id}
    placed = {m.comment_id: m for m in marks if m.kind == "comment"}
    for cid, (found, para_id) in comments.items():
        mark = placed.get(cid)
        if mark is None:  # in comments.xml but nowhere in the text: keep it, unplaced
            mark = Mark("comment", "", "", "", comment_id=cid)
            marks.append(mark)
        mark.author, mark.date, mark.text = found.author, found.date, found.text
        mark.parent_id = by_para_id.get(parents.get(para_id, ""), "")
    for mark in marks:  # a reply without a range of its own sits where its comment is
        parent = placed.get(mark.parent_id)
        if parent is not None and not mark.anchor and not mark.paragraph:
            mark.anchor, mark.paragraph = parent.anchor, parent.paragraph
            mark.anchor_text = mark.anchor_text or parent.anchor_text
    marks = [m for m in marks if m.kind != "comment" or m.comment_id in comments]
    return ReturnedDocument(marks, walker.paragraphs, properties)
