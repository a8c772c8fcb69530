"""Punctuation marks of the wrong width in Chinese text: half-width marks and brackets, straight
quotes (GB/T 15834: Chinese text takes the full-width forms)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .docnumbers import document_number_brackets
from .registry import Context, Edit, Hit, chapter_rule
from .text import HAN, ChapterText, Unit, beside_chinese, chinese

FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）",
              "[": "［", "]": "］", "{": "｛", "}": "｝"}
ASCII_LETTER = re.compile(r"[A-Za-z]")
# <…> around a Chinese title; < and > on their own compare numbers (<30, >99) and are left alone.
ANGLED_TITLE = re.compile(rf"<(?=[^<>\n]*[{HAN}])[^<>\s0-9=，。；：！？][^<>\n，。；！？]{{0,48}}"
                          rf"(?<![\s0-9=])>")


@chapter_rule("P101", fixable=True)
def half_width_punctuation(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for match in re.finditer(r"[,;:?!]", text.view):
        i = match.start()
        if beside_chinese(text, i):
            yield width_hit(text, (i,))
    yield from half_width_brackets(text, "()")


@chapter_rule("P106", fixable=True)
def half_width_square_and_curly_brackets(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    yield from half_width_brackets(text, "[]")
    yield from half_width_brackets(text, "{}")
    for m in ANGLED_TITLE.finditer(text.view):
        yield Hit(text, m.start(), f"中文中不用半角尖括号：“{m.group()}”中的书名、文件名用书名号"
                  f"“《{m.group()[1:-1]}》”（书名号里面再用书名号时用〈〉）")


def half_width_brackets(text: ChapterText, marks: str) -> Iterator[Hit]:
    """Half-width brackets, in pairs where they pair, next to Chinese or around it."""
    view = text.view
    skip = document_number_brackets(text)
    for unit in text.units:
        for group in bracket_groups(view, unit, marks, skip):
            inside = view[group[0] + 1:group[-1]] if len(group) == 2 else ""
            if any(beside_chinese(text, i) for i in group) or any(map(chinese, inside)):
                yield width_hit(text, group)


def bracket_groups(view: str, unit: Unit, marks: str, skip: set[int]) -> list[tuple[int, ...]]:
    """Offsets of an opening and closing mark that pair, or of a mark alone; not those in skip
    (the brackets of a document number's year: N201 reports those)."""
    stack: list[int] = []
    groups: list[tuple[int, ...]] = []
    for i in range(unit.start, unit.end):
        if view[i] == marks[0] and i not in skip:
            stack.append(i)
        elif view[i] == marks[1] and i not in skip:
            groups.append((stack.pop(), i) if stack else (i,))
    groups.extend((i,) for i in stack)
    return sorted(groups)


def width_hit(text: ChapterText, offsets: tuple[int, ...]) -> Hit:
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
