"""`plan import`: Word drafts in, chapters out.

- merged cells in pipe tables (^^ joins the cell above, || the cell to the left);
- round trip: a docx the pipeline built, imported and built again, has the same headings (text
  and level), paragraphs, table cells (with their spans) and footnotes — on the sample plan and
  on the three real plans of the shared corpus;
- files made the way a Chinese office makes them (python-docx here: no heading styles, typed
  numbers, 黑体/楷体 runs, centred titles, a captioned table, a 专栏 as a one-cell table);
- comments and tracked changes refused unless accepted or rejected; bad files refused;
- every real Word file of the corpus imports, or is refused in one Chinese sentence."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import (NS, REALTEXT, REALWORD, W, audit_errors, copy_sample, make_plan,
                      needs_corpus, part)
from test_review_hostile import compound_file, word_document
from pipeline.build import build_docx
from pipeline.cli import main
from pipeline.errors import PlanError
from pipeline.reading import read_plan

REAL_PLANS = REALTEXT / "plans"
REAL_WORD = REALWORD / "files"
CJK = re.compile(r"[\u4e00-\u9fff]")


def run_import(*args: str):
    return CliRunner().invoke(main, ["import", *map(str, args)])


def imported_document(document, source: Path, plan: Path) -> Path:
    """A python-docx document saved as `source` and imported into `plan`, successfully."""
    document.save(source)
    result = run_import(source, "--plan", plan)
    assert result.exit_code == 0, result.output
    return plan


# ---- merged cells in pipe tables ---------------------------------------------------------

MERGED = """# 章

表：合并单元格

| 类别 | 序号 | 名称 | 值 |
|---|---|---|---|
| 环境 | 1 | 甲 | 2 |
| ^^ | 2 | 乙 ||
| ^^ | 3 | 丙 | 4 |
| 合计 ||| 9 |
| 说明 \\^^ | \\| | 空 | |
"""


def table_of(root: Path):
    plan, _ = read_plan(root)
    return next(b for b in plan.parsed[0].blocks if type(b).__name__ == "Table")


def test_carets_join_the_cell_above_and_empty_pipes_the_cell_to_the_left(tmp_path):
    table = table_of(make_plan(tmp_path / "plan", {"01.md": MERGED}))
    assert [(m.row, m.col, m.rows, m.cols) for m in table.merges] == [
        (0, 0, 3, 1), (1, 2, 1, 2), (3, 0, 1, 3)]
    text = [["".join(s.text for s in cell) for cell in row] for row in table.rows]
    assert text[1] == ["", "2", "乙", ""] and text[3] == ["合计", "", "", "9"]
    assert text[4] == ["说明 ^^", "|", "空", ""]  # escaped, and a cell with a space: no merge


HEADER_MERGED = """# 章

表：两行表头

