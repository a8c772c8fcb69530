"""Everyday drafting slips, each caught where it is made: the build stops with a Chinese line at
file:line (exit 2, last output kept) and `plan check` reports the same line; or, for what the
pipeline renders in house style, the document shows it as the README says."""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from PIL import Image as PILImage

from conftest import (GOOD_CHAPTER as GOOD, NS, W, audit_errors, expect_failure, make_plan,
                      part, run_build)
from pipeline.build import build_docx
from pipeline.check import check_plan
from pipeline.cli import main
from pipeline.fingerprint import RECORD

Q = f"{{{W}}}"
NEXT = 11  # GOOD ends on line 9: the first line of what a case appends after a blank line
FILE = "chapters/01-总体要求.md"


def chapter(root: Path) -> Path:
    return root / "chapters" / "01-总体要求.md"


def checked(root: Path) -> set[tuple[str, int, str]]:
    return {(f.file, f.line, f.code) for f in check_plan(root)}


# Each slip appended to a good chapter: the text, the line it is reported at (counted from the
# appended text's first line), the build's code and words of the message.
SLIPS = {
    "heading without its space": ("##基本原则\n\n正文。\n", 0, "E219", "井号后缺少空格"),
    "html tag": ("加强<span style=\"color:red\">监管</span>。\n", 0, "E220", "不支持 HTML 标记“<span"),
    "html line break": ("第一行<br>第二行。\n", 0, "E220", "<br>"),
    "html block": ("<div>\n正文。\n</div>\n", 0, "E220", "<div>"),
    "unclosed comment": ("正文。\n\n<!-- 暂不公开\n\n后文。\n", 2, "E220", "没有结束的“-->”"),
    "text after a comment": ("<!-- 注 --> 紧跟的正文。\n", 0, "E220", "会被一起删去"),
    "strikethrough": ("目标值为~~90%~~95%。\n", 0, "E221", "不支持删除线“目标值为~~90%~~95%。”"),
    "task list": ("- [ ] 完成调研\n- [x] 完成初稿\n", 0, "E222", "不支持任务列表"),
    "heading in a quote": ("> ## 引用的标题\n", 0, "E223", "引文"),
    "fenced code": ("正文。\n\n```\n代码\n```\n", 2, "E224", "不支持代码块"),
    "link to a file": ("详见[附件](附件.docx)。\n", 0, "E225", "指向“附件.docx”"),
    "reference to no id": ("详见[](#disanzhang)。\n", 0, "E234", "引用的标识“#disanzhang”不存在"),
    "unknown attribute": ("## 小节 {#xj .landscape}\n", 0, "E236", "标题的属性“.landscape”无法使用"),
    "unclosed box": ("::: 专栏 重点工程\n内容。\n\n后面的正文。\n", 0, "E226",
                     "“::: 专栏”没有结束行"),
    "two colons": (":: 专栏 重点工程\n内容。\n", 0, "E227", "少了冒号"),
    "typed table number in caption": ("表：表1　主要指标\n\n| 指标 | 目标 |\n|--|--|\n| a | b |\n", 0,
                                      "E228", "表题“表1　主要指标”自带编号"),
    "typed table label above a table": ("表1 主要指标\n\n| 指标 | 目标 |\n|--|--|\n| a | b |\n", 0,
                                        "E228", "不会成为表题"),
    "typed box number": ("::: 专栏 专栏2 重点工程\n内容。\n:::\n", 0, "E228", "专栏标题“专栏2 重点工程”"),
    "setext by accident": ("正文一段\n---\n\n后文。\n", 0, "E229", "变成了标题"),
    "row with a cell too many": ("| 指标 | 目标 |\n|--|--|\n| a | b |\n| c | d | e |\n", 3,
                                 "E230", "此行有 3 个单元格，表头有 2 列"),
    "row with a cell too few": ("| 指标 | 目标 |\n|--|--|\n| a |\n", 2, "E230", "此行有 1 个单元格"),
    "strikethrough between words": ("加强~~监管~~执法。\n", 0, "E221", "不支持删除线“~~监管~~”"),
    "footnote without its text": ("生态质量指数[^a]。\n", 0, "E214", "脚注引用没有对应的脚注内容"),
}


