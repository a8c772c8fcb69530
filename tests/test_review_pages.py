"""第N页第M行 for every opinion, wherever it sits: a comment in body text, in a table cell, in a
table inside a 专栏 and in a footnote is listed in the 意见汇总表 at the page and the margin
line number the printed 征求意见稿 shows beside that text (read here with pdfplumber); and the
same when the copy's location data is gone and made again from git through LibreOffice."""
from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import copy_sample
from pipeline.build import build
from pipeline.cli import main

pytestmark = pytest.mark.libreoffice
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"

ADDED = """
表：重点断面水质目标

| 断面 | 目标 |
|---|---|
| 桃江龙南出境断面 | 稳定达到二类 |
| 章水坝上断面 | 稳定达到三类 |

::: 专栏 重点监测能力建设
新建一批自动监测站点，完善监测网络。

表：监测站点建设清单

| 站点 | 内容 |
|---|---|
| 上犹江陡水湖站 | 新建水质自动监测站 |
| 琴江石城出境站 | 升级改造现有站房 |
:::

表：重点湖库水质目标 {.landscape}

| 湖库 | 所在县（市、区） | 2020年水质 | 2025年目标 |
|---|---|---|---|
| 团结水库库区 | 南康区 | 三类 | 稳定达到二类 |
| 龙潭水库库区 | 兴国县 | 三类 | 稳定达到三类 |
"""
# (what the comment is on, the text it is on, a phrase that starts its printed line)
TARGETS = {
    "cell": "稳定达到三类",
    "box cell": "琴江石城出境站",
    "landscape cell": "龙潭水库库区",  # a wide table on a landscape page
    "footnote": "试点：按照",  # 脚注1, on the line that opens it ("1山水林田湖草…修复试点：按照…")
}


def printed_at(pdf: Path, phrase: str) -> tuple[int, int]:
    """Read with pdfplumber as a reviewer reads the page: the page number in the footer (on a
    landscape page, set turned in the margin) and the margin number beside the first line
    that holds the start of `phrase`."""
    import pdfplumber
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            words = page.extract_words(extra_attrs=["upright"])
            upright = [w for w in words if w["upright"]]
            text_left = min((w["x0"] for w in upright if not w["text"].isdigit()), default=0)
            margin = [w for w in upright if w["text"].isdigit() and w["x1"] < text_left]
            if page.width > page.height:
                number = "".join(c["text"] for c in page.chars if not c["upright"]
                                 and c["text"].isdigit())
            else:
                number = "".join(w["text"] for w in upright if w["top"] > page.height - 100
                                 and w["text"].isdigit())
            rows: dict[int, list] = {}
            for word in upright:
                if word["x0"] >= text_left - 1:
                    rows.setdefault(round(word["bottom"] / 3), []).append(word)
            for row in sorted(rows.values(), key=lambda r: r[0]["bottom"]):
                if phrase[:6] not in "".join(w["text"] for w in sorted(row, key=lambda w: w["x0"])):
                    continue
                beside = [w for w in margin if abs(w["bottom"] - row[0]["bottom"]) < 6]
                if number and beside:
                    return int(number), int(beside[0]["text"])
    raise AssertionError(f"{phrase} not found in {pdf}")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=编制组", "-c", "user.email=a@b", *args], cwd=root,
                   check=True, capture_output=True)


def comment_on(paragraph: etree._Element, number: int) -> None:
    """A reviewer's comment over the paragraph's text, as Word writes it."""
    runs = paragraph.findall(f"{{{W}}}r")
    start = etree.Element(f"{{{W}}}commentRangeStart", {f"{{{W}}}id": str(number)})
    end = etree.Element(f"{{{W}}}commentRangeEnd", {f"{{{W}}}id": str(number)})
    runs[0].addprevious(start)
    runs[-1].addnext(end)
    reference = etree.SubElement(etree.Element(f"{{{W}}}r"), f"{{{W}}}commentReference",
                                 {f"{{{W}}}id": str(number)}).getparent()
    end.addnext(reference)


