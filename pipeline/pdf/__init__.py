"""PDF stage: the .docx exported through one long-lived LibreOffice (TOC updated, bookmarks,
document properties), and a report of the fonts the PDF really got."""

from .engine import (ConversionResult, GridSpacers, PdfEngine, PdfError, find_soffice,
                     office_converter, unavailable_reason)
from .fonts import (EmbeddedFont, FontReport, FontSubstitution, MappedFont, MissingGlyph,
                    embedded_fonts, font_report, resolve_font)

__all__ = [
    "ConversionResult", "GridSpacers", "PdfEngine", "PdfError", "find_soffice",
    "office_converter", "unavailable_reason",
    "EmbeddedFont", "FontReport", "FontSubstitution", "MappedFont", "MissingGlyph",
    "embedded_fonts", "font_report", "resolve_font",
]