| 序号 | 指标 | 2020年 | 2025年 ||
|---|---|---|---|---|
| ^^ | ^^ | ^^ | 目标 | 属性 |
| 1 | 优良天数比率 | 95.3 | 96 | 约束性 |
"""


def test_a_header_cell_spans_columns_and_a_caret_below_it_adds_a_header_row(tmp_path):
    table = table_of(make_plan(tmp_path / "plan", {"01.md": HEADER_MERGED}))
    assert [(m.row, m.col, m.rows, m.cols) for m in table.merges] == [
        (-1, 0, 2, 1), (-1, 1, 2, 1), (-1, 2, 2, 1), (-1, 3, 1, 2)]
    assert table.head_rows == 2
    assert ["".join(s.text for s in c) for c in table.header] == ["序号", "指标", "2020年",
                                                                  "2025年", ""]


def header_rows(docx: Path) -> list[list[tuple[str, str, str]]]:
    """The last table's header rows (w:tblHeader): each cell's text, gridSpan and vMerge."""
    rows = part(docx, "word/document.xml").findall(".//w:tbl", NS)[-1].findall("w:tr", NS)
    out = []
    for tr in rows:
        if tr.find("w:trPr/w:tblHeader", NS) is None:
            break
        cells = []
        for tc in tr.findall("w:tc", NS):
            span = tc.find("w:tcPr/w:gridSpan", NS)
            vmerge = tc.find("w:tcPr/w:vMerge", NS)
            cells.append((paragraph_text(tc), span.get(f"{{{W}}}val") if span is not None
                          else "1", "" if vmerge is None else vmerge.get(f"{{{W}}}val",
                                                                          "continue")))
        out.append(cells)
    return out


# What Word holds for HEADER_MERGED: (text, gridSpan, vMerge) of each header cell.
TWO_HEADER_ROWS = [
    [("序号", "1", "restart"), ("指标", "1", "restart"), ("2020年", "1", "restart"),
     ("2025年", "2", "")],
    [("", "1", "continue"), ("", "1", "continue"), ("", "1", "continue"), ("目标", "1", ""),
     ("属性", "1", "")]]


def test_merged_header_cells_reach_word_in_repeated_header_rows(tmp_path):
    root = make_plan(tmp_path / "plan", {"01.md": HEADER_MERGED})
    docx = build_docx(root, "draft").docx
    assert header_rows(docx) == TWO_HEADER_ROWS
    assert audit_errors(docx) == []


def test_merged_cells_reach_word_as_vmerge_and_gridspan(tmp_path):
    root = make_plan(tmp_path / "plan", {"01.md": MERGED})
    docx = build_docx(root, "draft").docx
    rows = part(docx, "word/document.xml").findall(".//w:tbl", NS)[-1].findall("w:tr", NS)
    first = rows[1].find("w:tc/w:tcPr/w:vMerge", NS)
    assert first is not None and first.get(f"{{{W}}}val") == "restart"
    assert rows[2].find("w:tc/w:tcPr/w:vMerge", NS).get(f"{{{W}}}val") is None  # continue
    spans = [tc.find("w:tcPr/w:gridSpan", NS) for tc in rows[4].findall("w:tc", NS)]
    assert spans[0].get(f"{{{W}}}val") == "3" and len(spans) == 2
    assert audit_errors(docx) == []


@pytest.mark.parametrize("table, line, code, words", [
    ("| ^^ | 值 |\n|---|---|\n| 甲 | 1 |\n", 3, "E980", "上方没有"),
    ("|| 名称 | 值 |\n|---|---|---|\n| 甲 | 1 | 2 |\n", 3, "E983", "左边没有"),
    ("| 名称 | 值 |\n|---|---|\n|| 1 |\n", 5, "E983", "左边没有"),
    ("| 名称 | 值 | 注 |\n|---|---|---|\n| 甲 || 2 |\n| ^^ | 1 | 3 |\n", 6, "E984",
     "不是矩形"),
])
def test_a_merge_that_cannot_be_drawn_is_refused_at_its_line(tmp_path, table, line, code, words):
    root = make_plan(tmp_path / "plan", {"01.md": "# 章\n\n" + table})
    with pytest.raises(PlanError) as caught:
        read_plan(root)
    assert (caught.value.file, caught.value.line, caught.value.code) == \
        ("chapters/01.md", line, code)
    assert words in caught.value.message


# ---- round trip ----------------------------------------------------------------------------

def paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))


def built_text(docx: Path) -> dict:
    """What a reader of the body sees: headings (level, text), paragraphs, tables (each cell's
    text with its gridSpan and vMerge) in order; footnotes; the front matter left out."""
    with zipfile.ZipFile(docx) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find("w:body", NS)
        notes = etree.fromstring(archive.read("word/footnotes.xml")) \
            if "word/footnotes.xml" in archive.namelist() else None
    items, started = [], False
    for child in body:
        if not started:
            started = child.find("w:pPr/w:sectPr", NS) is not None
            continue
        if child.tag == f"{{{W}}}p":
            style = child.find("w:pPr/w:pStyle", NS)
            name = style.get(f"{{{W}}}val") if style is not None else ""
            text = paragraph_text(child)
            if name.startswith("Heading"):
                items.append(("heading", int(name[7:]), text))
            elif text:
                items.append(("paragraph", text))
        elif child.tag == f"{{{W}}}tbl":
            rows = []
            for tr in child.findall("w:tr", NS):
                cells = []
                for tc in tr.findall("w:tc", NS):
                    span = tc.find("w:tcPr/w:gridSpan", NS)
                    merge = tc.find("w:tcPr/w:vMerge", NS)
                    cells.append(("\n".join(t for p in tc.iter(f"{{{W}}}p")
                                            if (t := paragraph_text(p))),
                                  span.get(f"{{{W}}}val") if span is not None else "1",
                                  "" if merge is None else merge.get(f"{{{W}}}val", "continue")))
                rows.append(cells)
            items.append(("table", rows))
    footnotes = ["\n".join(paragraph_text(p) for p in note.iter(f"{{{W}}}p"))
                 for note in (notes if notes is not None else []) if note.get(f"{{{W}}}type") is None]
    return {"body": items, "footnotes": footnotes}


def round_trip(source_plan: Path, tmp_path: Path) -> tuple[dict, dict, str]:
    built = build_docx(source_plan, "draft").docx
    target = tmp_path / "imported"
    result = run_import(built, "--plan", target)
    assert result.exit_code == 0, result.output
    rebuilt = build_docx(target, "draft").docx
    assert audit_errors(rebuilt) == []
    return built_text(built), built_text(rebuilt), (target / "导入报告.txt").read_text("utf-8")


def assert_same(before: dict, after: dict) -> None:
    assert [i for i in after["body"] if i[0] == "heading"] == \
        [i for i in before["body"] if i[0] == "heading"]
    assert [i for i in after["body"] if i[0] == "paragraph"] == \
        [i for i in before["body"] if i[0] == "paragraph"]
    assert [i for i in after["body"] if i[0] == "table"] == \
        [i for i in before["body"] if i[0] == "table"]
    assert after["body"] == before["body"]  # and in the same order
    assert after["footnotes"] == before["footnotes"]


def test_the_sample_plan_comes_back_as_it_was_built(tmp_path):
    before, after, report = round_trip(copy_sample(tmp_path / "sample"), tmp_path)
    assert_same(before, after)
    kinds = [i[0] for i in before["body"]]
    # A real test: the sample holds every kind the comparison covers.
    assert kinds.count("heading") > 50 and kinds.count("table") >= 10 and before["footnotes"]
    assert any(len(set(c[1] for c in row)) > 1 for t in before["body"] if t[0] == "table"
               for row in t[1])  # merged cells among them
    assert "规划期限：2021—2025年" in report and "编制单位：赣州市生态环境局" in report


@needs_corpus
@pytest.mark.parametrize("name", ["nanjing", "shenzhen", "gov-work-report-2026"])
def test_real_plans_come_back_as_they_were_built(tmp_path, name):
    source = tmp_path / name
    shutil.copytree(REAL_PLANS / name, source)
    for path in source.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    before, after, report = round_trip(source, tmp_path)
    assert_same(before, after)
    scheme = "gongwen" if name.startswith("gov") else "plan"
    assert f"编号方案：{scheme}" in report
    imported = (tmp_path / "imported" / "plan.yaml").read_text("utf-8")
    assert f"numbering: {scheme}" in imported


# ---- files made the way a Chinese office makes them -----------------------------------------

def office_doc():
    """A python-docx document with no heading styles: everything by direct formatting."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()

    def para(*runs, center=False, page_break_before=False):
        p = document.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if page_break_before:
            p.paragraph_format.page_break_before = True
        for text, font, size, bold in runs:
            add_run(p, text, font, size, bold)
        return p

    def add_run(p, text, font="仿宋_GB2312", size=16, bold=False):
        run = p.add_run()
        for index, piece in enumerate(text.split("\n")):
            if index:
                run.add_break()
            run.add_text(piece)
        run.font.size = Pt(size)
        run.bold = bold or None
        fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), font)
        fonts.set(qn("w:ascii"), font)
        return run

    def body(text):
        return para((text, "仿宋_GB2312", 16, False))

    para(("某县“十四五”生态环境保护规划", "方正小标宋简体", 22, False), center=True)
    para(("（2021—2025年）", "楷体_GB2312", 16, False), center=True)
    para(("目　录", "黑体", 16, False), center=True)
    body("第一章　总体要求……………………1")
    body("第二章　主要任务……………………5")
    para(("第一章　总体要求", "黑体", 16, False), center=True, page_break_before=True)
    para(("第一节　指导思想", "楷体_GB2312", 16, True), center=True)
    body("　　坚持以人民为中心，加强 监管，\n全面推进生态环境保护。")
    p = body("牢固树立")
    add_run(p, "绿水青山就是金山银山", "楷体_GB2312")
    add_run(p, "的理念。")
    para(("一、主要目标", "黑体", 16, False))
    para(("（一）近期目标", "楷体_GB2312", 16, False))
    body("到2025年，生态环境质量持续改善。")
    p = para(("推进重点行业深度治理。", "仿宋_GB2312", 16, True))
    add_run(p, "以钢铁、水泥等行业为重点，实施超低排放改造。")
    body("1.森林覆盖率")
    para(("表1　主要指标", "黑体", 14, False), center=True)
    table = document.add_table(rows=4, cols=3)
    for r, row in enumerate([["类别", "指标", "目标"], ["环境质量", "优良天数比率", "95%"],
                             ["", "细颗粒物浓度", "≤29"], ["合计", "", "2项"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(2, 0))
    table.cell(1, 0).text = "环境质量"
    table.cell(3, 0).merge(table.cell(3, 1))
    table.cell(3, 0).text = "合计"
    body("表格之后的正文。")
    box = document.add_table(rows=1, cols=1)
    cell = box.cell(0, 0)
    cell.paragraphs[0].text = "专栏1　重点工程"
    p = cell.add_paragraph()
    add_run(p, "产业绿色升级工程。", bold=True)
    add_run(p, "推进稀土、钨行业清洁生产改造。")
    cell.add_paragraph("清洁能源替代工程。推进光伏开发。")
    return document, para, body


def picture(path: Path) -> Path:
    from PIL import Image
    Image.new("RGB", (60, 40), (200, 30, 30)).save(path)
    return path


def test_an_office_draft_without_heading_styles(tmp_path):
    document, para, body = office_doc()
    document.add_picture(str(picture(tmp_path / "map.png")))
    para(("图1　区位图", "黑体", 14, False), center=True)
    para(("第二章　主要任务", "黑体", 16, False), center=True, page_break_before=True)
    para(("第一节　大气污染防治", "楷体_GB2312", 16, True), center=True)
    body("深入打好蓝天保卫战。")
    plan = imported_document(document, tmp_path / "某县规划（初稿）.docx", tmp_path / "plan")
    assert sorted(p.name for p in (plan / "chapters").iterdir()) == ["01-总体要求.md",
                                                                     "02-主要任务.md"]
    first = (plan / "chapters" / "01-总体要求.md").read_text("utf-8")
    assert first.startswith("---\nid: ch01\ntitle: 总体要求\nowner: ''\nstatus: 起草中\n---\n")
    for line in ["# 总体要求", "## 指导思想", "### 主要目标", "#### 近期目标",
                 "坚持以人民为中心，加强监管，全面推进生态环境保护。",  # indent, space, break
                 "牢固树立*绿水青山就是金山银山*的理念。",  # a 楷体 run is emphasis
                 "**推进重点行业深度治理。**以钢铁、水泥等行业为重点，实施超低排放改造。",
                 "1. 森林覆盖率",
                 "表：主要指标", "| 环境质量 | 优良天数比率 | 95% |", "| ^^ | 细颗粒物浓度 | ≤29 |",
                 "| 合计 || 2项 |", "::: 专栏 重点工程",
                 "**产业绿色升级工程。**推进稀土、钨行业清洁生产改造。",
                 "![区位图](<../images/区位图.png>)", "***"]:
        assert line in first.splitlines(), (line, first)
    assert "第一章" not in first and "目　录" not in first and "……" not in first
    assert (plan / "images" / "区位图.png").read_bytes()[:4] == b"\x89PNG"
    assert "title: 某县“十四五”生态环境保护规划" in (plan / "plan.yaml").read_text("utf-8")
    assert "period: 2021—2025年" in (plan / "plan.yaml").read_text("utf-8")
    report = (plan / "导入报告.txt").read_text("utf-8")
    assert "章：2" in report and "表格：1" in report and "专栏：1" in report
    assert "标题：第 1 级 2，第 2 级 2，第 3 级 1，第 4 级 1" in report
    line = next(n for n, text in enumerate(first.splitlines(), 1) if text == "1. 森林覆盖率")
    assert re.search(rf"chapters/01-总体要求.md:{line}（原文第 \d+ 段）：“1.森林覆盖率”以“1.”编号但无加粗",
                     report), report
    assert "原文目录 2 行未导入" in report
    # The imported plan builds, numbered by the pipeline.
    docx = build_docx(plan, "draft").docx
    headings = [paragraph_text(p) for p in part(docx, "word/document.xml").iter(f"{{{W}}}p")
                if (s := p.find("w:pPr/w:pStyle", NS)) is not None and
                s.get(f"{{{W}}}val").startswith("Heading")]
    assert headings == ["第一章　总体要求", "第一节　指导思想", "一、主要目标", "（一）近期目标",
                        "第二章　主要任务", "第一节　大气污染防治"]
    assert audit_errors(docx) == []


def test_the_same_draft_imports_to_the_same_bytes(tmp_path):
    document, _, _ = office_doc()
    first = imported_document(document, tmp_path / "稿.docx", tmp_path / "one")
    second = imported_document(document, tmp_path / "稿.docx", tmp_path / "two")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def chinese_numbering(document, fmt: str, text: str) -> str:
    """A numbering definition as Word writes it for 一、 lists; returns its numId."""
    from docx.oxml import parse_xml
    numbering = document.part.numbering_part.element
    xml = (f'<w:abstractNum {W_NS} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
           f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>')
    numbering.insert(0, parse_xml(xml))
    numbering.append(parse_xml(f'<w:num {W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


W_NS = f'xmlns:w="{W}"'


def numbered(paragraph, num_id: str) -> None:
    from docx.oxml import parse_xml
    ppr = paragraph._element.get_or_add_pPr()
    ppr.insert(0, parse_xml(f'<w:numPr {W_NS}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/>'
                            "</w:numPr>"))


def test_a_draft_starting_at_yi_is_numbered_gongwen(tmp_path):
    """一、 at the top (here Word's own automatic numbering, chineseCounting), （一） and 1.
    below: the gongwen scheme, one chapter per 一、."""
    import docx
    from docx.oxml.ns import qn
    document = docx.Document()
    num_id = chinese_numbering(document, "chineseCounting", "%1、")

    def para(text, font="仿宋_GB2312", bold=False):
        p = document.add_paragraph()
        run = p.add_run(text)
        run.bold = bold or None
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return p
    numbered(para("总体要求", "黑体"), num_id)
    para("（一）指导思想", "楷体_GB2312")
    para("坚持生态优先、绿色发展。")
    para("1.工作目标", bold=True)
    para("到2025年，主要污染物排放总量持续减少。")
    numbered(para("保障措施", "黑体"), num_id)
    para("加强组织领导。")
    plan = imported_document(document, tmp_path / "方案.docx", tmp_path / "plan")
    assert "numbering: gongwen" in (plan / "plan.yaml").read_text("utf-8")
    first = (plan / "chapters" / "01-总体要求.md").read_text("utf-8")
    assert ["# 总体要求", "## 指导思想", "### 工作目标"] == \
        [line for line in first.splitlines() if line.startswith("#")]
    assert (plan / "chapters" / "02-保障措施.md").is_file()
    docx_path = build_docx(plan, "draft").docx
    texts = [paragraph_text(p) for p in part(docx_path, "word/document.xml").iter(f"{{{W}}}p")]
    assert "一、总体要求" in texts and "（一）指导思想" in texts and "1.工作目标" in texts
    assert "二、保障措施" in texts


def test_headings_with_styles_keep_their_levels_and_lose_typed_numbers(tmp_path):
    import docx
    document = docx.Document()
    document.add_heading("第一章　总则", 1)
    document.add_heading("第一节　目的", 2)
    document.add_paragraph("为规范工作，制定本规划。")
    document.add_heading("第二章　附则", 1)
    document.add_paragraph("本规划自印发之日起施行。")
    plan = imported_document(document, tmp_path / "styled.docx", tmp_path / "plan")
    text = (plan / "chapters" / "01-总则.md").read_text("utf-8")
    assert "# 总则\n\n## 目的\n\n为规范工作，制定本规划。\n" in text


# ---- comments and tracked changes ----------------------------------------------------------

def reviewed_doc(tmp_path: Path) -> Path:
    """A draft with a comment (python-docx) and a tracked insertion and deletion (written into
    document.xml with lxml: python-docx cannot make them)."""
    import docx
    from docx.oxml import parse_xml
    document = docx.Document()
    document.add_paragraph("第一章　总体要求").runs[0].bold = True
    p = document.add_paragraph("加强生态环境保护")
    document.add_comment(p.runs, text="建议写明责任单位。", author="李明", initials="LM")
    date = 'w:date="2021-01-05T09:00:00Z"'
    p._element.append(parse_xml(f'<w:ins {W_NS} w:id="801" w:author="王芳" {date}>'
                                "<w:r><w:t>，新增的要求</w:t></w:r></w:ins>"))
    p = document.add_paragraph("落实责任")
    p._element.append(parse_xml(f'<w:del {W_NS} w:id="802" w:author="王芳" {date}>'
                                "<w:r><w:delText>，删去的要求</w:delText></w:r></w:del>"))
    path = tmp_path / "审阅稿.docx"
    document.save(path)
    return path


def test_comments_and_changes_are_refused_with_their_counts(tmp_path):
    plan = tmp_path / "plan"
    result = run_import(reviewed_doc(tmp_path), "--plan", plan)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "审阅稿.docx: 文件中有批注 1 条和修订（插入 1 处、删除 1 处）" in result.output
    assert "--accept-changes" in result.output and "未写入任何文件" in result.output
    assert not plan.exists()


@pytest.mark.parametrize("flag, kept, gone", [
    ("--accept-changes", "加强生态环境保护，新增的要求", "删去的要求"),
    ("--reject-changes", "落实责任，删去的要求", "新增的要求")])
def test_accepted_or_rejected_changes_and_comments_in_the_report(tmp_path, flag, kept, gone):
    plan = tmp_path / "plan"
    result = run_import(reviewed_doc(tmp_path), "--plan", plan, flag)
    assert result.exit_code == 0, result.output
    text = (plan / "chapters" / "01-总体要求.md").read_text("utf-8")
    assert kept in text and gone not in text
    assert "建议写明" not in text
    report = (plan / "导入报告.txt").read_text("utf-8")
    verb = "接受" if flag == "--accept-changes" else "拒绝"
    assert f"修订 2 处已全部{verb}" in report
    assert re.search(r"1\. 李明 \d{4}-\d\d-\d\d chapters/01-总体要求.md:\d+ “加强生态环境保护”："
                     "建议写明责任单位。", report), report


def test_accepting_and_rejecting_at_once_is_refused(tmp_path):
    result = run_import(reviewed_doc(tmp_path), "--plan", tmp_path / "plan", "--accept-changes",
                        "--reject-changes")
    assert result.exit_code == 2 and "只能选一个" in result.output


# ---- bad input ----------------------------------------------------------------------------

def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def zip_with(path: Path, document: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: written(p, "第一章 总则\n".encode()), "不是 Word 文件"),
    (lambda p: written(p, compound_file({"EncryptionInfo": 1024, "EncryptedPackage": 4096})),
     "已加密"),
    (lambda p: written(p.with_suffix(".doc"), compound_file({"WordDocument": word_document(True)})),
     "已加密"),
    (lambda p: written(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000), "已损坏"),
    (lambda p: zip_with(p, b"<w:document " + W_NS.encode() + b"><w:body>" + b" " * 30_000_000
                        + b"</w:body></w:document>"), "压缩炸弹"),
    (lambda p: zip_with(p, b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
                           b"<d>&a;</d>"), "实体声明"),
    (lambda p: written(p, b"PK\x03\x04 not really a zip"), "已损坏"),
])
def test_hostile_or_broken_files_are_refused(tmp_path, make, words):
    source = make(tmp_path / "稿件.docx")
    result = run_import(source, "--plan", tmp_path / "plan")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and words in result.output
    assert not (tmp_path / "plan").exists()


def simple_doc(path: Path, title: str) -> Path:
    import docx
    document = docx.Document()
    document.add_heading(f"第一章　{title}", 1)
    document.add_paragraph(f"{title}的正文。")
    document.save(path)
    return path


def test_existing_chapters_need_force_and_are_backed_up(tmp_path):
    plan = make_plan(tmp_path / "plan", {"01-旧章.md": "# 旧章\n\n原有的正文。\n"})
    before = (plan / "chapters" / "01-旧章.md").read_bytes()
    source = simple_doc(tmp_path / "新稿.docx", "新章")
    refused = run_import(source, "--plan", plan)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (plan / "chapters" / "01-旧章.md").read_bytes() == before
    assert not (plan / "导入报告.txt").exists()
    forced = run_import(source, "--plan", plan, "--force")
    assert forced.exit_code == 0, forced.output
    assert [p.name for p in (plan / "chapters").iterdir()] == ["01-新章.md"]
    assert (plan / "导入备份-1" / "chapters" / "01-旧章.md").read_bytes() == before
    assert (plan / "plan.yaml").read_text("utf-8") == "title: 测试规划\n"  # kept as it was
    again = run_import(simple_doc(tmp_path / "第三稿.docx", "三稿"), "--plan", plan, "--force")
    assert again.exit_code == 0 and (plan / "导入备份-2" / "chapters" / "01-新章.md").is_file()
    assert (plan / "导入备份-2" / "导入报告.txt").is_file()


def test_the_plan_option_of_the_group_is_the_default_target(tmp_path):
    source = simple_doc(tmp_path / "稿.docx", "总则")
    result = CliRunner().invoke(main, ["--plan", str(tmp_path / "p"), "import", str(source)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / "chapters" / "01-总则.md").is_file()


def test_imported_text_is_escaped_not_interpreted(tmp_path):
    """Markdown and template syntax typed in a Word file stay text."""
    import docx
    document = docx.Document()
    document.add_heading("第一章　总则", 1)
    lines = ["{{ ind.pm25.target }} 与 {% if x %} 照录。", "# 不是标题", "- 不是列表",
             "2020. 不是编号", "a*b*c [链接](http://x) <b>粗</b> | 竖线 &amp; ::: 专栏 x"]
    for text in lines:
        document.add_paragraph(text)
    plan, _ = read_plan(imported_document(document, tmp_path / "escape.docx", tmp_path / "plan"))
    texts = ["".join(s.text for s in b.inlines) for b in plan.parsed[0].blocks[1:]]
    assert texts == lines


# ---- real Word files from elsewhere ---------------------------------------------------------

REAL_FILES = sorted(p.name for p in REAL_WORD.iterdir()) if REAL_WORD.is_dir() else []


@pytest.fixture(scope="module")
def expected_comments() -> dict[str, int]:
    """The corpus's own independent count of each file's comments (expect.py)."""
    import json
    files = [str(REAL_WORD / name) for name in REAL_FILES]
    out = subprocess.run([sys.executable, str(REAL_WORD.parent / "expect.py"), *files, "--json"],
                         capture_output=True, text=True, check=True).stdout
    return {Path(item["file"]).name: item.get("comments") or 0 for item in json.loads(out)}


@needs_corpus
@pytest.mark.parametrize("name", REAL_FILES or ["(none)"])
def test_every_real_word_file_imports_or_is_refused_in_chinese(tmp_path, name, expected_comments):
    source = REAL_WORD / name
    result = imported_cleanly(source, tmp_path / "plan")
    if result.exit_code == 0:
        return
    assert CJK.search(result.output) and "错误" in result.output
    if "--accept-changes" in result.output:  # refused for its comments or tracked changes
        counted = re.search(r"批注 (\d+) 条", result.output)
        if source.suffix.lower() != ".doc":
            assert (int(counted.group(1)) if counted else 0) == expected_comments[name]
        imported_cleanly(source, tmp_path / "accepted", "--accept-changes")


def imported_cleanly(source: Path, plan: Path, *flags: str):
    """An import that ends in chapters that build, or in exit code 2 with no traceback."""
    result = run_import(source, "--plan", plan, *flags)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        assert list((plan / "chapters").glob("*.md"))
        report = (plan / "导入报告.txt").read_text("utf-8")
        assert "导入的章节无法生成" not in report, report
    return result


# ---- EMF/WMF pictures --------------------------------------------------------------------

def emf_picture() -> bytes:
    """A 40 mm × 20 mm EMF, a red rectangle filling its middle (device: 0.1 mm a pixel)."""
    import struct

    def record(kind: int, payload: bytes) -> bytes:
        return struct.pack("<II", kind, 8 + len(payload)) + payload
    body = [record(39, struct.pack("<IIII", 1, 0, 0x0000FF, 0)),  # solid red brush
            record(37, struct.pack("<I", 1)),  # select it
            record(43, struct.pack("<iiii", 100, 50, 300, 150)),  # rectangle
            record(14, struct.pack("<III", 0, 16, 20))]  # end of file
    size = 88 + sum(map(len, body))
    header = record(1, struct.pack("<iiii", 0, 0, 399, 199) + struct.pack("<iiii", 0, 0, 3999, 1999)
                    + b" EMF" + struct.pack("<IIIHHIIIiiii", 0x10000, size, len(body) + 1, 2, 0,
                                            0, 0, 0, 1000, 1000, 100, 100))
    return header + b"".join(body)


def with_metafile(document, source: Path, data: bytes) -> Path:
    """A python-docx document with one picture, saved as `source` with that picture's bytes
    replaced by an EMF (its part renamed, as Word names it)."""
    document.save(source)
    with zipfile.ZipFile(source) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    media = next(n for n in parts if n.startswith("word/media/"))
    emf = media.rsplit(".", 1)[0] + ".emf"
    parts[emf] = data
    del parts[media]
    rels = "word/_rels/document.xml.rels"
    parts[rels] = parts[rels].replace(media[5:].encode(), emf[5:].encode())
    types = "[Content_Types].xml"
    parts[types] = parts[types].replace(
        b"<Default ", b'<Default Extension="emf" ContentType="image/x-emf"/><Default ', 1)
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return source


def chart_draft(tmp_path: Path) -> Path:
    document, para, body = office_doc()
    body("全市主要污染物排放持续下降。")
    document.add_picture(str(picture(tmp_path / "chart.png")))
    para(("图1　主要污染物排放趋势", "黑体", 14, False), center=True)
    return with_metafile(document, tmp_path / "稿.docx", emf_picture())


@pytest.mark.libreoffice
def test_an_emf_chart_comes_in_as_a_png_drawn_by_libreoffice(tmp_path):
    """Drawn at 300 dpi for its own size, referenced from the chapter, built, and the same bytes
    from a second import."""
    from PIL import Image
    result = run_import(chart_draft(tmp_path), "--plan", tmp_path / "plan")
    assert result.exit_code == 0, result.output
    plan = tmp_path / "plan"
    with Image.open(plan / "images" / "主要污染物排放趋势.png") as png:
        assert png.format == "PNG"
        # 40 mm × 20 mm at 300 dpi; the rectangle in the middle half, white around it
        assert abs(png.width - 472) <= 2 and abs(png.height - 236) <= 2, png.size
        rgb = png.convert("RGB")
        assert rgb.getpixel((png.width // 2, png.height // 2)) == (255, 0, 0)
        assert rgb.getpixel((5, 5)) == (255, 255, 255)
    chapter = (plan / "chapters" / "01-总体要求.md").read_text("utf-8")
    assert "![主要污染物排放趋势](<../images/主要污染物排放趋势.png>)" in chapter.splitlines()
    report = (plan / "导入报告.txt").read_text("utf-8")
    assert re.search(r"chapters/01-总体要求\.md:\d+（原文第 \d+ 段）：图片“主要污染物排放趋势”"
                     r"（media/image1\.emf）由 EMF 经 LibreOffice 转为 PNG", report), report
    docx = build_docx(plan, "draft").docx
    with zipfile.ZipFile(docx) as archive:
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in archive.namelist())
    again = run_import(tmp_path / "稿.docx", "--plan", tmp_path / "again")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "images" / "主要污染物排放趋势.png").read_bytes() == \
        (plan / "images" / "主要污染物排放趋势.png").read_bytes()  # same source, same bytes


def test_an_emf_without_libreoffice_is_left_out_and_named(tmp_path, monkeypatch):
    import pipeline.pdf.engine as engine
    monkeypatch.setattr(engine, "unavailable_reason", lambda: "找不到 soffice")
    result = run_import(chart_draft(tmp_path), "--plan", tmp_path / "plan")
    assert result.exit_code == 0, result.output
    plan = tmp_path / "plan"
    assert not (plan / "images").exists()
    assert "images/" not in (plan / "chapters" / "01-总体要求.md").read_text("utf-8")
    report = (plan / "导入报告.txt").read_text("utf-8")
    assert re.search(r"原文第 \d+ 段：图片“主要污染物排放趋势”（media/image1\.emf）为 EMF 格式，"
                     r"须经 LibreOffice 转为 PNG，但未能转换（需要 LibreOffice 转换 EMF/WMF 图片："
                     r"找不到 soffice）：未导入", report), report
    assert "图片（未能导入）：1" in report


# ---- merged header cells -----------------------------------------------------------------

def two_row_header_draft(tmp_path: Path, repeat_second: bool) -> Path:
    """A table whose 序号, 指标 and 2020年 span both header rows and 2025年 two columns."""
    from docx.oxml import OxmlElement
    document, para, body = office_doc()
    para(("表2　指标对比", "黑体", 14, False), center=True)
    table = document.add_table(rows=4, cols=5)
    for r, row in enumerate([["序号", "指标", "2020年", "2025年", ""],
                             ["", "", "", "目标", "属性"],
                             ["1", "优良天数比率", "95.3", "96", "约束性"],
                             ["2", "细颗粒物浓度", "27", "25", "约束性"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for c, text in enumerate(["序号", "指标", "2020年"]):
        table.cell(0, c).merge(table.cell(1, c)).text = text
    table.cell(0, 3).merge(table.cell(0, 4)).text = "2025年"
    for tr in table.rows[:2 if repeat_second else 1]:
        tr._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    body("表格之后的正文。")
    document.save(tmp_path / "稿.docx")
    return tmp_path / "稿.docx"


@pytest.mark.parametrize("repeat_second", [True, False])
def test_merged_header_cells_come_back_merged(tmp_path, repeat_second):
    source = two_row_header_draft(tmp_path, repeat_second)
    result = run_import(source, "--plan", tmp_path / "plan")
    assert result.exit_code == 0, result.output
    plan = tmp_path / "plan"
    chapter = (plan / "chapters" / "01-总体要求.md").read_text("utf-8").splitlines()
    start = chapter.index("表：指标对比")
    assert chapter[start + 2:start + 6] == [
        "| 序号 | 指标 | 2020年 | 2025年 ||", "|---|---|---|---|---|",
        "| ^^ | ^^ | ^^ | 目标 | 属性 |", "| 1 | 优良天数比率 | 95.3 | 96 | 约束性 |"]
    report = (plan / "导入报告.txt").read_text("utf-8")
    assert "合并单元格未能保留" not in report and "行表头" not in report
    docx = build_docx(plan, "draft").docx
    assert header_rows(docx) == TWO_HEADER_ROWS
    assert audit_errors(docx) == []


# ---- text boxes --------------------------------------------------------------------------

SHAPES = {"w": W, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
          "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
          "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
          "v": "urn:schemas-microsoft-com:vml"}


def box_paragraphs(lines: list[tuple[str, str]]) -> str:
    """w:p elements, each (text, East Asian font)."""
    return "".join(f'<w:p><w:r><w:rPr><w:rFonts w:eastAsia="{font}"/></w:rPr><w:t>{text}</w:t>'
                   "</w:r></w:p>" for text, font in lines)


def add_text_box(paragraph, lines: list[tuple[str, str]], vml_only: bool = False) -> None:
    """A text box anchored in `paragraph`, as Word writes it: a DrawingML shape with a VML copy
    for old readers (mc:AlternateContent), or (`vml_only`) a VML shape alone, as WPS does."""
    from docx.oxml import parse_xml
    content = f"<w:txbxContent>{box_paragraphs(lines)}</w:txbxContent>"
    vml = f'<w:pict><v:shape style="width:200pt;height:80pt"><v:textbox>{content}</v:textbox>' \
          "</v:shape></w:pict>"
    drawing = (
        '<w:drawing><wp:inline><wp:extent cx="2540000" cy="1016000"/>'
        '<wp:docPr id="90" name="文本框 90"/><a:graphic><a:graphicData uri="http://schemas.'
        'microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/>'
        f"<wps:spPr/><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData>"
        "</a:graphic></wp:inline></w:drawing>")
    inner = vml if vml_only else \
        (f'<mc:AlternateContent><mc:Choice Requires="wps">{drawing}</mc:Choice>'
         f"<mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent>")
    spaces = " ".join(f'xmlns:{k}="{v}"' for k, v in SHAPES.items())
    paragraph._p.append(parse_xml(f"<w:r {spaces}>{inner}</w:r>"))


def text_box_draft(tmp_path: Path) -> Path:
    document, para, body = office_doc()
    anchor = body("全市推进一批重点工程。")
    add_text_box(anchor, [("专栏1　重点工程", "黑体"), ("污水管网改造工程。新建管网120公里。", "仿宋_GB2312"),
                          ("工业园区治理工程。完成园区污水处理厂提标。", "仿宋_GB2312")])
    body("工程实施后，水环境质量明显改善。")
    anchor = body("城区空气质量持续向好。")
    add_text_box(anchor, [("据统计，2020年全市优良天数比率达到95.3%。", "仿宋_GB2312")],
                 vml_only=True)
    body("下一步继续巩固。")
    document.save(tmp_path / "稿.docx")
    return tmp_path / "稿.docx"


def test_text_boxes_come_in_at_their_anchor_as_a_box_or_as_text(tmp_path):
    result = run_import(text_box_draft(tmp_path), "--plan", tmp_path / "plan")
    assert result.exit_code == 0, result.output
    plan = tmp_path / "plan"
    lines = [line for line in (plan / "chapters" / "01-总体要求.md").read_text("utf-8")
             .splitlines() if line]
    start = lines.index("全市推进一批重点工程。")
    assert lines[start:start + 9] == [
        "全市推进一批重点工程。", "::: 专栏 重点工程", "污水管网改造工程。新建管网120公里。",
        "工业园区治理工程。完成园区污水处理厂提标。", ":::", "工程实施后，水环境质量明显改善。",
        "城区空气质量持续向好。", "据统计，2020年全市优良天数比率达到95.3%。", "下一步继续巩固。"]
    assert sum("污水管网改造工程" in line for line in lines) == 1  # the VML copy left out
    report = (plan / "导入报告.txt").read_text("utf-8")
    assert re.search(r"chapters/01-总体要求\.md:\d+（原文第 \d+ 段）：文本框“重点工程”导入为专栏",
                     report), report
    assert re.search(r"chapters/01-总体要求\.md:\d+（原文第 \d+ 段）：文本框中的文字“据统计，2020年全市优良天数"
                     r"比率达到9”按正文导入", report), report
    assert "专栏：2" in report  # office_doc's own one-cell 专栏 and this one
    docx = build_docx(plan, "draft").docx
    texts = [paragraph_text(p) for p in part(docx, "word/document.xml").iter(f"{{{W}}}p")]
    assert "专栏2　重点工程" in texts and "污水管网改造工程。新建管网120公里。" in texts
    assert audit_errors(docx) == []


def test_a_text_box_found_in_no_chapter_is_reported_with_its_first_words():
    from pipeline.importer.run import dropped_text_boxes
    files = {"chapters/01-总体要求.md": "# 总体要求\n\n工程实施后，水环境 质量明显改善。\n".encode()}
    notes = dropped_text_boxes({1: "工程实施后，水环境质量明显改善。", 2: "污水管网改造工程。新建管网120公里"},
                               files, "稿.docx")
    assert [(n.code, n.file, n.message) for n in notes] == [
        ("E934", "稿.docx", "第 2 个文本框中的文字“污水管网改造工程。新建管网120公里”未能导入：请从原文复制")]
