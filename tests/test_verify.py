"""The verify stage against PDFs rendered by a real LibreOffice: the sample plan with its TOC
updated (as the pipeline exports it), the same plan through a plain `--convert-to` (TOC numbers
not filled in), the plan written with a wrong top margin, and a plan of plain paragraphs. Plus
small PDFs made here for the error paths. No mocks."""
from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from conftest import ROOT, copy_sample, make_plan
from pipeline.errors import PlanError
from pipeline.layout import Layout, load_layout
from pipeline.verify import (Check, char_units, display_width, expected_geometry, find_structure,
                             full_pages, parse_toc, read_pdf, render_table, to_json, verify_pdf)

FONTS_CONF = ROOT / "styles" / "fonts.conf"
MM_PER_PT = 25.4 / 72


# LibreOffice is part of the product: without it these fail with the install hint, never skip.
needs_libreoffice = pytest.mark.libreoffice


def soffice_env() -> dict[str, str]:
    env = dict(os.environ)
    if FONTS_CONF.exists():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    return env


def convert_plain(docx: Path, outdir: Path, work: Path) -> Path:
    """`soffice --convert-to pdf`: the TOC keeps the numbers cached in the docx (none here)."""
    profile = (work / "profile-plain").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                   env=soffice_env(), capture_output=True, timeout=180, check=True)
    pdf = outdir / (docx.stem + ".pdf")
    assert pdf.is_file()
    return pdf


def write_with_layout(root: Path, data: dict, name: str) -> Path:
    """The plan's docx written with a changed copy of its layout profile."""
    from pipeline.reading import read_plan
    from pipeline.revision import source_revision, stamp
    from pipeline.docx import write_docx
    from pipeline.reading import resolve_plan
    plan, layout = read_plan(root)
    document = resolve_plan(plan, layout, "final")  # no header: the margin alone decides
    path = root / name
    path.write_bytes(write_docx(document, Layout(layout.name, data),
                                stamp(source_revision(root).epoch)).data)
    return path


PARAGRAPH = "坚持以人民为中心的发展思想，统筹推进城市更新与产业发展，" * 12


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """PDFs made by the pipeline's own PDF stage (TOC updated), plus a plain --convert-to."""
    from pipeline.build import build, build_docx
    from pipeline.pdf import PdfEngine
    work = tmp_path_factory.mktemp("verify")
    root = copy_sample(work / "sample")
    sample = next(build(root, ["draft"], pdf=True))
    plain_root = make_plan(work / "paragraphs",
                           {"01-总则.md": "# 总则\n\n" + "\n\n".join([PARAGRAPH] * 12) + "\n"})
    paragraphs = next(build(plain_root, ["draft"], pdf=True))
    wrong_top = copy.deepcopy(load_layout("gbt9704", root).data)
    wrong_top["page"]["top_mm"] = 30
    top30 = write_with_layout(root, wrong_top, "top30.docx")
    out = work / "pdf"
    (out / "plain").mkdir(parents=True)
    with PdfEngine(work / "profile", FONTS_CONF) as engine:
        engine.convert(top30, out / "top30.pdf", title="t", subject="s")
    return {"sample": sample.pdf, "paragraphs": paragraphs.pdf, "top30": out / "top30.pdf",
            # A docx built without a PDF has no page numbers in its 目录 until something updates it.
            "plain": convert_plain(build_docx(copy_sample(work / "docx-only"), "draft").docx,
                                   out / "plain", work),
            "sample_report": sample.verify_report}


@pytest.fixture(scope="session")
def layout() -> Layout:
    return load_layout("gbt9704", ROOT)


@pytest.fixture(scope="session")
def checks(rendered, layout) -> dict[str, dict[str, Check]]:
    """verify_pdf of every rendered PDF, by PDF and by 检查项."""
    return {name: {c.item: c for c in verify_pdf(pdf, layout)} for name, pdf in rendered.items()
            if pdf.suffix == ".pdf"}


def numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


# ---- the sample plan, exported as the pipeline does (TOC updated) ------------------------------

