"""Verify stage: measure a rendered PDF against the layout profile and say what deviates.

Nothing here trusts the settings written into the .docx: every figure is read back from the PDF
(pdfplumber for text positions, pypdf for fonts and bookmarks) and compared with the numbers of
the layout profile (styles/*.yaml).

    checks = verify_pdf(Path("build/draft/规划.pdf"), load_layout("gbt9704", root))
    render_table(checks)   # plain-text Chinese table: 检查项 | 要求 | 实测 | 结论
    to_json(checks)        # [{"item", "requirement", "measured", "ok"}, ...]

How the document is read
------------------------
* Every text line is reduced to the glyphs of its main size (superscript footnote marks and the like
  are left out of the geometry). pdfplumber gives each glyph its em box: a box one font size tall
  standing on the font's descent line, with x0 at the glyph's origin (full-width CJK glyphs fill
  their em box horizontally, so x0 is the left edge of the character cell).
* The cover is the first page; the 目录 pages follow it (the page whose line reads the TOC title
  of the profile, then every page that still consists of dot-leader entries); the body starts on
  the first page after them that is not blank (a verso left blank so that it opens on a recto).
  Without a TOC the body starts where the first bookmark points, else where the first page
  number appears. A landscape page (a wide table) is the sheet turned: its page number, set
  turned in its left margin, is measured in the upright sheet's lengths.
* A *text page* is a body page whose lines above the type area's bottom are all body-size text,
  with no image (so no table, 专栏, footnote or figure on it). A text page is *full* when its
  last paragraph runs on for at least three lines on the next page (the next page opens with
  three lines at the left edge: paragraph starts are indented, headings indented or centred).
  Then neither widow/orphan control nor keep-with-next ended the page, only lack of room: pages
  that end early for those reasons, or because a chapter ends, are left out, while a grid whose
  pitch is too large (21 lines) still shows up. A full page must end on the grid's last row.
* Rows are counted from the type area's top edge, one line pitch (grid.line_pitch_twips) each:
  every line of body text on every body page must sit on one (grid.py).
* Tables are read from their ruled lines (flow.py); the lines a reviewer can cite, for the
  line numbers of a review copy, as the PDF stage numbers them (pdf/citable.py).

Tolerances are those of the specification (±1 mm for paper and margins, ±1.5 mm for the page
number); a profile may override them in an optional `verify:` section (page_mm, margin_mm,
page_number_mm).
"""
from __future__ import annotations

from pathlib import Path

from ..layout import Layout
from .area import (char_units, check_chars_per_line, check_lines_per_page, check_paper,
                   check_type_area, full_pages, text_pages)
from .flow import check_stranded, check_table_headers, check_titles
from .fonts import check_fonts_embedded
from .grid import check_grid
from .linenos import check_line_numbers
from .numbers import check_page_numbers, check_toc, parse_toc
from .pdfread import read_pdf
from .report import Check, render_table, to_json
from .sides import check_blank_pages, check_sides
from .structure import expected_geometry, find_structure
from ..chinese import display_width

__all__ = ["Check", "char_units", "display_width", "expected_geometry", "find_structure",
           "full_pages", "parse_toc", "read_pdf", "render_table", "text_pages", "to_json",
           "verify_pdf"]


def verify_pdf(pdf: Path, layout: Layout, duplex: bool = True,
               line_numbers: bool | None = None) -> list[Check]:
    """Measures `pdf` against `layout`; one Check per requirement. `duplex`: printed on both
    sides (plan.yaml `print`); `line_numbers`: whether the version numbers its lines (None:
    judged from the pages). Raises PlanError (E701) when the file is missing or is not a
    readable PDF."""
    geometry = expected_geometry(layout)
    # Line numbers (review copies) sit in the left margin: they are not part of any text line.
    pages, fonts, outline = read_pdf(Path(pdf), geometry.left - geometry.margin_tol,
                                     geometry.bottom - geometry.margin_tol)
    structure = find_structure(pages, outline, geometry)
    return [
        check_paper(pages, geometry),
        *check_type_area(pages, structure, geometry),
        check_lines_per_page(pages, structure, geometry),
        check_grid(pages, structure, geometry),
        check_chars_per_line(pages, structure, geometry),
        *check_page_numbers(pages, structure, geometry),
        check_sides(pages, structure, geometry, duplex),
        check_blank_pages(pages, structure, geometry, duplex),
        check_table_headers(pages, structure, geometry),
        check_stranded(pages, structure, geometry),
        check_titles(pages, structure, geometry),
        check_line_numbers(pages, structure, geometry, line_numbers),
        check_fonts_embedded(fonts),
        check_toc(pages, structure, outline, geometry),
    ]
