"""Titles broken into lines as GB/T 9704 §7.3.1 asks: 回行时要做到词意完整，排列对称，长短适宜，
间距恰当，标题排列应当使用梯形或菱形. Breaks fall only between words, as the field's Chinese word
segmenter (jieba) reads them; of the ways to break a title into the fewest lines that fit, the
one whose lines form a trapezoid or a diamond with the most even lengths is taken."""
from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from itertools import combinations


OPENING = set("（(《“‘〔【[")
CLOSING = set("）)》”’〕】]，、。：；！？,.:;!?·—…")
MAX_LINES = 4


def chars_per_line(width_mm: float, size_pt: float, spacing_pt: float = 0.0) -> int:
    """How many full-width characters of `size_pt` (plus `spacing_pt` each) fit in a line."""
    return max(1, math.floor(width_mm / 25.4 * 72 / (size_pt + spacing_pt) + 1e-6))


def length(text: str) -> float:
    """Length in full-width characters: digits and Latin letters count half; quotes and dashes
    of ambiguous width are set full-width in Chinese text."""
    return sum(1 if unicodedata.east_asian_width(c) in "FWA" else 0.5 for c in text)


@lru_cache(maxsize=256)
def words(text: str) -> tuple[str, ...]:
    """The title's words, punctuation kept with its word: an opening bracket or quote with the
    word after it, a closing one (and 、，) with the word before it."""
    import logging

    import jieba  # loaded only when a title is long enough to need breaking
    jieba.setLogLevel(logging.WARNING)
    out: list[str] = []
    pending = ""
    for token in jieba.cut(text, HMM=False):
        if all(c in OPENING for c in token):
            pending += token
        elif out and all(c in CLOSING for c in token) and not pending:
            out[-1] += token
        else:
            out.append(pending + token)
            pending = ""
    if pending:
        out.append(pending)
    return tuple(out)


def breaks(text: str) -> set[int]:
    """Character offsets where a line may begin (word starts after the first)."""
    at, found = 0, set()
    for word in words(text):
        if at:
            found.add(at)
        at += len(word)
    return found


def shape_rank(lengths: list[float]) -> int | None:
    """0 a trapezoid widening downwards (正梯形), 1 a diamond, 2 a trapezoid narrowing
    downwards; None for any other shape (a long line between two short ones is a diamond, a
    short one between two long ones is no shape at all)."""
    pairs = list(zip(lengths, lengths[1:]))
    if all(a <= b for a, b in pairs):
        return 0
    if all(a >= b for a, b in pairs):
        return 2
    top = lengths.index(max(lengths))
    if all(a <= b for a, b in pairs[:top]) and all(a >= b for a, b in pairs[top:]):
        return 1
    return None


def title_lines(text: str, per_line: int) -> list[str]:
    """`text` in lines of at most `per_line` characters, broken between words."""
    if length(text) <= per_line:
        return [text]
    units = words(text)
    best: tuple | None = None
    for count in range(2, MAX_LINES + 1):
        for cuts in combinations(range(1, len(units)), count - 1):
            edges = (0, *cuts, len(units))
            lines = ["".join(units[a:b]) for a, b in zip(edges, edges[1:])]
            lengths = [length(line) for line in lines]
            if max(lengths) > per_line:
                continue
            rank = shape_rank(lengths)
            key = (rank is None, max(lengths) - min(lengths), rank or 0)
            if best is None or key < best[0]:
                best = (key, lines)
        if best is not None:
            return best[1]
    return [text]  # no way to break between words: the word processor breaks it


def broken_inside_word(lines: list[str]) -> list[int]:
    """For lines read back from a page: the indexes of lines that end inside a word."""
    text = "".join(lines)
    allowed = breaks(text)
    out, at = [], 0
    for index, line in enumerate(lines[:-1]):
        at += len(line)
        if at not in allowed:
            out.append(index)
    return out
