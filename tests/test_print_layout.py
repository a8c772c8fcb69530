"""Print-true layout, measured on PDFs a real LibreOffice makes of crafted plans: 目录 of one to
four pages, headings at page tops, a 专栏 with a long table, a 26-character title, a wide
project table, every version, single- and double-sided; and verify failing on each fault
planted in such a PDF. (The sample and the real plans: test_verify.py, test_realtext_layout.py.)"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from conftest import NS, ROOT, make_plan
from pipeline.build import build
from pipeline.docx.styles import grid_styles
from pipeline.docx.writer import SPACER_PREFIX
from pipeline.layout import load_layout
from pipeline.pdf import GridSpacers, PdfEngine
from pipeline.verify import verify_pdf
from pipeline.verify.pdfread import read_pdf
from pipeline.verify.structure import expected_geometry, find_structure

pytestmark = pytest.mark.libreoffice

FONTS_CONF = ROOT / "styles" / "fonts.conf"
LAYOUT = load_layout("gbt9704", ROOT)
VERSIONS = ["draft", "review", "final"]
TITLE = "南京市国民经济和社会发展第十五个五年规划纲要（节选）"  # 26 characters
WORDS = "坚持生态优先推动绿色发展统筹推进污染治理生态保护应对气候变化"


def lines(count: int) -> str:
    """A paragraph of exactly `count` full lines of 28 characters (the first indented two)."""
    need = 28 * count - 2
    return (WORDS * (need // len(WORDS) + 1))[:need]


def project_rows(count: int, columns: int) -> str:
    cells = ["示例工程{i}号", "建设污水管网{i}公里和处理设施，实施提标改造", "章贡区",
             "12.{i:02d}", "2021—2025年", "市生态环境局", "微克/立方米", "约束性"]
    return "\n".join("| " + " | ".join([str(i), *(c.format(i=i) for c in cells[:columns - 1])])
                     + " |" for i in range(1, count + 1))


def header(columns: int) -> str:
    names = ["序号", "项目名称", "建设内容", "建设地点", "总投资（亿元）", "建设年限", "责任单位",
             "单位", "属性"][:columns]
    return "| " + " | ".join(names) + " |\n|" + "---|" * columns


def rich_plan(root: Path, extra_yaml: str = "") -> Path:
    """Every hard case at once: the 26-character title, a chapter that fills its first page so
    a 节 heading opens the next, a 专栏 opening with text and holding a table of forty rows, a
    wide project table, a footnote. (Unnumbered headings: test_layout_structure.py, from a
    hand-built model, until the parse stage reads `{-}`.)"""
    chapters = {
        # The 章 on the first body page keeps its blank row above (a section starts there),
        # one below: nineteen lines fill the page and the 节 opens the next.
        "01-基础.md": (f"# 发展基础\n\n{lines(19)}\n\n## 主要成效\n\n{lines(12)}\n\n"
                       f"{lines(15)}[^a]\n\n[^a]: 资料来源：统计公报。\n\n## 存在问题\n\n{lines(30)}\n"),
        "02-工程.md": (f"# 重大工程\n\n{lines(6)}\n\n::: 专栏 重点工程项目\n\n{lines(2)}\n\n"
                       f"{header(5)}\n{project_rows(40, 5)}\n\n{lines(1)}\n\n:::\n\n{lines(25)}\n\n"
                       f"表：重大工程项目表\n\n{header(8)}\n{project_rows(24, 8)}\n\n{lines(30)}\n"),
    }
    return make_plan(root, chapters, f"title: {TITLE}\norganization: 测试单位\n"
                                     f"period: 2026—2030年\n{extra_yaml}")


def toc_plan(root: Path, chapters: int, sections: int, numbering: str = "plan") -> Path:
    body = {}
    for c in range(1, chapters + 1):
        text = f"# 第{c}项任务\n\n{lines(3)}\n\n"
        text += "".join(f"## 具体措施{c}之{s}\n\n{lines(2)}\n\n" for s in range(1, sections + 1))
        body[f"{c:02d}.md"] = text
    body["99-保障.md"] = f"# 保障措施\n\n{lines(40)}\n\n{lines(30)}\n"
    return make_plan(root, body, f"title: 目录测试规划\nnumbering: {numbering}\n")


def pdf_of(root: Path, versions: list[str]) -> dict[str, Path]:
    out = {}
    for built in build(root, versions, pdf=True):
        assert built.pdf is not None, built.pdf_skipped or built.refused
        out[built.version] = built
    return out


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("print")
    out = {"rich": pdf_of(rich_plan(work / "rich"), VERSIONS),
           "simplex": pdf_of(rich_plan(work / "simplex", "print: simplex\n"), ["draft"])}
    # 目录 of 1, 2, 3, 4 pages: about 20 entries on the first page, 22 on the next ones.
    for pages, (chapters, sections) in {1: (3, 2), 2: (6, 4), 3: (9, 5), 4: (10, 7)}.items():
        numbering = "outline" if pages == 4 else "plan"
        out[f"toc{pages}"] = pdf_of(toc_plan(work / f"toc{pages}", chapters, sections,
                                             numbering), VERSIONS)
    out["work"] = work
    return out


def checks(pdf: Path, **kw) -> dict:
    return {c.item: c for c in verify_pdf(pdf, LAYOUT, **kw)}


def structure_of(pdf: Path):
    g = expected_geometry(LAYOUT)
    pages, _, outline = read_pdf(pdf, g.left - 1, g.bottom - 1)
    return pages, find_structure(pages, outline, g)


# ---- every crafted plan passes in every version -------------------------------------------

@pytest.mark.parametrize("name, version", [("rich", v) for v in VERSIONS] + [
    ("simplex", "draft")] + [(f"toc{n}", v) for n in range(1, 5) for v in VERSIONS])
def test_crafted_plans_pass_verify(plans, name, version):
    built = plans[name][version]
    failing = {c.item: c.measured for c in built.checks if not c.ok}
    assert not failing, failing
    assert built.pdf_pages == len(PdfReader(built.pdf).pages)  # the page count is the PDF's


@pytest.mark.parametrize("toc_pages", [1, 2, 3, 4])
def test_the_toc_and_the_body_open_on_rectos_whatever_the_toc_length(plans, toc_pages):
    pages, structure = structure_of(plans[f"toc{toc_pages}"]["draft"].pdf)
    assert len(structure.toc) == toc_pages
    assert structure.toc[0] == 2  # page 3: the cover, a blank verso, the 目录
    assert structure.body[0] % 2 == 0  # "— 1 —" on an odd page
    blanks = [1] + ([structure.toc[-1] + 1] if toc_pages % 2 else [])
    assert list(structure.blanks) == blanks
    assert all(not pages[i].lines for i in blanks)  # no number, no header on a blank verso


def test_printed_single_sided_no_page_is_blank(plans):
    built = plans["simplex"]["draft"]
    pages, structure = structure_of(built.pdf)
    assert structure.blanks == () and structure.toc[0] == 1
    sides = {c.item: c for c in built.checks}
    assert sides["空白页"].measured == "没有空白页"


def test_the_rich_plan_measured(plans):
    built = plans["rich"]["draft"]
    found = {c.item: c.measured for c in built.checks}
    # The title on two lines between words, a trapezoid widening downwards.
    assert "南京市国民经济和社会发展/第十五个五年规划纲要（节选）" in found["标题回行"]
    # Every line of body text on its row; full pages end on the 22nd.
    worst = float(re.search(r"最大偏差 ([\d.]+) mm", found["行网格"])[1])
    assert worst <= 0.2, found["行网格"]
    assert re.search(r"末行在第 22 行", found["每面行数"]), found["每面行数"]
    # The 专栏's table and the project table go on over pages with their header rows.
    assert int(re.match(r"(\d+) 处续表均重复表头", found["续表表头"])[1]) >= 3
    # The wide table on landscape pages, their numbers where the sheet holds them.
    pages, structure = structure_of(built.pdf)
    assert sum(1 for i in structure.body if pages[i].landscape) >= 2
    assert "297.0 × 210.0 mm" in found["纸张尺寸"]
    odd = float(re.search(r"单页 \d+ 页右边缘 ([\d.]+)", found["页码位置"])[1])
    even = float(re.search(r"双页 \d+ 页左边缘 ([\d.]+)", found["页码位置"])[1])
    assert abs(odd - 179.06) <= 0.5 and abs(even - 32.94) <= 0.5


def test_a_heading_opens_a_page_and_the_text_after_it_is_on_its_row(plans):
    pages, structure = structure_of(plans["rich"]["final"].pdf)
    g = expected_geometry(LAYOUT)
    opening = [pages[i] for i in structure.body if pages[i].lines
               and pages[i].lines[0].text.startswith("第一节")]
    assert opening, "a 节 heading should open a page"
    page = opening[0]
    rows = [(line.centre - g.top) / g.pitch - 0.5 for line in page.lines[:3]]
    assert [round(r, 1) for r in rows] == [0.0, 1.0, 2.0]  # heading, then text row by row


def test_the_review_copy_numbers_table_and_box_lines(plans):
    found = {c.item: c.measured for c in plans["rich"]["review"].checks}
    assert re.match(r"\d+ 页 \d+ 行均有行号，每页自 1 起", found["行号"]), found["行号"]
    pages, structure = structure_of(plans["rich"]["review"].pdf)
    table_page = next(p for p in pages if any(l.text.startswith("序号") for l in p.lines))
    assert len(table_page.margin) >= 20  # the rows of a table are numbered too


# ---- verify fails on each planted fault ---------------------------------------------------

@pytest.fixture(scope="module")
def engine(plans):
    with PdfEngine(plans["work"] / "profile", FONTS_CONF) as running:
        yield running


GRID = GridSpacers(LAYOUT["grid"]["line_pitch_twips"], tuple(grid_styles(LAYOUT, "plan")),
                   "Grid Spacer", SPACER_PREFIX)


def edited(docx: Path, target: Path, part: str, old: str, new: str) -> Path:
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                assert re.search(old, text), old
                data = re.sub(old, new, text).encode("utf-8")
            out.writestr(item, data)
    return target


def converted(engine, docx: Path, pdf: Path, **kw) -> Path:
    options = {"grid": GRID, "blank_pages": True, **kw}
    engine.convert(docx, pdf, title="t", subject="s", **options)
    return pdf


def test_verify_fails_when_the_body_opens_on_a_verso(plans, engine):
    pdf = converted(engine, plans["rich"]["final"].docx, plans["work"] / "verso.pdf",
                    blank_pages=False)  # the blank versos dropped from a double-sided copy
    sides = checks(pdf)["双面印刷"]
    assert not sides.ok and "双页" in sides.measured, sides.measured


def test_verify_fails_on_a_stray_blank_page(plans):
    writer = PdfWriter(clone_from=PdfReader(plans["rich"]["final"].pdf))
    writer.insert_blank_page(index=8)
    pdf = plans["work"] / "stray.pdf"
    with open(pdf, "wb") as handle:
        writer.write(handle)
    blank = checks(pdf)["空白页"]
    assert not blank.ok and "第 9 页" in blank.measured, blank.measured


def test_verify_fails_when_text_after_a_table_is_off_its_row(plans, engine):
    # The spacers' heights that the build measured taken out, and none measured again.
    docx = edited(plans["rich"]["final"].docx, plans["work"] / "nogrid.docx",
                  "word/document.xml", r'<w:spacing w:before="0" w:after="0" w:line="\d+" '
                  r'w:lineRule="exact"/>', "")
    pdf = converted(engine, docx, plans["work"] / "nogrid.pdf", grid=None)
    grid = checks(pdf)["行网格"]
    assert not grid.ok and "不在行上" in grid.measured, grid.measured


def test_verify_fails_on_half_a_row_around_a_heading(plans, engine):
    docx = edited(plans["rich"]["final"].docx, plans["work"] / "half.docx", "word/styles.xml",
                  r'(w:styleId="Heading2">.*?<w:spacing w:before=")579(" w:after=")0"',
                  r'\g<1>290\g<2>289"')
    grid = checks(converted(engine, docx, plans["work"] / "half.pdf"))["行网格"]
    assert not grid.ok, grid.measured


def test_verify_fails_on_a_continued_table_without_its_header(plans, engine):
    docx = edited(plans["rich"]["final"].docx, plans["work"] / "nohead.docx",
                  "word/document.xml", r"<w:tblHeader/>", "")
    heads = checks(converted(engine, docx, plans["work"] / "nohead.pdf"))["续表表头"]
    assert not heads.ok and "不是表头" in heads.measured, heads.measured


def test_verify_fails_on_a_title_broken_inside_a_word(tmp_path):
    root = rich_plan(tmp_path / "broken", "title_lines: [南京市国民经济和社会发展第十五个五, "
                                          "年规划纲要（节选）]\n")
    built = pdf_of(root, ["final"])["final"]
    titles = {c.item: c for c in built.checks}["标题回行"]
    assert not titles.ok and "五/年规" in titles.measured, titles.measured


def caption_at_foot_plan(root: Path) -> Path:
    """A table caption on the page's last rows: the 章 heading on the second row (a blank row
    above and below it), seventeen lines of text (rows 4–20), the caption half a row below."""
    return make_plan(root, {"01.md": f"# 表格\n\n{lines(17)}\n\n表：项目表\n\n{header(3)}\n"
                                     f"{project_rows(12, 3)}\n\n{lines(30)}\n"},
                     "title: 表题测试规划\n")


def test_a_caption_keeps_with_its_table_and_verify_fails_when_it_does_not(tmp_path, engine):
    built = pdf_of(caption_at_foot_plan(tmp_path / "caption"), ["final"])["final"]
    assert {c.item: c for c in built.checks}["标题孤行"].ok
    docx = edited(built.docx, tmp_path / "loose.docx", "word/styles.xml",
                  r'(w:styleId="TableCaption">.*?<w:pPr>)<w:keepNext/>', r"\g<1>")
    alone = checks(converted(engine, docx, tmp_path / "loose.pdf"))["标题孤行"]
    assert not alone.ok and "表题" in alone.measured, alone.measured


def test_verify_fails_when_line_numbers_leave_table_lines_out(plans, engine):
    pdf = converted(engine, plans["rich"]["review"].docx, plans["work"] / "lo-lines.pdf")
    numbers = checks(pdf, line_numbers=True)["行号"]  # LibreOffice's own numbering only
    assert not numbers.ok and "无行号" in numbers.measured, numbers.measured


def title_apart(docx: Path, target: Path) -> Path:
    """The fault: a 专栏's title row a table of its own, its text a row that cannot split."""
    from copy import deepcopy

    from lxml import etree
    from pipeline.docx.ooxml import qn
    with zipfile.ZipFile(docx) as source:
        root = etree.fromstring(source.read("word/document.xml"))
    for tbl in root.iter(qn("w:tbl")):
        if tbl.find("w:tblPr/w:tblStyle", NS).get(qn("w:val")) == "BoxTable":
            title, text = tbl.findall("w:tr", NS)
            apart = deepcopy(tbl)
            for tr in apart.findall("w:tr", NS):
                apart.remove(tr)
            tbl.remove(text)
            text.insert(0, etree.fromstring(f'<w:trPr xmlns:w="{NS["w"]}"><w:cantSplit/></w:trPr>'))
            apart.append(text)
            join = etree.fromstring(f'<w:p xmlns:w="{NS["w"]}"><w:pPr><w:pStyle w:val="BoxJoin"/>'
                                    "</w:pPr></w:p>")
            tbl.addnext(join)
            join.addnext(apart)
            break
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            out.writestr(item, data)
    return target