def returned_copy(sent: Path, out: Path, targets: dict[str, str]) -> None:
    """The sent .docx with a comment on each target paragraph (body and footnotes), named by
    the text the paragraph holds."""
    comments = etree.Element(f"{{{W}}}comments", nsmap={"w": W})
    with zipfile.ZipFile(sent) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        parts = {name: old.read(name) for name in old.namelist()}
        trees = {name: etree.fromstring(parts[name])
                 for name in ("word/document.xml", "word/footnotes.xml")}
        for number, (what, text) in enumerate(targets.items(), start=1):
            paragraph = next(p for tree in trees.values() for p in tree.iter(f"{{{W}}}p")
                             if text in "".join(p.itertext()))
            comment_on(paragraph, number)
            body = etree.SubElement(comments, f"{{{W}}}comment",
                                    {f"{{{W}}}id": str(number), f"{{{W}}}author": "李明",
                                     f"{{{W}}}date": "2021-01-05T10:00:00Z"})
            run = etree.SubElement(etree.SubElement(body, f"{{{W}}}p"), f"{{{W}}}r")
            etree.SubElement(run, f"{{{W}}}t").text = f"意见：{what}"
        for name, tree in trees.items():
            parts[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                                         standalone=True)
        parts["word/comments.xml"] = etree.tostring(comments, xml_declaration=True,
                                                    encoding="UTF-8", standalone=True)
        types = etree.fromstring(parts["[Content_Types].xml"])
        etree.SubElement(types, f"{{{CT}}}Override", PartName="/word/comments.xml",
                         ContentType="application/vnd.openxmlformats-officedocument."
                                     "wordprocessingml.comments+xml")
        parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True,
                                                      encoding="UTF-8", standalone=True)
        rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
        etree.SubElement(rels, f"{{{REL}}}Relationship", Id="rIdReview1",
                         Type="http://schemas.openxmlformats.org/officeDocument/2006/"
                              "relationships/comments", Target="comments.xml")
        parts["word/_rels/document.xml.rels"] = etree.tostring(
            rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        for name, data in parts.items():
            new.writestr(name, data)


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> dict:
    """The sample plan with a table and a table in a 专栏 added, committed, its 征求意见稿
    built with the PDF (as sent out), and a copy returned with four comments."""
    folder = tmp_path_factory.mktemp("review-pages")
    root = copy_sample(folder / "plan")
    chapter = root / "chapters" / "05-水生态环境保护.md"
    chapter.write_text(chapter.read_text("utf-8").rstrip("\n") + "\n" + ADDED, "utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "A")
    built = next(build(root, ["review"], pdf=True))
    assert built.pdf is not None, built.pdf_skipped or built.failed
    import pdfplumber
    with pdfplumber.open(built.pdf) as pdf:  # the wide table is on a landscape page
        assert any(page.width > page.height for page in pdf.pages)
    manifest = json.loads(built.manifest.read_text("utf-8"))
    everything = "\n".join(a["text"] for a in manifest["anchors"])
    body = next(a for a in manifest["anchors"] if a["place"].startswith("第五章")
                and len(a["text"]) > 60 and "专栏" not in a["place"]
                and everything.count(a["text"][:6]) == 1)
    targets = {"body": body["text"][:20], **TARGETS}
    copy = folder / "章贡区生态环境局意见.docx"
    returned_copy(built.docx, copy, targets)
    return {"root": root, "pdf": built.pdf, "copy": copy, "targets": targets,
            "body": body, "commit": manifest["commit"]}


def collect(root: Path, copy: Path) -> tuple[list[dict], list, str]:
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", str(copy),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    xlsx = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", str(copy),
                                     "--format", "xlsx"])
    assert xlsx.exit_code == 0, xlsx.output
    from openpyxl import load_workbook
    sheet = load_workbook(root / "build" / "reviews" / "征求意见稿.意见汇总表.xlsx").active
    return json.loads(result.stdout), list(sheet.iter_rows(min_row=2, values_only=True)), \
        result.stderr


