"""Punctuation: half-width marks in Chinese text, straight quotes, unbalanced paired marks."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .docnumbers import document_number_brackets
from .registry import Context, Edit, Hit, chapter_rule
from .text import ChapterText

FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
# A character of Chinese text: ideographs, CJK and full-width punctuation, curly quotes, dashes.
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
                     r"“”‘’…—·]")
ASCII_LETTER = re.compile(r"[A-Za-z]")
PAIRS = {"《": "》", "“": "”", "‘": "’", "（": "）", "〔": "〕", "【": "】"}
CLOSERS = {close: open_ for open_, close in PAIRS.items()}
MARK_NAMES = {"《": "前书名号", "》": "后书名号", "“": "前引号", "”": "后引号", "‘": "前单引号",
              "’": "后单引号", "（": "前括号", "）": "后括号", "〔": "前六角括号", "〕": "后六角括号",
              "【": "前方头括号", "】": "后方头括号"}


def chinese(char: str) -> bool:
    return bool(char) and CHINESE.match(char) is not None


def beside_chinese(text: ChapterText, offset: int) -> bool:
    return chinese(text.neighbour(offset, -1)) or chinese(text.neighbour(offset, 1))


@chapter_rule("P101", fixable=True)
def half_width_punctuation(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = text.view
    skip = document_number_brackets(text)
    for match in re.finditer(r"[,;:?!]", view):
        i = match.start()
        if beside_chinese(text, i):
            yield _width_hit(text, (i,))
    for unit in text.units:
        stack: list[int] = []
        pairs: list[tuple[int, ...]] = []
        for i in range(unit.start, unit.end):
            if view[i] == "(" and i not in skip:
                stack.append(i)
            elif view[i] == ")" and i not in skip:
                pairs.append((stack.pop(), i) if stack else (i,))
        pairs.extend((i,) for i in stack)
        for pair in sorted(pairs):
            inside = view[pair[0] + 1:pair[-1]] if len(pair) == 2 else ""
            if any(beside_chinese(text, i) for i in pair) or any(map(chinese, inside)):
                yield _width_hit(text, pair)


def _width_hit(text: ChapterText, offsets: tuple[int, ...]) -> Hit:
    marks = "".join(text.view[i] for i in offsets)
    full = "".join(FULL_WIDTH[c] for c in marks)
    return Hit(text, offsets[0], f"中文中应使用全角标点“{full}”，不用半角“{marks}”",
               tuple(Edit(i, text.view[i], FULL_WIDTH[text.view[i]]) for i in offsets))


@chapter_rule("P102", fixable=True)
def straight_quotes(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = text.view
    for unit in text.units:
        for quote, (opening, closing) in (('"', "“”"), ("'", "‘’")):
            places = [i for i in range(unit.start, unit.end) if view[i] == quote
                      and not (quote == "'" and ASCII_LETTER.match(text.neighbour(i, -1) or " ")
                               and ASCII_LETTER.match(text.neighbour(i, 1) or " "))]
            for k in range(0, len(places) - 1, 2):
                a, b = places[k], places[k + 1]
                if any(map(chinese, view[a + 1:b])) or beside_chinese(text, a) \
                        or beside_chinese(text, b):
                    yield Hit(text, a, f"中文中的引号应使用弯引号 {opening}{closing}，不用直引号 "
                              f"{quote}{quote}", (Edit(a, quote, opening), Edit(b, quote, closing)))
            if len(places) % 2 and beside_chinese(text, places[-1]):
                yield Hit(text, places[-1], f"直引号 {quote} 没有配对，无法判断是前引号还是后引号："
                          f"请手工改为 {opening} 或 {closing}")


@chapter_rule("P103")
def unbalanced_pairs(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = text.view
    for unit in text.units:
        stack: list[int] = []
        for i in range(unit.start, unit.end):
            char = view[i]
            if char in PAIRS:
                stack.append(i)
            elif char in CLOSERS:
                opener = CLOSERS[char]
                if not any(view[j] == opener for j in stack):
                    yield Hit(text, i, unpaired(char, opener))
                    continue
                while view[stack[-1]] != opener:
                    j = stack.pop()
                    yield Hit(text, j, unpaired(view[j], PAIRS[view[j]]))
                stack.pop()
        for j in stack:
            yield Hit(text, j, unpaired(view[j], PAIRS[view[j]]))


def unpaired(mark: str, missing: str) -> str:
    return f"{MARK_NAMES[mark]}{mark}没有对应的{MARK_NAMES[missing]}{missing}"
