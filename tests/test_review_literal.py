"""Text from files is never interpreted by the terminal: rich markup in file names and comment
texts is printed as written; control characters, escape sequences (C1 CSI included, which XML
allows) and bidi overrides are neutralised in terminal output and in the tables."""
from __future__ import annotations

import zipfile

from click.testing import CliRunner

from conftest import W_XMLNS, copy_sample, docx_with
from pipeline.cli import main
from pipeline.printable import printable

COMMENT = "限值应为[mg/m3]，见[bold]表2[/bold]\u202e反向\u009b31m红"


def returned(folder, name: str):
    body = ('<w:p><w:commentRangeStart w:id="1"/><w:r><w:t>原文</w:t></w:r>'
            '<w:commentRangeEnd w:id="1"/><w:r><w:commentReference w:id="1"/></w:r></w:p>')
    comments = (f'<w:comments {W_XMLNS}><w:comment w:id="1" w:author="[red]李明[/red]">'
                f"<w:p><w:r><w:t>{COMMENT}</w:t></w:r></w:p></w:comment></w:comments>")
    return docx_with(folder / name,
                     f"<w:document {W_XMLNS}><w:body>{body}</w:body></w:document>".encode(),
                     {"word/comments.xml": comments.encode()})


def test_the_neutraliser():
    assert printable("a\x1b[31mb\u202ec\u2066d\x85e\tf\ng") == \
        "a\u241b[31mb<U+202E>c<U+2066>d<U+0085>e\tf\ng"
    assert printable("名\n称\t", one_line=True) == "名\u2424称 "
    assert printable("[mg/m3]") == "[mg/m3]"


def test_names_and_texts_are_printed_literally(tmp_path):
    root = copy_sample(tmp_path / "plan")
    name = "意见[v2]汇总\x1b[2J.docx"
    path = returned(tmp_path, name)
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", str(path),
                                       "--units", str(tmp_path / "none.yaml")],
                                 env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    shown = result.stdout
    assert "[mg/m3]" in shown and "[bold]表2[/bold]" in shown and "[red]李明[/red]" in shown
    assert "<U+202E>" in shown and "<U+009B>" in shown
    assert not any(c in result.output for c in "\x1b\u202e\u009b")
    assert "跳过" not in result.stderr


def test_the_tables_neutralise_too(tmp_path):
    from openpyxl import load_workbook
    root = copy_sample(tmp_path / "plan")
    path = returned(tmp_path, "意见[v2]汇总.docx")
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", str(path),
                                       "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    assert "已生成 build/reviews/征求意见稿.意见汇总表.xlsx" in result.stdout
    book = load_workbook(root / "build" / "reviews" / "征求意见稿.意见汇总表.xlsx")
    text = book.active["D2"].value
    assert "[mg/m3]" in text and "<U+202E>" in text and "\u202e" not in text
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", str(path),
                                       "--format", "docx"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(root / "build" / "reviews" / "征求意见稿.意见汇总表.docx") as docx:
        document = docx.read("word/document.xml").decode()
    assert "[mg/m3]" in document and "&lt;U+202E&gt;" in document and "\u202e" not in document