@needs_libreoffice
def test_every_requirement_gets_one_check(checks):
    assert list(checks["sample"]) == ["纸张尺寸", "版心左边缘", "版心上边缘", "每面行数", "行网格",
                                      "每行字数", "页码格式", "页码位置", "页码高度", "封面目录页码",
                                      "双面印刷", "空白页", "续表表头", "标题孤行", "标题回行", "行号",
                                      "字体嵌入", "目录页码"]
    failing = {c.item: c.measured for c in checks["sample"].values() if not c.ok}
    assert not failing, failing


@needs_libreoffice
def test_paper_is_a4_on_every_page(checks, rendered):
    check = checks["sample"]["纸张尺寸"]
    assert check.ok, check.measured
    pages = len(read_pdf(rendered["sample"])[0])
    assert check.measured == f"{pages} 页均为 210.0 × 297.0 mm"


@needs_libreoffice
def test_type_area_edges_are_28_and_37_mm(checks, rendered, layout):
    left, top = checks["sample"]["版心左边缘"], checks["sample"]["版心上边缘"]
    assert left.ok and top.ok, (left.measured, top.measured)
    pages, _, outline = read_pdf(rendered["sample"])
    g = expected_geometry(layout)
    full = full_pages(pages, find_structure(pages, outline, g), g)
    assert len(full) >= 3  # pages whose paragraph runs on for 3+ lines on the next page
    for page in full:
        edge = min(line.x0 for line in page.lines)
        assert abs(edge - 28) <= 0.2
        if page.starts_on_grid:
            assert abs(page.row_top - 37) <= 0.3
            # 16 pt em box centred in a 28.95 pt row: its top 6.5 pt (2.3 mm) below the row top
            assert abs(page.lines[0].top - page.row_top - (28.95 - 16) / 2 * MM_PER_PT) <= 0.3
        assert abs(page.pitch / MM_PER_PT - 28.95) <= 0.05  # linePitch 579 twips


@needs_libreoffice
def test_page_numbers_are_dashed_alternate_sides_7mm_below_the_type_area(checks):
    form, side, height, front = (checks["sample"][k]
                                 for k in ("页码格式", "页码位置", "页码高度", "封面目录页码"))
    assert form.ok and side.ok and height.ok and front.ok, \
        (form.measured, side.measured, height.measured, front.measured)
    matched, total = map(int, re.match(r"(\d+)/(\d+) 页正确", form.measured).groups())
    assert matched == total > 40
    # Odd pages end 1 character (14 pt = 4.94 mm) inside the right type edge 184 mm: 179.06;
    # even pages start 1 character inside the left type edge 28 mm: 32.94.
    odd = re.search(r"单页 \d+ 页右边缘 ([\d.]+)", side.measured)
    even = re.search(r"双页 \d+ 页左边缘 ([\d.]+)", side.measured)
    assert abs(float(odd[1]) - 179.06) <= 0.5 and abs(float(even[1]) - 32.94) <= 0.5
    below = numbers(height.measured.split("版心下")[1])
    assert all(abs(value - 7) <= 1.5 for value in below)
    # The cover, a blank verso, three pages of 目录, a blank verso: "— 1 —" on page 7.
    assert front.measured == "封面、目录 6 页均无页码"


@needs_libreoffice
def test_every_font_is_embedded(checks):
    check = checks["sample"]["字体嵌入"]
    assert check.ok and "均已嵌入" in check.measured, check.measured
    assert "Fandol" in check.measured or not FONTS_CONF.exists()


@needs_libreoffice
def test_toc_numbers_match_the_pages_of_the_headings(checks):
    check = checks["sample"]["目录页码"]
    assert check.ok, check.measured
    matched, total = map(int, re.match(r"(\d+)/(\d+) 条一致", check.measured).groups())
    assert matched == total >= 30
    assert "书签" in check.measured


@needs_libreoffice
def test_full_pages_hold_22_lines(checks):
    check = checks["sample"]["每面行数"]
    assert check.ok, check.measured


@needs_libreoffice
def test_lines_hold_at_most_28_characters(checks):
    check = checks["sample"]["每行字数"]
    assert check.ok, check.measured


