"""Plays reviewers: the built 征求意见稿 opened in LibreOffice through UNO, comments and tracked
changes added on known sentences, saved as .docx and .doc; then collected, located at the right
chapter file and line, answered, reported, and checked by the final build."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, audit_errors, copy_sample
from pipeline.build import build_docx
from pipeline.cli import main
from pipeline.pdf import PdfEngine

# LibreOffice is part of the product: without it these fail with the install hint, never skip.
pytestmark = pytest.mark.libreoffice
REVIEWER = Path(__file__).with_name("uno") / "reviewer.py"
UNIT_FILE = "赣州市“十四五”生态环境保护规划（征求意见稿）-章贡区生态环境局意见.docx"


def pick(manifest: dict, root: Path, chapter: str, skip: int = 0) -> tuple[str, dict]:
    """A phrase of 14 characters that appears once in the whole built text, on a paragraph of
    `chapter` whose source line holds the phrase: (phrase, manifest entry)."""
    everything = "\n".join(a["text"] for a in manifest["anchors"])
    found = []
    for entry in manifest["anchors"]:
        if not entry["file"].startswith(f"chapters/{chapter}") or len(entry["text"]) < 60:
            continue
        phrase = entry["text"][30:44]
        line = (root / entry["file"]).read_text("utf-8").splitlines()[entry["line"] - 1]
        if everything.count(phrase) == 1 and phrase in line:
            found.append((phrase, entry))
    return found[skip]


def play(engine: PdfEngine, request: dict) -> None:
    result = subprocess.run(["/usr/bin/python3", "-I", str(REVIEWER), "--pipe", engine.pipe_name],
                            input=json.dumps(request), capture_output=True, text=True,
                            timeout=180)
    assert json.loads(result.stdout or "{}").get("ok"), result.stdout + result.stderr


@pytest.fixture(scope="module")
def round_(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("review-round")
    root = copy_sample(folder / "plan")
    docx = build_docx(root, "review").docx
    manifest = json.loads((docx.parent / "manifest.json").read_text("utf-8"))
    targets = {"comment": pick(manifest, root, "04"), "comment2": pick(manifest, root, "07"),
               "insertion": pick(manifest, root, "05"), "deletion": pick(manifest, root, "08"),
               "untracked": pick(manifest, root, "09"), "expert": pick(manifest, root, "03")}
    unit, expert, binary = folder / UNIT_FILE, folder / "专家组意见.docx", folder / "市水利局意见.doc"
    with PdfEngine(folder / "lo", ROOT / "styles" / "fonts.conf") as engine:
        engine.start()
        play(engine, {"docx": str(docx), "author": "李明",
                      "comments": [{"find": targets["comment"][0], "text": "建议明确时限。"},
                                   {"find": targets["comment2"][0], "text": "请补充责任单位。\n第二段意见。"}],
                      "insertions": [{"find": targets["insertion"][0], "text": "（新增内容）"}],
                      "deletions": [{"find": targets["deletion"][0]}],
                      "saves": [{"path": str(unit)},
                                {"path": str(binary), "filter": "MS Word 97"}]})
        play(engine, {"docx": str(docx), "author": "王专家",
                      "comments": [{"find": targets["expert"][0], "text": "表述过于笼统。"}],
                      "untracked": [{"find": targets["untracked"][0], "replace": "改写后的句子"}],
                      "saves": [{"path": str(expert)}]})
    return {"root": root, "targets": targets, "unit": unit, "expert": expert, "binary": binary}


def collect(root: Path, *files: Path, fmt: str = "json", more: tuple = ()):
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect",
                                       *map(str, files), "--format", fmt, *more])
    assert result.exit_code == 0, result.output
    return result


def at(item: dict, target: tuple[str, dict]) -> bool:
    _, entry = target
    return (item["chapter_file"], item["line"]) == (entry["file"], entry["line"])


def test_each_item_is_found_at_its_chapter_file_and_line(round_):
    items = json.loads(collect(round_["root"], round_["unit"], round_["expert"]).stdout)
    t = round_["targets"]
    by_kind = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    comments = {i["text"]: i for i in by_kind["comment"]}
    assert at(comments["建议明确时限。"], t["comment"])
    assert comments["建议明确时限。"]["anchor_text"] == t["comment"][0]
    # LibreOffice 7.4 writes a comment's line break as two w:t with nothing between them.
    assert at(comments["请补充责任单位。第二段意见。"], t["comment2"])
    assert at(comments["表述过于笼统。"], t["expert"])
    assert comments["表述过于笼统。"]["reviewer"] == "王专家"
    assert comments["建议明确时限。"]["unit"] == "章贡区生态环境局"  # from the file name
    (insertion,) = by_kind["insertion"]
    assert insertion["text"] == "（新增内容）" and at(insertion, t["insertion"])
    assert insertion["reviewer"] == "李明" and insertion["date"].startswith("20")
    (deletion,) = by_kind["deletion"]
    assert deletion["text"] == t["deletion"][0] and at(deletion, t["deletion"])
    (untracked,) = by_kind["untracked"]
    assert at(untracked, t["untracked"]) and "改写后的句子" in untracked["text"]
    assert untracked["source_file"] == "专家组意见.docx"
    assert len(items) == 6


def test_a_doc_file_is_converted_through_libreoffice(round_):
    items = json.loads(collect(round_["root"], round_["binary"]).stdout)
    t = round_["targets"]
    comments = {i["text"]: i for i in items if i["kind"] == "comment"}
    assert at(comments["建议明确时限。"], t["comment"])
    assert comments["建议明确时限。"]["unit"] == "市水利局"
    assert any(i["kind"] == "deletion" and at(i, t["deletion"]) for i in items)


def test_an_anchor_lost_is_found_again_by_its_text(round_, tmp_path):
    """A reviewer who retyped a paragraph destroyed its bookmark: the text still matches."""
    import zipfile
    from lxml import etree
    source, damaged = round_["unit"], tmp_path / "无书签.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(damaged, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "word/document.xml":
                tree = etree.fromstring(data)
                for mark in tree.iter("{*}bookmarkStart", "{*}bookmarkEnd"):
                    mark.getparent().remove(mark)
                data = etree.tostring(tree)
            new.writestr(info, data)
    items = json.loads(collect(round_["root"], damaged).stdout)
    comment = next(i for i in items if i["text"] == "建议明确时限。")
    assert at(comment, round_["targets"]["comment"])


def answer(path: Path, answers: dict[str, tuple[str, str]]) -> None:
    """What a drafter does: write 采纳情况 and 说明 in reviews/<round>.yaml."""
    data = yaml.safe_load(path.read_text("utf-8"))
    for item in data["items"]:
        if item["text"] in answers:
            item["采纳情况"], item["说明"] = answers[item["text"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def test_responses_survive_collecting_again_and_the_final_waits_for_them(round_, tmp_path):
    root = tmp_path / "plan"
    shutil.copytree(round_["root"], root)
    shutil.rmtree(root / "reviews", ignore_errors=True)
    collect(root, round_["unit"], fmt="xlsx")
    responses = root / "reviews" / "征求意见稿.yaml"
    first = yaml.safe_load(responses.read_text("utf-8"))["items"]
    assert len(first) == 4 and all(i["采纳情况"] == "" for i in first)
    answer(responses, {"建议明确时限。": ("采纳", "已补充2025年底前完成。"),
                       "（新增内容）": ("未采纳", "与第五章第二节重复。")})

    collect(root, round_["unit"], round_["expert"], fmt="docx")  # again, and one more file
    again = yaml.safe_load(responses.read_text("utf-8"))["items"]
    assert len(again) == 6
    assert [i["id"] for i in again[:4]] == [i["id"] for i in first]  # ids stable
    answered = {i["text"]: (i["采纳情况"], i["说明"]) for i in again}
    assert answered["建议明确时限。"] == ("采纳", "已补充2025年底前完成。")
    assert answered["（新增内容）"] == ("未采纳", "与第五章第二节重复。")
    assert audit_errors(root / "build" / "reviews" / "征求意见稿.意见汇总表.docx") == []

    refused = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "final",
                                        "--format", "docx"])
    assert refused.exit_code == 2
    assert "未答复的审阅意见，共 4 处" in refused.output
    assert "reviews/征求意见稿.yaml:" in refused.output

    report = CliRunner().invoke(main, ["--plan", str(root), "comments", "report"])
    assert report.exit_code == 0, report.output
    assert "未采纳1条" in report.output and "与第五章第二节重复" in report.output
    out = root / "build" / "reviews"
    assert audit_errors(out / "征求意见采纳情况表（征求意见稿）.docx") == []
    from openpyxl import load_workbook
    book = load_workbook(out / "征求意见采纳情况表（征求意见稿）.xlsx")
    units, details = book.worksheets
    assert units.freeze_panes == "A2" and details.freeze_panes == "A2"
    assert details["D1"].value == "意见内容" and details.column_dimensions["D"].width == 60
    assert details["D2"].alignment.wrap_text
    rows = {r[0].value: [c.value for c in r] for r in units.iter_rows(min_row=2)}
    assert rows["章贡区生态环境局"] == ["章贡区生态环境局", 4, 1, 0, 1, 2]
    assert rows["合计"][1] == 6

    relaxed = (root / "plan.yaml").read_text("utf-8").replace(
        "final:  {label: 报批稿, date: 2021-03}",
        "final:  {label: 报批稿, date: 2021-03, responses: warning}")
    (root / "plan.yaml").write_text(relaxed, "utf-8")
    built = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "final",
                                      "--format", "docx"])
    assert built.exit_code == 0, built.output
    assert "尚未填写采纳情况" in built.output
