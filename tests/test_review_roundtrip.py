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

from conftest import REALWORD, ROOT, audit_errors, copy_sample, needs_corpus
from pipeline.build import build, build_docx
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
    built = next(build(root, ["review"], pdf=True))  # the PDF gives each paragraph its page
    docx, pdf = built.docx, built.pdf
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
    return {"root": root, "targets": targets, "unit": unit, "expert": expert, "binary": binary,
            "pdf": pdf}


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
    # Six columns of long text: the pages are laid out landscape, in Word and in Excel.
    import zipfile
    from lxml import etree
    with zipfile.ZipFile(out / "征求意见采纳情况表（征求意见稿）.docx") as docx:
        size = etree.fromstring(docx.read("word/document.xml")).find(".//{*}pgSz")
    assert int(size.get(f"{{{size.nsmap['w']}}}w")) > int(size.get(f"{{{size.nsmap['w']}}}h"))
    xlsx = out / "征求意见采纳情况表（征求意见稿）.xlsx"
    first = xlsx.read_bytes()
    CliRunner().invoke(main, ["--plan", str(root), "comments", "report"])
    assert xlsx.read_bytes() == first  # the same answers, the same bytes
    from pipeline.revision import source_revision, stamp
    with zipfile.ZipFile(xlsx) as book_zip:  # dated by the sources, not by the clock
        core = book_zip.read("docProps/core.xml").decode()
        assert {i.date_time for i in book_zip.infolist()} == {
            stamp(source_revision(root).epoch).timetuple()[:6]}
    assert stamp(source_revision(root).epoch).strftime("%Y-%m-%dT%H:%M:%SZ") in core
    from openpyxl import load_workbook
    book = load_workbook(out / "征求意见采纳情况表（征求意见稿）.xlsx")
    units, details = book.worksheets
    assert units.freeze_panes == "A2" and details.freeze_panes == "A2"
    assert details.page_setup.orientation == "landscape"
    assert units.page_setup.orientation != "landscape"
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


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> dict:
    """A round with a rebuild between sending and collecting: the 征求意见稿 built at commit A
    and sent out; sources edited (three lines added above the commented paragraph, another
    paragraph rewritten), committed as B and the review version built again; then a late copy
    of A's build comes back."""
    folder = tmp_path_factory.mktemp("rebuilt")
    root = copy_sample(folder / "plan")
    git(root, "init", "-q")
    git(root, "-c", "user.name=编制组", "-c", "user.email=a@b", "add", ".")
    git(root, "-c", "user.name=编制组", "-c", "user.email=a@b", "commit", "-qm", "A")
    sent = build_docx(root, "review").docx
    manifest = json.loads((sent.parent / "manifest.json").read_text("utf-8"))
    phrase, entry = pick(manifest, root, "04")
    copy = folder / "章贡区生态环境局意见.docx"
    with PdfEngine(folder / "lo", ROOT / "styles" / "fonts.conf") as engine:
        engine.start()
        play(engine, {"docx": str(sent), "author": "李明",
                      "comments": [{"find": phrase, "text": "建议明确时限。"}],
                      "insertions": [{"find": phrase, "text": "（新增）"}],
                      "saves": [{"path": str(copy)}]})
    chapter = root / entry["file"]
    lines = chapter.read_text("utf-8").splitlines(keepends=True)
    at = entry["line"] - 1
    while at > 0 and lines[at - 1].strip():  # the start of the paragraph
        at -= 1
    lines[at:at] = ["编制组在此补充的一段新文字。\n", "\n", "\n"]
    chapter.write_text("".join(lines), "utf-8")
    git(root, "-c", "user.name=编制组", "-c", "user.email=a@b", "commit", "-qam", "B")
    build_docx(root, "review")
    return {"root": root, "copy": copy, "entry": entry, "phrase": phrase,
            "commit_a": manifest["commit"]}


def test_a_copy_of_an_earlier_build_is_located_in_that_build(rebuilt):
    result = collect(rebuilt["root"], rebuilt["copy"])
    items = json.loads(result.stdout)
    entry = rebuilt["entry"]
    assert sorted(i["kind"] for i in items) == ["comment", "insertion"]  # no bogus edits
    for item in items:
        assert (item["chapter_file"], item["line"]) == (entry["file"], entry["line"])
        assert (item["current_file"], item["current_line"]) == (entry["file"], entry["line"] + 3)
        assert item["made_on"] == rebuilt["commit_a"] and item["located_by"] == "anchor"
    assert "未留痕" not in result.output