@pytest.mark.parametrize("case", SLIPS)
def test_a_slip_stops_the_build_and_check_reports_it(built_plan, case):
    root, output, before = built_plan
    text, offset, code, words = SLIPS[case]
    chapter(root).write_text(GOOD + "\n" + text, encoding="utf-8")
    line = NEXT + offset
    expect_failure(root, output, before, f"{FILE}:{line}:", words)
    assert f"（{code}）" in run_build(root).output
    assert (FILE, line, code) in checked(root)


def test_hand_numbered_heading_with_a_space(built_plan):
    root, output, before = built_plan
    chapter(root).write_text(GOOD + "\n## 1 加强监管\n\n正文。\n", encoding="utf-8")
    expect_failure(root, output, before, f"{FILE}:{NEXT}:", "标题“1 加强监管”自带编号")
    assert (FILE, NEXT, "H501") in checked(root)


def test_heading_without_space_keeps_the_levels_after_it(built_plan):
    """`##基本原则` is reported at its line; the `###` under it is not a level skip."""
    root, output, before = built_plan
    chapter(root).write_text(GOOD + "\n##基本原则\n\n### 坚持生态优先\n\n正文。\n", encoding="utf-8")
    result = run_build(root)
    assert result.exit_code == 2
    assert "E219" in result.output and "层级跳跃" not in result.output
    assert {f.code for f in check_plan(root)} == {"E219"}


def test_unclosed_front_matter(built_plan):
    root, output, before = built_plan
    chapter(root).write_text("---\nid: one\nowner: 规划财务科\n\n# 总体要求\n\n正文。\n",
                             encoding="utf-8")
    expect_failure(root, output, before, f"{FILE}:1:", "章节属性（第 1 行的“---”）没有结束行")
    result = CliRunner().invoke(main, ["--plan", str(root), "check"])
    assert result.exit_code == 2 and f"{FILE}:1" in result.output and "E050" in result.output


def test_a_chapter_without_its_heading_is_refused(built_plan):
    """The second chapter would be printed as the end of the first."""
    root, output, before = built_plan
    (root / "chapters" / "02-保障措施.md").write_text("加强组织领导。\n", encoding="utf-8")
    expect_failure(root, output, before, "chapters/02-保障措施.md:1:", "本章开头没有一级标题")
    assert ("chapters/02-保障措施.md", 1, "E053") in checked(root)


def test_preamble_before_the_first_chapter_builds(tmp_path):
    """Real outlines open with a 序言 paragraph before 第一章: that is not a slip."""
    out = build_docx(make_plan(tmp_path / "p", {"01.md": "序言正文。\n\n# 发展基础\n\n正文。\n"}),
                     "draft").docx
    texts = [p.text for p in docx.Document(out).paragraphs]
    assert texts.index("序言正文。") < texts.index("第一章　发展基础")


def test_empty_chapter_warns_and_builds(tmp_path):
    root = make_plan(tmp_path / "p", {"01-a.md": "# 甲\n\n正文。\n",
                                      "02-b.md": "---\nowner: 大气环境科\nstatus: 未开始\n---\n"})
    result = run_build(root)
    assert result.exit_code == 0, result.output
    assert "警告 chapters/02-b.md: 章节文件没有内容，不会出现在文档中（E052）" in result.output
    assert ("chapters/02-b.md", 1, "E052") in checked(root)


def test_unlisted_chapter_file_warns_in_build_and_check(tmp_path):
    root = make_plan(tmp_path / "p", {"01-a.md": "# 甲\n\n正文。\n", "02-b.md": "# 乙\n\n正文。\n"},
                     "title: 测试规划\nchapters: [01-a.md]\n")
    result = run_build(root)
    assert result.exit_code == 0, result.output
    assert "警告 chapters/02-b.md: 不在 plan.yaml 的 chapters 列表中，未编入规划" in result.output
    check = CliRunner().invoke(main, ["--plan", str(root), "check"])
    assert check.exit_code == 0
    assert "chapters/02-b.md:1:1: 警告 E051 不在 plan.yaml 的 chapters 列表中" in check.output


# ---- what now builds, in house style ------------------------------------------------------

def body_texts(out: Path) -> list[str]:
    return [p.text for p in docx.Document(out).paragraphs if p.style.name == "Normal" and p.text]


