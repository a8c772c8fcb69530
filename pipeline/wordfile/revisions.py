"""Views of a text with tracked changes: as it stands (marks and all), every change accepted,
or every change rejected, and the text a reader then sees. The diff stage's tests check a
redline with it."""
from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree

from ..names import W
from .package import WordFile

AS_IS, ACCEPTED, REJECTED = "as-is", "accepted", "rejected"
_NS = {"w": W}


def qn(tag: str) -> str:
    return f"{{{W}}}{tag.split(':', 1)[1]}"

REMOVED = {qn("w:del"), qn("w:moveFrom")}
ADDED = {qn("w:ins"), qn("w:moveTo")}
RANGES = {qn(f"w:{k}Range{e}") for k in ("moveFrom", "moveTo") for e in ("Start", "End")}


def view(root: etree._Element, how: str) -> etree._Element:
    """`root` as-is, or a copy with every change accepted or rejected."""
    if how == AS_IS:
        return root
    if how not in (ACCEPTED, REJECTED):
        raise ValueError(how)
    return resolve_revisions(root, how == ACCEPTED)


def resolve_revisions(root: etree._Element, accept: bool) -> etree._Element:
    """A copy of `root` with every change accepted (or rejected): dropped text and rows go,
    kept ones lose their marks, a paragraph whose mark goes joins the next paragraph."""
    root = copy.deepcopy(root)
    drop, keep = (REMOVED, ADDED) if accept else (ADDED, REMOVED)
    for tr in list(root.iter(qn("w:tr"))):
        marks = {m.tag for m in tr.findall("w:trPr/*", namespaces=_NS)}
        if marks & drop:
            tr.getparent().remove(tr)
    joined: list[etree._Element] = []
    for mark in list(root.iter(*REMOVED, *ADDED, *RANGES)):
        parent = mark.getparent()
        if parent is None:
            continue
        if mark.tag in RANGES:
            parent.remove(mark)
        elif parent.tag in (qn("w:rPr"), qn("w:trPr")):  # a paragraph mark or a row
            if mark.tag in drop and parent.tag == qn("w:rPr"):
                joined.append(parent.getparent().getparent())
            parent.remove(mark)
        elif mark.tag in drop:
            parent.remove(mark)
        else:  # kept runs: unwrap, removed text becomes text again
            for t in mark.iter(qn("w:delText")):
                t.tag = qn("w:t")
            index = parent.index(mark)
            parent[index:index + 1] = list(mark)
    for p in joined:  # its text moves to the start of the next paragraph
        after = p.getnext()
        content = [c for c in p if c.tag != qn("w:pPr")]
        if after is not None and after.tag == qn("w:p"):
            at = 1 if after.find(qn("w:pPr")) is not None else 0
            after[at:at] = content
        p.getparent().remove(p)
    return root


def paragraph_texts(root: etree._Element, front_matter: bool = False) -> list[str]:
    """The text of every paragraph (table cells included) in order; without the front matter
    (cover and 目录, sections of their own before the body's) unless asked for."""
    body = root.find(qn("w:body"))
    paragraphs = list(body.iter(qn("w:p")))
    start = 0 if front_matter else body_start(paragraphs)
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paragraphs[start:]]


def body_start(nodes: list[etree._Element]) -> int:
    """Index of the first node of the body: after the sections of the front matter (the cover
    and the 目录, the sections without a page number footer)."""
    ends = [i for i, node in enumerate(nodes)
            if (sect := node.find("w:pPr/w:sectPr", namespaces=_NS)) is not None
            and sect.find("w:footerReference", namespaces=_NS) is None]
    return ends[-1] + 1 if ends else 0


def document_xml(docx: Path) -> etree._Element:
    """The main part of a Word file, found and checked as `open_word` does."""
    with WordFile(docx) as word:
        return word.main
