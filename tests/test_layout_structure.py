"""Structure and titles as the writer sets them, without LibreOffice: unnumbered headings and
the 篇 level, titles broken between words, table columns that keep numbers and units whole,
the draft header's date."""
from __future__ import annotations

from click.testing import CliRunner
from lxml import etree

from conftest import NS, ROOT, make_plan, part
from pipeline.cli import main
from pipeline.docx.front import title_runs, toc
from pipeline.docx.sections import header, section
from pipeline.docx.tables import column_widths, unbroken_width
from pipeline.docx.writer import Writer
from pipeline.layout import load_layout
from pipeline.model import (Document, Heading, PlanMeta, Source, SourceRevision, Span, Table,
                            VersionSpec)
from pipeline.titles import broken_inside_word, chars_per_line, length, shape_rank, title_lines
from pipeline.transform import Level, number_headings

W = NS["w"]
LAYOUT = load_layout("gbt9704", ROOT)
AT = Source("chapters/01.md", 1)
NANJING = "南京市国民经济和社会发展第十五个五年规划纲要（节选）"


def heading(level: int, text: str, numbered: bool = True) -> Heading:
    return Heading(level, [Span(text)], AT, numbered=numbered)


def document(*blocks, title: str = "测试规划", numbering: str = "plan", **meta) -> Document:
    plan = PlanMeta(title, "测试单位", "2021—2025年", {}, None, numbering, "gbt9704", **meta)
    return Document(plan, VersionSpec("draft", "初稿", "2020-09", header=True, revision=True,
                                      mark="内部讨论稿"), list(blocks), {})


def texts(nodes) -> list[str]:
    return ["".join(n.itertext()) for n in nodes]


# ---- numbering ---------------------------------------------------------------------------

def test_chapters_of_an_outline_plan_count_through_its_parts():
    scheme = [Level(spec["number"], spec.get("continuous", False))
              for spec in LAYOUT.scheme("outline")]
    blocks = number_headings([heading(1, "总体要求"), heading(2, "发展基础"), heading(3, "成就"),
                              heading(2, "发展环境"), heading(1, "绿色转型"),
                              heading(2, "碳达峰"), heading(3, "能源")], scheme)
    assert [b.number for b in blocks] == ["第一篇　", "第一章　", "第一节　", "第二章　",
                                          "第二篇　", "第三章　", "第一节　"]


def test_an_unnumbered_heading_takes_no_number_and_still_opens_the_toc():
    scheme = [Level(spec["number"]) for spec in LAYOUT.scheme("plan")]
    blocks = number_headings([heading(1, "序言", numbered=False), heading(1, "发展基础"),
                              heading(2, "成就"), heading(1, "附件", numbered=False),
                              heading(1, "保障措施")], scheme)
    assert [b.number for b in blocks] == ["", "第一章　", "第一节　", "", "第二章　"]
    assert len({b.bookmark for b in blocks}) == 5
    entries = toc(Writer(document(*blocks), LAYOUT), section(Writer(document(), LAYOUT), "toc"))
    links = [e.find("w:hyperlink", NS) for e in entries[1:-1]]
    assert ["".join(link[0].itertext()) for link in links] == [
        "序言", "第一章　发展基础", "第一节　成就", "附件", "第二章　保障措施"]


# ---- titles ------------------------------------------------------------------------------

def test_a_26_character_title_breaks_between_words_in_a_trapezoid():
    assert length(NANJING) == 26
    per_line = chars_per_line(156, 26, -0.25)
    assert per_line == 17
    lines = title_lines(NANJING, per_line)
    assert lines == ["南京市国民经济和社会发展", "第十五个五年规划纲要（节选）"]
    assert shape_rank([length(line) for line in lines]) == 0  # widening downwards
    assert broken_inside_word(lines) == []
    assert broken_inside_word(["南京市国民经济和社会发展第十五个五", "年规划纲要（节选）"]) == [0]


def test_short_titles_stay_on_one_line_and_shapes_are_judged():
    assert title_lines("赣州市“十四五”生态环境保护规划", 17) == ["赣州市“十四五”生态环境保护规划"]
    assert shape_rank([10, 14, 10]) == 1 and shape_rank([14, 10]) == 2
    assert shape_rank([14, 8, 14]) is None


def test_the_cover_title_is_set_in_lines_with_breaks():
    runs = title_runs(Writer(document(title=NANJING), LAYOUT))
    assert [etree.QName(r[-1]).localname for r in runs] == ["t", "br", "t"]
    assert texts(runs) == ["南京市国民经济和社会发展", "", "第十五个五年规划纲要（节选）"]


