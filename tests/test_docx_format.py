"""The sample plan's Word file against the numbers of spec/official-format.md."""
from __future__ import annotations

import hashlib
import re

import docx
from docx.shared import Mm

from conftest import NS, W, audit_errors, copy_sample, part

Q = f"{{{W}}}"


def test_output_name_and_word_opens_it_cleanly(sample_docx):
    assert sample_docx.name == "赣州市“十四五”生态环境保护规划（初稿）.docx"
    assert sample_docx.parent.name == "draft"
    assert audit_errors(sample_docx) == []


def test_page_geometry_follows_gbt9704(sample_docx):
    document = docx.Document(sample_docx)
    assert len(document.sections) == 3  # the cover, the 目录, the body
    for section in document.sections:
        assert abs(section.page_width - Mm(210)) <= Mm(0.1)  # 11906 twips
        assert abs(section.page_height - Mm(297)) <= Mm(0.1)  # 16838 twips
        assert abs(section.top_margin - Mm(37)) <= Mm(0.1)
        assert abs(section.left_margin - Mm(28)) <= Mm(0.1)
        assert abs(section.right_margin - Mm(26)) <= Mm(0.1)
        assert abs(section.bottom_margin - Mm(35)) <= Mm(0.1)


def test_grid_is_22_lines_realised_for_libreoffice(sample_docx):
    body = part(sample_docx, "word/document.xml")
    grids = body.findall(".//w:sectPr/w:docGrid", NS)
    assert len(grids) == 3
    for grid in grids:
        assert grid.get(Q + "type") == "lines"
        assert grid.get(Q + "linePitch") == "579"
    styles = part(sample_docx, "word/styles.xml")
    normal = styles.find(".//w:style[@w:styleId='Normal']", NS)
    assert normal.find("w:rPr/w:spacing", NS).get(Q + "val") == "-5"
    default_spacing = styles.find(".//w:pPrDefault/w:pPr/w:spacing", NS)
    assert default_spacing.get(Q + "after") == "0"


