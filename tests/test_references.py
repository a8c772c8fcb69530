"""Ids and cross-references: `{#id}` on headings, captions and 专栏 titles, `[](#id)` and
`[见](#id)` printed as the plan numbers the target, as an internal hyperlink to its bookmark;
and `{#` no longer opening a template comment."""
from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from PIL import Image as PILImage

from conftest import W, audit_errors, make_plan, part, run_build
from pipeline.build import build_docx
from pipeline.check import check_plan
from pipeline.cli import main
from pipeline.diff import diff_plan
from pipeline.errors import PlanError

Q = f"{{{W}}}"
TABLE = "| 指标 | 目标 |\n|---|---|\n| PM2.5 | 29 |\n"


def build(root: Path, version: str = "draft") -> Path:
    return build_docx(root, version).docx


def paragraphs(docx: Path) -> list[str]:
    body = part(docx, "word/document.xml")
    return ["".join(t.text or "" for t in p.iter(Q + "t")) for p in body.iter(Q + "p")]


def links(docx: Path) -> list[tuple[str, str, str]]:
    """(anchor, the link's text, the text of the paragraph holding the bookmark it names)."""
    body = part(docx, "word/document.xml")
    marked = {}
    for start in body.iter(Q + "bookmarkStart"):
        p = next(start.iterancestors(Q + "p"))
        marked[start.get(Q + "name")] = "".join(t.text or "" for t in p.iter(Q + "t"))
    out = []
    for link in body.iter(Q + "hyperlink"):
        if style(next(link.iterancestors(Q + "p"))).startswith("TOC"):
            continue  # the 目录's own links
        anchor = link.get(Q + "anchor")
        out.append((anchor, "".join(t.text or "" for t in link.iter(Q + "t")),
                    marked.get(anchor, "")))
    return out


def style(p) -> str:
    found = p.find(f"{Q}pPr/{Q}pStyle")
    return "" if found is None else found.get(Q + "val")


def test_braces_hash_is_text_and_directives_and_comments_still_work(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": (
        "# 总体要求 {#zongti}\n\n"
        "见[总体要求](#zongti)。\n\n"
        "符号 {#注} 与 {#2 照印。\n\n"
        "共 {{ 2 + 3 }} 项。{# 编写说明：不印出 #}\n\n"
        "甲,{# check: ignore P101 原文如此 #}乙。\n\n"
        "其后没有 #} 的 {# 也照印。\n")})
    out = build(root)
    text = paragraphs(out)
    assert "见总体要求第一章。" in text
    assert "符号 {#注} 与 {#2 照印。" in text
    assert "其后没有 #} 的 {# 也照印。" in text
    assert "共 5 项。" in text
    assert not any("编写说明" in t or "check" in t for t in text)
    assert "甲,乙。" in text
    assert not [f for f in check_plan(root) if f.code in ("P101", "X001")]  # the marker works


def test_the_drafters_chapter_from_the_report_builds(tmp_path):
    """`# 总体要求 {#zongti}` used to stop the build with E157 (a Jinja comment left open)."""
    root = make_plan(tmp_path / "p", {"01.md": "# 总则\n\n## 总体要求 {#zongti}\n\n正文。\n\n"
                                               "见[](#zongti)。\n"})
    result = run_build(root)
    assert result.exit_code == 0, result.output
    assert "见第一节。" in paragraphs(root / "build" / "draft" / "测试规划（初稿）.docx")


@pytest.fixture(scope="module")
def referenced(tmp_path_factory) -> Path:
    root = make_plan(tmp_path_factory.mktemp("xref") / "p", {
        "01-序言.md": "# 序言 {- #xuyan}\n\n本规划分为三章（[见](#mubiao)、[](#renwu)）。\n",
        "02-目标.md": (
            "# 规划目标 {#mubiao}\n\n"
            "## 主要指标 {.unnumbered #zhibiao-jie}\n\n"
            "主要指标[见](#zhibiao)，重点工程见[](#gongcheng)，格局见[](#geju)，"
            "说明见[](#xuyan)。\n\n"
            "表：主要指标 {#zhibiao .landscape}\n\n" + TABLE + "\n"
            "![生态格局](../images/map.png){#geju}\n"),
        "03-任务.md": (
            "# 主要任务 {#renwu}\n\n"
            "## 大气 {#daqi}\n\n"
            "### 臭氧 {#chouyang}\n\n"
            "详见[](#daqi)、[](#chouyang)、[](#zhibiao-jie)。\n\n"
            "::: 专栏 重点工程 {#gongcheng}\n\n内容。\n\n:::\n")})
    (root / "images").mkdir()
    PILImage.new("RGB", (400, 200), "green").save(root / "images" / "map.png", dpi=(96, 96))
    return root


