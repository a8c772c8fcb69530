"""A reader of pandoc's native AST notation, enough to list the comments and tracked changes a
`.native` file of pandoc's test suite expects (../shared/corpus/word-review/)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)'
                   r'|(?P<name>[A-Za-z_][A-Za-z0-9_\']*)|(?P<punct>[\[\](),]))', re.S)
ESCAPE = re.compile(r"\\(\d+|&|.)", re.S)
SIMPLE = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}


def unescape(body: str) -> str:
    def one(match: re.Match) -> str:
        code = match.group(1)
        if code.isdigit():
            return chr(int(code))
        return "" if code == "&" else SIMPLE.get(code, code)
    return ESCAPE.sub(one, body)


def tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    text = text.rstrip()
    while at < len(text):
        match = TOKEN.match(text, at)
        if not match:
            raise ValueError(f"cannot read native at {at}: {text[at:at + 30]!r}")
        kind = match.lastgroup
        value = match.group(kind)
        out.append((kind, unescape(value[1:-1]) if kind == "str" else value))
        at = match.end()
    return out


class Parser:
    """value := string | number | [values] | (values) | Name value*"""

    def __init__(self, text: str):
        self.tokens = tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        self.at += 1
        return self.tokens[self.at - 1]

    def value(self):
        kind, value = self.take()
        if kind == "str":
            return value
        if kind == "num":
            return float(value)
        if kind == "name":
            args = []
            while (nxt := self.peek()) is not None and nxt[1] not in (",", "]", ")"):
                args.append(self.value())
            return (value, args)
        closing = {"[": "]", "(": ")"}[value]
        items = []
        while self.peek()[1] != closing:
            items.append(self.value())
            if self.peek()[1] == ",":
                self.take()
        self.take()
        return items if value == "[" else tuple(items)


@dataclass
class Expected:
    kind: str  # comment | insertion | deletion
    author: str
    date: str
    text: str
    anchor_text: str = ""
    id: str = ""


@dataclass
class Walk:
    items: list[Expected] = field(default_factory=list)
    open_ranges: dict[str, list[str]] = field(default_factory=dict)
    by_id: dict[str, Expected] = field(default_factory=dict)

    def text(self, piece: str) -> None:
        for parts in self.open_ranges.values():
            parts.append(piece)

    def inline_text(self, node) -> str:
        if isinstance(node, list):
            return "".join(self.inline_text(n) for n in node)
        name, args = node
        if name == "Str":
            return args[0]
        if name in ("Space", "SoftBreak"):
            return " "
        if name == "LineBreak":
            return "\n"
        return "".join(self.inline_text(a) for a in args if isinstance(a, list))

    def block(self, node) -> None:
        name, args = node
        for arg in args:
            if isinstance(arg, list):
                for child in arg:
                    if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
                        self.inline(child)
        self.text("\n")

    def inline(self, node) -> None:
        name, args = node
        if name == "Span":
            (_, classes, attrs), content = args
            attrs = dict(attrs)
            if "comment-start" in classes:
                item = Expected("comment", attrs.get("author", ""), attrs.get("date", ""),
                                self.inline_text(content), id=attrs["id"])
                self.items.append(item)
                self.by_id[item.id] = item
                self.open_ranges[item.id] = []
                return
            if "comment-end" in classes:
                parts = self.open_ranges.pop(attrs["id"], [])
                self.by_id[attrs["id"]].anchor_text = "".join(parts)
                for child in content:
                    self.inline(child)
                return
            if classes and classes[0] in ("insertion", "deletion"):
                self.items.append(Expected(classes[0], attrs.get("author", ""),
                                           attrs.get("date", ""), self.inline_text(content)))
            for child in content:
                self.inline(child)
            return
        if name in ("Str", "Space", "SoftBreak", "LineBreak"):
            self.text(self.inline_text(node))
            return
        for arg in args:
            if isinstance(arg, list):
                for child in arg:
                    self.inline(child)


def expected_items(native: str) -> list[Expected]:
    walk = Walk()
    for block in Parser(native).value():
        walk.block(block)
    return walk.items
