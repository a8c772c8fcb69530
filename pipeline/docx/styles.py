"""styles.xml from the layout profile: every style the body refers to is defined here."""
from __future__ import annotations

from lxml import etree

from ..layout import Layout, half_points, twips
from ..names import HYPERLINK_STYLE
from .ooxml import (NS, el, fonts, indent, lang, props, qn, size, spacing, table_borders,
                    tostring, val)

OFF = "0"


def style(kind: str, style_id: str, name: str, *, based_on: str | None = "Normal",
          next_: str | None = None, ppr: list | None = None, rpr: list | None = None,
          extra: list | None = None, default: bool = False, ui_priority: int | None = None
          ) -> etree._Element:
    attrs = {"w:type": kind, "w:styleId": style_id}
    if default:
        attrs["w:default"] = "1"
    node = el("w:style", attrs, val("w:name", name))
    if based_on and style_id != based_on:
        node.append(val("w:basedOn", based_on))
    if next_:
        node.append(val("w:next", next_))
    if ui_priority is not None:
        node.append(val("w:uiPriority", ui_priority))
    node.append(el("w:qFormat"))
    if ppr:
        node.append(props("w:pPr", *ppr))
    if rpr:
        node.append(props("w:rPr", *rpr))
    for item in extra or []:
        node.append(item)
    return node


def run_props(font: str | None, size_pt: float | None, bold: bool = False) -> list:
    out: list = []
    if font:
        out.append(fonts(font))
    if bold:
        out += [el("w:b"), el("w:bCs")]
    if size_pt:
        out += size(half_points(size_pt))
    return out


def off_grid(line_pt: float | None = None) -> list:
    """Small text cannot sit on the 28.95 pt body grid: take it off and give it its own leading."""
    rows = [val("w:snapToGrid", OFF)]
    if line_pt:
        rows.append(spacing(before=0, after=0, line=round(line_pt * 20), rule="exact"))
    else:
        rows.append(spacing(before=0, after=0, line=240, rule="auto"))
    return rows


def grid_spacing(before_lines: float, after_lines: float, pitch: int) -> etree._Element:
    """Space around a heading that adds up to whole grid rows: 290 + 290 twips for half a row
    each is one twip more than a 579-twip row, and LibreOffice then loses the page's 22nd line."""
    before = round(before_lines * pitch)
    after = round((before_lines + after_lines) * pitch) - before
    return spacing(before=before, after=after, line=240, rule="auto")


def centered() -> list:
    return [indent(first_chars=0, first=0), align("center")]


def unnumbered() -> etree._Element:
    """No line numbers: LibreOffice numbers lines through the whole document, not per section,
    so the cover and 目录 styles opt out paragraph by paragraph."""
    return el("w:suppressLineNumbers")


def align(value: str) -> etree._Element:
    return val("w:jc", {"left": "left", "center": "center", "right": "right"}.get(value, "both"))


