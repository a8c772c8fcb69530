"""The text the rules read: a chapter body and a view of it where everything that is not prose is
masked, character for character, so an offset in the view is an offset in the file's body."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from markdown_it.token import Token

from ..model import Chapter
from ..parse import ATTRIBUTES, BOX, NOTE, markdown, strip_template_comments
from ..placeholders import TEMPLATE_TAG as TEMPLATE  # data and directives, not prose
from ..yamlfile import compose_safely

MASK = "\0"  # stands for a masked character; no rule pattern matches it
# A character of Chinese text: ideographs, CJK and full-width punctuation, curly quotes, dashes.
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
                     r"“”‘’…—·]")
HAN = "\u3400-\u4dbf\u4e00-\u9fff"

# Block markup at the start of a line: blockquote, heading, list marker, footnote label.
LINE_MARKUP = re.compile(
    r"^[ \t]*(?:>[ \t]?)*(?:#{1,6}(?!#)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])"
    r"|\[\^[^\]\s]+\]:)?")
SETEXT_UNDERLINE = re.compile(r"^[ \t]*(?:=+|-+)[ \t]*$")
CONTAINER_INFO = re.compile(rf"^[ \t]*:{{3,}}[ \t]*(?:{BOX}|{NOTE})?[ \t]*")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.S)
INLINE_MARKUP = re.compile(
    r"\\(?=[!-/:-@\[-`{-~])"                      # backslash escape
    r"|!(?=\[)"                                    # image marker
    r"|\[\^[^\]\s]+\]"                             # footnote reference
    r"|\[(?=(?:[^\[\]\n\\]|\\.)*\]\()"              # link or image text opener
    r"|\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"  # link or image target
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>"    # autolink
    r"|(?:https?|ftp)://[^\s<>\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》]+")  # bare URL
# Hidden from every version (<!-- … -->), or pandoc's attributes at a line's end (`{-}`, `{#id}`).
NOT_PRINTED = re.compile(rf"<!--.*?-->|{ATTRIBUTES.pattern}", re.S | re.M)
# A silence marker: {# check: ignore P101 #} or {# check: ignore P101, P102 原文如此 #}
SILENCE = re.compile(r"\{#(?:-\s*|\s+)check\s*:\s*ignore\s+"
                     r"(?P<codes>[A-Z]\d{3}(?:\s*[,，、]\s*[A-Z]\d{3})*)"
                     r".*?-?#\}", re.S)
CODE = re.compile(r"[A-Z]\d{3}")


@dataclass(frozen=True)
class Unit:
    """One run of prose the Markdown renders: a paragraph, a heading, a table row, a box title."""
    kind: str  # "text" | "heading" | "row" | "title"
    start: int  # offset of its first character in the body
    end: int  # offset just after its last character


@dataclass(frozen=True)
class HeadingLine:
    level: int
    text: str  # plain text, as the parse stage sees it
    line: int  # line in the file
    offset: int  # offset of the line in the body


@dataclass(frozen=True)
class Marker:
    """{# check: ignore CODE #}: silences one finding of CODE on its line."""
    codes: tuple[str, ...]
    line: int
    col: int
    end_col: int


class ChapterText:
    def __init__(self, chapter: Chapter):
        self.chapter = chapter
        self.file = chapter.display
        self.body = chapter.body
        self.tokens: list[Token] = markdown().parse(strip_template_comments(self.body))
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.body)]

    # ---- positions -----------------------------------------------------------------------

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) in the file, both from 1; the column counts characters."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return self.chapter.body_line + index, offset - self.line_starts[index] + 1

    def line_span(self, first: int, last: int) -> tuple[int, int]:
        """Body offsets of lines first..last-1 (0-based body lines), without the final newline."""
        end = self.line_starts[last] - 1 if last < len(self.line_starts) else len(self.body)
        return self.line_starts[first], end

    # ---- structure -----------------------------------------------------------------------

    @cached_property
    def units(self) -> list[Unit]:
        units: dict[tuple[int, int], Unit] = {}
        for index, token in enumerate(self.tokens):
            if token.map is None:
                continue
            if token.type == "inline":
                kind = {"heading_open": "heading", "th_open": "row", "td_open": "row"}.get(
                    self.tokens[index - 1].type, "text")
                first, last = token.map
            elif token.type == "code_block":  # indented text: the parse stage keeps it as prose
                kind, (first, last) = "text", token.map
            elif token.type.startswith("container_") and token.type.endswith("_open"):
                kind, first, last = "title", token.map[0], token.map[0] + 1
            else:
                continue
            start, end = self.line_span(first, last)
            units.setdefault((start, end), Unit(kind, start, end))
        return sorted(units.values(), key=lambda u: u.start)

    @cached_property
    def view(self) -> str:
        """The body with everything but prose replaced by MASK; line breaks kept."""
        shown = [False] * len(self.body)
        for unit in self.units:
            for start, end in self._lines(unit.start, unit.end):
                line = self.body[start:end]
                skip = CONTAINER_INFO if unit.kind == "title" else LINE_MARKUP
                if unit.kind == "heading" and SETEXT_UNDERLINE.match(line):
                    continue
                for i in range(start + skip.match(line).end(), end):
                    shown[i] = True
        hidden = [*CODE_SPAN.finditer(self.body), *INLINE_MARKUP.finditer(self.body),
                  *TEMPLATE.finditer(self.body), *NOT_PRINTED.finditer(self.body)]
        for match in hidden:
            for i in range(match.start(), match.end()):
                shown[i] = False
        return "".join(c if shown[i] or c == "\n" else MASK for i, c in enumerate(self.body))

    def _lines(self, start: int, end: int) -> list[tuple[int, int]]:
        spans = []
        for line in self.body[start:end].split("\n"):
            spans.append((start, start + len(line)))
            start += len(line) + 1
        return spans

    @cached_property
    def headings(self) -> list[HeadingLine]:
        """Headings of the chapter's own outline (not those inside a 专栏 or 编者注)."""
        out = []
        for index, token in enumerate(self.tokens):
            if token.type == "heading_open" and token.level == 0:
                inline = self.tokens[index + 1]
                text = "".join(c.content for c in inline.children or []
                               if c.type in ("text", "code_inline"))
                first = token.map[0]
                out.append(HeadingLine(int(token.tag[1]), text, self.chapter.body_line + first,
                                       self.line_starts[first]))
        return out

    @cached_property
    def outline(self) -> list[HeadingLine | None]:
        """The top-level blocks in order: a HeadingLine for a heading, None for any content."""
        headings = iter(self.headings)
        out: list[HeadingLine | None] = []
        for token in self.tokens:
            if token.level != 0 or token.nesting == -1:
                continue
            if token.type == "heading_open":
                out.append(next(headings))
            elif token.type not in ("hr", "footnote_block_open", "inline", "html_block"):
                out.append(None)
        return out

    @cached_property
    def markers(self) -> list[Marker]:
        out = []
        for match in SILENCE.finditer(self.body):
            line, col = self.position(match.start())
            _, end_col = self.position(match.end())
            out.append(Marker(tuple(CODE.findall(match.group("codes"))), line, col, end_col))
        return out

    def neighbour(self, offset: int, step: int) -> str:
        """The visible character next to offset, looking through emphasis marks (**)."""
        i = offset + step
        while 0 <= i < len(self.view) and self.view[i] == "*":
            i += step
        return self.view[i] if 0 <= i < len(self.view) else ""


