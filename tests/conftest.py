"""Shared fixtures: a copy of the sample plan, small crafted plans, docx helpers."""
from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
# Third-party test data, kept beside the repository and never copied into it: Word files with
# known comments and changes (word-review, realword) and real published plan texts (realtext).
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS = SHARED_CORPUS / "word-review"
REALWORD = SHARED_CORPUS / "realword"
REALTEXT = SHARED_CORPUS / "realtext"
# CI sets this: there a missing corpus is a failure, not a reason to skip.
CORPUS_REQUIRED = os.environ.get("PLAN_CORPUS_REQUIRED") == "1"
needs_corpus = pytest.mark.skipif(
    not SHARED_CORPUS.is_dir(),
    reason=f"共享测试语料不在 {SHARED_CORPUS}（用户的克隆中没有；CI 中必须有）")


def pytest_sessionstart(session: pytest.Session) -> None:
    if CORPUS_REQUIRED and not SHARED_CORPUS.is_dir():
        raise pytest.UsageError(f"PLAN_CORPUS_REQUIRED=1，但共享测试语料不在 {SHARED_CORPUS}")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def copy_sample(dest: Path) -> Path:
    """The repository's own plan, copied so tests never touch the real build/ folder."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "plan.yaml", dest / "plan.yaml")
    for folder in ("chapters", "styles", "data"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, dest / folder)
    return dest


def copy_workspace(dest: Path) -> Path:
    """The repository's sample workspace: the city plan and the county plans workspace.yaml
    lists, copied (the copy's build/ starts empty)."""
    copy_sample(dest)
    shutil.copy(ROOT / "workspace.yaml", dest / "workspace.yaml")
    shutil.copytree(ROOT / "县区", dest / "县区", ignore=shutil.ignore_patterns("build"))
    return dest


def make_plan(root: Path, chapters: dict[str, str], plan_yaml: str = "title: 测试规划\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.yaml").write_text(plan_yaml, encoding="utf-8")
    (root / "chapters").mkdir(exist_ok=True)
    for name, text in chapters.items():
        (root / "chapters" / name).write_text(text, encoding="utf-8")
    return root


W_XMLNS = f'xmlns:w="{W}"'


def docx_with(path: Path, document: bytes, extra: dict[str, bytes] | None = None) -> Path:
    """A bare .docx package: document.xml and any other parts, as a crafted returned file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def run_build(root: Path, version: str = "draft"):
    from pipeline.cli import main
    return CliRunner().invoke(main, ["--plan", str(root), "build", "--version", version,
                                     "--format", "docx"])


GOOD_CHAPTER = "---\nid: one\nowner: 规划财务科\n---\n# 总体要求\n\n## 指导思想\n\n正文。\n"


@pytest.fixture
def built_plan(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A one-chapter plan built once: (root, its draft .docx, the bytes of it), for tests that
    break the plan and check the last good output stays."""
    root = make_plan(tmp_path / "plan", {"01-总体要求.md": GOOD_CHAPTER})
    result = run_build(root)
    assert result.exit_code == 0, result.output
    output = root / "build" / "draft" / "测试规划（初稿）.docx"
    return root, output, output.read_bytes()


def expect_failure(root: Path, output: Path, before: bytes, where: str, words: str) -> None:
    """The build stops with exit code 2 and one Chinese line naming `where`; the last good
    output stays as it was and no temporary file is left."""
    result = run_build(root)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert where in result.output, result.output
    assert words in result.output, result.output
    assert output.read_bytes() == before
    assert not [p for p in output.parent.iterdir() if p.suffix == ".tmp"]  # no temp file left


def part(docx: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(docx) as archive:
        return etree.fromstring(archive.read(name))


def audit_errors(docx: Path) -> list[str]:
    from openxml_audit import OpenXmlValidator
    result = OpenXmlValidator().validate(str(docx))
    return [str(error) for error in result.errors]


@pytest.fixture(scope="session")
def sample_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.build import build_docx
    root = copy_sample(tmp_path_factory.mktemp("sample"))
    return build_docx(root, "draft").docx
