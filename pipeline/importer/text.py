"""What a typist's spacing becomes in Markdown: indents made with spaces dropped, line breaks and
stray spaces between Chinese characters removed, Latin words kept apart by one space."""
from __future__ import annotations

import re

from ..model import Block, Box, Image, Inline, LineBreak, Paragraph, Span, Table
from ..transform import walk

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_PUNCT = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
CJK = re.compile(f"[{HAN}{CJK_PUNCT}]")
SPACE = " \t\u3000\u00a0\u2002\u2003"
SPACES = re.compile(f"[{SPACE}]+")
# An empty pair with a space between is written on purpose (注：〔 〕内为五年累计数).
PAIRS = {"〔": "〕", "（": "）", "【": "】", "“": "”", "《": "》", "［": "］", "(": ")"}
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def is_cjk(char: str) -> bool:
    return bool(char) and bool(CJK.match(char))


def removable(text: str, start: int, end: int) -> bool:
    """Whether the spaces text[start:end] stand between two Chinese characters or marks."""
    left = text[start - 1] if start else ""
    right = text[end] if end < len(text) else ""
    return is_cjk(left) and is_cjk(right) and PAIRS.get(left) != right


def squeeze(text: str) -> str:
    return SPACES.sub(lambda m: "" if removable(text, m.start(), m.end()) else m.group(), text)


def tidy(inlines: list[Inline], squeezed: bool = False) -> list[Inline]:
    """Inlines of one paragraph: line breaks become spaces, leading and trailing spaces go,
    neighbouring spans of one format join; `squeezed`: spaces between Chinese dropped too."""
    spans: list[Inline] = []
    for item in inlines:
        if isinstance(item, LineBreak):
            item = Span(" ")
            if spans and isinstance(spans[-1], Span):
                item = Span(" ", spans[-1].bold, spans[-1].italic)
        if isinstance(item, Span) and not item.text:
            continue
        last = spans[-1] if spans else None
        if isinstance(item, Span) and isinstance(last, Span) and \
                (last.bold, last.italic) == (item.bold, item.italic):
            spans[-1] = Span(last.text + item.text, item.bold, item.italic)
        else:
            spans.append(Span(item.text, item.bold, item.italic) if isinstance(item, Span)
                         else item)
    # Squeeze across span boundaries: the text of each run of spans as one string.
    out: list[Inline] = []
    run: list[Span] = []

    def flush() -> None:
        if not run:
            return
        joined = "".join(s.text for s in run)
        keep = [True] * len(joined)
        for match in SPACES.finditer(joined) if squeezed else ():
            if removable(joined, match.start(), match.end()):
                keep[match.start():match.end()] = [False] * (match.end() - match.start())
        at = 0
        for span in run:
            text = "".join(ch for i, ch in enumerate(span.text, at) if keep[i])
            at += len(span.text)
            if text:
                out.append(Span(text, span.bold, span.italic))
        run.clear()

    for item in spans:
        if isinstance(item, Span):
            run.append(item)
        else:
            flush()
            out.append(item)
    flush()
    while out and isinstance(out[0], Span) and not out[0].text.strip(SPACE):
        out.pop(0)
    if out and isinstance(out[0], Span):
        out[0] = Span(out[0].text.lstrip(SPACE), out[0].bold, out[0].italic)
    while out and isinstance(out[-1], Span) and not out[-1].text.strip(SPACE):
        out.pop()
    if out and isinstance(out[-1], Span):
        out[-1] = Span(out[-1].text.rstrip(SPACE), out[-1].bold, out[-1].italic)
    return out


def squeeze_blocks(blocks: list[Block]) -> None:
    """Stray spaces between Chinese characters dropped from the text of every block but the
    headings (a space between a title's two phrases is meant: 加快全面绿色转型 打造……)."""
    for block in walk(blocks):
        if isinstance(block, Paragraph):
            block.inlines = tidy(block.inlines, squeezed=True)
        elif isinstance(block, Table):
            block.header = [tidy(cell, squeezed=True) for cell in block.header]
            block.rows = [[tidy(cell, squeezed=True) for cell in row] for row in block.rows]
            block.caption = squeeze(block.caption)
        elif isinstance(block, Box):
            block.title = squeeze(block.title)
        elif isinstance(block, Image):
            block.caption = squeeze(block.caption)