def test_plan_yaml_can_set_the_cover_title_lines(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 总则\n\n正文。\n"},
                     f"title: {NANJING}\ntitle_lines: [南京市国民经济和社会发展第十五个, "
                     "五年规划纲要（节选）]\n")
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert result.exit_code == 0, result.output
    docx = next((root / "build" / "draft").glob("*.docx"))
    title = part(docx, "word/document.xml").find(".//w:p", NS)
    assert [t.text for t in title.iter(f"{{{W}}}t")] == ["南京市国民经济和社会发展第十五个",
                                                        "五年规划纲要（节选）"]
    (root / "plan.yaml").write_text(f"title: {NANJING}\ntitle_lines: [南京市, 规划]\n",
                                    encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert result.exit_code == 2 and "E407" in result.output and "Traceback" not in result.output


def test_a_long_centred_heading_breaks_between_words():
    from pipeline.docx.blocks import heading as build_heading
    long = heading(1, "推动生态环境质量持续改善与绿色低碳高质量发展和美丽赣州建设")
    long.number, long.bookmark = "第一章　", "_Toc00000001"
    p = build_heading(Writer(document(long), LAYOUT), long)
    lines = "".join("\n" if etree.QName(e).localname == "br" else e.text or ""
                    for e in p.iter(f"{{{W}}}t", f"{{{W}}}br")).split("\n")
    assert lines == ["第一章　推动生态环境质量持续改善", "与绿色低碳高质量发展和美丽赣州建设"]


# ---- tables ------------------------------------------------------------------------------

def test_numbers_and_units_keep_a_column_wide_enough_for_them():
    assert unbroken_width("微克/立方米") == 11 and unbroken_width("2021—2025年") == 12
    content = "建设污水管网和处理设施，实施提标改造，完善配套管网" * 2
    table = Table([[Span(h)] for h in ("序号", "项目名称", "建设内容", "单位", "建设年限",
                                       "总投资（亿元）", "责任单位", "建设地点")],
                  [[[Span(t)] for t in ("1", "示例工程" * 3, content, "微克/立方米",
                                        "2021—2025年", "12.50", "市生态环境局" * 2, "章贡区")]],
                  [""] * 8, AT)
    columns = column_widths(Writer(document(), LAYOUT), table, 8)
    assert columns.landscape  # eight columns: landscape pages of its own
    widths = columns.widths
    half = 10.5 * 2 * 5  # twips per half-width unit of 10.5 pt text
    pad = 2 * round(1.9 * 1440 / 25.4) + half
    assert widths[3] >= pad + 11 * half and widths[4] >= pad + 12 * half
    assert sum(widths) == round(225 * 1440 / 25.4)  # the landscape type area's width


# ---- header --------------------------------------------------------------------------------

def test_outside_git_the_draft_header_dates_the_copy_as_its_cover():
    outside = document()
    outside.revision = SourceRevision("", False, "2000-01-01")
    text = "".join(etree.fromstring(header(Writer(outside, LAYOUT))).itertext())
    assert "二〇二〇年九月" in text and "2000-01-01" not in text
    inside = document()
    inside.revision = SourceRevision("abc1234567", False, "2020-09-18")
    assert "2020-09-18" in "".join(etree.fromstring(header(Writer(inside, LAYOUT))).itertext())


def test_half_row_heading_spacing_is_refused(tmp_path):
    profile = (ROOT / "styles" / "gbt9704.yaml").read_text(encoding="utf-8")
    root = make_plan(tmp_path / "p", {"01.md": "# 总则\n\n正文。\n"})
    (root / "styles").mkdir()
    (root / "styles" / "gbt9704.yaml").write_text(
        profile.replace("bold: true, align: center, space_before_lines: 1}",
                        "bold: true, align: center, space_before_lines: 0.5}", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert result.exit_code == 2 and "E405" in result.output and "整行数" in result.output


def test_an_unnumbered_heading_written_in_markdown_is_in_the_toc(tmp_path):
    """pandoc's `{-}` on a heading: no number, the counters untouched, still in the 目录."""
    root = make_plan(tmp_path / "p", {"00.md": "# 序言 {-}\n\n正文。\n",
                                      "01.md": "# 总则\n\n## 目标\n\n正文。\n",
                                      "02.md": "# 附件 {.unnumbered}\n\n附表。\n"})
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert result.exit_code == 0, result.output
    body = part(next((root / "build" / "draft").glob("*.docx")), "word/document.xml")
    headings = ["".join(p.itertext()) for p in body.iter(f"{{{W}}}p")
                if (s := p.find("w:pPr/w:pStyle", NS)) is not None
                and s.get(f"{{{W}}}val").startswith("Heading")]
    assert headings == ["序言", "第一章　总则", "第一节　目标", "附件"]
    toc = [link for link in body.iter(f"{{{W}}}hyperlink")]
    assert ["".join(link[0].itertext()) for link in toc] == [
        "序言", "第一章　总则", "第一节　目标", "附件"]
