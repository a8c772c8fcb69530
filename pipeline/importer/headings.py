"""Headings of a Word draft: from heading styles where the drafter used them, otherwise from the
numbering typed in front (第X章, 一、, （一）, 1., （1）) together with what makes a paragraph look
like a heading — alone, short, no closing 。, bold or 黑体/楷体, centred. The typed number goes
(the pipeline numbers) and the levels follow the plan's numbering scheme: `plan` from 第X章 down,
`gongwen` when the document starts at 一、. A paragraph that only half looks like a heading is
kept as text and reported, never guessed silently."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ..chinese import cn_number
from ..errors import Diagnostic, warning
from ..model import Block, Heading, Inline, ListBlock, Note, Paragraph, Span, plain_text
from .objects import CLOSING, strip_prefix
from .wordxml import Cue

CN = "一二三四五六七八九十百零〇两"
NUMBERS = [  # kind, pattern of the typed number (and what follows it)
    ("篇", re.compile(rf"^第([{CN}\d]+)篇[\s\u3000:：]*")),
    ("章", re.compile(rf"^第([{CN}\d]+)章[\s\u3000:：]*")),
    ("节", re.compile(rf"^第([{CN}\d]+)节[\s\u3000:：]*")),
    ("cn", re.compile(r"^([一二三四五六七八九十百]+)[、．.][\s\u3000]*")),
    ("pcn", re.compile(r"^[（(]([一二三四五六七八九十百]+)[）)][\s\u3000、]*")),
    ("n", re.compile(r"^(\d{1,3})[.．、](?!\d)[\s\u3000]*")),
    ("pn", re.compile(r"^[（(](\d{1,3})[）)][\s\u3000、]*")),
]
ORDER = ["章", "节", "cn", "pcn", "n", "pn"]
SHOWN = {"篇": "第X篇", "章": "第X章", "节": "第X节", "cn": "一、", "pcn": "（一）", "n": "1.",
         "pn": "（1）"}
SCHEME_LEVELS = {"plan": 6, "gongwen": 4}
SHORT, LONG = 30, 50  # characters after the number: a heading's length, and the most it takes
# The number a Word heading style printed as text before the title: 5 DISCUSSION, 1.2 Scope.
STYLE_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*[ \t\u3000]+(?=\S)")
TOC_LINE = re.compile(r"(\.{3,}|…{2,}|·{3,}|-{3,}|_{3,}|[\s\u3000]+)\d{1,4}$")


def cn_value(text: str) -> int:
    """一 → 1, 十五 → 15, 二十三 → 23, 一百零五 → 105; Arabic digits as they are."""
    if text.isdigit():
        return int(text)
    total = current = 0
    for char in text:
        if char in "十百":
            total += (current or 1) * (10 if char == "十" else 100)
            current = 0
        elif char in "零〇":
            continue
        else:
            current = "一二三四五六七八九".index(char) + 1 if char != "两" else 2
    return total + current


def typed_number(text: str) -> tuple[str, int, int] | None:
    """(kind, value, characters taken) of the number a text starts with."""
    for kind, pattern in NUMBERS:
        match = pattern.match(text)
        if match:
            return kind, cn_value(match.group(1)), match.end()
    return None


def auto_number(cue: Cue, value: int) -> str:
    """The number Word shows in front of an automatically numbered paragraph."""
    chinese = cue.number in ("篇", "章", "节", "cn", "pcn")
    return re.sub(r"%\d", cn_number(value) if chinese else str(value), cue.number_text)


@dataclass
class Candidate:
    block: Block
    kind: str  # a NUMBERS kind, or "" when the heading has no number
    value: int
    rest: str  # the text after the number
    cut: int  # characters of the number typed in the text (0 for an automatic number)
    styled: int  # the heading style's level, 0 when recognised from the text


class Headings:
    def __init__(self, cues: dict[int, Cue], file: str):
        self.cues, self.file = cues, file
        self.notes: list[Diagnostic] = []
        self.scheme = "plan"
        self.levels: Counter = Counter()
        self.unnumbered: set[int] = set()  # centred, bold, short, no number: said after the cover

    def note(self, code: str, message: str, block: Block) -> None:
        self.notes.append(warning(code, message, self.file, block.source.line or None))

    def cue(self, block: Block) -> Cue:
        return self.cues.get(block.source.line, Cue())

    # ---- candidates ---------------------------------------------------------------------
    def unwrap_lists(self, blocks: list[Block]) -> list[Block]:
        """Automatically numbered paragraphs Word shows as 第一章, 一、, （一）: pandoc reads
        them as list items; they are headings or numbered paragraphs, with the number typed."""
        out: list[Block] = []
        for block in blocks:
            firsts = [item.blocks[0] for item in block.items if item.blocks] \
                if isinstance(block, ListBlock) else []
            kinds = {self.cue(b).number for b in firsts}
            if not firsts or not kinds <= set(SHOWN) or "n" in kinds and not all(
                    self.looks_like_heading(b) for b in firsts):
                out.append(block)
                continue
            for index, item in enumerate(block.items):
                for child in item.blocks:
                    if child is item.blocks[0] and isinstance(child, Paragraph):
                        number = auto_number(self.cue(child), block.start + index)
                        child = Paragraph([Span(number), *child.inlines], child.source)
                    out.append(child)
        return out

    def looks_like_heading(self, block: Block) -> bool:
        if not isinstance(block, Paragraph):
            return False
        text = plain_text(block.inlines)
        return len(text) <= SHORT and not text.endswith(tuple(CLOSING)) and \
            self.formatted(block)

    def formatted(self, block: Paragraph) -> bool:
        cue = self.cue(block)
        spans = [i for i in block.inlines if isinstance(i, Span) and i.text.strip()]
        return cue.emphasis or cue.align == "center" or (bool(spans) and all(
            s.bold for s in spans))

    def candidate(self, block: Block) -> Candidate | None:
        if not isinstance(block, (Paragraph, Heading)):
            return None
        text = plain_text(block.inlines)
        found = typed_number(text)
        kind, value, cut = found if found else ("", 0, 0)
        cue = self.cue(block)
        if not kind and cue.number in SHOWN:
            kind, value = cue.number, 0
        if isinstance(block, Heading) and not kind and (number := STYLE_NUMBER.match(text)):
            cut = number.end()  # the pipeline numbers: a styled heading's typed number goes
        rest = text[cut:].strip()
        if isinstance(block, Heading):
            return Candidate(block, kind, value, rest, cut, block.level)
        if TOC_LINE.search(text) and kind:
            return None  # a line of a typed table of contents
        if not kind or not rest:
            if not kind and len(text) <= 20 and cue.align == "center" and cue.emphasis and \
                    not text.endswith(tuple(CLOSING)):
                self.unnumbered.add(id(block))
            return None
        runs = [i for i in block.inlines if isinstance(i, Span) and i.text.strip()]
        if len(runs) > 1 and runs[0].bold and not runs[-1].bold:
            return None  # a run-in heading: **推进……。**正文…
        shown = f"“{text[:40]}”"
        closing = rest.endswith(tuple(CLOSING))
        formatted = self.formatted(block)
        if closing:
            if formatted and len(rest) <= SHORT:
                self.note("E995", f"{shown}有编号和标题格式，但以“{rest[-1]}”结尾：按正文保留", block)
            return None
        if len(rest) > LONG or (len(rest) > SHORT and not formatted):
            if len(rest) <= LONG:
                self.note("E995", f"{shown}有编号、像标题，但较长且无加粗、黑体或居中：按正文保留",
                          block)
            return None
        if not formatted:
            if kind in ("n", "pn"):
                self.note("E995", f"{shown}以“{SHOWN[kind]}”编号但无加粗、黑体或居中：按正文保留"
                                  "（如是标题请改为“#”标题）", block)
                return None
            self.note("E998", f"{shown}无加粗、黑体或居中，按编号“{SHOWN[kind]}”作为标题导入",
                      block)
        return Candidate(block, kind, value, rest, cut, 0)

    # ---- levels -------------------------------------------------------------------------
    def joined_titles(self, blocks: list[Block]) -> list[Block]:
        """第一章 alone on its line with the title on the next (a common cover-style layout):
        one heading line."""
        out: list[Block] = []
        for block in blocks:
            last = out[-1] if out else None
            if isinstance(last, (Paragraph, Heading)) and isinstance(block, Paragraph):
                text = plain_text(last.inlines)
                found = typed_number(text)
                title = plain_text(block.inlines)
                if found and found[2] == len(text) and found[0] in ("篇", "章", "节") and \
                        0 < len(title) <= SHORT and not title.endswith(tuple(CLOSING)):
                    out[-1] = replace(last, inlines=[Span(text + "　"), *block.inlines])
                    continue
            out.append(block)
        return out

    def recognise(self, blocks: list[Block]) -> list[Block]:
        blocks = self.joined_titles(self.unwrap_lists(blocks))
        candidates = {id(b): c for b in blocks if (c := self.candidate(b)) is not None}
        found = list(candidates.values())
        kind_level = self.kind_levels(found)
        out: list[Block] = []
        previous = 0
        counters: dict[int, tuple[int, str]] = {}
        for block in blocks:
            cand = candidates.get(id(block))
            if cand is not None and not cand.rest:
                text = plain_text(block.inlines).strip()
                if text:
                    self.note("E995", f"标题“{text}”只有编号、没有文字：按正文保留", block)
                    out.append(Paragraph(block.inlines, block.source))
                else:
                    self.note("E996", "标题样式的空段落未导入", block)
                continue
            if id(block) in self.unnumbered and previous:
                self.note("E995", f"“{plain_text(block.inlines)}”居中加粗、像标题但没有编号："
                                  "按正文保留，如是标题请改为“#”标题", block)
            if cand is None:
                out.append(block)
                continue
            if cand.kind == "篇":
                self.note("E997", f"“{plain_text(block.inlines)}”：流水线的编号方案没有“篇”一级，"
                                  "已作为编者注保留在下一章之前", block)
                out.append(Note([Paragraph([Span(f"原文此处为“{plain_text(block.inlines)}”")],
                                           block.source)], block.source))
                continue
            level = cand.styled - kind_level.get("offset", 0) if cand.styled else \
                kind_level.get(cand.kind, 1)
            level = max(level, 1)
            if level > previous + 1:
                self.note("E997", f"“{cand.rest}”的层级从第 {previous} 级跳到第 {level} 级："
                                  f"按第 {previous + 1} 级导入", block)
                level = previous + 1
            if level > SCHEME_LEVELS[self.scheme]:
                self.note("E997", f"“{cand.rest}”是第 {level} 级标题，超出编号方案 "
                                  f"{self.scheme} 的 {SCHEME_LEVELS[self.scheme]} 级：按加粗段落导入",
                          block)
                out.append(Paragraph([Span(plain_text(block.inlines), bold=True)], block.source))
                continue
            self.check_sequence(cand, level, counters)
            previous = level
            self.levels[level] += 1
            out.append(Heading(level, heading_inlines(block.inlines, cand.cut), block.source))
        return out

    def kind_levels(self, found: list[Candidate]) -> dict[str, int]:
        """Level of each kind of typed number, and the scheme. Styled headings say which level
        each kind is; kinds only typed take the places left, in the order 章 节 一、 （一） 1. （1）."""
        body = [c for c in found if c.kind != "篇"]
        styled: dict[str, Counter] = {}
        for cand in body:
            if cand.styled and cand.kind:
                styled.setdefault(cand.kind, Counter())[cand.styled] += 1
        top_styled = min((c.styled for c in body if c.styled), default=0)
        offset = max(top_styled - 1, 0)
        levels = {kind: counts.most_common(1)[0][0] - offset for kind, counts in styled.items()}
        present = [k for k in ORDER if any(c.kind == k for c in body)]
        level = 0
        for kind in present:
            level = levels[kind] if kind in levels else level + 1
            levels.setdefault(kind, level)
        first = next((c.kind for c in body if c.kind), "")
        top = next((k for k in present if levels[k] == 1), first)
        self.scheme = "gongwen" if top in ("cn", "pcn", "n", "pn") and "章" not in present \
            else "plan"
        if self.scheme == "plan" and "章" in present and "节" not in present and any(
                k in present for k in ("cn", "pcn")) and "节" not in levels:
            self.notes.append(warning("E997", "原文“第X章”下直接是“一、”，没有“第X节”：导入后"
                                      "“一、”一级按第 2 级编号为“第一节”，以下各级依次上移",
                                      self.file))
        if top in ("pcn", "n", "pn") and self.scheme == "gongwen" and not styled:
            self.notes.append(warning("E997", f"原文最高一级标题以“{SHOWN[top]}”编号：导入后按"
                                      "公文编号方案自“一、”起编号", self.file))
        levels["offset"] = offset
        return levels

    def check_sequence(self, cand: Candidate, level: int, counters: dict[int, tuple[int, str]]
                       ) -> None:
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        expected = counters.get(level, (0, ""))[0] + 1
        if cand.value and cand.cut and cand.value != expected:
            self.note("E997", f"标题“{plain_text(cand.block.inlines)[:30]}”的编号不连续（此处应为第 "
                              f"{expected} 个）：流水线重新编号", cand.block)
        counters[level] = (cand.value or expected, cand.kind)


def heading_inlines(inlines: list[Inline], cut: int) -> list[Inline]:
    """A heading's text without its typed number, plain (the heading style sets the font)."""
    out: list[Inline] = []
    for item in strip_prefix(inlines, cut):
        if isinstance(item, Span):
            if out and isinstance(out[-1], Span):
                out[-1] = Span(out[-1].text + item.text)
            else:
                out.append(Span(item.text))
        else:
            out.append(item)
    if out and isinstance(out[0], Span):
        out[0] = Span(out[0].text.lstrip(" \u3000:：、"))
    return out
