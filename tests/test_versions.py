"""Three versions from one source: what each shows, what the final refuses, and traceability."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from conftest import NS, W, audit_errors, copy_sample, make_plan, part
from pipeline.build import build
from pipeline.cli import main

Q = f"{{{W}}}"
VERSIONS = ["draft", "review", "final"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict[str, Path]:
    """The sample plan built in all three versions, in a git repository of its own."""
    root = copy_sample(tmp_path_factory.mktemp("versions") / "plan")
    with open(root / "chapters" / "11-保障措施.md", "a", encoding="utf-8") as chapter:
        chapter.write("\n::: 版本 draft\n考核指标分解方案【待补】。\n:::\n")
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "sample"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    built = {b.version: b.docx for b in build(root, VERSIONS, pdf=False)}
    built["root"] = root
    return built


def texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(path).paragraphs]


def header_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("word/header")]
        return " ".join("".join(part(path, n).itertext()) for n in names)


def test_labels_where_they_belong(sample):
    assert "（初稿）" in texts(sample["draft"])[:6]
    assert "（征求意见稿）" in texts(sample["review"])[:6]
    assert "（报批稿）" in texts(sample["final"])[:6]
    assert "赣州市“十四五”生态环境保护规划（初稿）" in header_text(sample["draft"])
    assert "内部讨论稿" in header_text(sample["draft"])
    assert "赣州市“十四五”生态环境保护规划（征求意见稿）" in header_text(sample["review"])
    assert header_text(sample["final"]) == ""  # the label only, on the cover
    for version in VERSIONS:
        assert audit_errors(sample[version]) == []


def test_draft_header_names_the_source_commit(sample):
    root = sample["root"]
    commit = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=root, text=True,
                            capture_output=True).stdout.strip()
    assert f"源文件 {commit}" in header_text(sample["draft"])
    props = "".join(part(sample["draft"], "docProps/custom.xml").itertext())
    assert commit in props and "draft" in props and "初稿" in props
    core = part(sample["final"], "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/elements/1.1/}title") == \
        "赣州市“十四五”生态环境保护规划"
    assert core.findtext("{http://purl.org/dc/elements/1.1/}subject") == "报批稿"


def test_notes_only_in_the_draft(sample):
    def notes(path):
        return [t for t in texts(path) if t.startswith("【编者注】")]
    assert len(notes(sample["draft"])) >= 3
    assert notes(sample["review"]) == [] and notes(sample["final"]) == []


def test_line_numbers_only_in_the_review(sample):
    def numbering(path):
        return part(path, "word/document.xml").findall(".//w:sectPr/w:lnNumType", NS)
    review = numbering(sample["review"])
    assert len(review) == 1 and review[0].get(Q + "restart") == "newPage"
    assert numbering(sample["draft"]) == [] and numbering(sample["final"]) == []


def test_version_limited_blocks(sample):
    assert any("【待补】" in t for t in texts(sample["draft"]))
    assert any("征求意见期间" in t for t in texts(sample["review"]))
    for version in ("review", "final"):
        assert not any("【待补】" in t for t in texts(sample[version]))
    assert not any("征求意见期间" in t for t in texts(sample["final"]))


def test_todo_markers_are_highlighted_in_the_draft(sample):
    body = part(sample["draft"], "word/document.xml")
    marks = [r for r in body.iter(Q + "r") if "".join(r.itertext()) == "【待补】"]
    assert marks and marks[0].find("w:rPr/w:highlight", NS).get(Q + "val") == "yellow"


def test_final_refuses_a_todo_and_lists_it(tmp_path):
    root = copy_sample(tmp_path / "plan")
    chapter = root / "chapters" / "04-大气污染防治.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if len(line) > 40)
    lines[at] += "TODO：补充臭氧数据。"
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "final",
                                       "--format", "docx"])
    assert result.exit_code == 2
    assert f"chapters/04-大气污染防治.md:{at + 1}: 待办标记“TODO”" in result.output
    assert not (root / "build" / "final").exists()
    review = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "review",
                                       "--format", "docx"])
    assert review.exit_code == 0
    assert f"警告 chapters/04-大气污染防治.md:{at + 1}: 待办标记" in review.output


def test_two_builds_give_the_same_bytes(sample, tmp_path):
    again = {b.version: b.docx for b in build(sample["root"], VERSIONS, pdf=False)}
    for version in VERSIONS:
        assert hashlib.sha256(again[version].read_bytes()).hexdigest() == \
            hashlib.sha256(sample[version].read_bytes()).hexdigest()


def bookmarked_text(path: Path) -> dict[str, str]:
    """Text of each paragraph (or footnote paragraph) by the _Src bookmark it carries."""
    found = {}
    for name in ("word/document.xml", "word/footnotes.xml"):
        root = part(path, name)
        for mark in root.iter(Q + "bookmarkStart"):
            if mark.get(Q + "name").startswith("_Src"):
                p = mark.getparent()
                found[mark.get(Q + "name")] = "".join(t.text or "" for t in p.iter(Q + "t"))
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_manifest_anchors_lead_to_their_source_lines(sample, version):
    manifest = json.loads((sample[version].parent / "manifest.json").read_text("utf-8"))
    assert manifest["version"] == version and manifest["docx"] == sample[version].name
    anchors = manifest["anchors"]
    at_anchor = bookmarked_text(sample[version])
    assert len(anchors) == len(at_anchor) > 300
    root = sample["root"]
    for entry in anchors:
        assert at_anchor[entry["anchor"]] == entry["text"]
        line = (root / entry["file"]).read_text("utf-8").splitlines()[entry["line"] - 1]
        if line.startswith("{{ table("):
            continue  # a table built from data/: its cells trace to the directive's line
        # The source line holds the start of the rendered text (numbering and markup aside).
        words = re.sub(r"^(第[一二三四五六七八九十]+[章节]　|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）"
                       r"|表\d+　|专栏\d+　|【编者注】|\d+\.|（\d+）|[①-⑳●○■])", "", entry["text"])
        probe = re.sub(r"[*#|:\s]", "", words)[:6]
        assert probe in re.sub(r"[*#|:\s]", "", line), (entry, line)


def test_plan_status_lists_every_chapter(sample):
    result = CliRunner().invoke(main, ["--plan", str(sample["root"]), "status",
                                       "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == 11
    last = rows[-1]
    assert last["owner"] == "规划财务科" and last["todos"] == 1
    assert last["versions"] == ["初稿", "征求意见稿", "报批稿"]
    assert all(r["characters"] > 500 for r in rows)
    text = CliRunner().invoke(main, ["--plan", str(sample["root"]), "status"])
    assert "编写进度" in text.output and "合计" in text.output


def test_versions_configurable_in_plan_yaml(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文。\n\n::: 编者注\n内部。\n:::\n"},
                     "title: 测试规划\nversions:\n  final: {label: '', notes: true}\n"
                     "  review: {organization: 某某人民政府, line_numbers: false}\n")
    built = {b.version: b.docx for b in build(root, VERSIONS, pdf=False)}
    assert built["final"].name == "测试规划.docx"  # the published text carries no label
    assert "【编者注】内部。" in texts(built["final"])
    assert "某某人民政府" in texts(built["review"])
    assert part(built["review"], "word/document.xml").find(".//w:lnNumType", NS) is None


def test_unknown_version_in_a_block_is_reported(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n::: 版本 草稿\n内容\n:::\n"})
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert result.exit_code == 2 and "chapters/01.md:3" in result.output
    assert "未知的版本：草稿" in result.output


def test_review_pdf_has_line_numbers_restarting_per_page_and_passes_every_check(sample):
    import pdfplumber
    built = next(build(sample["root"], ["review"], pdf=True))
    assert built.checks and all(c.ok for c in built.checks), \
        [(c.item, c.measured) for c in built.checks if not c.ok]
    with pdfplumber.open(built.pdf) as pdf:
        firsts = []
        # Body pages: after the cover, a blank verso, three pages of 目录 and a blank verso.
        for page in pdf.pages[6:12]:
            margin = [c for c in page.chars if c["x1"] < 28 / 25.4 * 72 - 2]
            assert {round(c["size"]) for c in margin} == {9}  # the profile's line_numbers size
            numbers = "".join(c["text"] for c in sorted(margin, key=lambda c: (c["top"], c["x0"])))
            assert numbers, "no line numbers in the left margin"
            firsts.append(numbers[0])
        assert set(firsts) == {"1"}
        cover = pdf.pages[0].chars
        assert all(c["x1"] >= 28 / 25.4 * 72 - 2 for c in cover)  # no numbers on the cover


def test_final_refuses_what_plan_check_calls_an_error(tmp_path):
    root = copy_sample(tmp_path / "plan")
    chapter = root / "chapters" / "07-生态保护修复.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "，" in line and not line.startswith("#"))
    lines[at] = lines[at].replace("，", ",", 1)
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")
    final = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "final",
                                      "--format", "docx"])
    assert final.exit_code == 2
    assert f"chapters/07-生态保护修复.md:{at + 1}:" in final.output and "P101" in final.output
    draft = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert draft.exit_code == 0  # drafts are for work in progress