@needs_libreoffice
def test_characters_per_line_are_measured_on_the_sample(checks):
    check = checks["sample"]["每行字数"]
    full_line = re.search(r"排满的行多为 (\d+) 字", check.measured)
    assert full_line and int(full_line[1]) == 28, check.measured
    widest = int(re.search(r"最多 (\d+) 字", check.measured)[1])
    assert widest == 28  # hanging punctuation is off: LibreOffice dropped line-end ，、； with it


# ---- a plan of plain paragraphs: the grid itself ----------------------------------------------

@needs_libreoffice
def test_plain_paragraphs_fill_22_lines_of_28_characters(checks, rendered, layout):
    lines, chars = checks["paragraphs"]["每面行数"], checks["paragraphs"]["每行字数"]
    assert lines.ok, lines.measured
    assert re.search(r"末行在第 22 行，不含标题的 \d+ 页 22 行", lines.measured), lines.measured
    assert chars.ok, chars.measured
    assert "最多 28 字" in chars.measured and "排满的行多为 28 字" in chars.measured
    pages, _, outline = read_pdf(rendered["paragraphs"])
    g = expected_geometry(layout)
    uniform_full = [p for p in full_pages(pages, find_structure(pages, outline, g), g)
                    if p.uniform]
    assert len(uniform_full) >= 3
    assert {len(p.lines) for p in uniform_full} == {22}


# ---- checks that must fail ---------------------------------------------------------------------

@needs_libreoffice
def test_toc_without_update_fails(checks, rendered, layout):
    check = checks["plain"]["目录页码"]
    assert not check.ok
    assert re.match(r"0/(\d+) 条一致", check.measured), check.measured
    assert "目录 空" in check.measured
    pages, _, outline = read_pdf(rendered["plain"])
    g = expected_geometry(layout)
    entries = parse_toc(pages, find_structure(pages, outline, g), g)
    assert len(entries) >= 30 and all(entry.page == "" for entry in entries)
    assert entries[0].title.startswith("第一章")


@needs_libreoffice
def test_wrong_top_margin_fails_the_top_edge(checks):
    top = checks["top30"]["版心上边缘"]
    assert not top.ok
    measured = numbers(top.measured.split("首行行框上边缘")[1])
    assert abs(measured[0] - 30) <= 0.5, top.measured
    assert checks["top30"]["版心左边缘"].ok  # only the top moved
    assert checks["top30"]["纸张尺寸"].ok


def test_a_file_that_is_not_a_pdf_raises_plan_error(tmp_path, layout):
    fake = tmp_path / "规划.pdf"
    fake.write_text("这不是 PDF", encoding="utf-8")
    with pytest.raises(PlanError) as raised:
        verify_pdf(fake, layout)
    assert raised.value.code == "E701"
    assert "不是 PDF" in raised.value.message and str(fake) in raised.value.message
    assert raised.value.file == str(fake)


def test_a_missing_or_damaged_pdf_raises_plan_error(tmp_path, layout):
    with pytest.raises(PlanError, match="找不到"):
        verify_pdf(tmp_path / "none.pdf", layout)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.6\n" + bytes(range(256)) * 8)
    with pytest.raises(PlanError) as raised:
        verify_pdf(damaged, layout)
    assert raised.value.file == str(damaged)


# ---- small PDFs made here: no outline, no TOC, fonts not embedded -----------------------------

def blank_pdf(path: Path, pages: int, *, font: DictionaryObject | None = None) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(width=210 / MM_PER_PT, height=297 / MM_PER_PT)
        if font is not None:
            resources = DictionaryObject({NameObject("/Font"): DictionaryObject(
                {NameObject("/F1"): writer._add_object(font)})})
            page[NameObject("/Resources")] = resources
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def test_a_pdf_without_outline_or_toc_is_measured_not_rejected(tmp_path, layout):
    result = {c.item: c for c in verify_pdf(blank_pdf(tmp_path / "blank.pdf", 2), layout)}
    assert result["纸张尺寸"].ok
    assert not result["目录页码"].ok and result["目录页码"].measured == "未找到目录页"
    assert not result["每面行数"].ok
    assert result["字体嵌入"].measured == "PDF 不含字体"