def test_references_print_the_targets_labels(referenced):
    text = paragraphs(build(referenced))
    assert "本规划分为三章（见第一章、第二章）。" in text
    assert "主要指标见表1，重点工程见专栏1，格局见图1，说明见序言。" in text
    assert "详见第一节、一、、主要指标。" in text  # an unnumbered target prints its title


def test_each_reference_links_to_its_targets_bookmark(referenced):
    out = build(referenced)
    found = links(out)
    assert [(text, target) for _, text, target in found] == [
        ("见第一章", "第一章　规划目标"), ("第二章", "第二章　主要任务"),
        ("见表1", "表1　主要指标"), ("专栏1", "专栏1　重点工程"), ("图1", "图1　生态格局"),
        ("序言", "序言"), ("第一节", "第一节　大气"), ("一、", "一、臭氧"),
        ("主要指标", "主要指标")]
    assert found[0][0] == found[0][0].strip() and found[0][0].startswith("_Toc")
    assert {a for a, _, _ in found if not a.startswith("_Toc")} == \
        {"_Ref00001", "_Ref00002", "_Ref00003"}
    assert audit_errors(out) == []


def test_attributes_in_any_order_keep_their_meaning(referenced):
    body = part(build(referenced), "word/document.xml")
    headings = ["".join(t.text or "" for t in p.iter(Q + "t")) for p in body.iter(Q + "p")
                if style(p).startswith("Heading")]
    assert headings == ["序言", "第一章　规划目标", "主要指标", "第二章　主要任务", "第一节　大气",
                        "一、臭氧"]
    assert body.find(f".//{Q}pgSz[@{Q}orient='landscape']") is not None  # .landscape kept


def test_labels_follow_a_table_inserted_before(referenced, tmp_path):
    root = make_plan(tmp_path / "p", {p.name: p.read_text(encoding="utf-8")
                                      for p in (referenced / "chapters").iterdir()})
    (root / "images").mkdir()
    (root / "images" / "map.png").write_bytes((referenced / "images" / "map.png").read_bytes())
    first = root / "chapters" / "02-目标.md"
    first.write_text(first.read_text(encoding="utf-8").replace(
        "## 主要指标", "表：新增的表\n\n" + TABLE + "\n::: 专栏 新专栏\n\n文字。\n\n:::\n\n## 主要指标"),
        encoding="utf-8")
    out = build(root)
    assert "主要指标见表2，重点工程见专栏2，格局见图1，说明见序言。" in paragraphs(out)
    assert ("见表2", "表2　主要指标") in [(t, target) for _, t, target in links(out)]


def test_outline_scheme_counts_chapters_through_its_parts(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": (
        "# 总论\n\n## 基础\n\n## 目标\n\n# 任务\n\n## 大气 {#daqi}\n\n见[](#daqi)。\n")},
        "title: 纲要\nnumbering: outline\n")
    assert "见第三章。" in paragraphs(build(root))


def test_a_duplicate_id_names_both_places(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲 {#a}\n\n正文。\n",
                                      "02.md": "# 乙\n\n表：指标 {#a}\n\n" + TABLE})
    result = run_build(root)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "chapters/02.md:3: 标识“#a”重复：chapters/01.md:1 已用过" in result.output
    assert "E233" in result.output
    assert ("chapters/02.md", 3, "E233") in {(f.file, f.line, f.code) for f in check_plan(root)}