def test_html_comments_are_dropped_from_every_version(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文<!-- 内部：数据待核 -->继续。\n\n"
                                               "<!--\n整段隐藏的文字。\n-->\n\n后文。\n"})
    for version in ("draft", "review", "final"):
        out = build_docx(root, version).docx
        text = "".join(part(out, "word/document.xml").itertext())
        assert "正文继续。" in text and "后文。" in text
        assert "内部" not in text and "隐藏" not in text
    assert check_plan(root) == []


def test_a_quotation_is_set_in_the_emphasis_face(tmp_path):
    out = build_docx(make_plan(tmp_path / "p", {"01.md": "# 甲\n\n> 绿水青山就是**金山银山**。\n"}),
                     "draft").docx
    [para] = [p for p in docx.Document(out).paragraphs if "绿水青山" in p.text]
    assert [(r.text, r._r.find("w:rPr/w:rFonts", NS).get(Q + "eastAsia"), bool(r.bold))
            for r in para.runs] == [("绿水青山就是", "楷体_GB2312", False),
                                    ("金山银山", "楷体_GB2312", True), ("。", "楷体_GB2312", False)]


def test_a_link_prints_its_address(tmp_path):
    out = build_docx(make_plan(tmp_path / "p", {"01.md": "# 甲\n\n详见[赣州市生态环境局网站]"
                                                         "(http://sthjj.ganzhou.gov.cn/)和"
                                                         "<https://www.mee.gov.cn/>。\n"}),
                     "draft").docx
    assert body_texts(out) == ["详见赣州市生态环境局网站（http://sthjj.ganzhou.gov.cn/）和"
                               "https://www.mee.gov.cn/。"]


@pytest.mark.parametrize("rule", ["***", "---", "___"])
def test_each_thematic_break_is_a_page_break(tmp_path, rule):
    out = build_docx(make_plan(tmp_path / "p", {"01.md": f"# 甲\n\n前文。\n\n{rule}\n\n后文。\n"}),
                     "draft").docx
    breaks = [b for b in part(out, "word/document.xml").iter(Q + "br")
              if b.get(Q + "type") == "page"]
    assert len(breaks) == 1  # the one asked for (the cover and 目录 end with section breaks)


def test_nested_lists_keep_their_levels(tmp_path):
    text = ("# 甲\n\n1. 年度调度\n   1. 每季度通报\n      1. 通报到县\n   2. 年底考核\n"
            "2. 中期评估\n\n- 大气\n  - 臭氧\n")
    out = build_docx(make_plan(tmp_path / "p", {"01.md": text}), "draft").docx
    paras = [p for p in docx.Document(out).paragraphs if p.style.name == "Normal" and p.text]
    assert [p.text for p in paras] == ["1.年度调度", "（1）每季度通报", "①通报到县", "（2）年底考核",
                                       "2.中期评估", "●大气", "○臭氧"]
    indents = [p._p.find("w:pPr/w:ind", NS) for p in paras]
    assert [i.get(Q + "firstLineChars") if i is not None else None for i in indents] == \
        [None, "400", "600", "400", None, None, "400"]
    assert audit_errors(out) == []


def test_unnumbered_heading(tmp_path):
    out = build_docx(make_plan(tmp_path / "p", {"01.md": "# 序言 {-}\n\n正文。\n\n# 发展基础\n\n"
                                                         "## 成就 {.unnumbered}\n\n正文。\n"}),
                     "draft").docx
    headings = [p.text for p in docx.Document(out).paragraphs
                if p.style.name.lower().startswith("heading")]
    assert headings == ["序言", "第一章　发展基础", "成就"]


# ---- images --------------------------------------------------------------------------------

def png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", (400, 200), "green").save(path)
    return path


