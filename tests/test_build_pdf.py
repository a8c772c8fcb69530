"""The build's PDF step as a drafter meets it: without LibreOffice, and with a PDF to keep."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.pdf.engine as engine
from conftest import make_plan
from pipeline.cli import main
from pipeline.fingerprint import RECORD

CHAPTER = "# 总体要求\n\n## 指导思想\n\n坚持生态优先、绿色发展。\n"


def outputs(folder: Path) -> list[Path]:
    """The files a build made, without its fingerprint record."""
    return [p for p in folder.iterdir() if p.name != RECORD]


@pytest.fixture
def no_libreoffice(monkeypatch):
    """As on a machine where python3-uno was never installed."""
    monkeypatch.setattr(engine, "UNO_PYTHON", Path("/nonexistent/python3"))
    engine.unavailable_reason.cache_clear()
    yield
    engine.unavailable_reason.cache_clear()


def test_without_libreoffice_the_docx_is_built_and_the_pdf_skipped(tmp_path, no_libreoffice):
    root = make_plan(tmp_path / "p", {"01.md": CHAPTER})
    result = CliRunner().invoke(main, ["--plan", str(root), "build"])
    assert result.exit_code == 0, result.output
    assert "未生成 PDF" in result.output and "install-system.sh" in result.output
    out = root / "build" / "draft"
    assert sorted(p.suffix for p in outputs(out)) == [".docx", ".json"]  # and the manifest


def test_asking_for_the_pdf_without_libreoffice_fails(tmp_path, no_libreoffice):
    root = make_plan(tmp_path / "p", {"01.md": CHAPTER})
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "pdf"])
    assert result.exit_code == 3
    assert "未生成 PDF" in result.output


def test_docx_only_build_touches_no_pdf(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": CHAPTER})
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert result.exit_code == 0
    assert sorted(p.suffix for p in outputs(root / "build" / "draft")) == [".docx", ".json"]


def test_bad_input_keeps_the_last_good_pdf(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": CHAPTER})
    first = CliRunner().invoke(main, ["--plan", str(root), "build"])
    assert first.exit_code == 0, first.output
    pdf = next((root / "build" / "draft").glob("*.pdf"))
    before = pdf.read_bytes()
    (root / "chapters" / "01.md").write_text(CHAPTER + "\n#### 跳级\n", encoding="utf-8")
    second = CliRunner().invoke(main, ["--plan", str(root), "build"])
    assert second.exit_code == 2
    assert pdf.read_bytes() == before
