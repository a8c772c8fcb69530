"""The Word writer, builder by builder: each OOXML construct against the XML it must produce, and
whole documents written from hand-built models (no Markdown, no files but images)."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import replace

import pytest
from lxml import etree

from conftest import NS, ROOT, audit_errors
from pipeline.docx import write_docx
from pipeline.docx.blocks import block, blocks, heading, note
from pipeline.docx.body import write_body
from pipeline.docx.footnotes import footnotes
from pipeline.docx.front import toc
from pipeline.docx.ooxml import NS as OOXML_NS
from pipeline.docx.ooxml import (bookmark, doc_grid, el, field, move_range, paragraph, props,
                                 qn, revision_mark, run, table_borders, tracked_runs, val)
from pipeline.docx.sections import footer, section
from pipeline.docx.boxes import box
from pipeline.docx.tables import column_widths, merged_cells, table
from pipeline.docx.writer import BODY, ParagraphContext, Writer
from pipeline.layout import load_layout
from pipeline.model import (Box, Change, Document, FootnoteRef, Heading, ListBlock, ListItem,
                            Merge, Note, Paragraph, PlanMeta, Redline, Source, Span, Table,
                            VersionSpec)

W = NS["w"]
LAYOUT = load_layout("gbt9704", ROOT)
WHEN = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)
AT = Source("chapters/01.md", 3)


def xml(node: etree._Element) -> str:
    """The element as text with the w: prefix, namespace declarations left out."""
    holder = etree.Element(qn("w:body"), nsmap={"w": W, "r": OOXML_NS["r"]})
    holder.append(etree.fromstring(etree.tostring(node)))
    text = etree.tostring(holder[0], encoding="unicode")
    return re.sub(r' xmlns:\w+="[^"]+"', "", text)


def doc(*items, version: VersionSpec | None = None, redline: Redline | None = None,
        footnotes_: dict | None = None) -> Document:
    meta = PlanMeta("测试规划", "测试单位", "2021—2025年", {}, None, "plan", "gbt9704")
    return Document(meta, version or VersionSpec("draft", "初稿", "2020-09"), list(items),
                    footnotes_ or {}, redline=redline)


def writer(*items, **kw) -> Writer:
    return Writer(doc(*items, **kw), LAYOUT)


def heading_(level: int, text: str, number: str = "", bookmark_: str = "_Toc00000001",
             **kw) -> Heading:
    return Heading(level, [Span(text)], AT, number=number, bookmark=bookmark_, **kw)


# ---- ooxml: one builder per construct --------------------------------------------------------

def test_run_keeps_spaces_only_when_there_are_some():
    assert xml(run("正文")) == "<w:r><w:t>正文</w:t></w:r>"
    assert xml(run(" 1 ")) == '<w:r><w:t xml:space="preserve"> 1 </w:t></w:r>'


def test_properties_follow_the_schema_sequence_whatever_order_they_are_given():
    ppr = props("w:pPr", val("w:jc", "center"), el("w:keepNext"), val("w:pStyle", "X"),
                el("w:spacing", {"w:before": 0}), None)
    assert xml(ppr) == ('<w:pPr><w:pStyle w:val="X"/><w:keepNext/><w:spacing w:before="0"/>'
                        '<w:jc w:val="center"/></w:pPr>')
    rpr = props("w:rPr", val("w:highlight", "yellow"), el("w:b"), val("w:rStyle", "R"))
    assert xml(rpr) == ('<w:rPr><w:rStyle w:val="R"/><w:b/><w:highlight w:val="yellow"/>'
                        '</w:rPr>')


def test_paragraph_field_bookmark_page_break_borders_and_grid():
    assert xml(paragraph("Footer", run("a"), ppr_extra=[val("w:jc", "left")])) == (
        '<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="left"/></w:pPr>'
        '<w:r><w:t>a</w:t></w:r></w:p>')
    assert xml(paragraph(None)) == "<w:p/>"
    assert "".join(xml(r) for r in field("PAGE", [run("1")])) == (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    start, end = bookmark(7, "_Src00001")
    assert (xml(start), xml(end)) == ('<w:bookmarkStart w:id="7" w:name="_Src00001"/>',
                                      '<w:bookmarkEnd w:id="7"/>')
    assert xml(table_borders(4)).startswith(
        '<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        '<w:left ')
    assert [c.tag.split("}")[1] for c in table_borders(4)] == [
        "top", "left", "bottom", "right", "insideH", "insideV"]
    assert xml(doc_grid(579)) == '<w:docGrid w:type="lines" w:linePitch="579"/>'


def test_removed_text_moves_to_del_text_inside_a_deletion():
    wrapped = tracked_runs("del", 5, "编制组", "2021-01-01T00:00:00Z",
                           [run("旧"), el("w:r", None, el("w:instrText"))])
    assert xml(wrapped) == ('<w:del w:id="5" w:author="编制组" w:date="2021-01-01T00:00:00Z">'
                            '<w:r><w:delText>旧</w:delText></w:r>'
                            '<w:r><w:delInstrText/></w:r></w:del>')
    assert xml(revision_mark("ins", 1, "a", "d")) == '<w:ins w:id="1" w:author="a" w:date="d"/>'
    start, end = move_range("moveTo", 3, "move1", "a", "d")
    assert xml(start) == ('<w:moveToRangeStart w:id="3" w:name="move1" w:author="a" '
                          'w:date="d"/>')
    assert xml(end) == '<w:moveToRangeEnd w:id="3"/>'


def test_what_the_transform_marked_as_todo_is_highlighted_and_nothing_else():
    w = writer()
    marked, plain = w.runs([Span("【待补】", todo=True), Span("见 TODO 清单")])
    assert marked.find(".//w:highlight", NS).get(qn("w:val")) == LAYOUT["note"]["highlight"]
    assert plain.find(".//w:highlight", NS) is None  # the writer finds no TODO by itself


# ---- the writer's paragraph builder --------------------------------------------------------

def test_a_paragraph_is_built_once_in_order_lead_anchor_move_content():
    w = writer(redline=Redline("编制组", "2021-01-01T00:00:00Z"))
    change = Change("moveTo", "move1")
    p = w.text(replace(BODY, lead=(Span("1."),), indent_chars=4), None, [Span("内容")], AT,
               change)
    assert xml(p) == (
        '<w:p><w:pPr><w:ind w:firstLineChars="400"/><w:rPr>'
        '<w:moveTo w:id="100001" w:author="编制组" w:date="2021-01-01T00:00:00Z"/></w:rPr>'
        '</w:pPr><w:r><w:t>1.</w:t></w:r><w:bookmarkStart w:id="1" w:name="_Src00001"/>'
        '<w:moveToRangeStart w:id="100002" w:name="move1" w:author="编制组" '
        'w:date="2021-01-01T00:00:00Z"/><w:r><w:t>内容</w:t></w:r>'
        '<w:moveToRangeEnd w:id="100002"/><w:bookmarkEnd w:id="1"/></w:p>')
    anchor, = w.anchors
    assert (anchor.name, anchor.file, anchor.line, anchor.text) == (
        "_Src00001", "chapters/01.md", 3, "1.内容")


def test_runs_bold_italic_highlight_footnote_reference_and_break():
    w = writer()
    runs = w.runs([Span("粗", bold=True), Span("斜", italic=True), FootnoteRef("a", 2),
                   Span("TODO", todo=True)], highlight="green")
    assert [xml(r) for r in runs] == [
        '<w:r><w:rPr><w:b/><w:bCs/><w:highlight w:val="green"/></w:rPr><w:t>粗</w:t></w:r>',
        '<w:r><w:rPr><w:rFonts w:ascii="楷体_GB2312" w:hAnsi="楷体_GB2312" '
        'w:eastAsia="楷体_GB2312" w:cs="楷体_GB2312"/><w:highlight w:val="green"/></w:rPr>'
        '<w:t>斜</w:t></w:r>',
        '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        '<w:footnoteReference w:id="2"/></w:r>',
        '<w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr><w:t>TODO</w:t></w:r>']


# ---- blocks ----------------------------------------------------------------------------------

def test_a_heading_carries_its_toc_bookmark_inside_the_source_anchor():
    w = writer()
    p = heading(w, heading_(1, "总则", "第一章　"))
    assert xml(p) == (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
        '<w:bookmarkStart w:id="2" w:name="_Src00001"/>'
        '<w:bookmarkStart w:id="1" w:name="_Toc00000001"/>'
        '<w:r><w:t xml:space="preserve">第一章　</w:t></w:r>'
        '<w:r><w:t>总则</w:t></w:r><w:bookmarkEnd w:id="1"/><w:bookmarkEnd w:id="2"/></w:p>')


def test_nested_list_items_take_their_marker_and_indent_at_build_time():
    inner = ListBlock([ListItem([Paragraph([Span("子项")], AT)], AT)], True, 1, AT, depth=1)
    outer = ListBlock([ListItem([Paragraph([Span("一项")], AT), inner], AT),
                       ListItem([Paragraph([Span("二项")], AT)], AT)], False, 1, AT)
    out = blocks(writer(), [outer], BODY)
    assert [xml(p).split("<w:bookmarkStart")[0] for p in out] == [
        "<w:p><w:r><w:t>●</w:t></w:r>",
        '<w:p><w:pPr><w:ind w:firstLineChars="400"/></w:pPr><w:r><w:t>1.</w:t></w:r>',
        "<w:p><w:r><w:t>●</w:t></w:r>"]


def test_a_nested_list_in_a_redline_keeps_the_paragraph_properties_in_schema_order():
    inner = ListBlock([ListItem([Paragraph([Span("子项")], AT, Change("ins"))], AT,
                                Change("ins"))], True, 1, AT, depth=1)
    outer = ListBlock([ListItem([Paragraph([Span("一项")], AT), inner], AT)], True, 1, AT)
    w = writer(outer, redline=Redline("a", "d"))
    nested = blocks(w, [outer], BODY)[1]
    ppr = nested.find(qn("w:pPr"))
    assert [c.tag.split("}")[1] for c in ppr] == ["ind", "rPr"]  # ind before the mark's rPr


def test_a_note_label_leads_its_first_paragraph_or_stands_alone_before_a_table():
    w = writer()
    first, = note(w, Note([Paragraph([Span("核实数据。")], AT)], AT))
    assert xml(first).startswith(
        '<w:p><w:pPr><w:pStyle w:val="DrafterNote"/></w:pPr><w:r><w:rPr><w:b/><w:bCs/>'
        '<w:highlight w:val="yellow"/></w:rPr><w:t>【编者注】</w:t></w:r><w:bookmarkStart')
    assert all(r.find("w:rPr/w:highlight", NS) is not None for r in first.iter(qn("w:r")))
    tabled = note(w, Note([Table([[Span("甲")]], [[[Span("1")]]], [""], AT)], AT))
    assert [e.tag.split("}")[1] for e in tabled] == ["p", "tbl", "p"]  # label, table, spacer
    assert "".join(tabled[0].itertext()) == "【编者注】"


def test_a_list_in_a_note_is_highlighted_marker_and_all():
    item = ListBlock([ListItem([Paragraph([Span("事项")], AT)], AT)], True, 1, AT)
    first, = note(writer(), Note([item], AT))
    assert "".join(first.itertext()) == "【编者注】1.事项"
    assert all(r.find("w:rPr/w:highlight", NS) is not None for r in first.iter(qn("w:r")))


def test_table_header_repeats_rows_never_split_and_merged_cells_span():
    item = Table([[Span("序号")], [Span("名称")], [Span("投资")]],
                 [[[Span("一")], [Span("合计")], []], [[Span("1")], [Span("甲")], [Span("3")]]],
                 ["", "left", ""], AT, caption="投资表", number=2, label="表2",
                 merges=[Merge(0, 1, cols=2)])
    assert merged_cells(item) == {0: {1: (2, ""), 2: (0, "")}}
    caption, tbl, spacer = table(writer(), item)
    assert "".join(caption.itertext()) == "表2　投资表"
    assert spacer.find("w:pPr/w:pStyle", NS).get(qn("w:val")) == "GridSpacer"
    rows = tbl.findall("w:tr", NS)
    assert [xml(r.find(qn("w:trPr"))) for r in rows] == [
        "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>", "<w:trPr><w:cantSplit/></w:trPr>",
        "<w:trPr><w:cantSplit/></w:trPr>"]
    merged = rows[1].findall("w:tc", NS)
    assert len(merged) == 2
    assert merged[1].find("w:tcPr/w:gridSpan", NS).get(qn("w:val")) == "2"
    widths = [int(g.get(qn("w:w"))) for g in tbl.iter(qn("w:gridCol"))]
    assert sum(widths) == LAYOUT.type_width_twips
    assert int(merged[1].find("w:tcPr/w:tcW", NS).get(qn("w:w"))) == widths[1] + widths[2]
    name_cell = rows[2].findall("w:tc", NS)[1]
    assert name_cell.find("w:p/w:pPr/w:jc", NS).get(qn("w:val")) == "left"


def test_a_deleted_table_row_carries_its_mark_last_in_the_row_properties():
    item = Table([[Span("甲")]], [[[Span("1")]]], [""], AT, row_changes=[Change("del")])
    tbl, _ = table(writer(redline=Redline("a", "d")), item)
    assert xml(tbl.findall("w:tr", NS)[1].find(qn("w:trPr"))) == (
        '<w:trPr><w:cantSplit/><w:del w:id="100001" w:author="a" w:date="d"/></w:trPr>')


def test_long_columns_share_the_width_short_ones_keep_theirs():
    long = "重点推进污水管网建设和雨污分流改造" * 3
    item = Table([[Span("序号")], [Span("内容")]], [[[Span("1")], [Span(long)]]], ["", ""], AT)
    short, wide = column_widths(writer(), item, 2).widths
    assert short < wide and short + wide == LAYOUT.type_width_twips


def test_a_box_is_a_framed_table_with_a_shaded_title_row_and_a_spacer_after_it():
    w = writer()
    item = Box("重点工程", [Paragraph([Span("建设内容。")], AT)], AT, number=1, label="专栏1")
    tbl, after = box(w, item, lambda content, ctx: blocks(w, content, ctx))
    title_row, body_row = tbl.findall("w:tr", NS)
    assert "".join(title_row.itertext()) == "专栏1　重点工程"
    assert title_row.find("w:tc/w:tcPr/w:shd", NS).get(qn("w:fill")) == "F2F2F2"
    assert body_row.find("w:tc/w:p/w:pPr/w:pStyle", NS).get(qn("w:val")) == "BoxText"
    assert xml(after) == ('<w:p><w:pPr><w:pStyle w:val="GridSpacer"/></w:pPr>'
                          '<w:bookmarkStart w:id="3" w:name="_Grid00001"/>'
                          '<w:bookmarkEnd w:id="3"/></w:p>')  # ids 1–2: two anchors


def test_a_table_in_a_box_is_a_table_of_its_own_that_repeats_its_header():
    """A table nested in a cell cannot repeat its header on the next page: the box is cut into
    framed parts standing one under the other, the table at the top level between them."""
    w = writer()
    inner = Table([[Span("序号")], [Span("项目")]], [[[Span("1")], [Span("污水管网")]]],
                  ["", ""], AT, caption="项目表", number=3, label="表3", note="注：样例。")
    item = Box("重点工程", [Paragraph([Span("说明。")], AT), inner,
                        Paragraph([Span("其后。")], AT)], AT, number=2, label="专栏2")
    out = box(w, item, lambda content, ctx: blocks(w, content, ctx))
    kinds = [e.tag.split("}")[1] for e in out]
    assert kinds == ["tbl", "p", "tbl", "p", "tbl", "p"]
    first, join1, table_part, join2, last, spacer = out
    assert [xml(j) for j in (join1, join2)] == ['<w:p><w:pPr><w:pStyle w:val="BoxJoin"/></w:pPr></w:p>'] * 2
    assert ["".join(p.itertext()) for p in first.iter(qn("w:p"))] == [
        "专栏2　重点工程", "说明。", "表3　项目表"]
    header = table_part.find("w:tr", NS)
    assert header.find("w:trPr/w:tblHeader", NS) is not None
    assert "".join(header.itertext()) == "序号项目"
    assert ["".join(p.itertext()) for p in last.iter(qn("w:p"))] == ["注：样例。", "其后。"]
    # The frame: thick outer lines, the first part open at the bottom, the table's top thin.
    def borders(tbl):
        return {c.tag.split("}")[1]: c.get(qn("w:val")) if c.get(qn("w:val")) == "nil"
                else c.get(qn("w:sz")) for c in tbl.find("w:tblPr/w:tblBorders", NS)}
    assert borders(first) == {"top": "8", "left": "8", "bottom": "nil", "right": "8",
                              "insideH": "8", "insideV": "8"}
    assert borders(table_part) == {"top": "4", "left": "8", "bottom": "nil", "right": "8",
                                   "insideH": "4", "insideV": "4"}
    assert borders(last)["bottom"] == "8" and borders(last)["top"] == "4"
    assert spacer.find("w:pPr/w:pStyle", NS).get(qn("w:val")) == "GridSpacer"


def test_a_box_opening_with_its_table_repeats_its_title_with_the_header():
    w = writer()
    inner = Table([[Span("指标")], [Span("目标")]], [[[Span("PM2.5")], [Span("30")]]],
                  ["", ""], AT)
    tbl, spacer = box(w, Box("指标", [inner], AT, number=1, label="专栏1"),
                      lambda content, ctx: blocks(w, content, ctx))
    title, header, body = tbl.findall("w:tr", NS)
    assert "".join(title.itertext()) == "专栏1　指标"
    assert title.find("w:tc/w:tcPr/w:gridSpan", NS).get(qn("w:val")) == "2"
    assert [r.find("w:trPr/w:tblHeader", NS) is not None for r in (title, header, body)] == [
        True, True, False]


def test_a_spacer_takes_the_height_the_pdf_stage_measured():
    w = Writer(doc(), LAYOUT, spacer_heights={"_Grid00002": 321})
    first, second = w.spacer(), w.spacer()
    assert first.find("w:pPr/w:spacing", NS) is None  # the style's 1 pt until measured
    assert xml(second.find(qn("w:pPr"))) == (
        '<w:pPr><w:pStyle w:val="GridSpacer"/><w:spacing w:before="0" w:after="0" '
        'w:line="321" w:lineRule="exact"/></w:pPr>')


def test_a_heading_inside_a_box_is_a_bold_line_of_box_text():
    w = writer()
    p, = block(w, heading_(3, "小标题"), ParagraphContext("box", "BoxText"))
    assert p.find("w:pPr/w:pStyle", NS).get(qn("w:val")) == "BoxText"
    assert p.find("w:r/w:rPr/w:b", NS) is not None


# ---- front matter, sections, footnotes -----------------------------------------------------

def test_toc_field_opens_in_the_first_entry_and_closes_in_the_section_end():
    entries = [heading_(1, "总则", "第一章　", "_Toc00000001"),
               heading_(2, "目标", "第一节　", "_Toc00000002"),
               heading_(3, "细则", "一、", "_Toc00000003")]
    w = Writer(doc(*entries), LAYOUT, {"_Toc00000001": 1, "_Toc00000002": 2})
    title, first, second, closing = toc(w, section(w, "toc"))
    assert "".join(title.itertext()) == "目　录"
    assert [c.tag.split("}")[1] for c in first][:4] == ["pPr", "r", "r", "r"]
    assert 'TOC \\o "1-2"' in "".join(first.itertext())
    assert "".join(second.itertext()).endswith("PAGEREF _Toc00000002 \\h 2")
    assert [c.tag.split("}")[1] for c in closing.find(qn("w:pPr"))] == [
        "suppressLineNumbers", "sectPr"]
    assert closing.find("w:r/w:fldChar", NS).get(qn("w:fldCharType")) == "end"


def test_body_section_numbers_pages_from_one_with_footers_and_line_numbers():
    review = VersionSpec("review", "征求意见稿", "2020-12", header=True, line_numbers=True)
    sect = section(Writer(doc(version=review), LAYOUT), "body")
    assert [c.tag.split("}")[1] for c in sect] == [
        "headerReference", "headerReference", "footerReference", "footerReference", "pgSz",
        "pgMar", "lnNumType", "pgNumType", "docGrid"]
    margins = sect.find("w:pgMar", NS)
    assert {k.split("}")[1]: v for k, v in margins.attrib.items()} == {
        "top": "2098", "right": "1474", "bottom": "1984", "left": "1587", "header": "851",
        "footer": "1307", "gutter": "0"}
    cover_section = section(Writer(doc(), LAYOUT), "cover")
    assert [c.tag.split("}")[1] for c in cover_section] == ["pgSz", "pgMar", "docGrid"]


def test_printed_double_sided_the_toc_opens_on_a_recto():
    """An odd-page break before the 目录; the body gets its recto from its page numbers
    starting at 1 (LibreOffice adds the blank verso)."""
    toc_section = section(Writer(doc(), LAYOUT), "toc")
    assert xml(toc_section.find(qn("w:type"))) == '<w:type w:val="oddPage"/>'
    assert section(Writer(doc(), LAYOUT), "body").find(qn("w:type")) is None
    simplex = doc()
    simplex.meta.print = "simplex"
    assert section(Writer(simplex, LAYOUT), "toc").find(qn("w:type")) is None


def test_footers_put_odd_numbers_right_and_even_left():
    w = writer()
    odd = etree.fromstring(footer(w, odd=True))
    even = etree.fromstring(footer(w, odd=False))
    assert odd.find(".//w:jc", NS).get(qn("w:val")) == "right"
    assert odd.find(".//w:ind", NS).get(qn("w:right")) == "280"
    assert even.find(".//w:ind", NS).get(qn("w:left")) == "280"
    assert "".join(odd.itertext()).replace(" PAGE ", "") == "— 1 —"


def test_footnote_mark_leads_the_first_paragraph_of_each_note():
    w = writer(footnotes_={1: [Paragraph([Span("资料来源。")], AT)], 2: []})
    root = etree.fromstring(footnotes(w))
    notes = root.findall("w:footnote", NS)
    assert [n.get(qn("w:type")) for n in notes] == ["separator", "continuationSeparator",
                                                   None, None]
    first = notes[2].find("w:p", NS)
    assert [c.tag.split("}")[1] for c in first] == ["pPr", "r", "bookmarkStart", "r",
                                                    "bookmarkEnd"]
    assert first[1].find("w:footnoteRef", NS) is not None
    assert notes[3].find("w:p/w:r/w:footnoteRef", NS) is not None


# ---- whole documents from hand-built models ------------------------------------------------

def sample_model() -> Document:
    table_ = Table([[Span("类别")], [Span("指标")], [Span("目标")]],
                   [[[Span("环境")], [Span("PM2.5")], [Span("30")]],
                    [[], [Span("优良天数")], [Span("95")]]],
                   ["", "left", ""], AT, caption="主要指标", number=1, label="表1",
                   merges=[Merge(0, 0, rows=2)])
    return doc(
        heading_(1, "序言", "", "_Toc00000001", numbered=False),
        Paragraph([Span("本规划依据"), FootnoteRef("a", 1), Span("编制。")], AT),
        heading_(1, "总体要求", "第一章　", "_Toc00000002"),
        heading_(2, "主要目标", "第一节　", "_Toc00000003"),
        table_,
        Box("重点工程", [Paragraph([Span("实施工程。")], AT), table_], AT, number=1, label="专栏1"),
        ListBlock([ListItem([Paragraph([Span("一项")], AT)], AT)], True, 1, AT),
        Note([Paragraph([Span("请核实。")], AT)], AT),
        footnotes_={1: [Paragraph([Span("见附件。")], AT)]})


def test_a_hand_built_document_writes_a_package_word_opens_cleanly(tmp_path):
    written = write_docx(sample_model(), LAYOUT, WHEN)
    path = tmp_path / "model.docx"
    path.write_bytes(written.data)
    assert audit_errors(path) == []
    with zipfile.ZipFile(path) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        assert "word/footnotes.xml" in archive.namelist()
    texts = ["".join(p.itertext()) for p in body.iter(qn("w:p"))]
    assert "序言" in texts and "第一章　总体要求" in texts
    toc_texts = [t for t in texts if "PAGEREF" in t]
    assert "\\u 序言 PAGEREF" in toc_texts[0] and toc_texts[1].startswith("第一章　总体要求")
    assert "1.一项" in texts and "【编者注】请核实。" in texts
    # Every anchored paragraph is in the manifest with the text the reader sees.
    assert [a.text for a in written.anchors][:2] == ["序言", "本规划依据编制。"]
    assert len({a.name for a in written.anchors}) == len(written.anchors)


def test_writing_twice_gives_the_same_bytes_and_leaves_the_model_as_it_was():
    model = sample_model()
    before = repr(model)
    assert write_docx(model, LAYOUT, WHEN).data == write_docx(model, LAYOUT, WHEN).data
    assert repr(model) == before


def test_cover_toc_and_body_are_three_sections():
    body = etree.fromstring(write_body(sample_model(), LAYOUT).document)
    sections = list(body.iter(qn("w:sectPr")))
    assert len(sections) == 3
    cover_end = sections[0].getparent().getparent()
    assert "".join(cover_end.itertext()) == "二〇二〇年九月"  # the cover's last line ends it


def test_a_document_without_front_matter_has_one_section():
    parts = write_body(replace(doc(Paragraph([Span("表格文档")], AT)), front_matter=False),
                       LAYOUT)
    body = etree.fromstring(parts.document)
    assert len(list(body.iter(qn("w:sectPr")))) == 1
    assert parts.headers == {} and parts.footnotes is None


@pytest.mark.parametrize("versions", [VersionSpec("review", "征求意见稿", "2020-12",
                                                  header=True, line_numbers=True)])
def test_a_review_copy_has_headers_and_line_numbers(versions):
    parts = write_body(doc(Paragraph([Span("正文")], AT), version=versions), LAYOUT)
    assert set(parts.headers) == {"word/header1.xml", "word/header2.xml"}
    assert b"lnNumType" in parts.document
