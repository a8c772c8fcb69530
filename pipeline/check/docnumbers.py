"""Document numbers (发文字号) as GB/T 9704 writes them, 赣市府办字〔2019〕40号, and the issuer
a cited title names, which must be the agency the number's code belongs to."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .registry import Context, Edit, Hit, chapter_rule
from .text import ChapterText

# With its 号, or without it (P109).
DOCUMENT_NUMBER = re.compile(
    r"(?P<code>[\u4e00-\u9fff]+)(?P<open>[〔\[【(（［〖])[ \t]*(?P<year>(?:19|20)[0-9]{2})[ \t]*"
    r"(?P<close>[〕\]】)）］〗])[ \t]*(?P<di>第)?(?P<serial>[0-9]+)(?:[ \t]*(?P<hao>号)|(?![0-9]))")
# The cited title right before the number: 《…》（赣市府办字… or 《…》(赣市府办字…
CITED_TITLE = re.compile(r"《(?P<title>[^《》\n]*)》[ \t]*[（(]?[ \t]*$")
TITLE_VERBS = ("关于", "转发", "印发")


def document_numbers(text: ChapterText) -> Iterator[re.Match[str]]:
    return (m for m in DOCUMENT_NUMBER.finditer(text.view) if m.group("hao"))


def numbers_without_hao(text: ChapterText) -> Iterator[re.Match[str]]:
    """〔〕 belong to document numbers only; other brackets count after a code ending in 发, 字 or
    函 (国发(2020)5, but not 分类（2019）2项)."""
    for m in DOCUMENT_NUMBER.finditer(text.view):
        if not m.group("hao") and ({"〔", "〕"} & {m.group("open"), m.group("close")}
                                   or m.group("code").endswith(("发", "字", "函"))):
            yield m


def document_number_brackets(text: ChapterText) -> set[int]:
    """Offsets of the brackets around the year of document numbers, with or without their 号
    (N201's and P109's business, not that of the rules on half-width brackets)."""
    return {m.start(g) for m in [*document_numbers(text), *numbers_without_hao(text)]
            for g in ("open", "close")}


@chapter_rule("N201", fixable=True)
def document_number_brackets_rule(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in document_numbers(text):
        edits = tuple(Edit(m.start(g), m.group(g), new)
                      for g, new in (("open", "〔"), ("close", "〕")) if m.group(g) != new)
        if edits:
            yield Hit(text, m.start("open"), f"发文字号的年份应放在六角括号中，写作“〔{m.group('year')}〕”，"
                      f"不用“{m.group('open')}{m.group('close')}”", edits)


@chapter_rule("N202")
def document_number_serial(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in document_numbers(text):
        serial = m.group("serial")
        right = f"〔{m.group('year')}〕{int(serial)}号"
        if m.group("di"):
            yield Hit(text, m.start("di"), f"发文字号的序号前不加“第”：应写作“{right}”")
        elif len(serial) > 1 and serial.startswith("0"):
            yield Hit(text, m.start("serial"), f"发文字号的序号不编虚位（不加前导零）：应写作“{right}”")


@chapter_rule("N203")
def issuer_matches_code(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    agencies = ctx.glossary.agencies
    for m in document_numbers(text):
        run = m.group("code")
        codes = [code for code in agencies if run.endswith(code)]
        if not codes:
            continue
        code = max(codes, key=len)
        line_start = text.view.rfind("\n", 0, m.start("code")) + 1
        cited = CITED_TITLE.search(text.view, line_start, m.start("code") + len(run) - len(code))
        if not cited:
            continue
        title = cited.group("title")
        cut = min((title.find(v) for v in TITLE_VERBS if v in title), default=-1)
        issuer = title[:cut] if cut > 0 else ""
        if issuer and issuer.isprintable() and issuer != agencies[code]:
            yield Hit(text, cited.start("title"), f"发文机关“{issuer}”与发文字号的代字“{code}”不符："
                      f"{code}是{agencies[code]}的代字")


@chapter_rule("P109")
def document_number_without_hao(text: ChapterText, ctx: Context) -> Iterator[Hit]:
    for m in numbers_without_hao(text):
        written = text.view[m.start("open"):m.end("serial")]
        yield Hit(text, m.end("serial"), f"发文字号“{written}”缺少“号”：应写作"
                  f"“〔{m.group('year')}〕{int(m.group('serial'))}号”")
