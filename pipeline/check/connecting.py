"""连接号 (GB/T 15834): the wavy line ～ joins the ends of a range of values (4%～6%, 1～2个), the
一字线 — the ends of a span of time or place (2021—2025年, 3—5月), the short hyphen - the parts of
a Latin term or model name (CAR-T, 5G-A). Ranges written with －, ~, - or –, and Latin terms
joined by — or －, are reported; GB/T 15835 also allows — for a range of values, so that stays."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .registry import Context, Edit, Hit, chapter_rule
from .text import ChapterText, chinese

NUMBER = r"[0-9]+(?:\.[0-9]+)?"  # ASCII digits: full-width ones are S801's
MARKS = "－~\\-–〜～—"
RANGE = re.compile(
    rf"(?<![0-9.])(?P<a>{NUMBER})(?P<sa>[%％万亿]?)[ \t]*(?P<sep>[{MARKS}])[ \t]*"
    rf"(?P<b>{NUMBER})(?P<sb>[%％万亿]?)(?!\.?[0-9]|[ \t]*[{MARKS}][ \t]*[0-9])")
YEAR = re.compile(r"(?:19|20)[0-9]{2}")
# Before a range: a code (GB 3095-2012, G15-3), a figure or table number (图2-8, 表3-1).
CODE_BEFORE = re.compile(r"[A-Za-z0-9._/#+\-－~～〜—–]|[图表]")
WRONG_RANGE_MARKS = "－~-–〜"
TIME_UNITS = "月日时"
LATIN_JOIN = re.compile(r"(?<=[A-Za-z0-9])[—－–](?=[A-Za-z0-9])")
ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Range:
    match: re.Match[str]
    after: str  # the character right after the range

    @property
    def time(self) -> bool:
        """3—5月, 1—10日: a span of time, not a range of values."""
        return self.after in TIME_UNITS and not self.match.group("sb")


def value_ranges(text: ChapterText) -> Iterator[Range]:
    """Ranges between two numbers in Chinese text, other than years (C301), dates (N205),
    telephone numbers and codes."""
    view = text.view
    for m in RANGE.finditer(view):
        i = m.start() - 1
        while i >= 0 and view[i] in " \t":
            i -= 1
        before = view[i] if i >= 0 else ""
        after = view[m.end():m.end() + 1]
        a, b = m.group("a"), m.group("b")
        if CODE_BEFORE.match(before or " ") or not (chinese(before) or chinese(after)
                                                   or after in "%％" or m.group("sb")):
            continue
        if YEAR.fullmatch(a) and (YEAR.fullmatch(b) or len(b) <= 2 and "." not in b):
            continue  # 2021-2025: C301; 2020-9: a date, N205
        if a.startswith("0") and len(a.split(".")[0]) > 1 \
                or max(len(a.split(".")[0]), len(b.split(".")[0])) > 6:
            continue  # 010-65209114, 04-28
        yield Range(m, after)


@chapter_rule("P104", fixable=True)
def range_marks(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for found in value_ranges(text):
        m = found.match
        sep = m.group("sep")
        if sep not in WRONG_RANGE_MARKS:
            continue
        right = "—" if found.time else "～"
        written, k = m.group(), m.start("sep") - m.start()
        kind = "时间的起止用一字线" if found.time else "数值范围用浪纹线"
        yield Hit(text, m.start("sep"), f"{kind}“{right}”，不用“{sep}”：“{written}”应写作"
                  f"“{written[:k]}{right}{written[k + 1:]}”", (Edit(m.start("sep"), sep, right),))


@chapter_rule("P105", fixable=True)
def latin_terms(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = text.view
    for m in LATIN_JOIN.finditer(view):
        i = m.start()
        if not (view[i - 1].isascii() and view[i - 1].isalpha()
                or view[i + 1].isascii() and view[i + 1].isalpha()):
            continue  # between two digits: a range (P104) or a span of years (C301)
        start = i
        while start > 0 and view[start - 1].isascii() and view[start - 1].isalnum():
            start -= 1
        term = view[start:ALNUM_RUN.match(view, i + 1).end()]
        yield Hit(text, i, f"拉丁字母词、型号内部用短横线“-”，不用“{m.group()}”：“{term}”应写作"
                  f"“{term.replace(m.group(), '-')}”", (Edit(i, m.group(), "-"),))