def test_location_data_gone_is_made_again_from_the_commit(rebuilt, tmp_path):
    root = tmp_path / "plan"
    shutil.copytree(rebuilt["root"], root)
    archive = root / "build" / "review" / "manifests" / f"{rebuilt['commit_a']}.json"
    kept = archive.read_bytes()
    archive.unlink()
    result = collect(root, rebuilt["copy"])
    assert f"已由提交 {rebuilt['commit_a']} 的源文件重新生成" in result.stderr
    # The same location data as the build made (a Word file only), and now, its PDF made
    # again through LibreOffice, the pages and lines too (tests/test_review_pages.py).
    made = json.loads(archive.read_bytes())
    assert [{k: v for k, v in a.items() if k not in ("page", "page_line")}
            for a in made["anchors"]] == json.loads(kept)["anchors"]
    assert all(a.get("page_line") for a in made["anchors"])
    items = json.loads(result.stdout)
    assert all(i["line"] == rebuilt["entry"]["line"] for i in items)


def test_without_that_build_items_are_located_by_text_and_it_is_said(rebuilt, tmp_path):
    root = tmp_path / "plan"
    shutil.copytree(rebuilt["root"], root)
    shutil.rmtree(root / "build" / "review" / "manifests")
    shutil.rmtree(root / ".git")  # nothing to make it again from
    result = collect(root, rebuilt["copy"])
    assert "只按段落文字定位" in result.stderr
    items = json.loads(result.stdout)
    assert sorted(i["kind"] for i in items) == ["comment", "insertion"]
    assert all(i["located_by"] == "text" and i["made_on"] == "" for i in items)
    assert all(i["line"] == rebuilt["entry"]["line"] + 3 for i in items)  # found in today's


@needs_corpus
def test_the_real_doc_and_wps_files_are_read_through_libreoffice(tmp_path):
    """Legacy files of the corpus: the readable ones are converted and read, the encrypted ones
    refused as encrypted (not as damaged), naming the file only."""
    files = sorted(p for p in (REALWORD / "files").glob("*") if p.suffix in (".doc", ".wps"))
    assert files
    root = copy_sample(tmp_path / "plan")
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect",
                                       *map(str, files), "--format", "json"])
    skipped = [line for line in result.stderr.splitlines() if line.startswith("跳过")]
    encrypted = [p for p in files if "password" in p.name.lower()]
    assert len(skipped) == len(encrypted), result.stderr
    for path in encrypted:
        assert any(path.name in line and "文件已加密" in line for line in skipped)
    assert str(REALWORD) not in result.stderr
    assert "Traceback" not in result.output


def printed_at(pdf: Path, phrase: str) -> tuple[int, int]:
    """Measured independently with pdfplumber: the printed page number (footer) and the margin
    line number of the line where `phrase` starts."""
    import pdfplumber
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            lines: dict[int, list] = {}
            for word in words:
                lines.setdefault(round(word["bottom"] / 3), []).append(word)
            for key, row in lines.items():
                text = "".join(w["text"] for w in sorted(row, key=lambda w: w["x0"])
                               if w["x0"] > 70)
                if phrase[:6] not in text:
                    continue
                footer = [w["text"] for w in words if w["top"] > page.height - 100
                          and w["text"].isdigit()]
                margin = [w for w in words if w["x1"] < 78 and w["text"].isdigit()
                          and abs(w["bottom"] - row[0]["bottom"]) < 6]
                if footer and margin:
                    return int(footer[0]), int(margin[0]["text"])
    raise AssertionError(f"{phrase} not found in {pdf}")


def test_the_tables_cite_chapter_path_and_printed_page_and_line(round_):
    """For officials: 第四章 第一节 … and 第12页第8行 of the printed 征求意见稿, measured in the
    PDF; the Markdown file and line stay in the YAML."""
    from openpyxl import load_workbook
    root, (phrase, entry) = round_["root"], round_["targets"]["comment"]
    collect(root, round_["unit"], fmt="xlsx")
    sheet = load_workbook(root / "build" / "reviews" / "征求意见稿.意见汇总表.xlsx").active
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if "建议明确时限" in r[3])
    place = entry["place"]
    assert place.startswith("第四章"), place  # the chapter the sentence is in
    start = next(a for a in json.loads((root / "build" / "review" / "manifest.json")
                                       .read_text("utf-8"))["anchors"]
                 if a["anchor"] == entry["anchor"])["text"]
    page, line = printed_at(round_["pdf"], start)
    assert row[2] == f"{place}，第{page}页第{line}行"
    assert ".md" not in row[2]
    saved = yaml.safe_load((root / "reviews" / "征求意见稿.yaml").read_text("utf-8"))["items"]
    item = next(i for i in saved if i["text"] == "建议明确时限。")
    assert (item["chapter_file"], item["line"]) == (entry["file"], entry["line"])
    assert (item["page"], item["page_line"]) == (page, line)
