"""Heading pages read back from the PDF's bookmarks, as printed page numbers."""
from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from ..model import Document, Heading


def outline_pages(pdf: Path) -> list[tuple[str, int]]:
    """(title, 0-based page index) for every bookmark, in document order."""
    reader = PdfReader(str(pdf))
    found: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((str(item.title).strip(), reader.get_destination_page_number(item)))
    walk(reader.outline)
    return found


def toc_pages(pdf: Path, document: Document) -> dict[str, int]:
    """Heading bookmark → printed page number, counting the first chapter's page as 1."""
    headings = [b for b in document.blocks if isinstance(b, Heading)]
    marks = outline_pages(pdf)
    if not headings or not marks:
        return {}
    by_title: dict[str, list[int]] = {}
    for title, index in marks:
        by_title.setdefault(title, []).append(index)
    first_body = min(by_title.get(headings[0].number + headings[0].text, [marks[0][1]]))
    pages: dict[str, int] = {}
    for heading in headings:
        indices = by_title.get(heading.number + heading.text)
        if indices:  # the same title twice (two 一、概述) is taken in order
            pages[heading.bookmark] = indices.pop(0) - first_body + 1
    return pages
