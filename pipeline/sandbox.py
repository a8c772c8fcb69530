"""The template side of the render stage: Jinja2's sandbox and the names a chapter can use
(ind, evaluation, projects, table()), with every failure turned into a Chinese file:line.
Loaded only for chapters that hold template syntax."""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from .data import PlanData, Value, ValueForms
from .errors import PlanError
from .model import Chapter, Source
from .placeholders import BLOCK_MARK, COMMENT_END, COMMENT_START, PRIVATE
from .tables import TableInputs, build_table, rollup, value_total

ASCII_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
TEMPLATE_FILE = "<chapter>"
NAMES = "ind、evaluation、projects、table()"
REFUSED_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


class Placeholder:
    """What table() returns: one line the parse stage replaces with the table."""

    def __init__(self, key: str):
        self.key = key

    def __str__(self) -> str:
        return BLOCK_MARK.format(self.key)


def finalize(value: Any) -> str:
    """Only values reach the text, and never as Markdown syntax: ASCII punctuation is escaped,
    newlines joined. Anything else (a method, a list, a row) is refused, so no Python repr with
    its memory address lands in the document."""
    if isinstance(value, Placeholder):
        return str(value)
    if isinstance(value, (Record, Missing, Undefined)):
        str(value)  # raises, saying what to write instead
    if not isinstance(value, (str, int, float, Decimal, InlineValue)):
        raise PlanError("这里只能写入数据的值（如 ind.pm25.target），不能写入函数、列表等其他对象"
                        f"（{type(value).__name__}）", code="E160")
    text = PRIVATE.sub("", str(value)).replace("\n", " ")
    return ASCII_PUNCTUATION.sub(r"\\\g<0>", text)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True,
                               autoescape=False, finalize=finalize,
                               comment_start_string=COMMENT_START, comment_end_string=COMMENT_END)
    env.globals.clear()  # range, lipsum, cycler, …: a chapter needs none of them
    return env


# ---- what a chapter sees ----------------------------------------------------

class Record:
    """One row for a chapter: named items only; a wrong name is a Chinese error."""

    def __init__(self, what: str, items: dict[str, Any]):
        self._what = what
        self._items = items

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._items:
            return self._items[name]
        raise PlanError(f"{self._what}没有“{name}”这一项（可用：{'、'.join(self._items)}）",
                        code="E150")

    def __str__(self) -> str:
        raise PlanError(f"{self._what}须写明要引用的项（{'、'.join(self._items)}），"
                        f"如 ind.pm25.target", code="E151")


class Rows(Record):
    """ind / evaluation: the rows of a dataset by id; iterable, so `ind|length` works."""

    def __init__(self, what: str, file: str, items: dict[str, Record]):
        super().__init__(what, items)
        self._file = file

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Record:
        if name not in self._items:
            raise PlanError(f"{self._file} 中没有 id 为“{name}”的{self._what}"
                            f"（已有：{'、'.join(self._items)}）", code="E152")
        return self._items[name]

    def __iter__(self):
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


class Missing:
    """A dataset without a file: any use says which file to add."""

    def __init__(self, data: PlanData, dataset: str):
        self._data, self._dataset = data, dataset

    def _fail(self, *_: Any) -> Any:
        raise self._data.missing(self._dataset)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        self._fail()

    __getitem__ = __iter__ = __len__ = __str__ = _fail


class InlineValue:
    """A value as a sentence states it; `.cell` as the table prints it, `.plain` without bound."""

    def __init__(self, value: Value, unit: str, forms: ValueForms, what: str):
        self._value, self._unit, self._forms, self._what = value, unit, forms, what

    def _check(self) -> None:
        if self._value.empty:
            raise PlanError(f"{self._what}为空（{self._forms.empty_cell}），不能写入正文", code="E153")

    def __str__(self) -> str:
        self._check()
        return self._forms.sentence(self._value, self._unit)

    @property
    def cell(self) -> str:
        return self._forms.cell(self._value)

    @property
    def plain(self) -> str:
        self._check()
        return self._forms.plain(self._value, self._unit)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise PlanError(f"{self._what}没有“{name}”这种写法（可用：cell、plain）", code="E161")


