"""Names the Word writer and the Word reader must agree on: OOXML namespaces and relationship
types, the hidden bookmark prefixes, and the style ids the reader recognises. A leaf: it
imports nothing. Caption labels (表, 图, 专栏) are the layout profile's, not names."""
from __future__ import annotations

# ---- namespaces (transitional; ISO Strict ones are mapped onto these on read) ----------------
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML = "http://www.w3.org/XML/1998/namespace"

# Relationship types: officeDocument/2006/relationships/<name>; core properties are the
# package's own.
REL = R
CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"

# ISO/IEC 29500 Strict → transitional. Strict relationship types end in camelCase names where
# transitional ones use hyphens (customProperties → custom-properties).
STRICT = "http://purl.oclc.org/ooxml/"
STRICT_NAMESPACES = {
    STRICT + "wordprocessingml/main": W,
    STRICT + "officeDocument/relationships": R,
    STRICT + "officeDocument/math": M,
    STRICT + "drawingml/main": A,
    STRICT + "drawingml/wordprocessingDrawing": WP,
    STRICT + "drawingml/picture": PIC,
    STRICT + "officeDocument/docPropsVTypes": VT,
    STRICT + "officeDocument/customProperties": CUSTOM,
    STRICT + "officeDocument/extendedProperties": EXTENDED,
}
STRICT_RELATIONSHIP_TYPES = {"customProperties": "custom-properties",
                             "extendedProperties": "extended-properties"}

# ---- bookmarks the writer puts and the readers rely on -----------------------------------------
SOURCE_ANCHOR = "_Src"  # around each paragraph: its source file and line (manifest.json)
TOC_BOOKMARK = "_Toc"  # on each heading: the 目录's page reference
REF_BOOKMARK = "_Ref"  # on a caption or 专栏 title with an id: a cross-reference's target

# ---- style ids (styles.py defines them; read_built_docx recognises blocks by them) -------------
HEADING = "Heading"  # Heading1, Heading2, …
COVER_SUBTITLE = "CoverSubtitle"
COVER_FOOTER = "CoverFooter"
TABLE_CAPTION = "TableCaption"
FIGURE = "Figure"
FIGURE_CAPTION = "FigureCaption"
DRAFTER_NOTE = "DrafterNote"
BOX_TABLE = "BoxTable"
FOOTNOTE_REFERENCE = "FootnoteReference"
# A cross-reference's runs: Word's own style, which LibreOffice maps to its "Internet Link" and
# then exports as a PDF link (a hyperlink without a character style it leaves out of the PDF).
HYPERLINK_STYLE = "Hyperlink"