def build_styles(layout: Layout, numbering: str, hyperlinks: bool = False) -> bytes:
    body = layout["body"]
    grid = layout["grid"]
    char_twips = half_points(body["size_pt"]) * 10  # one character of body text, in twips
    root = etree.Element(qn("w:styles"), nsmap={"w": NS["w"]})

    root.append(el("w:docDefaults", None,
                   el("w:rPrDefault", None, props("w:rPr", fonts(body["font"]),
                                                  *size(half_points(body["size_pt"])), lang())),
                   el("w:pPrDefault", None, props("w:pPr", spacing(before=0, after=0, line=240,
                                                                   rule="auto")))))

    first = body["first_line_chars"]
    # Widow control would move single lines to the next page and leave pages a line short of 22.
    root.append(style("paragraph", "Normal", "Normal", based_on=None, default=True, ppr=[
        val("w:widowControl", OFF), val("w:overflowPunct", OFF), spacing(before=0, after=0, line=240, rule="auto"),
        indent(first_chars=first * 100, first=first * char_twips), align("both")],
        rpr=[fonts(body["font"]), el("w:spacing", {"w:val": round(grid["char_spacing_pt"] * 20)}),
             *size(half_points(body["size_pt"]))]))
    root.append(style("character", "DefaultParagraphFont", "Default Paragraph Font",
                      based_on=None, default=True, ui_priority=1))
    margin = twips(layout["table"]["cell_margin_mm"])
    padding = twips(layout["table"].get("cell_padding_mm", 0))
    root.append(style("table", "TableNormal", "Normal Table", based_on=None, default=True,
                      extra=[el("w:tblPr", None, el("w:tblInd", {"w:w": 0, "w:type": "dxa"}),
                                el("w:tblCellMar", None,
                                   el("w:top", {"w:w": padding, "w:type": "dxa"}),
                                   el("w:left", {"w:w": margin, "w:type": "dxa"}),
                                   el("w:bottom", {"w:w": padding, "w:type": "dxa"}),
                                   el("w:right", {"w:w": margin, "w:type": "dxa"})))]))

    pitch = grid["line_pitch_twips"]
    for level, spec in enumerate(layout.scheme(numbering), start=1):
        ppr = [el("w:keepNext"), el("w:keepLines"),
               grid_spacing(spec.get("space_before_lines", 0), spec.get("space_after_lines", 0),
                            pitch),
               align(spec.get("align", "both")), val("w:outlineLvl", level - 1)]
        chars = spec.get("indent_chars", 0)
        ppr.append(indent(first_chars=chars * 100, first=chars * char_twips) if chars
                   else indent(first_chars=0, first=0))
        root.append(style("paragraph", f"Heading{level}", f"heading {level}", next_="Normal",
                          ppr=ppr, rpr=run_props(spec["font"], spec["size_pt"],
                                                 spec.get("bold", False))))

    cover = layout["cover"]
    title = layout["title"]
    root.append(style("paragraph", "Title", "Title", ppr=[unnumbered(), 
        val("w:snapToGrid", OFF),
        spacing(before=twips(cover["title_space_before_mm"]), after=0,
                line=round(cover["title_line_pt"] * 20), rule="exact"), *centered()],
        rpr=run_props(title["font"], cover["title_size_pt"])))
    root.append(style("paragraph", "CoverSubtitle", "Cover Subtitle", ppr=[unnumbered(), *centered()],
                      rpr=run_props(cover["subtitle_font"], cover["subtitle_size_pt"])))
    root.append(style("paragraph", "CoverFooter", "Cover Footer", ppr=[unnumbered(), *centered()],
                      rpr=run_props(cover["footer_font"], cover["footer_size_pt"])))

    toc = layout["toc"]
    root.append(style("paragraph", "TOCHeading", "TOC Heading", ppr=[unnumbered(), 
        spacing(before=0, after=round(toc["title_space_after_lines"] * pitch), line=240,
                rule="auto"), *centered()],
        rpr=run_props(toc["title_font"], toc["title_size_pt"])))
    for level in range(1, toc["levels"] + 1):
        tab = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:leader": "dot",
                                              "w:pos": layout.type_width_twips}))
        root.append(style("paragraph", f"TOC{level}", f"toc {level}", next_="Normal", ppr=[
            unnumbered(), tab, indent(left=(level - 1) * toc["indent_chars"] * char_twips, first=0,
                           first_chars=0),
            align("left")], rpr=run_props(toc["entry_fonts"][level - 1],
                                          toc["entry_sizes_pt"][level - 1])))

    table = layout["table"]
    root.append(style("paragraph", "TableText", "Table Text", ppr=[
        *off_grid(), indent(first_chars=0, first=0), align("center")],
                      rpr=run_props(table["font"], table["size_pt"])))
    root.append(style("paragraph", "TableHeader", "Table Header", based_on="TableText",
                      ppr=[el("w:keepNext")], rpr=run_props(table["header_font"], None)))
    root.append(style("paragraph", "TableCaption", "Table Caption", ppr=[
        el("w:keepNext"), spacing(before=round(table["caption_space_before_lines"] * pitch), after=0,
                line=240, rule="auto"),
        *centered()], rpr=run_props(table["caption_font"], table["caption_size_pt"])))
    root.append(style("paragraph", "TableNote", "Table Note", ppr=[
        *off_grid(), indent(first_chars=0, first=0), align("both")],
        rpr=run_props(table["font"], table["note_size_pt"])))
    figure = layout["figure"]
    root.append(style("paragraph", "Figure", "Figure", ppr=[el("w:keepNext"), *off_grid(),
                                                            *centered()]))
    root.append(style("paragraph", "FigureCaption", "Figure Caption", ppr=[*centered()],
                      rpr=run_props(figure["caption_font"], figure["caption_size_pt"])))

    box = layout["box"]
    root.append(style("paragraph", "BoxTitle", "Box Title", ppr=[el("w:keepNext"),
                                                                 *off_grid(box["line_pt"]),
                                                                 *centered()],
                      rpr=run_props(box["title_font"], box["title_size_pt"])))
    root.append(style("paragraph", "BoxCaption", "Box Caption", ppr=[
        el("w:keepNext"), *off_grid(box["line_pt"]), *centered()],
        rpr=run_props(table["caption_font"], table["caption_size_pt"])))
    # Between two parts of a 专栏: a fraction of a point, so the frame looks unbroken.
    root.append(style("paragraph", "BoxJoin", "Box Join", ppr=[
        unnumbered(), val("w:snapToGrid", OFF), spacing(before=0, after=0, line=14, rule="exact"),
        indent(first_chars=0, first=0)], rpr=[*size(2)]))
    box_char = half_points(box["size_pt"]) * 10
    # A 专栏 leaves no single line of a paragraph alone at a page's foot or head.
    root.append(style("paragraph", "BoxText", "Box Text", ppr=[el("w:widowControl"),
        *off_grid(box["line_pt"]), indent(first_chars=box["first_line_chars"] * 100,
                                    first=box["first_line_chars"] * box_char), align("both")],
        rpr=run_props(box["font"], box["size_pt"])))

    # Shading only: a paragraph border adds its width to the line and costs the page a grid row.
    root.append(style("paragraph", "DrafterNote", "Drafter Note", ppr=[
        el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": layout["note"]["shading"]})]))

    # After a table, a 专栏 or a figure: the PDF stage sets its height to what takes the text
    # after it back to the grid.
    root.append(style("paragraph", "GridSpacer", "Grid Spacer", ppr=[
        unnumbered(), val("w:snapToGrid", OFF), spacing(before=0, after=0, line=20, rule="exact"),
        indent(first_chars=0, first=0)], rpr=[*size(2)]))

    # Ends a section of the body (the pages before and after a landscape table).
    root.append(style("paragraph", "SectionEnd", "Section End", ppr=[
        unnumbered(), val("w:snapToGrid", OFF), spacing(before=0, after=0, line=20, rule="exact"),
        indent(first_chars=0, first=0)], rpr=[*size(2)]))

    note = layout["footnote"]
    root.append(style("paragraph", "FootnoteText", "footnote text", ppr=[unnumbered(),
        *off_grid(), indent(first_chars=0, first=0), align("both")],
        rpr=run_props(note["font"], note["size_pt"])))
    root.append(style("character", "FootnoteReference", "footnote reference",
                      based_on="DefaultParagraphFont", rpr=[val("w:vertAlign", "superscript")]))

    number = layout["page_number"]
    root.append(style("paragraph", "Footer", "footer", ppr=[
        *off_grid(number["size_pt"]), indent(first_chars=0, first=0)],
        rpr=run_props(number["font"], number["size_pt"])))

    header = layout["header"]
    root.append(style("paragraph", "Header", "header", ppr=[
        *off_grid(), *centered()], rpr=run_props(header["font"], header["size_pt"])))
    root.append(style("paragraph", "HeaderDetail", "Header Detail", based_on="Header",
                      rpr=run_props(None, header["detail_size_pt"])))
    numbers = layout["line_numbers"]
    root.append(style("character", "LineNumber", "line number",
                      based_on="DefaultParagraphFont",
                      rpr=run_props(numbers["font"], numbers["size_pt"])))
    if hyperlinks:  # a cross-reference prints as the text around it: no colour, no underline
        root.append(style("character", HYPERLINK_STYLE, "Hyperlink",
                          based_on="DefaultParagraphFont"))

    for style_id, name, eighths in (("PlanTable", "Plan Table", table["border_pt"] * 8),
                                    ("BoxTable", "Box Table", box["border_pt"] * 8)):
        root.append(style("table", style_id, name, based_on="TableNormal", extra=[
            el("w:tblPr", None, el("w:jc", {"w:val": "center"}),
               table_borders(round(eighths)))]))
    return tostring(root)


def grid_styles(layout: Layout, numbering: str) -> list[str]:
    """The paragraph styles (Word names) whose lines sit on the rows of the grid: body text,
    drafters' notes and headings (their space before and after is whole rows)."""
    return ["Normal", "Drafter Note",
            *(f"heading {level}" for level in range(1, len(layout.scheme(numbering)) + 1))]