def test_body_font_is_fangsong_16pt_on_the_east_asian_slot(sample_docx):
    styles = part(sample_docx, "word/styles.xml")
    for rpr in (styles.find(".//w:rPrDefault/w:rPr", NS),
                styles.find(".//w:style[@w:styleId='Normal']/w:rPr", NS)):
        fonts = rpr.find("w:rFonts", NS)
        assert fonts.get(Q + "eastAsia") == "仿宋_GB2312"
        assert fonts.get(Q + "ascii") == "仿宋_GB2312"  # “” 《》 in the Chinese face too
        assert rpr.find("w:sz", NS).get(Q + "val") == "32"
        assert not [k for k in fonts.attrib if "Theme" in k]
    lang = styles.find(".//w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(Q + "eastAsia") == "zh-CN"
    normal_ppr = styles.find(".//w:style[@w:styleId='Normal']/w:pPr", NS)
    assert normal_ppr.find("w:jc", NS).get(Q + "val") == "both"
    assert normal_ppr.find("w:ind", NS).get(Q + "firstLineChars") == "200"


def heading_font(styles, level: int) -> tuple[str, bool]:
    style = styles.find(f".//w:style[@w:styleId='Heading{level}']", NS)
    fonts = style.find("w:rPr/w:rFonts", NS)
    return fonts.get(Q + "eastAsia"), style.find("w:rPr/w:b", NS) is not None


def test_headings_are_numbered_with_the_right_font_per_level(sample_docx):
    document = docx.Document(sample_docx)
    styles = part(sample_docx, "word/styles.xml")
    by_level: dict[int, list[str]] = {}
    for p in document.paragraphs:
        if p.style.name.lower().startswith("heading "):
            by_level.setdefault(int(p.style.name[-1]), []).append(p.text)
    assert by_level[1][0].startswith("第一章　")
    assert by_level[1][1].startswith("第二章　")
    assert any(t.startswith("第十章　") for t in by_level[1])
    assert by_level[2][0].startswith("第一节　")
    assert re.match(r"^一、\S", by_level[3][0])
    assert re.match(r"^（一）\S", by_level[4][0])
    assert heading_font(styles, 1) == ("黑体", False)
    assert heading_font(styles, 2) == ("楷体_GB2312", True)
    assert heading_font(styles, 3) == ("黑体", False)
    assert heading_font(styles, 4) == ("楷体_GB2312", False)
    for level in range(1, 5):  # outline levels make the TOC and PDF bookmarks work
        style = styles.find(f".//w:style[@w:styleId='Heading{level}']", NS)
        assert style.find("w:pPr/w:outlineLvl", NS).get(Q + "val") == str(level - 1)


def test_page_numbers_odd_right_even_left_between_em_dashes(sample_docx):
    settings = part(sample_docx, "word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    body = part(sample_docx, "word/document.xml")
    cover_section, toc_section, body_section = body.findall(".//w:sectPr", NS)
    for front in (cover_section, toc_section):  # no number on the cover and the 目录
        assert front.findall("w:footerReference", NS) == []
    # Printed double-sided, the 目录 opens on a recto (an odd-page break) and so does the
    # body, its pages numbered from 1.
    assert toc_section.find("w:type", NS).get(Q + "val") == "oddPage"
    refs = {r.get(Q + "type"): r.get(f"{{{NS_R}}}id") for r in
            body_section.findall("w:footerReference", NS)}
    assert set(refs) == {"default", "even"}
    assert body_section.find("w:pgNumType", NS).get(Q + "start") == "1"
    rels = part(sample_docx, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    for kind, side in (("default", "right"), ("even", "left")):
        footer = part(sample_docx, "word/" + targets[refs[kind]])
        text = "".join(footer.itertext())
        assert re.fullmatch(r"— PAGE +1 —|— +PAGE +1 —", text.replace("  ", " ").strip()), text
        instr = footer.find(".//w:instrText", NS).text.strip()
        assert instr == "PAGE"
        assert footer.find(".//w:jc", NS).get(Q + "val") == side
        ind = footer.find(".//w:ind", NS)
        assert ind.get(Q + ("right" if side == "right" else "left")) == "280"  # one 四号 char
    styles = part(sample_docx, "word/styles.xml")
    footer_style = styles.find(".//w:style[@w:styleId='Footer']/w:rPr", NS)
    assert footer_style.find("w:rFonts", NS).get(Q + "eastAsia") == "宋体"
    assert footer_style.find("w:sz", NS).get(Q + "val") == "28"


NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def test_cover_and_toc(sample_docx):
    document = docx.Document(sample_docx)
    texts = [p.text for p in document.paragraphs[:12]]
    assert texts[0] == "赣州市“十四五”生态环境保护规划"
    assert "（2021—2025年）" in texts
    assert "（初稿）" in texts
    assert "赣州市生态环境局" in texts
    assert "二〇二〇年九月" in texts
    body = part(sample_docx, "word/document.xml")
    instructions = [t.text for t in body.iter(Q + "instrText")]
    assert any(re.match(r'\s*TOC \\o "1-2"', t) for t in instructions)
    toc_entries = [p.text for p in document.paragraphs if p.style.name == "toc 1"]
    assert toc_entries[0].startswith("第一章　")


def test_tables_repeat_header_rows_and_are_numbered(sample_docx):
    document = docx.Document(sample_docx)
    body = part(sample_docx, "word/document.xml")
    plan_tables = [t for t in body.iter(Q + "tbl")
                   if t.find("w:tblPr/w:tblStyle", NS).get(Q + "val") == "PlanTable"]
    assert plan_tables
    for table in plan_tables:
        first_row = table.find("w:tr", NS)
        assert first_row.find("w:trPr/w:tblHeader", NS) is not None
        assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in table.findall("w:tr", NS)[1:])
    captions = [p.text for p in document.paragraphs if p.style.name == "Table Caption"]
    assert captions and captions[0].startswith("表1　")
    assert [int(re.match(r"表(\d+)", c).group(1)) for c in captions] == \
        list(range(1, len(captions) + 1))


def test_boxes_are_numbered_through_the_document(sample_docx):
    body = part(sample_docx, "word/document.xml")
    titles = ["".join(p.itertext()) for p in body.iter(Q + "p")
              if p.find("w:pPr/w:pStyle", NS) is not None
              and p.find("w:pPr/w:pStyle", NS).get(Q + "val") == "BoxTitle"]
    assert len(titles) >= 4
    assert [int(re.match(r"专栏(\d+)　\S", t).group(1)) for t in titles] == \
        list(range(1, len(titles) + 1))


def test_drafters_notes_are_highlighted(sample_docx):
    body = part(sample_docx, "word/document.xml")
    notes = [p for p in body.iter(Q + "p") if p.find("w:pPr/w:pStyle", NS) is not None
             and p.find("w:pPr/w:pStyle", NS).get(Q + "val") == "DrafterNote"]
    assert notes
    assert "".join(notes[0].itertext()).startswith("【编者注】")
    for note in notes:
        for r in note.findall("w:r", NS):
            assert r.find("w:rPr/w:highlight", NS).get(Q + "val") == "yellow"


def test_every_style_referenced_is_defined(sample_docx):
    styles = part(sample_docx, "word/styles.xml")
    defined = {s.get(Q + "styleId") for s in styles.findall("w:style", NS)}
    used = set()
    for name in ("word/document.xml", "word/footer1.xml", "word/footer2.xml",
                 "word/footnotes.xml"):
        root = part(sample_docx, name)
        for tag in ("pStyle", "rStyle", "tblStyle"):
            used |= {e.get(Q + "val") for e in root.iter(Q + tag)}
    assert used <= defined, used - defined


def test_same_sources_give_the_same_bytes(tmp_path, sample_docx):
    from pipeline.build import build_docx
    again = build_docx(copy_sample(tmp_path / "again"), "draft").docx
    assert hashlib.sha256(again.read_bytes()).hexdigest() == \
        hashlib.sha256(sample_docx.read_bytes()).hexdigest()
