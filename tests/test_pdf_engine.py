"""The PDF engine against a real LibreOffice: content, bookmarks, fonts, and recovery from a
corrupt document, a killed soffice and a per-document timeout. No mocks."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from pipeline.pdf import PdfEngine, PdfError, embedded_fonts, font_report

ROOT = Path(__file__).resolve().parents[1]
FONTS_CONF = ROOT / "styles" / "fonts.conf"
FIXTURES = Path(__file__).with_name("fixtures") / "pdf"

# LibreOffice is part of the product: without it these fail with the install hint, never skip.
pytestmark = pytest.mark.libreoffice

HEADINGS = ["第一章　总体要求", "第二章　主要任务"]
BODY = "坚持以人民为中心的发展思想，统筹推进城市更新与产业发展。"
TITLE = "示例城市更新规划"
SONG = "宋体示例：页码"
RARE = "堃"  # not in Fandol: must be reported as uncovered


def _east_asia(rpr, font: str) -> None:
    """Sets the East-Asian font slot and zh-CN language, which python-docx's font.name doesn't."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme_attr), None)  # a theme font overrides the explicit name
    fonts.set(qn("w:eastAsia"), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _toc_field(paragraph) -> None:
    """A Word TOC field with placeholder text, as Word leaves it before 'update field'."""
    def fld_char(kind: str):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)
    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-3" \\h \\z \\u '
    paragraph.add_run()._r.append(instr)
    fld_char("separate")
    paragraph.add_run("目录待更新")
    fld_char("end")


def make_docx(path: Path, body_paragraphs: int = 3) -> Path:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(16)
    _east_asia(normal.element.get_or_add_rPr(), "仿宋_GB2312")
    _east_asia(document.styles["Heading 1"].element.get_or_add_rPr(), "黑体")
    _east_asia(document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
               .find(qn("w:rPr")), "仿宋_GB2312")

    title = document.add_paragraph().add_run(TITLE)
    title.font.size = Pt(22)
    _east_asia(title._r.get_or_add_rPr(), "方正小标宋简体")
    footer_like = document.add_paragraph().add_run(SONG)
    _east_asia(footer_like._r.get_or_add_rPr(), "宋体")
    document.add_paragraph("目　录")
    _toc_field(document.add_paragraph())
    for n, heading in enumerate(HEADINGS):
        document.add_page_break()
        document.add_heading(heading, level=1)
        for i in range(body_paragraphs):
            run = document.add_paragraph().add_run(BODY + (RARE if n == i == 0 else ""))
            _east_asia(run._r.get_or_add_rPr(), "仿宋_GB2312")
    document.save(path)
    return path


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with PdfEngine(tmp_path_factory.mktemp("lo-profile"), FONTS_CONF, timeout=60) as engine:
        yield engine


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return make_docx(tmp_path_factory.mktemp("docs") / "示例规划.docx")


def _pdf_text(pdf: Path) -> str:
    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def test_convert_content_bookmarks_metadata_and_fonts(engine, sample, tmp_path):
    pdf = tmp_path / "out" / "示例规划.pdf"
    result = engine.convert(sample, pdf, title="示例城市更新规划", subject="征求意见稿")

    assert pdf.is_file() and result.pages == PdfReader(pdf).get_num_pages() == 3
    text = _pdf_text(pdf).replace(" ", "").replace("\u3000", "")
    flat = text.replace("\n", "")  # line breaks depend on the layout, the words do not
    assert TITLE in flat and BODY in flat and RARE in flat
    for heading in HEADINGS:
        # Once in the updated TOC, once as the heading itself.
        assert text.count(heading.replace("\u3000", "")) == 2, heading
    assert "目录待更新" not in text

    reader = PdfReader(pdf)
    assert [item.title for item in reader.outline] == HEADINGS
    assert reader.metadata.title == "示例城市更新规划"
    assert reader.metadata.subject == "征求意见稿"

    fonts = embedded_fonts(pdf)
    assert fonts and all(f.embedded for f in fonts), fonts
    assert any(f.name.startswith("FandolFang") for f in fonts), fonts
    assert not any(f.name.startswith("FandolFang-Bold") for f in fonts)

    report = font_report(pdf, {"仿宋_GB2312": BODY + RARE, "黑体": "".join(HEADINGS),
                               "方正小标宋简体": TITLE, "宋体": SONG}, fontconfig=FONTS_CONF)
    by_name = {s.requested: s for s in report.substitutions}
    # No open 小标宋: a heavy Noto Serif CJK SC (its collection's shared CFF is named ...jp).
    xbs = by_name["方正小标宋简体"]
    assert xbs.mapped.family == "Noto Serif CJK SC" and xbs.embedded_as
    assert all(n.startswith("NotoSerifCJK") and "Bold" in n for n in xbs.embedded_as)
    assert by_name["仿宋_GB2312"].mapped.family == "FandolFang"
    assert by_name["仿宋_GB2312"].embedded_as == ("FandolFang-Regular",)
    assert by_name["黑体"].embedded_as == ("FandolHei-Bold",)  # Heading 1 is bold
    assert by_name["宋体"].embedded_as == ("FandolSong-Regular",)  # not the Bold file
    # Reported as a reader knows the faces, not by the collection's CFF name.
    assert xbs.faces == ("Noto Serif CJK SC Bold",)
    assert by_name["仿宋_GB2312"].faces == ("FandolFang Regular",)
    assert [(m.char, m.requested, m.mapped_family) for m in report.missing] == \
        [(RARE, "仿宋_GB2312", "FandolFang")]


