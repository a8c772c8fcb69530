"""Numbers as GB/T 15835 (出版物上数字用法) writes them: half-width Arabic digits; both ends of a
range carry their % or 万/亿 (15%～30%, 9亿～16亿); one kind of numeral for one kind of count in a
sentence; 约 not doubled by 左右 or 以上; thousands separators every three digits."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .connecting import value_ranges
from .registry import Context, Edit, Hit, chapter_rule
from .text import MASK, ChapterText

HALF_WIDTH = {chr(ord("０") + n): str(n) for n in range(10)} | {"％": "%", "．": "."}
FULL_WIDTH_NUMBER = re.compile(r"[0-9０-９]*[０-９][0-9０-９]*(?:[.．][0-9０-９]+)?[%％]?"
                               r"|(?<=[0-9])(?:．[0-9]+)?％")
SENTENCE = re.compile(r"[^。！？；\n]+")
# Measure words of things counted one by one.
MEASURES = "个项家座条所处名位件台辆套次批类种支艘架场轮片块户间栋宗部张本篇"
CN_DIGITS = "〇零一二三四五六七八九十百千两"
ARABIC_COUNT = re.compile(rf"(?<![0-9.])[0-9]+[ \t]?(?P<m>[{MEASURES}])")
# 五个, 十二项, 百项: not 一 alone (一批 is "a batch"), not 第五个, not 三四个 (an estimate).
CHINESE_COUNT = re.compile(
    rf"(?<![第{CN_DIGITS}几数每逐])(?P<n>[二三四五六七八九十百千两][{CN_DIGITS}]{{0,3}}"
    rf"|一[十百千][{CN_DIGITS}]{{0,2}})(?P<m>[{MEASURES}])")
ESTIMATE = re.compile(r"[一二三四五六七八九][二三四五六七八九]")
NAMED = re.compile(r"“[^“”\n]*”|《[^《》\n]*》|‘[^‘’\n]*’")  # a name: 两个维护, 《三年行动计划》
ABOUT = re.compile(
    rf"(?<![节制集契简预邀违履签公条婉隐相特誓盟租])(?P<about>约)[占为有达合]?"
    rf"(?:[0-9]+(?:\.[0-9]+)?|[{CN_DIGITS}]+)[^，。；：、！？\s“”（）{MASK}]{{0,8}}?"
    rf"(?P<also>左右|上下|以上|以下)")
GROUPED = re.compile(r"(?<![0-9.,])[0-9]+(?:,[0-9]+)+(?:\.[0-9]+)?(?![0-9])(?P<year>年)?")


@chapter_rule("S801", fixable=True)
def full_width_digits(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in FULL_WIDTH_NUMBER.finditer(text.view):
        written = m.group()
        right = "".join(HALF_WIDTH.get(c, c) for c in written)
        yield Hit(text, m.start(), f"阿拉伯数字和百分号用半角：“{written}”应写作“{right}”",
                  tuple(Edit(m.start() + k, c, HALF_WIDTH[c]) for k, c in enumerate(written)
                        if c in HALF_WIDTH))


@chapter_rule("S802", fixable=True)
def range_ends(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for found in value_ranges(text):
        m = found.match
        suffix = m.group("sb")
        if m.group("sa") or not suffix:
            continue
        at = m.end("a")
        written = m.group()
        right = written[:at - m.start()] + suffix + written[at - m.start():]
        why = "" if suffix in "%％" else "，省去会与“" + m.group("a") + "”混淆"
        yield Hit(text, m.start(), f"数值范围前后两个数值都要带“{suffix}”{why}：“{written}”应写作"
                  f"“{right}”", (Edit(at, "", suffix),))


@chapter_rule("S803")
def mixed_numerals(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    view = NAMED.sub(lambda m: MASK * len(m.group()), text.view)
    for sentence in SENTENCE.finditer(view):
        words = sentence.group()
        arabic = {}
        for m in ARABIC_COUNT.finditer(words):
            arabic.setdefault(m.group("m"), m.group())
        for m in CHINESE_COUNT.finditer(words):
            if ESTIMATE.fullmatch(m.group("n")) or m.group("m") not in arabic:
                continue
            yield Hit(text, sentence.start() + m.start(), f"同一句中同类的计数写法不一：“{m.group()}”"
                      f"与“{arabic[m.group('m')]}”；计数用阿拉伯数字，同类别同形式")


@chapter_rule("S804")
def doubled_estimate(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in ABOUT.finditer(text.view):
        written = m.group()
        also = m.group("also")
        why = "都表示约数，意思重复" if also in ("左右", "上下") else "约数与界限，意思矛盾"
        yield Hit(text, m.start("about"), f"“约”与“{also}”不连用（{why}）：“{written}”应写作"
                  f"“{written[1:]}”或“{written[:m.start('also') - m.start()]}”")


@chapter_rule("S805")
def thousands_separators(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in GROUPED.finditer(text.view):
        number = m.group().removesuffix("年")
        integer, dot, _ = number.partition(".")
        first, *groups = integer.split(",")
        digits = integer.replace(",", "")
        if m.group("year") and len(digits) == 4 and not dot:
            yield Hit(text, m.start(), f"年份不分节：“{m.group()}”应写作“{digits}年”")
        elif len(first) > 3 or any(len(g) != 3 for g in groups):
            yield Hit(text, m.start(), f"“{number}”中的逗号不是千分撇（自个位起每三位一组，如"
                      "12,345）：几个数并列用顿号，一个数按每三位一组分节或不分节")
