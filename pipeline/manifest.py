"""build/<version>/manifest.json: each paragraph's hidden anchor → its chapter file and line.

Reading reviewers' comments back relies on it: a comment sits on an anchored paragraph, and
the manifest says which source line that paragraph came from.
"""
from __future__ import annotations

import json

from .docx.body import Anchor
from .model import Document


def manifest_json(document: Document, docx_name: str, anchors: list[Anchor]) -> bytes:
    revision = document.revision
    data = {
        "title": document.meta.title,
        "version": document.version.key,
        "label": document.version.label,
        "docx": docx_name,
        "commit": revision.commit,
        "dirty": revision.dirty,
        "source_date": revision.date,
        "anchors": [{"anchor": a.name, "file": a.file, "line": a.line, "text": a.text}
                    for a in anchors],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
