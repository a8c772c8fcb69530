"""Write stage: a numbered Document and a layout profile → .docx bytes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..layout import Layout
from ..model import Document
from ..names import REL
from .body import Anchor, write_body
from .package import CT, WML, Part, core_properties, custom_properties, package_bytes
from .settings import build_font_table, build_settings
from .styles import build_styles

# Word requires a theme part even though every font here is named explicitly.
THEME = (Path(__file__).parent / "theme.xml").read_bytes()


@dataclass(frozen=True)
class WrittenDocx:
    data: bytes
    anchors: list[Anchor]


def write_docx(document: Document, layout: Layout, when: dt.datetime,
               toc_pages: dict[str, int] | None = None,
               spacers: dict[str, int] | None = None) -> WrittenDocx:
    """From a rendering, when there was one: toc_pages maps heading bookmarks to page numbers,
    spacers the spacers after tables, 专栏 and figures to the heights that bring the text after
    them back to the grid."""
    body = write_body(document, layout, toc_pages, spacers)
    parts = [
        Part("word/styles.xml", f"{WML}.styles+xml", build_styles(layout, document.meta.numbering),
             f"{REL}/styles", "rIdStyles"),
        Part("word/settings.xml", f"{WML}.settings+xml",
             build_settings(body.footnotes is not None),
             f"{REL}/settings", "rIdSettings"),
        Part("word/fontTable.xml", f"{WML}.fontTable+xml",
             build_font_table(layout, document.meta.numbering), f"{REL}/fontTable", "rIdFonts"),
        Part("word/theme/theme1.xml", f"{CT}.theme+xml", THEME, f"{REL}/theme", "rIdTheme"),
    ]
    for index, (name, xml) in enumerate(body.headers.items()):
        rel_id = "rIdHeaderOdd" if index == 0 else "rIdHeaderEven"
        parts.append(Part(name, f"{WML}.header+xml", xml, f"{REL}/header", rel_id))
    for name, rel_id, xml in body.footers:
        parts.append(Part(name, f"{WML}.footer+xml", xml, f"{REL}/footer", rel_id))
    if body.footnotes is not None:
        parts.append(Part("word/footnotes.xml", f"{WML}.footnotes+xml", body.footnotes,
                          f"{REL}/footnotes", "rIdFootnotes"))
    for media in body.media:
        parts.append(Part(media.name, media.content_type, media.data, f"{REL}/image",
                          media.rel_id))
    meta, version, revision = document.meta, document.version, document.revision
    core = core_properties(meta.title, version.label, meta.organization or meta.title, when)
    # Named properties a tool can read back: which plan, version and sources made this file.
    custom = custom_properties({"PlanTitle": meta.title, "PlanVersion": version.key,
                                "PlanVersionLabel": version.label,
                                "SourceCommit": revision.commit,
                                "SourceDirty": "true" if revision.dirty else "false",
                                "SourceDate": revision.date})
    return WrittenDocx(package_bytes(body.document, parts, core, custom, when), body.anchors)
