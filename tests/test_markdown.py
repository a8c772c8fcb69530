"""Markdown constructs through the whole flow, checked in the generated docx."""
from __future__ import annotations

from pathlib import Path

import docx
from PIL import Image as PILImage

from conftest import NS, W, audit_errors, make_plan, part
from pipeline.build import build_docx
from pipeline.chinese import cn_date, cn_number

Q = f"{{{W}}}"


def build(tmp_path: Path, chapters: dict[str, str], plan_yaml: str = "title: 测试规划\n") -> Path:
    return build_docx(make_plan(tmp_path / "p", chapters, plan_yaml), "draft").docx


def styled(docx_path: Path, style: str) -> list[str]:
    return [p.text for p in docx.Document(docx_path).paragraphs if p.style.name == style]


def test_chinese_numerals():
    assert [cn_number(n) for n in (1, 9, 10, 11, 19, 20, 21, 99, 100, 105, 110)] == \
        ["一", "九", "十", "十一", "十九", "二十", "二十一", "九十九", "一百", "一百零五", "一百一十"]
    assert cn_date("2020-09") == "二〇二〇年九月"
    assert cn_date("2021-12-31") == "二〇二一年十二月"


def test_numbering_restarts_under_each_higher_level(tmp_path):
    text = ("# 甲\n\n## 节一\n\n### 条一\n\n#### 款一\n\n#### 款二\n\n### 条二\n\n#### 款三\n\n"
            "## 节二\n\n### 条三\n\n#### 款四\n\n##### 目一\n\n###### 细一\n")
    out = build(tmp_path, {"01.md": text, "02.md": "# 乙\n\n## 节三\n"})
    headings = [p.text for p in docx.Document(out).paragraphs
                if p.style.name.lower().startswith("heading")]
    assert headings == ["第一章　甲", "第一节　节一", "一、条一", "（一）款一", "（二）款二",
                        "二、条二", "（一）款三", "第二节　节二", "一、条三", "（一）款四",
                        "1.目一", "（1）细一", "第二章　乙", "第一节　节三"]


def test_gongwen_scheme_starts_at_yi(tmp_path):
    out = build(tmp_path, {"01.md": "# 指导思想\n\n正文。\n\n## 细则\n\n# 基本原则\n"},
                "title: 工作方案\nnumbering: gongwen\n")
    headings = [p.text for p in docx.Document(out).paragraphs
                if p.style.name.lower().startswith("heading")]
    assert headings == ["一、指导思想", "（一）细则", "二、基本原则"]


def test_title_from_front_matter_and_file_order(tmp_path):
    out = build(tmp_path, {"02-b.md": "---\ntitle: 后一章\n---\n正文乙。\n",
                           "01-a.md": "---\ntitle: 前一章\n---\n正文甲。\n"})
    assert styled(out, "Heading 1") == ["第一章　前一章", "第二章　后一章"]


def test_plan_yaml_chapter_order_wins(tmp_path):
    out = build(tmp_path, {"a.md": "# 甲\n", "b.md": "# 乙\n"},
                "title: 测试\nchapters: [b.md, a.md]\n")
    assert styled(out, "Heading 1") == ["第一章　乙", "第二章　甲"]


def test_bold_next_to_chinese_punctuation_and_soft_breaks(tmp_path):
    out = build(tmp_path, {"01.md": "# 甲\n\n**强化协同控制。**推进治理，\n第二行接续。\n"})
    para = [p for p in docx.Document(out).paragraphs if p.style.name == "Normal"
            and p.text][0]
    assert para.text == "强化协同控制。推进治理，第二行接续。"
    assert [(r.text, bool(r.bold)) for r in para.runs] == [("强化协同控制。", True),
                                                           ("推进治理，第二行接续。", False)]


def test_footnotes_are_numbered_through_the_document(tmp_path):
    out = build(tmp_path, {
        "01.md": "# 甲\n\n生态质量指数[^a]。\n\n[^a]: 反映生态系统状况的综合指数。\n",
        "02.md": "# 乙\n\n“三线一单”[^a]。\n\n[^a]: 生态保护红线等。\n"})
    notes = part(out, "word/footnotes.xml")
    bodies = {n.get(Q + "id"): "".join(n.itertext()) for n in notes.findall("w:footnote", NS)}
    assert bodies["1"] == "反映生态系统状况的综合指数。"
    assert bodies["2"] == "生态保护红线等。"
    refs = [r.get(Q + "id") for r in part(out, "word/document.xml").iter(Q + "footnoteReference")]
    assert refs == ["1", "2"]
    assert audit_errors(out) == []


