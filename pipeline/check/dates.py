"""Dates in the text: 2020年9月30日, Arabic numerals, no leading zeros, one form throughout."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .registry import Context, Hit, chapter_rule
from .text import ChapterText

LEADING_ZERO = re.compile(r"(?<!\d)0(?P<digit>\d)(?P<unit>[月日])")
NUMERIC_DATE = re.compile(
    r"(?<![\d.\-/])(?P<y>(?:19|20)\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})"
    r"(?:(?P=sep)(?P<d>\d{1,2}))?(?![\d\-/]|\.\d)")
CN_DIGITS = "〇零一二三四五六七八九"
MIXED_DATE = re.compile(
    rf"(?<![{CN_DIGITS}\d])(?:(?:19|20)\d{{2}}年[一二三四五六七八九十]{{1,3}}月"
    rf"|[{CN_DIGITS}]{{4}}年\d{{1,2}}月)")
CN_YEAR_WITH_LING = re.compile(rf"(?<![{CN_DIGITS}])[{CN_DIGITS}]{{4}}(?=年)")


@chapter_rule("N204")
def leading_zeros(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in LEADING_ZERO.finditer(text.view):
        yield Hit(text, m.start(), f"日期中的月、日不编虚位：“{m.group()}”应写作"
                  f"“{m.group('digit')}{m.group('unit')}”")


@chapter_rule("N205")
def date_forms(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in NUMERIC_DATE.finditer(text.view):
        month, day = int(m.group("m")), int(m.group("d") or 1)
        if m.group("sep") == "." and not m.group("d") or not (1 <= month <= 12 and 1 <= day <= 31):
            continue  # 2020.5 is a number; 2021-25 is no date
        right = f"{m.group('y')}年{month}月" + (f"{day}日" if m.group("d") else "")
        yield Hit(text, m.start(), f"日期“{m.group()}”应写作“{right}”（年、月、日用汉字，数字用阿拉伯数字）")
    for m in MIXED_DATE.finditer(text.view):
        yield Hit(text, m.start(), f"日期“{m.group()}”混用了阿拉伯数字与汉字数字；正文写作“2020年9月”，"
                  f"封面等处写作“二〇二〇年九月”")
    for m in CN_YEAR_WITH_LING.finditer(text.view):
        if "零" in m.group():
            yield Hit(text, m.start() + m.group().index("零"),
                      f"年份“{m.group()}年”中的“零”应写作“〇”：“{m.group().replace('零', '〇')}年”")
