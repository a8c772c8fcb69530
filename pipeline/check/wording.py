"""Wording: characters or words typed twice, and drafters' to-do markers left in the text."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .registry import Context, Hit, chapter_rule
from .text import SILENCE, ChapterText

TODO_CODE = "T601"  # the build applies it per version block itself (build.todo_policy)

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
REPEATED_WORD = re.compile(rf"([{HAN}]{{2,6}})\1")
ASCII_WORD = re.compile(r"[A-Za-z0-9_]")
NUMERALS = re.compile(r"[〇零一二三四五六七八九十百千万亿两]+")


@chapter_rule("W401", options=("characters", "exceptions"))
def repeated(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    chars = re.escape(ctx.option("W401", "characters"))
    excused = [m.span() for e in ctx.option("W401", "exceptions")
               for m in re.finditer(re.escape(e), text.view)]
    for pattern in (re.compile(f"([{chars}])\\1"), REPEATED_WORD):
        for m in pattern.finditer(text.view):
            if any(a <= m.start() and m.end() <= b for a, b in excused) \
                    or NUMERALS.fullmatch(m.group(1)):
                continue  # an exception, or a Chinese numeral such as 二〇二〇
            twice = m.group(1)
            yield Hit(text, m.start() + len(twice), f"“{twice}”连写了两次（“{m.group()}”），疑为多打")


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
