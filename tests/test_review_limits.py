"""The work a returned file can cause is bounded: a file with more items than the limit is
refused with a message and costs the round nothing else; merging a round's answers costs a
number of steps linear in its items. Big files are made here, never committed."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, W_XMLNS, copy_sample, docx_with, needs_corpus
from pipeline.cli import main
from pipeline.review.collect import CommentRecord, FIELDS
from pipeline.review.responses import load_responses, merge, write_responses
from pipeline.safefile import FileRefused, Limits
from pipeline.wordfile import read_returned


def commented(path: Path, count: int) -> Path:
    """A .docx of `count` comments, each on a paragraph of its own (7 MB at 250,000)."""
    body = "".join(f'<w:p><w:commentRangeStart w:id="{i}"/><w:r><w:t>段{i}</w:t></w:r>'
                   f'<w:commentRangeEnd w:id="{i}"/><w:r><w:commentReference w:id="{i}"/>'
                   "</w:r></w:p>" for i in range(count))
    comments = "".join(f'<w:comment w:id="{i}" w:author="甲"><w:p><w:r><w:t>意见{i}</w:t>'
                       "</w:r></w:p></w:comment>" for i in range(count))
    return docx_with(path, f"<w:document {W_XMLNS}><w:body>{body}</w:body></w:document>".encode(),
                     {"word/comments.xml": f"<w:comments {W_XMLNS}>{comments}</w:comments>"
                      .encode()})


@needs_corpus
def test_a_file_with_more_items_than_the_limit_is_refused(tmp_path):
    path = commented(tmp_path / "250000.docx", 250_000)
    with pytest.raises(FileRefused, match=r"250000 处批注和修订标记，超过上限 20000 处"):
        read_returned(path)
    root = copy_sample(tmp_path / "plan")
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", str(path),
                                       str(CORPUS / "comments.docx"), "--format", "json"])
    assert result.exit_code == 1  # a file was skipped
    assert "跳过 250000.docx：文件中有 250000 处批注和修订标记" in result.stderr
    assert '"With a comment!"' not in result.stdout and len(result.stdout) < 100_000
    saved = load_responses(root / "reviews" / "征求意见稿.yaml", "reviews/征求意见稿.yaml")
    assert len(saved) == 5  # the good file's comments only


def test_the_limit_is_the_callers(tmp_path):
    path = commented(tmp_path / "300.docx", 300)
    assert len(read_returned(path).marks) == 300
    with pytest.raises(FileRefused, match="超过上限 299 处"):
        read_returned(path, Limits(items=299))


def records(count: int) -> list[CommentRecord]:
    blank = {name: "" for name in FIELDS}
    return [CommentRecord(**{**blank, "id": f"{n:010x}", "kind": "comment", "text": f"意见{n}",
                             "line": n, "current_line": None, "page": None, "page_line": None,
                             "destination_line": None}) for n in range(count)]


def steps(action) -> int:
    """Python and C calls made by `action`: a count, not a clock."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1
    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return count


def test_merging_a_round_is_linear_in_its_items(tmp_path):
    """Collecting again into a round of n answered items, with n/2 of them seen again and n/2
    new: twice the items, twice the steps (a quadratic merge would take four times)."""
    def collect_again(n: int) -> int:
        path = tmp_path / f"{n}.yaml"
        items, _ = merge([], records(n))
        write_responses(path, "征求意见稿", items)
        again = records(n + n // 2)[n // 2:]

        def once():
            merged, added = merge(load_responses(path, path.name), again)
            write_responses(path, "征求意见稿", merged)
            assert added == n // 2
        return steps(once)
    small, large = collect_again(400), collect_again(800)
    assert large < 2.3 * small, (small, large)