def test_an_unknown_id_names_the_line_and_a_near_one(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲 {#zhibiao}\n\n正文。\n\n见[](#zhibao)。\n"})
    result = run_build(root)
    assert result.exit_code == 2, result.output
    assert "chapters/01.md:5: 引用的标识“#zhibao”不存在（是否指“#zhibiao”？）（E234）" in result.output


def test_a_link_to_a_file_is_still_refused(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n见[附件](附件.docx)。\n"})
    result = run_build(root)
    assert result.exit_code == 2
    assert "chapters/01.md:3: 链接“附件”指向“附件.docx”" in result.output and "E225" in result.output


def test_a_target_missing_from_a_version(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": (
        "# 甲\n\n见[](#fulu)。\n\n::: 版本 final\n\n表：仅报批稿有的表 {#fulu}\n\n" + TABLE +
        "\n:::\n")})
    assert "见表1。" in paragraphs(build(root, "final"))
    with pytest.raises(PlanError) as raised:
        build(root, "draft")
    assert (raised.value.code, raised.value.file, raised.value.line) == \
        ("E235", "chapters/01.md", 3)
    assert "不在初稿中" in raised.value.message
    # plan check says so before a build does, for the version it checks
    draft = [(f.file, f.line, f.severity) for f in check_plan(root, "draft") if f.code == "E235"]
    assert draft == [("chapters/01.md", 3, "error")]
    assert not [f for f in check_plan(root, "final") if f.code == "E235"]


def test_attributes_that_do_not_belong_are_refused(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": (
        "# 甲 {.landscape}\n\n表：指标 {#a #b}\n\n" + TABLE + "\n表：见[](#a)\n\n" + TABLE)})
    found = {(f.line, f.code) for f in check_plan(root)}
    assert {(1, "E236"), (3, "E236"), (9, "E237")} <= found


def test_a_number_typed_into_a_reference_is_refused(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲 {#jia}\n\n表：指标 {#zb}\n\n" + TABLE +
                                      "\n见[见表1](#zb)。\n\n详见[第一章](#jia)。\n"})
    result = run_build(root)
    assert result.exit_code == 2
    assert ("chapters/01.md:9: 引用“[见表1](#zb)”的文字自带编号“表1”：编号由流水线生成，"
            "应写作“[见](#zb)”") in result.output
    assert "chapters/01.md:11: 引用“[第一章](#jia)”的文字自带编号“第一章”" in result.output
    assert ("chapters/01.md", 9, "E238") in {(f.file, f.line, f.code) for f in check_plan(root)}


def test_plain_text_braces_stay_text(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲 {2021}\n\n表：指标 {见附件}\n\n" + TABLE})
    text = paragraphs(build(root))
    assert "第一章　甲 {2021}" in text and "表1　指标 {见附件}" in text


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root,
                   check=True, capture_output=True)


def test_redline_and_comparison_table_carry_the_new_labels(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文见[](#zb)。\n\n表：指标 {#zb}\n\n" +
                                      TABLE})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v1")
    git(root, "tag", "v1")
    chapter = root / "chapters" / "01.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "正文", "表：新表\n\n" + TABLE + "\n正文"), encoding="utf-8")
    result = diff_plan(root, "v1", out_dir=root / "out")
    body = part(result.redline, "word/document.xml")
    reference = next(p for p in body.iter(Q + "p")
                     if "正文见" in "".join(t.text or "" for t in p.iter(Q + "t")))
    assert [t.text for t in reference.iter(Q + "delText")] == ["1"]
    assert [t.text for t in reference.iter(Q + "ins") for t in t.iter(Q + "t")] == ["2"]
    assert reference.find(f".//{Q}hyperlink").get(Q + "anchor") == "_Ref00001"
    assert audit_errors(result.redline) == []
    rows = [r for r in openpyxl.load_workbook(result.table_xlsx).active.iter_rows(values_only=True)]
    assert any(r and any(isinstance(c, str) and "正文见表2" in c for c in r) for r in rows)


def test_no_reference_no_hyperlink_style(tmp_path, referenced):
    plain = build(make_plan(tmp_path / "p", {"01.md": "# 甲 {#jia}\n\n表：指标 {#zb}\n\n" + TABLE}))
    ids = lambda docx: [s.get(Q + "styleId") for s in part(docx, "word/styles.xml")  # noqa: E731
                        .iter(Q + "style")]
    assert "Hyperlink" not in ids(plain)
    assert "Hyperlink" in ids(build(referenced))
    assert not list(part(plain, "word/document.xml").iter(Q + "hyperlink"))[2:]  # 目录 only


@pytest.mark.libreoffice
def test_references_are_links_in_the_pdf(tmp_path):
    from pypdf import PdfReader
    root = make_plan(tmp_path / "p", {"01.md": (
        "# 甲\n\n正文见[](#zb)。\n\n***\n\n# 乙\n\n表：指标 {#zb}\n\n" + TABLE)})
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "pdf"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(root / "build" / "draft" / "测试规划（初稿）.pdf")
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    found = []
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if "正文见" in page.extract_text() and annot.get("/Dest"):
                found.append(pages[annot["/Dest"][0].idnum])
    assert len(found) == 1
    assert "表1　指标" in reader.pages[found[0]].extract_text().replace(" ", "")
    assert "正文见" not in reader.pages[found[0]].extract_text()