def chapter_names(data: PlanData, period: str, blocks: dict, counties: tuple = ()
                  ) -> dict[str, Any]:
    forms = data.schema.forms
    datasets = data.schema.datasets

    def rows(dataset: str, make) -> Rows | Missing:
        records = data.records(dataset)
        if records is None:
            return Missing(data, dataset)
        what = datasets[dataset].what
        return Rows(what, data.files[dataset], {r.id: make(r, f"{what}“{r.id}”") for r in records})

    def indicator(r, what: str) -> Record:
        return Record(what, {
            "name": r.name, "category": r.category, "unit": r.unit, "attribute": r.attribute,
            "base": InlineValue(r.base, r.unit, forms, f"{what}的现状值"),
            "target": InlineValue(r.target, r.unit, forms, f"{what}的目标值")})

    outcomes = data.schema.tables["evaluation"]["outcomes"]

    def evaluated(r, what: str) -> Record:
        return Record(what, {
            "name": r.name, "unit": r.unit,
            "target": InlineValue(r.target, r.unit, forms, f"{what}的目标值"),
            "actual": InlineValue(r.actual, r.unit, forms, f"{what}的实际值"),
            "outcome": outcomes[r.outcome]})

    def table(name: str = "", *args: str) -> Placeholder:
        key = f"t{len(blocks) + 1}"
        inputs = TableInputs(data, period, counties, tuple(str(a) for a in args))
        blocks[key] = build_table(str(name), inputs, Source("", 0))
        return Placeholder(key)

    projects: Record | Missing = Missing(data, "projects")
    if data.projects is not None:
        unit = datasets["projects"].extra["investment_unit"]
        every = rollup(data.projects, counties).projects
        projects = Record(datasets["projects"].what, {
            "total": InlineValue(value_total(data.projects), unit, forms, "项目总投资"),
            "count": len(data.projects),
            "all_total": InlineValue(value_total(every), unit, forms, "含各县（市、区）项目的总投资"),
            "all_count": len(every)})
    return {"ind": rows("indicators", indicator), "evaluation": rows("evaluation", evaluated),
            "projects": projects, "table": table}


def template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


UNDEFINED = re.compile(r"^'([^']+)' is undefined$")
NO_ATTRIBUTE = re.compile(r"^'?(.+?)'? has no attribute '([^']+)'$")


def located(exc: Exception, chapter: Chapter) -> PlanError:
    if isinstance(exc, TemplateSyntaxError):
        line = exc.lineno
    elif isinstance(exc, PlanError) and exc.file is None and exc.line:
        line = exc.line  # refused at compile time with its template line
    else:
        line = template_line(exc.__traceback__)
    at = chapter.body_line + line - 1 if line else None
    if isinstance(exc, PlanError):
        if exc.file is not None:  # about another file (plan.yaml, a data file): its own place
            return exc
        return replace(exc, file=chapter.display, line=at)
    code, message = explain(exc)
    return PlanError(message, chapter.display, at, code=code)


REFUSED = ("章节中不允许此操作：章节只能引用数据（" + NAMES + "），不能读取文件、导入模块或访问 "
           "Python 内部对象（模板引擎提示：{hint}）")


def explain(exc: Exception) -> tuple[str, str]:
    """Code and Chinese message for what Jinja raised."""
    if isinstance(exc, SecurityError):
        return "E156", REFUSED.format(hint=exc)
    if isinstance(exc, TemplateSyntaxError):
        return "E157", ("模板语法错误：{{ }}、{% %} 须成对书写，表格指令写作 "
                        f"{{{{ table(\"indicators\") }}}}（模板引擎提示：{exc.message}）")
    if isinstance(exc, UndefinedError):
        text = str(exc.message)
        undefined, missing = UNDEFINED.match(text), NO_ATTRIBUTE.match(text)
        if undefined:
            return "E158", f"未定义的名称“{undefined.group(1)}”（章节中可用：{NAMES}）"
        if missing and missing.group(2).startswith("_"):
            return "E156", REFUSED.format(hint=text)
        if missing:
            return "E158", f"“{missing.group(1)}”没有“{missing.group(2)}”（章节中可用：{NAMES}）"
        return "E158", f"未定义的值（模板引擎提示：{text}）"
    return "E159", f"模板计算出错（{type(exc).__name__}：{exc}）"