def test_a_font_without_font_file_is_reported(tmp_path, layout):
    helvetica = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                  NameObject("/Subtype"): NameObject("/Type1"),
                                  NameObject("/BaseFont"): NameObject("/Helvetica")})
    pdf = blank_pdf(tmp_path / "font.pdf", 1, font=helvetica)
    result = {c.item: c for c in verify_pdf(pdf, layout)}
    assert not result["字体嵌入"].ok
    assert "Helvetica" in result["字体嵌入"].measured


def test_a_wrong_paper_size_is_reported(tmp_path, layout):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)  # US Letter
    with open(tmp_path / "letter.pdf", "wb") as handle:
        writer.write(handle)
    result = {c.item: c for c in verify_pdf(tmp_path / "letter.pdf", layout)}
    assert not result["纸张尺寸"].ok
    assert "215.9 × 279.4 mm" in result["纸张尺寸"].measured


# ---- output forms ------------------------------------------------------------------------------

def test_table_and_json_forms():
    sample = [Check("纸张尺寸", "每页 210 × 297 mm", "3 页均为 210.0 × 297.0 mm", True),
              Check("每面行数", "每面 22 行", "21 行", False)]
    table = render_table(sample).splitlines()
    assert [cell.strip() for cell in table[0].split("|")] == ["检查项", "要求", "实测", "结论"]
    assert table[2].rstrip().endswith("符合") and table[3].rstrip().endswith("不符合")
    # columns line up on screen: CJK characters take two columns
    assert len({display_width(line[:line.index("|")]) for line in table if "|" in line}) == 1
    assert to_json(sample)[1] == {"item": "每面行数", "requirement": "每面 22 行",
                                  "measured": "21 行", "ok": False}


def test_characters_are_counted_as_the_grid_counts_them():
    assert char_units("坚持以人民为中心") == 8
    assert char_units("“十四五”，《规划》——") == 12
    assert char_units("2025年") == 3
    assert char_units("PM2.5 浓度") == 4.5


@needs_libreoffice
def test_the_build_writes_the_check_beside_the_pdf(rendered, checks):
    report = rendered["sample_report"]
    assert report.parent == rendered["sample"].parent
    assert report.read_text(encoding="utf-8") == render_table(checks["sample"].values())


@needs_libreoffice
def test_no_punctuation_is_lost_between_docx_and_pdf(rendered):
    import zipfile
    from pypdf import PdfReader
    with zipfile.ZipFile(rendered["sample"].with_suffix(".docx")) as archive:
        body = re.sub(r"<[^>]+>", "", archive.read("word/document.xml").decode("utf-8"))
    pdf_text = "".join(page.extract_text() for page in PdfReader(rendered["sample"]).pages)
    for mark in "，、；。":
        assert pdf_text.count(mark) >= body.count(mark), mark


@needs_libreoffice
def test_plan_verify_command_prints_the_table_and_json(rendered):
    import json
    from click.testing import CliRunner
    from pipeline.cli import main
    runner = CliRunner()
    text = runner.invoke(main, ["--plan", str(ROOT), "verify", str(rendered["sample"])])
    assert text.exit_code == 0, text.output
    assert "检查项" in text.output and "每面行数" in text.output and "不符合" not in text.output
    data = runner.invoke(main, ["verify", "--format", "json", str(rendered["sample"])])
    assert data.exit_code == 0
    items = json.loads(data.output)
    assert {tuple(sorted(item)) for item in items} == {("item", "measured", "ok", "requirement")}
    failing = runner.invoke(main, ["verify", str(rendered["top30"])])
    assert failing.exit_code == 1 and "版心上边缘" in failing.output


def test_plan_verify_refuses_a_file_that_is_not_a_pdf(tmp_path):
    from click.testing import CliRunner
    from pipeline.cli import main
    fake = tmp_path / "假.pdf"
    fake.write_text("not a pdf", encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(fake)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "假.pdf" in result.output