def test_chinese_image_file_name_as_the_readme_writes_it(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n![生态格局示意](../images/图.png)\n"})
    png(root / "images" / "图.png")
    out = build_docx(root, "draft").docx
    assert [p.text for p in docx.Document(out).paragraphs if p.style.name == "Figure Caption"] \
        == ["图1　生态格局示意"]


def test_missing_image_names_the_path_as_written(built_plan):
    root, output, before = built_plan
    chapter(root).write_text(GOOD + "\n![示意图](../images/湿地.png)\n", encoding="utf-8")
    expect_failure(root, output, before, f"{FILE}:{NEXT}:", "找不到图片文件：../images/湿地.png")
    assert "%E6" not in run_build(root).output


def truncated_png(path: Path) -> None:
    data = png(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def svg(path: Path) -> None:
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
                    encoding="utf-8")


def gif(path: Path) -> None:
    PILImage.new("RGB", (10, 10)).save(path, format="GIF")


IMAGES = {
    "not an image": (lambda p: p.write_text("这不是图片", encoding="utf-8"), "E231", "不是图片文件"),
    "svg": (svg, "E231", "是 SVG 矢量图"),
    "gif": (gif, "E231", "是 GIF 格式"),
    "truncated png": (truncated_png, "E232", "已损坏或不完整"),
}


@pytest.mark.parametrize("case", IMAGES)
def test_a_bad_image_is_refused_at_its_line(built_plan, case):
    root, output, before = built_plan
    make, code, words = IMAGES[case]
    (root / "images").mkdir()
    make(root / "images" / "图.png")
    chapter(root).write_text(GOOD + "\n![示意图](../images/图.png)\n", encoding="utf-8")
    expect_failure(root, output, before, f"{FILE}:{NEXT}: 图片 ../images/图.png {words}", code)
    assert "Traceback" not in run_build(root).output
    assert (FILE, NEXT, code) in checked(root)


def test_typed_figure_number_in_a_caption(built_plan):
    root, output, before = built_plan
    png(root / "images" / "map.png")
    chapter(root).write_text(GOOD + "\n![图1 区位图](../images/map.png)\n", encoding="utf-8")
    expect_failure(root, output, before, f"{FILE}:{NEXT}:", "图题“图1 区位图”自带编号")


# ---- plan.yaml and the build folder ----------------------------------------------------------

def test_cover_values_are_checked_like_text(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n规划期限为2021—2025年。\n"},
                     'title: 赣州市"十四五"生态环境保护规划\nperiod: 2021-2025年\n')
    found = {(f.file, f.line, f.col, f.code): f.message for f in check_plan(root)}
    assert ("plan.yaml", 1, 11, "P102") in found
    assert "应写作“2021—2025年”" in found["plan.yaml", 2, 9, "C301"]
    assert not [k for k in found if k[0] != "plan.yaml"]  # the chapter's — is the right one
    result = run_build(root, "final")
    assert result.exit_code == 2 and "plan.yaml:1:11: 中文中的引号应使用弯引号" in result.output
    CliRunner().invoke(main, ["--plan", str(root), "check", "--fix"])
    assert (root / "plan.yaml").read_text(encoding="utf-8").startswith(
        "title: 赣州市“十四五”生态环境保护规划\n")


def test_a_title_with_a_slash_makes_no_folder(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文。\n"},
                     "title: 赣州市生态环境保护规划/2021—2025年\n")
    result = run_build(root)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "build" / "draft").iterdir()) == \
        [RECORD, "manifest.json", "赣州市生态环境保护规划／2021—2025年（初稿）.docx"]


def test_outputs_of_an_old_title_are_removed(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文。\n"}, "title: 旧名称规划\n")
    assert run_build(root).exit_code == 0
    folder = root / "build" / "draft"
    (folder / "旧名称规划（初稿）.pdf").write_bytes(b"%PDF-1.4 old")
    (folder / "旧名称规划（初稿）.版式检查.txt").write_text("旧", encoding="utf-8")
    (folder / "别人放的.pdf").write_bytes(b"%PDF-1.4 not ours")
    (root / "plan.yaml").write_text("title: 新名称规划\n", encoding="utf-8")
    assert run_build(root).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == \
        [RECORD, "manifest.json", "别人放的.pdf", "新名称规划（初稿）.docx"]  # only ours, only the old


def test_verify_without_a_file_measures_the_last_built_pdf(tmp_path):
    from pypdf import PdfWriter

    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文。\n"})
    result = CliRunner().invoke(main, ["--plan", str(root), "verify"])
    assert result.exit_code == 2 and "build/draft/ 中没有生成过的 PDF" in result.output
    assert run_build(root).exit_code == 0
    folder = root / "build" / "draft"
    writer = PdfWriter()
    writer.add_blank_page(595.3, 841.9)
    with open(folder / "测试规划（初稿）.pdf", "wb") as handle:
        writer.write(handle)
    (folder / "旧名称（初稿）.pdf").write_bytes(b"not a pdf")  # whatever else lies there
    result = CliRunner().invoke(main, ["--plan", str(root), "verify"])
    assert result.exit_code in (0, 1), result.output  # measured: a blank page fails checks
    assert "纸张" in result.output and "Traceback" not in result.output
