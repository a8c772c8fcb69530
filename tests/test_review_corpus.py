"""Reading comments and tracked changes from files Word and others saved.

- pandoc's test files (word-review/): every item pandoc's expected reading (.native) lists is
  found, with author, date and text;
- 84 real files of 14 projects' test suites (realword/): every comment and every change that
  `expect.py`, an independent counter, finds is found, headers, footers and notes included;
  nothing readable is refused; what is refused is encrypted or damaged, and says so.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, REALWORD, copy_sample, needs_corpus
from pandoc_native import expected_items
from pipeline.cli import main
from pipeline.review.collect import FIELDS
from pipeline.safefile import FileRefused, Limits, sniff
from pipeline.wordfile import Mark, read_returned
from pipeline.wordfile.marks import clean_date

NATIVE = {"comments.docx": "comments.native",
          "track_changes_insertion.docx": "track_changes_insertion_all.native",
          "track_changes_deletion.docx": "track_changes_deletion_all.native",
          "track_changes_move.docx": "track_changes_move_all.native",
          "track_changes_scrubbed_metadata.docx": "track_changes_scrubbed_metadata.native"}
# pandoc shows a move as the insertion where the text went and the deletion where it was.
ALSO = {"insertion": {"insertion", "move"}, "deletion": {"deletion", "move"},
        "comment": {"comment"}}
pytestmark = needs_corpus
KINDS = {"ins": "insertion", "del": "deletion", "moveFrom": "move", "moveTo": "move"}


def words(text: str) -> str:
    return re.sub(r"\s+", "", text)


def sides(mark: Mark) -> list[tuple[str, str]]:
    """(kind, text) of what an item stands for: a replacement is a deletion and an insertion."""
    if mark.kind == "replacement":
        return [("deletion", mark.old_text), ("insertion", mark.text)]
    return [(mark.kind, mark.text)]


@pytest.mark.parametrize("docx_name", sorted(NATIVE))
def test_every_item_pandoc_expects_is_found(docx_name):
    expected = expected_items((CORPUS / NATIVE[docx_name]).read_text(encoding="utf-8"))
    assert expected, "the expectation lists no item"
    marks = read_returned(CORPUS / docx_name).marks
    read = [(i, kind, text, m) for i, m in enumerate(marks) for kind, text in sides(m)]
    matched = set()
    for item in expected:
        found = [(i, m) for i, kind, text, m in read
                 if kind in ALSO[item.kind] and m.author == item.author
                 and m.date == item.date and words(text) == words(item.text)]
        assert found, f"{docx_name}: not found {item}\nread: {marks}"
        matched.update(i for i, _ in found)
        if item.kind == "comment":
            assert words(found[0][1].anchor_text) == words(item.anchor_text), item
    assert matched == set(range(len(marks))), "items pandoc does not list"


def test_replies_and_nested_ranges():
    marks = {m.comment_id: m for m in read_returned(CORPUS / "comments.docx").marks}
    assert marks["4"].parent_id == "3" and marks["3"].parent_id == ""
    assert marks["1"].anchor_text == "a new paragraph.\nAnd so"  # across paragraphs
    assert marks["2"].text == "This one has multiple paragraphs.\nSee?"


def test_a_comment_holding_a_table_is_read():
    (mark,) = read_returned(CORPUS / "comments_warning.docx").marks
    assert mark.author == "Jesse Rosenthal" and mark.text.startswith("Here is a table:")
    assert mark.anchor_text == "comment with some formatting"


def test_a_replacement_is_one_item_with_old_and_new_text():
    """Word's track_changes_scrubbed_metadata: “dummy” replaced by “test”, one reviewer."""
    marks = read_returned(CORPUS / "track_changes_scrubbed_metadata.docx").marks
    (replacement,) = [m for m in marks if m.kind != "comment"]
    assert (replacement.kind, replacement.old_text, replacement.text) == \
        ("replacement", "dummy", "test")


