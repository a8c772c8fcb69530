"""Wording: characters or words typed twice, and drafters' to-do markers left in the text."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .registry import Context, Hit, chapter_rule
from .text import HAN, SILENCE, ChapterText
from .words import boundaries

TODO_CODE = "T601"  # the build applies it per version block itself (build.todo_policy)

REPEATED_WORD = re.compile(rf"(?=([{HAN}]{{2,6}}?)\1)")  # overlapping: 跑领跑领 hides no 领域领域
HAN_CHAR = re.compile(f"[{HAN}]")
ASCII_WORD = re.compile(r"[A-Za-z0-9_]")
NUMERALS = re.compile(r"[〇零一二三四五六七八九十百千万亿两]+")


@chapter_rule("W401", options=("characters", "exceptions"))
def repeated(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    """A character or word typed twice, where both copies are whole words: 落实落实, 的的; not
    并跑领跑领域 (并跑/领跑/领域) nor 实实在在 (one word)."""
    view = text.view
    chars = re.escape(ctx.option("W401", "characters"))
    excused = [m.span() for e in ctx.option("W401", "exceptions")
               for m in re.finditer(re.escape(e), view)]
    for pattern in (re.compile(f"([{chars}])\\1"), REPEATED_WORD):
        for m in pattern.finditer(view):
            twice, start = m.group(1), m.start()
            end = start + 2 * len(twice)
            if any(a <= start and end <= b for a, b in excused) \
                    or NUMERALS.fullmatch(twice) or len(twice) > 1 and len(set(twice)) == 1:
                continue  # an exception, a Chinese numeral (二〇二〇), 哈哈哈哈哈哈
            if whole_words(view, start, len(twice)):
                yield Hit(text, start + len(twice), f"“{twice}”连写了两次（“{view[start:end]}”），疑为多打")


def whole_words(view: str, start: int, length: int) -> bool:
    """Whether view[start:start + 2 * length] is the same word(s) twice, as jieba splits the run
    of Chinese characters around it."""
    first = start
    while first > 0 and HAN_CHAR.match(view[first - 1]):
        first -= 1
    last = start + 2 * length
    while last < len(view) and HAN_CHAR.match(view[last]):
        last += 1
    cuts = boundaries(view[first:last])
    return {start - first, start - first + length, start - first + 2 * length} <= cuts


@chapter_rule(TODO_CODE, options=("markers",))
def todo_markers(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    """Looks at the whole body, template comments included: a to-do is open wherever it is."""
    silences = [m.span() for m in SILENCE.finditer(text.body)]
    for marker in ctx.option(TODO_CODE, "markers"):
        before = "(?<![A-Za-z0-9_])" if ASCII_WORD.match(marker[0]) else ""
        after = "(?![A-Za-z0-9_])" if ASCII_WORD.match(marker[-1]) else ""
        for m in re.finditer(before + re.escape(marker) + after, text.body):
            if not any(a <= m.start() < b for a, b in silences):
                yield Hit(text, m.start(), f"待办标记“{marker}”尚未处理")