def check_pages(items: list[dict], rows: list, sent: dict) -> None:
    by_what = {i["text"].removeprefix("意见："): i for i in items}
    assert set(by_what) == set(sent["targets"])
    for what, text in sent["targets"].items():
        item = by_what[what]
        page, line = printed_at(sent["pdf"], text)
        assert (item["page"], item["page_line"]) == (page, line), what
        row = next(r for r in rows if f"意见：{what}" in r[3])
        assert row[2] == f"{item['place']}，第{page}页第{line}行", what
    assert "表" in by_what["cell"]["place"] and "专栏" not in by_what["cell"]["place"]
    assert "专栏" in by_what["box cell"]["place"] and "表" in by_what["box cell"]["place"]
    assert by_what["footnote"]["place"] == "脚注1" and by_what["footnote"]["part"] == "footnote"
    assert by_what["body"]["line"] == sent["body"]["line"]


def test_body_cells_box_cells_and_footnotes_cite_the_printed_page_and_line(sent):
    items, rows, _ = collect(sent["root"], sent["copy"])
    check_pages(items, rows, sent)


def test_location_data_made_again_from_git_has_the_same_pages_and_lines(sent, tmp_path):
    root = tmp_path / "plan"
    shutil.copytree(sent["root"], root)
    archive = root / "build" / "review" / "manifests" / f"{sent['commit']}.json"
    kept = archive.read_bytes()
    (root / "chapters" / "05-水生态环境保护.md").write_text("# 第五章 改写\n\n改写。\n", "utf-8")
    git(root, "commit", "-qam", "B")
    (root / "build" / "review" / "manifest.json").unlink()  # and today's build is another
    archive.unlink()
    before = {p.name for p in (root / "build").rglob("*")}
    items, rows, stderr = collect(root, sent["copy"])
    assert f"已由提交 {sent['commit']} 的源文件重新生成" in stderr and "含页码行号" in stderr
    assert archive.read_bytes() == kept  # the same pages and lines as the build that was sent
    check_pages(items, rows, sent)
    after = {p.name for p in (root / "build").rglob("*")}
    assert after - before <= {f"{sent['commit']}.json", "reviews", "征求意见稿.意见汇总表.xlsx"}


def test_without_libreoffice_regenerated_data_says_it_has_no_pages(sent, tmp_path,
                                                                   monkeypatch):
    import pipeline.pdf
    from pipeline.rebuild import rebuilt_manifest
    from pipeline.review.collect import collect_files
    root = tmp_path / "plan"
    shutil.copytree(sent["root"], root)
    (root / "build" / "review" / "manifests" / f"{sent['commit']}.json").unlink()
    (root / "build" / "review" / "manifest.json").unlink()
    monkeypatch.setattr(pipeline.pdf, "unavailable_reason", lambda: "未找到 LibreOffice。")
    found = collect_files([sent["copy"]], root, rebuild=rebuilt_manifest)
    (said,) = [n for n in found.notes if n.code == "E935"]
    assert said.severity == "warning" and "没有页码行号" in said.message
    assert len(found.records) == len(TARGETS) + 1
    assert all(r.page is None and r.place and r.located_by == "anchor" for r in found.records)


def test_regenerated_past_a_gate_of_today_keeps_lines_and_says_why(sent, tmp_path, monkeypatch):
    """A rule added since the copy was sent refuses its sources today: the location data is
    still made again, from the Word file alone (no pages), and it is said (E936)."""
    import pipeline.build
    from pipeline.errors import Diagnostic
    from pipeline.rebuild import rebuilt_manifest
    from pipeline.review.collect import collect_files
    root = tmp_path / "plan"
    shutil.copytree(sent["root"], root)
    (root / "build" / "review" / "manifests" / f"{sent['commit']}.json").unlink()
    (root / "build" / "review" / "manifest.json").unlink()
    monkeypatch.setattr(pipeline.build, "gate_diagnostics",
                        lambda document, root: [Diagnostic("E803", "error", "新规则不允许")])
    found = collect_files([sent["copy"]], root, rebuild=rebuilt_manifest)
    (said,) = [n for n in found.notes if n.code == "E936"]
    assert "新规则不允许" in said.message
    by_what = {r.text.removeprefix("意见："): r for r in found.records}
    assert by_what["body"].line == sent["body"]["line"]
    assert all(r.page is None and r.located_by == "anchor" for r in found.records)