def test_a_box_title_keeps_with_its_text_and_verify_fails_when_it_does_not(tmp_path, engine):
    """A 专栏 opening on the page's last rows: its title row goes with the first lines of its
    text; set apart from a text that cannot split, the title is left alone at the foot."""
    root = make_plan(tmp_path / "box", {"01.md": f"# 专栏\n\n{lines(15)}\n\n::: 专栏 重点工程\n\n"
                                                 f"{lines(6)}\n\n{lines(6)}\n\n:::\n\n{lines(20)}\n"},
                     "title: 专栏测试规划\n")
    built = pdf_of(root, ["final"])["final"]
    assert {c.item: c for c in built.checks}["标题孤行"].ok
    pages, structure = structure_of(built.pdf)
    foot = pages[structure.body[0]]
    assert [line.glyphs[:4] for line in foot.lines if line.size == 14][:2] == ["专栏1重", "坚持生态"]
    docx = title_apart(built.docx, tmp_path / "apart.docx")
    alone = checks(converted(engine, docx, tmp_path / "apart.pdf"))["标题孤行"]
    assert not alone.ok and "专栏标题" in alone.measured, alone.measured


def test_a_plan_without_a_full_page_is_not_failed_for_it(tmp_path):
    """Half a page of text: no page is full, so none can be short; the rows are still measured."""
    root = make_plan(tmp_path / "short", {"01.md": f"# 总体要求\n\n{lines(5)}\n\n{lines(4)}\n"})
    built = pdf_of(root, ["final"])["final"]
    found = {c.item: c for c in built.checks}
    assert found["每面行数"].ok and found["每面行数"].measured.startswith("无满页")
    assert found["行网格"].ok and "均在行上" in found["行网格"].measured
    assert all(c.ok for c in built.checks), [c for c in built.checks if not c.ok]
