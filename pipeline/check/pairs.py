"""Paired marks (GB/T 15834): every opening mark closed by its own closing mark within the
paragraph, heading or table row; quotation marks inside quotation marks and titles inside titles
take the single forms ‘’ 〈〉; no 顿号 between items each in quotation marks or each in 书名号."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from .registry import Context, Edit, Hit, chapter_rule
from .text import ChapterText, Unit

PAIRS = {"《": "》", "〈": "〉", "“": "”", "‘": "’", "（": "）", "〔": "〕", "【": "】"}
CLOSERS = {close: open_ for open_, close in PAIRS.items()}
# Marks of one family nest in each other: the outer level takes the first, the inner the second.
FAMILIES = {"《": "《〈", "〈": "《〈", "“": "“‘", "‘": "“‘"}
MARK_NAMES = {"《": "前书名号", "》": "后书名号", "〈": "前单书名号", "〉": "后单书名号",
              "“": "前引号", "”": "后引号", "‘": "前单引号", "’": "后单引号", "（": "前括号",
              "）": "后括号", "〔": "前六角括号", "〕": "后六角括号", "【": "前方头括号", "】": "后方头括号"}
INNER = {"《": ("〈", "〉", "书名号里面还要用书名号时，里面一层用单书名号"),
         "“": ("‘", "’", "引号里面还要用引号时，里面一层用单引号"),
         "‘": ("“", "”", "单引号里面还要用引号时，再里面一层用双引号")}
LATIN = re.compile(r"[A-Za-z]")
# ”、“ and 》、《: items each in quotation marks or each in 书名号, joined by a 顿号.
ENUMERATION_COMMA = re.compile(r"(?<=”)、(?=“)|(?<=》)、(?=《)")


@dataclass(frozen=True)
class Pair:
    open: int
    close: int
    outer: int | None  # the opening mark of the pair of its family it stands in, if any


@dataclass(frozen=True)
class Marks:
    pairs: tuple[Pair, ...]
    crossed: tuple[tuple[int, int], ...]  # an opening mark closed by the other of its family: 《…〉
    unpaired: tuple[int, ...]


def apostrophe(view: str, i: int) -> bool:
    """’ between Latin letters (Xi’an) is an apostrophe, not a closing quotation mark."""
    return view[i] == "’" and 0 < i < len(view) - 1 and bool(
        LATIN.match(view[i - 1]) and LATIN.match(view[i + 1]))


def unit_marks(view: str, start: int, end: int) -> Marks:
    pairs: list[Pair] = []
    crossed: list[tuple[int, int]] = []
    unpaired: list[int] = []
    stack: list[int] = []
    for i in range(start, end):
        char = view[i]
        if char in PAIRS:
            stack.append(i)
        elif char in CLOSERS and not apostrophe(view, i):
            opener = CLOSERS[char]
            if any(view[j] == opener for j in stack):
                while view[stack[-1]] != opener:
                    unpaired.append(stack.pop())
                j = stack.pop()
                family = FAMILIES.get(opener, opener)
                outer = next((k for k in reversed(stack) if view[k] in family), None)
                pairs.append(Pair(j, i, outer))
            elif stack and view[stack[-1]] in FAMILIES.get(opener, ""):
                crossed.append((stack.pop(), i))
            else:
                unpaired.append(i)
    unpaired.extend(stack)
    return Marks(tuple(pairs), tuple(crossed), tuple(sorted(unpaired)))


MEMO: WeakKeyDictionary[ChapterText, dict[Unit, Marks]] = WeakKeyDictionary()


def marks(text: ChapterText, unit: Unit) -> Marks:
    """The marks of one unit, worked out once per chapter text for the rules that read them."""
    known = MEMO.setdefault(text, {})
    if unit not in known:
        known[unit] = unit_marks(text.view, unit.start, unit.end)
    return known[unit]


def in_double_quotes(text: ChapterText, offset: int) -> bool:
    """Whether offset stands inside a pair of “” (where ‘’ is the right quotation mark)."""
    for unit in text.units:
        if unit.start <= offset < unit.end:
            return any(text.view[p.open] == "“" and p.open < offset < p.close
                       for p in marks(text, unit).pairs)
    return False


@chapter_rule("P103")
def unbalanced_pairs(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = text.view
    for unit in text.units:
        for j in marks(text, unit).unpaired:
            mark = view[j]
            missing = PAIRS.get(mark) or CLOSERS[mark]
            yield Hit(text, j, f"{MARK_NAMES[mark]}{mark}没有对应的{MARK_NAMES[missing]}{missing}")


@chapter_rule("P107", fixable=True)
def nesting(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = text.view
    for unit in text.units:
        found = marks(text, unit)
        for j, i in found.crossed:
            yield Hit(text, i, f"{MARK_NAMES[view[j]]}{view[j]}与{MARK_NAMES[view[i]]}{view[i]}"
                      f"不配对：{view[j]}应以{PAIRS[view[j]]}结束")
        for pair in found.pairs:
            mark = view[pair.open]
            if pair.outer is None or view[pair.outer] != mark or mark not in INNER:
                continue
            opening, closing, why = INNER[mark]
            yield Hit(text, pair.open, f"{why}：{view[pair.open:pair.close + 1]}应写作"
                      f"{opening}{view[pair.open + 1:pair.close]}{closing}",
                      (Edit(pair.open, mark, opening), Edit(pair.close, view[pair.close], closing)))


@chapter_rule("P108", fixable=True)
def enumeration_comma(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = text.view
    for m in ENUMERATION_COMMA.finditer(view):
        opening, closing = ("“", "”") if view[m.start() - 1] == "”" else ("《", "》")
        left = view.rfind(opening, 0, m.start())
        right = view.find(closing, m.end())
        written = view[left:right + 1] if 0 <= left < right and "\n" not in view[left:right] else ""
        k = m.start() - left
        example = f"{written}应写作{written[:k]}{written[k + 1:]}" if 0 < len(written) <= 60 \
            else "删去顿号"
        kind = "引号" if opening == "“" else "书名号"
        yield Hit(text, m.start(), f"标有{kind}的并列成分之间通常不用顿号：{example}",
                  (Edit(m.start(), "、", ""),))
