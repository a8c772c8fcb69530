"""The lines of text a reviewer can cite on a page, from its glyphs and ruled lines: what the PDF
stage numbers in a review copy and what the verify stage expects numbered.

Outside tables a line is the glyphs whose boxes overlap (a superscript falls inside its line's
box). A table row, between two ruled lines, holds as many lines as its fullest cell: a shorter
cell centred beside it has no lines of its own."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

JOIN = 0.5  # pt: rules this close to a row's edges bound it


@dataclass(frozen=True)
class Glyph:
    x0: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Rule:
    """A ruled line (a table or box border)."""
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.bottom - self.top < self.x1 - self.x0


def enclosing_cell(x: float, y: float, rules: list[Rule]) -> tuple[float, float] | None:
    """(top, left) of the ruled cell around the point — the nearest rules above and below
    that cross its x, left and right that cross its y — or None outside any (body text, a
    footnote under its separator). A cell merged over rows keeps the top of its first row."""
    flat = [r for r in rules if r.horizontal and r.x0 - JOIN <= x <= r.x1 + JOIN]
    walls = [r.x0 for r in rules if not r.horizontal and r.top - JOIN <= y <= r.bottom + JOIN]
    above = max((r.top for r in flat if r.top < y), default=None)
    below = min((r.top for r in flat if r.top > y), default=None)
    left = max((w for w in walls if w <= x), default=None)
    right = min((w for w in walls if w > x), default=None)
    if above is None or below is None or left is None or right is None:
        return None
    return above, left


def line_bottoms(glyphs: Iterable[Glyph]) -> list[float]:
    """Glyphs clustered into lines by their boxes overlapping, larger first; each line's foot."""
    boxes: list[list[float]] = []
    for glyph in sorted(glyphs, key=lambda g: (g.top - g.bottom, g.bottom)):
        height = glyph.bottom - glyph.top
        for box in boxes:
            if min(box[1], glyph.bottom) - max(box[0], glyph.top) > height / 2:
                break
        else:
            boxes.append([glyph.top, glyph.bottom])
    return sorted(box[1] for box in boxes)


def citable_bottoms(glyphs: list[Glyph], rules: list[Rule]) -> list[float]:
    """The foot of each citable line, top to bottom (lengths in any one unit)."""
    across = sorted({round(r.top, 1) for r in rules if r.horizontal})
    verticals = [r for r in rules if not r.horizontal]
    out: list[float] = []
    loose: list[Glyph] = []
    bands: dict[tuple[float, float], list[Glyph]] = {}
    for glyph in glyphs:
        middle = (glyph.top + glyph.bottom) / 2
        above = max((y for y in across if y < middle), default=None)
        below = min((y for y in across if y > middle), default=None)
        walls = [] if above is None or below is None else [
            r for r in verticals if r.top <= above + JOIN and r.bottom >= below - JOIN]
        if walls:
            bands.setdefault((above, below), []).append(glyph)
        else:
            loose.append(glyph)
    out += line_bottoms(loose)
    for (above, below), inside in bands.items():
        xs = sorted({round(r.x0, 1) for r in verticals
                     if r.top <= above + JOIN and r.bottom >= below - JOIN})
        cells: dict[int, list[Glyph]] = {}
        for glyph in inside:
            cells.setdefault(sum(1 for x in xs if x <= glyph.x0), []).append(glyph)
        out += max((line_bottoms(cell) for cell in cells.values()), key=len)
    return sorted(out)
