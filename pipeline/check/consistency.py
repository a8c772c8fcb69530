"""One way of writing throughout the plan: year ranges, units of measure, glossary terms."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from .pairs import in_double_quotes
from .registry import Context, Hit, chapter_rule, plan_rule
from .text import ChapterText

YEAR_RANGE = re.compile(
    r"(?<!\d)(?P<a>(?:19|20)\d{2})(?P<ya>年?)[ \t]*(?P<sep>——|—|–|-|－|~|～|〜|至|到)[ \t]*"
    r"(?P<b>(?:19|20)\d{2})年")
QUOTE_CLASSES = {"“": "[“\"]", "”": "[”\"]", "‘": "[‘']", "’": "[’']"}


@dataclass(frozen=True)
class Occurrence:
    text: ChapterText
    offset: int
    written: str  # as found
    form: str  # the way of writing it, e.g. "2021—2025年" for every range with — and one 年


def range_form(m: re.Match[str]) -> str:
    return f"{m.group('a')}{m.group('ya')}{m.group('sep')}{m.group('b')}年"


def form_key(form: str) -> str:
    return re.sub(r"\d{4}", "YYYY", form)


@plan_rule("C301")
def year_ranges(texts: list[ChapterText], ctx: Context) -> Iterator[Hit]:
    found = [Occurrence(t, m.start(), m.group(), form_key(range_form(m)))
             for t in texts for m in YEAR_RANGE.finditer(t.view)]
    period = YEAR_RANGE.search(ctx.meta.period)
    if period and period.group("sep") == "—":
        reference, where = range_form(period), "封面上的规划期限"
    elif period:  # the period itself is a slip (plan.yaml is checked as text): say the rule
        reference = f"{period.group('a')}{period.group('ya')}—{period.group('b')}年"
        where = "规范写法（年份的起止用一字线“—”）"
    else:
        counts = Counter(o.form for o in found)
        if not counts:
            return
        key = counts.most_common(1)[0][0]
        reference = next(range_form(YEAR_RANGE.match(o.written)) for o in found if o.form == key)
        where = f"本规划多数地方（{counts[key]} 处）"
    for o in found:
        if o.form != form_key(reference):
            m = YEAR_RANGE.match(o.written)
            ref = YEAR_RANGE.match(reference)
            right = f"{m.group('a')}{ref.group('ya')}{ref.group('sep')}{m.group('b')}年"
            yield Hit(o.text, o.offset, f"年份区间“{o.written}”与{where}“{reference}”写法不一致："
                      f"应写作“{right}”")


def unit_pattern(forms: list[str]) -> re.Pattern[str]:
    """A unit right after a number (5吨, 29 微克/立方米, 3万吨), or filling a table cell."""
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<=\d)[ \t]?[万亿千百]?(?P<unit>{alternatives})(?![A-Za-z0-9²³])")


@plan_rule("C302")
def units_of_measure(texts: list[ChapterText], ctx: Context) -> Iterator[Hit]:
    for forms in ctx.glossary.units:
        pattern = unit_pattern(forms)
        found = []
        for t in texts:
            found += [Occurrence(t, m.start("unit"), m.group("unit"), m.group("unit"))
                      for m in pattern.finditer(t.view)]
            found += [Occurrence(t, offset, cell, cell) for offset, cell in table_cells(t)
                      if cell in forms]
        counts = Counter(o.form for o in found)
        if len(counts) < 2:
            continue
        reference = max(counts, key=lambda f: (counts[f], -forms.index(f)))
        for o in found:
            if o.form != reference:
                yield Hit(o.text, o.offset, f"计量单位“{o.written}”与本规划其他地方的“{reference}”"
                          f"（{counts[reference]} 处）写法不一致，请统一")


def table_cells(text: ChapterText) -> Iterator[tuple[int, str]]:
    for unit in text.units:
        if unit.kind != "row":
            continue
        offset = unit.start
        for cell in text.view[unit.start:unit.end].split("|"):
            stripped = cell.strip()
            if stripped:
                yield offset + cell.index(stripped), stripped
            offset += len(cell) + 1


def tolerant(preferred: str) -> re.Pattern[str]:
    """The preferred form, also when written with straight quotes (P102 reports those)."""
    return re.compile("".join(QUOTE_CLASSES.get(c, re.escape(c)) for c in preferred))


@chapter_rule("C303")
def glossary_terms(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for preferred, variants in ctx.glossary.terms:
        taken = [m.span() for m in tolerant(preferred).finditer(text.view)]
        for variant in sorted(variants, key=len, reverse=True):
            for m in re.finditer(re.escape(variant), text.view):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append(m.span())
                if variant.startswith("‘") and in_double_quotes(text, m.start()):
                    continue  # “……‘十四五’……”: inside quotation marks ‘’ is right (P107)
                yield Hit(text, m.start(), f"术语写作 {variant} 不规范，应写作 {preferred}"
                          "（见 styles/glossary.yaml）")