def test_corrupt_docx_keeps_good_pdf_and_engine_goes_on(engine, sample, tmp_path):
    pdf = tmp_path / "规划.pdf"
    engine.convert(sample, pdf, title="t", subject="s")
    good = pdf.read_bytes()

    for name in ("random-bytes.docx", "broken-document-xml.docx"):
        with pytest.raises(PdfError) as caught:
            engine.convert(FIXTURES / name, pdf, title="t", subject="s")
        assert name in caught.value.message and caught.value.code in ("E603", "E604")
        assert pdf.read_bytes() == good
    assert not list(tmp_path.glob(".*.part"))

    assert engine.convert(sample, tmp_path / "next.pdf", title="t", subject="s").pages == 3


def test_soffice_killed_between_conversions(engine, sample, tmp_path):
    engine.start()
    pid = engine.soffice_pid
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    result = engine.convert(sample, tmp_path / "after-kill.pdf", title="t", subject="s")
    assert result.pages == 3 and engine.soffice_pid not in (None, pid)


def test_released_engine_quits_in_the_background_and_starts_again(engine, sample, tmp_path):
    engine.convert(sample, tmp_path / "first.pdf", title="t", subject="s")
    soffice = engine._soffice
    engine.release()  # returns at once; LibreOffice quits cleanly meanwhile
    engine.close()    # waits for that quit
    assert soffice.poll() == 0 and not engine.is_running()  # exited by itself, not killed
    engine.release()  # nothing running: nothing to do
    result = engine.convert(sample, tmp_path / "second.pdf", title="t", subject="s")
    assert result.pages == 3 and engine.soffice_pid not in (None, soffice.pid)
    engine.release()
    # A start while the quit may still run waits for it: the profile has one soffice at a time.
    assert engine.convert(sample, tmp_path / "third.pdf", title="t", subject="s").pages == 3


def test_soffice_killed_during_conversion(engine, tmp_path):
    big = make_docx(tmp_path / "长文档.docx", body_paragraphs=400)  # a wide window to kill in
    pdf = tmp_path / "长文档.pdf"
    pdf.write_bytes(b"%PDF-1.4 previous good file")
    lock = tmp_path / ".~lock.长文档.docx#"
    engine.start()
    pid = engine.soffice_pid

    def kill_once_loaded() -> None:
        # soffice writes the lock file when it has loaded the document: kill it right then.
        deadline = time.monotonic() + 30
        while not lock.exists() and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_once_loaded)
    killer.start()
    with pytest.raises(PdfError) as caught:
        engine.convert(big, pdf, title="t", subject="s")
    killer.join()
    # Killed mid-load the worker may still answer (conversion failed) or die with soffice
    # (crashed): either way the document is named and nothing is left half-written.
    assert caught.value.code in ("E605", "E607") and "长文档.docx" in caught.value.message
    assert pdf.read_bytes() == b"%PDF-1.4 previous good file"
    assert not lock.exists()  # the stale lock our soffice left is cleaned up

    assert engine.convert(big, pdf, title="t", subject="s").pages > 3


def test_timeout_kills_and_recovers(engine, sample, tmp_path):
    pdf = tmp_path / "timeout.pdf"
    engine.timeout = 0.05
    try:
        with pytest.raises(PdfError) as caught:
            engine.convert(sample, pdf, title="t", subject="s")
    finally:
        engine.timeout = 60
    assert caught.value.code == "E606" and sample.name in caught.value.message
    assert not pdf.exists() and not engine.is_running()

    assert engine.convert(sample, pdf, title="t", subject="s").pages == 3
