"""plan diff: the redline's tracked changes give NEW when accepted and OLD when rejected (in
XML and in LibreOffice), an edit shows under its chapter in both outputs, and an unchanged plan
gives nothing."""
from __future__ import annotations

import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from conftest import NS, audit_errors, copy_sample, make_plan, part
from pipeline.build import build_docx
from pipeline.cli import main
from pipeline.diff import diff_inlines, diff_plan
from pipeline.wordfile import document_xml, paragraph_texts, resolve_revisions
from pipeline.model import Change, Span

GIT_USER = ["-c", "user.name=编制组", "-c", "user.email=t@t"]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *GIT_USER, *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(root: Path, message: str, when: str = "2020-12-01T08:00:00Z") -> None:
    git(root, "add", "-A")
    subprocess.run(["git", *GIT_USER, "commit", "-qm", message], cwd=root, check=True,
                   capture_output=True, env={"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when,
                                             "PATH": "/usr/bin:/bin", "HOME": str(root)})


def edit(root: Path, pattern: str, old: str, new: str) -> None:
    path = next((root / "chapters").glob(pattern))
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def texts(docx: Path, accept: bool | None = None) -> list[str]:
    root = document_xml(docx)
    return paragraph_texts(root if accept is None else resolve_revisions(root, accept))


def marks(docx: Path, *kinds: str) -> list:
    root = part(docx, "word/document.xml")
    return [m for kind in kinds for m in root.iter(f"{{{NS['w']}}}{kind}")]


