"""Rules are small functions registered under their code; what they report, and what --fix may
change, is a Hit. Titles, examples and severities are not here: they live in styles/rules.yaml."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..layout import Layout
from ..model import Plan, PlanMeta
from .text import ChapterText


@dataclass(frozen=True)
class Edit:
    """What --fix does at offset (in the chapter body): one character replaced (old and new),
    deleted (new is "") or inserted before the character there (old is "")."""
    offset: int
    old: str
    new: str


@dataclass(frozen=True)
class Hit:
    text: ChapterText
    offset: int  # in the chapter body: where an editor should put the cursor
    message: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Glossary:
    agencies: dict[str, str]  # agency code of a document number (赣市府办字) → issuer
    terms: list[tuple[str, list[str]]]  # (preferred form, non-preferred forms)
    units: list[list[str]]  # each list: the ways of writing one unit, preferred first


@dataclass(frozen=True)
class Context:
    meta: PlanMeta
    version: str
    levels: int  # heading levels of the numbering scheme
    glossary: Glossary
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule code → options
    plan: Plan | None = None  # with its data, for the data rules
    layout: Layout | None = None  # for numbering the version as the build does

    def option(self, code: str, name: str) -> Any:
        return self.options[code][name]


PlanRun = Callable[[list[ChapterText], Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    run: PlanRun | None  # None: reported by the runner itself (silence markers)
    fixable: bool = False
    options: tuple[str, ...] = ()  # option names the rule reads from styles/rules.yaml


RULES: dict[str, Rule] = {}


def plan_rule(code: str, fixable: bool = False, options: tuple[str, ...] = ()):
    """A rule that reads the whole plan at once (consistency across chapters)."""
    def register(run: PlanRun) -> PlanRun:
        RULES[code] = Rule(code, run, fixable, options)
        return run
    return register


def chapter_rule(code: str, fixable: bool = False, options: tuple[str, ...] = ()):
    """A rule that reads one chapter at a time."""
    def register(run: Callable[[ChapterText, Context], Iterable[Hit]]):
        def over_plan(texts: list[ChapterText], ctx: Context) -> Iterable[Hit]:
            for text in texts:
                yield from run(text, ctx)
        RULES[code] = Rule(code, over_plan, fixable, options)
        return run
    return register


def runner_rule(code: str) -> None:
    RULES[code] = Rule(code, None)