def test_lists_keep_their_markers(tmp_path):
    out = build(tmp_path, {"01.md": "# 甲\n\n1. 年度调度\n2. 中期评估\n\n- 大气\n- 水\n"})
    texts = [p.text for p in docx.Document(out).paragraphs if p.style.name == "Normal"
             and p.text]
    assert texts == ["1.年度调度", "2.中期评估", "●大气", "●水"]


def test_image_with_numbered_caption(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n![生态格局示意](../images/map.png)\n\n"
                                                "![区位图](../images/map.png)\n"})
    (root / "images").mkdir()
    PILImage.new("RGB", (800, 400), "green").save(root / "images" / "map.png", dpi=(96, 96))
    out = build_docx(root, "draft").docx
    assert styled(out, "Figure Caption") == ["图1　生态格局示意", "图2　区位图"]
    body = part(out, "word/document.xml")
    extents = body.findall(".//{*}inline/{*}extent")
    assert len(extents) == 2
    assert int(extents[0].get("cx")) <= 156 * 36000  # never wider than the type area
    with __import__("zipfile").ZipFile(out) as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")] == \
            ["word/media/image1.png"]  # one image used twice is stored once
    assert audit_errors(out) == []


def test_page_break_and_box_and_note(tmp_path):
    out = build(tmp_path, {"01.md": "# 甲\n\n前文。\n\n***\n\n::: 专栏 重点工程\n"
                                    "**工程一。**内容。\n:::\n\n::: 编者注\n请核实。\n:::\n"})
    body = part(out, "word/document.xml")
    breaks = [b for b in body.iter(Q + "br") if b.get(Q + "type") == "page"]
    assert len(breaks) == 1  # the one asked for (the cover and 目录 end with section breaks)
    titles = [p for p in docx.Document(out).tables[0].rows[0].cells[0].paragraphs]
    assert titles[0].text == "专栏1　重点工程"
    assert styled(out, "Drafter Note") == ["【编者注】请核实。"]
    assert audit_errors(out) == []


def test_table_caption_and_alignment(tmp_path):
    out = build(tmp_path, {"01.md": "# 甲\n\n表：主要指标\n\n| 指标 | 目标 |\n|:--|--:|\n"
                                    "| PM2.5 | ≤29 |\n\n| 无题 | 表 |\n|--|--|\n| a | b |\n"})
    assert styled(out, "Table Caption") == ["表1　主要指标"]
    table = docx.Document(out).tables[0]
    assert table.rows[1].cells[1].paragraphs[0].alignment == 2  # right, as the pipe row says
    assert audit_errors(out) == []


def test_short_columns_keep_one_line_and_long_ones_share_the_rest(tmp_path):
    long_text = "县级及以上城市集中式饮用水水源水质达到或优于Ⅲ类比例" * 2
    out = build(tmp_path, {"01.md": "# 甲\n\n| 序号 | 指标 | 属性 |\n|--|--|--|\n"
                                    f"| 1 | {long_text} | 约束性 |\n"})
    grid = [int(g.get(Q + "w")) for g in part(out, "word/document.xml").iter(Q + "gridCol")]
    assert sum(grid) == 8844  # the 156 mm type area
    three_chars = 3 * 210 + 2 * 108
    assert grid[2] >= three_chars and grid[0] >= 2 * 210 + 2 * 108
    assert grid[1] > grid[0] + grid[2]


def test_text_rule_stops_where_markdown_it_does():
    """The parse's own text rule (one regex match) must stop at exactly markdown-it's terminators,
    and give the same tokens as markdown-it's rule on text full of them."""
    from markdown_it.rules_inline.text import _TerminatorChars

    from pipeline.parse import PLAIN_TEXT, markdown
    for code in range(0x20, 0x7f):
        ch = chr(code)
        assert (PLAIN_TEXT.fullmatch(ch) is None) == (ch in _TerminatorChars), ch
    assert PLAIN_TEXT.fullmatch("大气环境质量持续改善，ＰＭ２.５浓度〔≤29〕") is not None
    source = ("坚持*精准*治污、**科学**治污_依法_治污：a+b=c <x> @某 [链接](u) `代码` ~~删~~ "
              "{{ x }} 100% #7 \\* 5-3 ^注^ 行末\n次行！")
    ours = [(t.type, t.content) for t in markdown().parse(source)[1].children]
    from markdown_it.rules_inline.text import text as their_rule
    theirs_md = markdown.__wrapped__()  # a fresh parser, configured as ours, with their rule
    theirs_md.inline.ruler.at("text", their_rule)
    theirs = [(t.type, t.content) for t in theirs_md.parse(source)[1].children]
    assert ours == theirs