def table_rows(xlsx: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(xlsx).active
    return [r for r in sheet.iter_rows(min_row=4, values_only=True)]


# ---- inside a paragraph ------------------------------------------------------------------

def changes(inlines) -> list[tuple[str, str]]:
    return [(i.change.kind if i.change else "=", i.text) for i in inlines]


def test_character_diff_with_islands_folded():
    old = [Span("到2025年，全市绿色发展方式和生活方式加快形成。")]
    new = [Span("到2025年，全市绿色生产方式和生活方式基本形成。")]
    assert changes(diff_inlines(old, new)) == [
        ("=", "到2025年，全市绿色"), ("del", "发展"), ("ins", "生产"), ("=", "方式和生活方式"),
        ("del", "加快"), ("ins", "基本"), ("=", "形成。")]
    # 加强/严格 share nothing, 监管/执法 share nothing; the one-character 的 between them joins.
    assert changes(diff_inlines([Span("加强的监管")], [Span("严格的执法")])) == [
        ("del", "加强的监管"), ("ins", "严格的执法")]


def test_an_insertion_sits_where_it_reads_best():
    assert changes(diff_inlines([Span("以2020年监测数据计")], [Span("以2020年全年监测数据计")])) \
        == [("=", "以2020年"), ("ins", "全年"), ("=", "监测数据计")]
    assert changes(diff_inlines([Span("生态环境保护")], [Span("生态环境和环境保护")])) == [
        ("=", "生态环境"), ("ins", "和环境"), ("=", "保护")]


def test_numbers_change_as_a_whole_and_formatting_is_kept():
    assert changes(diff_inlines([Span("浓度不高于29微克")], [Span("浓度不高于25微克")])) == [
        ("=", "浓度不高于"), ("del", "29"), ("ins", "25"), ("=", "微克")]
    out = diff_inlines([Span("一、", bold=True), Span("正文内容不变")],
                       [Span("一、", bold=True), Span("正文内容有变")])
    assert changes(out) == [("=", "一、"), ("=", "正文内容"), ("del", "不"), ("ins", "有"),
                            ("=", "变")]
    assert out[0] == Span("一、", bold=True) and out[3] == Span("有", change=Change("ins"))
    assert diff_inlines([Span("同样")], [Span("同", bold=True), Span("样")]) is None


# ---- a plan in a git repository, edited between two commits -------------------------------

CHAPTER_1 = """---
id: base
---

# 规划基础

## 发展成就

生态环境质量持续改善[^a]，全市空气质量优良天数比率达到94.5%。

作为全国首批山水林田湖草生态保护修复试点地区，全市统筹实施废弃矿山综合治理。

表：主要指标

| 指标 | 2020年 | 2025年 |
|---|---|---|
| 细颗粒物浓度 | 28 | ≤29 |
| 森林覆盖率 | 76.23 | 稳中有升 |
| 优良天数比率 | 94.5 | 95左右 |

1. 年度调度：每年开展跟踪调度。
2. 中期评估：2023年开展中期评估。
3. 终期考核：2025年开展终期考核。

[^a]: 以2020年监测数据计。
"""
CHAPTER_2 = """---
id: tasks
---

# 主要任务

## 大气污染防治

强化细颗粒物和臭氧协同控制，推进重点行业深度治理。

::: 专栏 大气重点工程
**工业深度治理。**实施钢铁、水泥行业超低排放改造。
:::

加强臭氧污染防控[^b]，开展挥发性有机物综合治理。

## 水污染防治

推进美丽河湖建设，建设一批示范河段。

[^b]: 臭氧：近地面臭氧主要由氮氧化物和挥发性有机物生成。
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """Commit v1, then v2 with an edit of each kind; tagged v1 and v2."""
    root = make_plan(tmp_path_factory.mktemp("diff") / "plan",
                     {"01-基础.md": CHAPTER_1, "02-任务.md": CHAPTER_2})
    git(root, "init", "-q")
    commit(root, "v1", "2020-09-01T08:00:00Z")
    git(root, "tag", "v1")
    edit(root, "01*", "达到94.5%", "达到95.2%")  # a word edit
    edit(root, "01*", "以2020年监测数据计", "以2020年全年监测数据计")  # a footnote's text
    edit(root, "02*", "加强臭氧污染防控[^b]，开展", "开展")  # a footnote reference removed
    edit(root, "01*", "| 28 | ≤29 |", "| 28 | ≤25 |")  # one cell
    edit(root, "01*", "| 优良天数比率 | 94.5 | 95左右 |\n", "")  # a row deleted
    edit(root, "01*", "2. 中期评估：2023年开展中期评估。\n", "")  # an item: the numbers shift
    edit(root, "02*", "## 水污染防治", "## 土壤污染防治\n\n新增一节。\n\n## 水污染防治")
    edit(root, "02*", "**工业深度治理。**实施", "**工业深度治理。**全面实施")
    # a paragraph moved from chapter 1 to chapter 2
    moved = "作为全国首批山水林田湖草生态保护修复试点地区，全市统筹实施废弃矿山综合治理。\n\n"
    edit(root, "01*", moved, "")
    edit(root, "02*", "新增一节。\n\n", "新增一节。\n\n" + moved)
    # one added just before a 专栏 and one at the very end, where marks cannot be tracked
    edit(root, "02*", "::: 专栏", "专栏前新增的一段。\n\n::: 专栏")
    # a paragraph added at the very end: the body's last paragraph mark cannot be tracked
    path = next((root / "chapters").glob("02*"))
    path.write_text(path.read_text(encoding="utf-8") + "\n新增的最后一段。\n", encoding="utf-8")
    commit(root, "v2", "2020-12-01T08:00:00Z")
    git(root, "tag", "v2")
    return root


@pytest.fixture(scope="module")
def small_diff(small):
    built = {}
    for tag in ("v1", "v2"):  # each side built on its own, to compare against
        git(small, "checkout", "-q", tag)
        built[tag] = build_docx(small, "draft").docx.rename(small / f"{tag}.docx")
    git(small, "checkout", "-q", "v2")
    result = diff_plan(small, "v1", "v2", out_dir=small / "out")
    return result, built


def test_accepting_gives_new_and_rejecting_gives_old(small_diff):
    result, built = small_diff
    assert texts(result.redline, accept=True) == texts(built["v2"])
    assert texts(result.redline, accept=False) == texts(built["v1"])
    assert audit_errors(result.redline) == []


def test_redline_marks_author_date_and_kinds(small_diff):
    result, _ = small_diff
    revisions = marks(result.redline, "ins", "del", "moveFrom", "moveTo")
    assert revisions and all(m.get(f"{{{NS['w']}}}author") == "编制组" and
                             m.get(f"{{{NS['w']}}}date") == "2020-12-01T08:00:00Z" and
                             m.get(f"{{{NS['w']}}}id") for m in revisions)
    root = part(result.redline, "word/document.xml")
    deleted = "".join(t.text for t in root.iterfind(".//w:del//w:delText", NS))
    inserted = "".join(t.text for t in root.iterfind(".//w:ins//w:t", NS))
    assert "94.5" in deleted and "95.2" in inserted and "29" in deleted and "25" in inserted
    assert root.find(".//w:trPr/w:del", NS) is not None  # the deleted indicator row
    # The moved paragraph: both ends named alike, inside range markers.
    start = root.find(".//w:moveFromRangeStart", NS)
    assert start is not None and root.find(".//w:moveToRangeStart", NS).get(
        f"{{{NS['w']}}}name") == start.get(f"{{{NS['w']}}}name")
    assert "".join(root.find(".//w:p/w:moveFrom", NS).itertext()).startswith("作为全国首批")


def test_footnotes_compared_and_removed_ones_restored_on_reject(small_diff):
    result, built = small_diff
    notes = part(result.redline, "word/footnotes.xml")
    assert "".join(t.text for t in notes.iterfind(".//w:ins//w:t", NS)) == "全年"
    assert "臭氧：近地面" in "".join(t.text for t in notes.iterfind(".//w:del//w:delText", NS))
    refs = ".//w:footnoteReference"
    accepted = resolve_revisions(document_xml(result.redline), True)
    rejected = resolve_revisions(document_xml(result.redline), False)
    assert len(accepted.findall(refs, NS)) == len(document_xml(built["v2"]).findall(refs, NS))
    assert len(rejected.findall(refs, NS)) == len(document_xml(built["v1"]).findall(refs, NS)) == 2
    ids = {r.get(f"{{{NS['w']}}}id") for r in rejected.iterfind(refs, NS)}
    assert ids <= {n.get(f"{{{NS['w']}}}id") for n in notes.iterfind("w:footnote", NS)}
    record = next(r for r in result.records if r.where == "脚注1")
    assert record.chapter == "第一章 第一节" and "全年" in record.new
    assert audit_errors(result.redline) == []


def test_comparison_table_rows_under_their_chapters(small_diff):
    result, _ = small_diff
    rows = table_rows(result.table_xlsx)
    assert rows[0][0] == "第一章　规划基础"  # a group row per chapter
    edits = {r[1]: r for r in rows if r[1]}
    word = next(r for r in rows if r[2] and "94.5%" in r[2])
    assert word[1] == "第一章 第一节" and "95.2%" in word[3]
    assert any(k == "第一章 第一节 表1 第1行" and "≤25" in r[3] for k, r in edits.items())
    assert any(r[3] == "（删除）" and "95左右" in r[2] for r in rows if r[2])
    moved = next(r for r in rows if r[2] and r[2].startswith("〔原在第一章 第一节〕"))
    assert moved[1].startswith("第二章")
    section = next(r for r in rows if r[3] and r[3].startswith("第二节　土壤污染防治"))
    assert section[1] == "第二章 第二节"
    # The Word table holds the same rows.
    xml = "".join(part(result.table_docx, "word/document.xml").itertext())
    assert "95.2%" in xml and "规划基础" in xml and "第一章 第一节 表1 第1行" in xml
    assert audit_errors(result.table_docx) == []


def test_notes_are_merged_and_never_lost(small, small_diff, tmp_path):
    result, _ = small_diff
    notes = yaml.safe_load(result.notes.read_text(encoding="utf-8"))
    key = next(k for k, v in notes.items() if "95.2%" in v["修改后"])
    notes[key]["修改说明"] = "根据2020年监测数据更新"
    notes["gone1234"] = {"章节": "第九章", "修改说明": "早先的说明"}
    result.notes.write_text(yaml.safe_dump(notes, allow_unicode=True), encoding="utf-8")
    again = diff_plan(small, "v1", "v2", out_dir=tmp_path)
    merged = yaml.safe_load(again.notes.read_text(encoding="utf-8"))
    assert merged[key]["修改说明"] == "根据2020年监测数据更新"
    assert merged["gone1234"]["修改说明"] == "早先的说明"
    assert any(r[4] == "根据2020年监测数据更新" for r in table_rows(again.table_xlsx))


def test_built_docx_files_compare_like_their_revisions(small, small_diff, tmp_path):
    result, built = small_diff
    from_files = diff_plan(small, str(built["v1"]), str(built["v2"]), out_dir=tmp_path)
    assert [(r.kind, r.old, r.new) for r in from_files.records] == \
        [(r.kind, r.old, r.new) for r in result.records]
    assert texts(from_files.redline, accept=False) == texts(built["v1"])


def test_unchanged_plan_gives_no_changes(small, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["--plan", str(small), "diff", "v2", "v2", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "没有差异" in result.output
    redline = next(tmp_path.glob("*（修订标记）.docx"))
    assert marks(redline, "ins", "del", "moveFrom", "moveTo") == []
    assert table_rows(next(tmp_path.glob("*.xlsx"))) == []
    with zipfile.ZipFile(next(tmp_path.glob("*修改对照表.docx"))) as archive:
        assert b"<w:tbl>" not in archive.read("word/document.xml")


def test_unknown_revision_is_a_clean_error(small):
    result = CliRunner().invoke(main, ["--plan", str(small), "diff", "no-such-tag"])
    assert result.exit_code == 2 and "找不到版本“no-such-tag”" in result.output


def test_an_item_added_to_a_nested_list_gives_a_valid_redline(tmp_path):
    """The indent of a nested item went after the paragraph mark's revision in w:pPr: Word
    would have to repair the redline."""
    root = make_plan(tmp_path / "plan", {"01-甲.md": "# 甲\n\n1. 年度调度\n   1. 每季度通报\n"
                                                   "2. 中期评估\n\n后文。\n"})
    git(root, "init", "-q")
    commit(root, "v1")
    edit(root, "01*", "   1. 每季度通报\n", "   1. 每季度通报\n   2. 年底考核\n")
    commit(root, "v2", "2020-12-02T08:00:00Z")
    old = build_docx(root, "draft").docx.rename(tmp_path / "new.docx")
    result = diff_plan(root, "HEAD~1", "HEAD", out_dir=tmp_path / "out")
    assert audit_errors(result.redline) == []
    assert "".join(t for m in marks(result.redline, "ins") for t in m.itertext()) == "（2）年底考核"
    assert texts(result.redline, accept=True) == texts(old)


def test_a_copy_saved_by_an_office_is_compared_with_a_warning(small, small_diff, tmp_path):
    _, built = small_diff
    saved = tmp_path / "审阅人另存的.docx"
    with zipfile.ZipFile(built["v2"]) as source, zipfile.ZipFile(saved, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = data.replace(b"plan-pipeline", b"Microsoft Office Word")
            if item.filename == "word/document.xml":  # a reviewer's tracked insertion
                data = data.replace(b"<w:r><w:t>", '<w:ins w:id="1" w:author="a" w:date="d">'
                                    "<w:r><w:t>审阅人加的</w:t></w:r></w:ins><w:r><w:t>".encode(), 1)
            copy.writestr(item, data)
    result = CliRunner().invoke(main, ["--plan", str(small), "diff", str(built["v1"]), str(saved),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "警告 审阅人另存的.docx: 已由 Microsoft Office Word 保存过，比较的是其中的文字" in result.output
    assert "其中有 1 处修订标记，修订中的文字未计入" in result.output and "（E917）" in result.output
    plain = CliRunner().invoke(main, ["--plan", str(small), "diff", str(built["v1"]),
                                      str(built["v2"]), "-o", str(tmp_path / "out2")])
    assert plain.exit_code == 0 and "E917" not in plain.output


def test_changed_characters_are_marked_in_the_comparison_table(tmp_path):
    long = "全市空气质量持续改善，细颗粒物年均浓度下降到{}微克/立方米，优良天数比率保持在较高水平，" \
           "重污染天气基本消除，人民群众的蓝天获得感、幸福感显著增强。"
    root = make_plan(tmp_path / "plan", {"01-甲.md": f"# 甲\n\n{long.format(27)}\n"})
    git(root, "init", "-q")
    commit(root, "v1")
    edit(root, "01*", long.format(27), long.format(26))
    commit(root, "v2", "2020-12-02T08:00:00Z")
    result = diff_plan(root, "HEAD~1", "HEAD", out_dir=tmp_path / "out")
    table = part(result.table_docx, "word/document.xml").findall(".//w:tbl", NS)[-1]
    old_cell, new_cell = table.findall("w:tr", NS)[1].findall("w:tc", NS)[2:4]

    def bold(cell) -> list[str]:
        return ["".join(r.itertext()) for r in cell.iterfind(".//w:r", NS)
                if r.find("w:rPr/w:b", NS) is not None]
    assert bold(old_cell) == ["27"] and bold(new_cell) == ["26"]
    assert "".join(new_cell.itertext()) == long.format(26)
    sheet = openpyxl.load_workbook(result.table_xlsx, rich_text=True).active
    cell = sheet.cell(5, 4).value
    marked = [block for block in cell if not isinstance(block, str)]
    assert [(b.text, b.font.b, b.font.u) for b in marked] == [("26", True, "single")]
    assert str(cell) == long.format(26)
    assert audit_errors(result.table_docx) == []


def test_text_of_one_version_is_a_version_difference_not_a_deletion(tmp_path):
    root = make_plan(tmp_path / "plan", {
        "01-甲.md": "# 甲\n\n共同的正文。\n\n::: 版本 review\n本规划征求意见期间，请各单位重点就目标指标提出意见。\n"
                   ":::\n\n::: 版本 final\n本规划经市人民政府同意，现予印发，请各单位认真组织实施。\n:::\n",
        "02-乙.md": "---\nversions: [draft, review]\n---\n# 征求意见说明\n\n说明正文。\n"})
    result = CliRunner().invoke(main, ["--plan", str(root), "diff", ".", ".", "--old-version",
                                       "review", "--version", "final", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    rows = [r for r in table_rows(next(out.glob("*.xlsx"))) if r[1] is not None]
    assert "（删除）" not in {r[3] for r in rows}
    kinds = yaml.safe_load((root / "修改说明.yaml").read_text(encoding="utf-8"))
    assert sorted(e["类型"] for e in kinds.values()) == ["版本差异"] * 4
    notes = {e["原文"] or e["修改后"]: e["修改说明"] for e in kinds.values()}
    assert notes["本规划征求意见期间，请各单位重点就目标指标提出意见。"] == \
        "版本限定（::: 版本）：仅用于征求意见稿，报批稿中没有"
    assert notes["本规划经市人民政府同意，现予印发，请各单位认真组织实施。"] == \
        "版本限定（::: 版本）：仅用于报批稿，征求意见稿中没有"
    assert notes["第二章　征求意见说明"].startswith("本章（章节属性 versions）仅用于征求意见稿")
    assert "版本差异 4" in result.output


# ---- the sample plan: a planted edit, and the time it takes -------------------------------

def test_planted_edit_in_the_sample_plan(tmp_path):
    root = copy_sample(tmp_path / "plan")
    git(root, "init", "-q")
    commit(root, "sample")
    edit(root, "05*", "建设一批水清岸绿、鱼翔浅底的美丽河湖示范段",
         "建设一批水清岸绿、鱼翔浅底、人水和谐的美丽河湖示范段")
    edit(root, "03*", "## 积极应对气候变化", "## 主动适应和应对气候变化")
    commit(root, "edit")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["--plan", str(root), "diff", "HEAD~1", "HEAD"])
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert seconds < 10, f"the whole sample plan took {seconds:.1f} s"
    out = root / "build" / "diff"
    redline = next(out.glob("*（修订标记）.docx"))
    inserted = ["".join(m.itertext()) for m in marks(redline, "ins")]
    assert "、人水和谐" in inserted and "主动适应和" in inserted
    rows = table_rows(next(out.glob("*.xlsx")))
    chapters = [r[0] for r in rows if r[1] is None]
    assert chapters == ["第三章　推动绿色低碳发展", "第五章　加强水生态环境保护"] or \
        len(chapters) == 2
    row = next(r for r in rows if r[3] and "人水和谐" in r[3])
    heading = next(r for r in rows if r[3] and "主动适应" in r[3])
    assert row[1].startswith("第五章") and heading[1].startswith("第三章")
    assert audit_errors(redline) == []
    git(root, "checkout", "-q", "HEAD~1")
    old = build_docx(root, "draft").docx
    assert texts(redline, accept=False) == texts(old)


# ---- LibreOffice's own reading of the redline --------------------------------------------

def test_libreoffice_accepts_to_new_and_rejects_to_old(small_diff, tmp_path):
    from pipeline.pdf import PdfEngine
    result, built = small_diff
    with PdfEngine(tmp_path / "lo", Path(__file__).parents[1] / "styles" / "fonts.conf") as lo:
        count, _ = lo.tracked_text(result.redline)
        _, accepted = lo.tracked_text(result.redline, "accept")
        _, rejected = lo.tracked_text(result.redline, "reject")
        _, new = lo.tracked_text(built["v2"])
        _, old = lo.tracked_text(built["v1"])
    assert count > 5

    def body(paragraphs: list[str]) -> list[str]:  # after the 目录: from the first chapter on
        return paragraphs[max(i for i, p in enumerate(paragraphs) if p.startswith("第一章")):]
    assert body(accepted) == body(new)
    assert body(rejected) == body(old)


# ---- the OOXML builders, against the XML they must produce ---------------------------------

def test_revision_builders_produce_schema_ordered_xml():
    from lxml import etree

    from pipeline.docx.ooxml import move_range, run, tracked_runs

    def xml(node) -> str:
        text = etree.tostring(node, encoding="unicode")
        return text.replace(f' xmlns:ns0="{NS["w"]}"', "").replace("ns0:", "w:")
    removed = tracked_runs("del", 7, "编制组", "2020-12-01T00:00:00Z", [run("旧文字")])
    assert xml(removed) == ('<w:del w:id="7" w:author="编制组" w:date="2020-12-01T00:00:00Z">'
                            '<w:r><w:delText>旧文字</w:delText></w:r></w:del>')
    # Marks on paragraph marks and table rows are built in place with the paragraph or row
    # (test_docx_writer.py: the writer's ppr and row properties).
    start, end = move_range("moveFrom", 10, "move1", "a", "d")
    assert start.tag.endswith("moveFromRangeStart") and start.get(f"{{{NS['w']}}}name") == "move1"
    assert end.tag.endswith("moveFromRangeEnd") and end.get(f"{{{NS['w']}}}id") == "10"
