"""Reading comments and tracked changes from files Word saved: every item pandoc's expected
reading (the .native files beside them) lists is found, with author, date and text."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from conftest import CORPUS, copy_sample
from pandoc_native import expected_items
from pipeline.cli import main
from pipeline.wordfile import read_returned

NATIVE = {"comments.docx": "comments.native",
          "track_changes_insertion.docx": "track_changes_insertion_all.native",
          "track_changes_deletion.docx": "track_changes_deletion_all.native",
          "track_changes_move.docx": "track_changes_move_all.native",
          "track_changes_scrubbed_metadata.docx": "track_changes_scrubbed_metadata.native"}
# pandoc shows a move as the insertion where the text went and the deletion where it was.
ALSO = {"insertion": {"insertion", "move"}, "deletion": {"deletion", "move"},
        "comment": {"comment"}}


def words(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("docx_name", sorted(NATIVE))
def test_every_item_pandoc_expects_is_found(docx_name):
    expected = expected_items((CORPUS / NATIVE[docx_name]).read_text(encoding="utf-8"))
    assert expected, "the expectation lists no item"
    marks = read_returned(CORPUS / docx_name).marks
    matched = set()
    for item in expected:
        found = [i for i, m in enumerate(marks)
                 if m.kind in ALSO[item.kind] and m.author == item.author
                 and m.date == item.date and words(m.text) == words(item.text)]
        assert found, f"{docx_name}: not found {item}\nread: {marks}"
        matched.update(found)
        if item.kind == "comment":
            assert words(marks[found[0]].anchor_text) == words(item.anchor_text), item
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


def test_json_lists_every_item_with_the_agreed_keys(tmp_path):
    root = copy_sample(tmp_path / "plan")
    files = [str(CORPUS / name) for name in sorted(NATIVE)]
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", *files,
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == 5 + 1 + 1 + 1 + 3
    assert all(list(i) == ["id", "source_file", "reviewer", "unit", "kind", "text",
                           "anchor_text", "chapter_file", "line", "date"] for i in items)
    assert {i["kind"] for i in items} == {"comment", "insertion", "deletion", "move"}
    assert len({i["id"] for i in items}) == len(items)
    # No build here: nothing located, and the drafter is told why.
    assert all(i["chapter_file"] == "" and i["line"] is None for i in items)
    assert "找不到 build/review/manifest.json" in result.stderr