def test_json_lists_every_item_with_the_fields_the_yaml_has(tmp_path):
    root = copy_sample(tmp_path / "plan")
    files = [str(CORPUS / name) for name in sorted(NATIVE)]
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", *files,
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == 5 + 1 + 1 + 1 + 2  # the scrubbed file's two changes are one
    assert all(tuple(i) == FIELDS for i in items)
    assert {"reply_to", "destination", "destination_line", "old_text"} <= set(FIELDS)
    assert {i["kind"] for i in items} == {"comment", "insertion", "deletion", "move",
                                          "replacement"}
    assert len({i["id"] for i in items}) == len(items)
    assert any(i["reply_to"] for i in items)
    (move,) = [i for i in items if i["kind"] == "move"]
    assert move["destination"]
    saved = (root / "reviews" / "征求意见稿.yaml").read_text("utf-8")
    assert all(f"\n  {key}:" in saved or f"- {key}:" in saved for key in FIELDS)
    # No build here: nothing located, and the drafter is told why.
    assert all(i["chapter_file"] == "" and i["line"] is None for i in items)
    assert "找不到 build/review/manifest.json" in result.stderr


# ---- the real files ---------------------------------------------------------------------------

FILES = sorted((REALWORD / "files").iterdir()) if (REALWORD / "files").is_dir() else []


@pytest.fixture(scope="module")
def expected() -> dict[str, dict]:
    """expect.py's counts for every file, in one run."""
    run = subprocess.run([sys.executable, str(REALWORD / "expect.py"), *map(str, FILES),
                          "--json"], capture_output=True, text=True, timeout=300, check=True)
    return {Path(r["file"]).name: r for r in json.loads(run.stdout)}


def producers() -> dict[str, str]:
    """SOURCES.md's `made by` column: says which files are encrypted or damaged."""
    rows = (REALWORD / "SOURCES.md").read_text("utf-8").splitlines()
    return {cells[1].strip(): cells[-2].strip() for cells in (r.split("|") for r in rows)
            if len(cells) > 8}


def should_refuse(path: Path) -> str:
    """What the corpus says of a file that must not be read: '加密', '损坏' or ''."""
    made_by = producers().get(path.name, "")
    if "encrypted" in made_by or (path.suffix == ".doc" and "password" in path.name.lower()):
        return "加密"
    return "损坏" if "damaged" in made_by else ""


def expected_groups(result: dict) -> Counter:
    """(part kind, kind, author, date, text) of each change expect.py counts with text; a
    paired move once, where it came from."""
    paired = {g[-1] for g in result["total"].get("groups", []) if g[1] == "moveFrom"}
    out = Counter()
    for part, kind, author, date, text, move in result["total"].get("groups", []):
        if kind == "moveTo" and move in paired:
            continue
        out[(part_kind(part, result["main_part"]), KINDS[kind], author, clean_date(date),
             words(text))] += 1
    return out


def part_kind(name: str, main: str) -> str:
    if name == main:
        return "body"
    return re.match(r"word/(footnote|endnote|header|footer)", name).group(1)


def found_groups(marks: list[Mark]) -> Counter:
    return Counter((m.part, kind, m.author, m.date, words(text)) for m in marks
                   if m.kind != "comment" and not m.objects for kind, text in sides(m))


@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: p.name if p else "absent")
def test_a_real_file_is_read_as_expect_counts_it(path, expected):
    refused = should_refuse(path)
    try:
        kind = sniff(path, Limits())
        if kind == "ole":  # read through LibreOffice: test_review_roundtrip.py
            assert not refused, f"{path.name} should be refused ({refused})"
            return
        doc = read_returned(path)
    except FileRefused as exc:
        assert refused and refused in exc.message, f"{path.name} refused: {exc.message}"
        assert str(path.parent) not in exc.message  # the file's name, not its full path
        return
    assert not refused, f"{path.name} was read, but it is {refused}"
    result = expected[path.name]
    assert result["error"] == ""
    comments = [m for m in doc.marks if m.kind == "comment"]
    assert len(comments) == result["comments"]
    listed = Counter((cid, author, clean_date(date), words(text))
                     for cid, author, date, text in result.get("comment_list", []))
    assert Counter((m.comment_id, m.author, m.date, words(m.text)) for m in comments) == listed
    for m in comments:  # the commented text, where the comment has a range in the body
        anchored = result.get("anchors", {}).get(m.comment_id)
        if anchored is not None and m.part == "body":
            assert words(m.anchor_text) == words(anchored)
    assert found_groups(doc.marks) == expected_groups(result)
    textless = sum(1 + m.paired for m in doc.marks if m.objects)
    assert textless == sum(result["total"].get(f"{k}_content", 0) - result["total"].get(
        f"{k}_text", 0) for k in ("ins", "del", "moveFrom", "moveTo"))
    assert all(re.fullmatch(r"\[[^]]+]", m.text) for m in doc.marks if m.objects)
    assert doc.strict == result["strict"]