# plan.yaml's values a reader sees: on the cover (title, organization, period, each version's
# label and organization) and in the page header (a version's mark).
COVER_KEYS = ("title", "organization", "period")
VERSION_KEYS = ("label", "organization", "mark")


class CoverText(ChapterText):
    """plan.yaml seen as text: only the values printed on the cover and in headers show, each
    at its own line and column of plan.yaml, so the rules check `period: 2021-2025年` as they
    check a sentence of a chapter."""

    def __init__(self, body: str):
        self.chapter = Chapter(Path("plan.yaml"), "plan.yaml", "plan.yaml", "", "", "", [], body, 1)
        self.file = "plan.yaml"
        self.body = body
        self.tokens = []  # no Markdown: no headings, no outline, no units
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", body)]

    @cached_property
    def units(self) -> list[Unit]:
        return [Unit("text", start, end) for start, end in printed_values(self.body)]

    @cached_property
    def view(self) -> str:
        shown = [False] * len(self.body)
        for unit in self.units:
            shown[unit.start:unit.end] = [True] * (unit.end - unit.start)
        return "".join(c if shown[i] or c == "\n" else MASK for i, c in enumerate(self.body))


def printed_values(text: str) -> list[tuple[int, int]]:
    """Offsets of the printed values' characters (inside their quotes, when quoted); plan.yaml
    has been read by the load stage already, so it parses."""
    _, root = compose_safely(text)
    nodes = list(_values(root, COVER_KEYS))
    for versions in _values(root, ("versions",)):
        for _, spec in versions.value if isinstance(versions, yaml.MappingNode) else ():
            nodes += _values(spec, VERSION_KEYS)
    spans = []
    for node in nodes:
        if isinstance(node, yaml.ScalarNode):
            quoted = node.style in ("'", '"')
            spans.append((node.start_mark.index + quoted, node.end_mark.index - quoted))
    return spans


def _values(node: yaml.Node | None, keys: tuple[str, ...]) -> list[yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [value for key, value in node.value
            if isinstance(key, yaml.ScalarNode) and key.value in keys]


def chinese(char: str) -> bool:
    return bool(char) and CHINESE.match(char) is not None


def beside_chinese(text: ChapterText, offset: int) -> bool:
    return chinese(text.neighbour(offset, -1)) or chinese(text.neighbour(offset, 1))
