"""Render stage: each chapter body through Jinja2's sandbox with the plan's data → Markdown, plus
the chapter-file line of every Markdown line, so later errors still name the drafter's line.

What a chapter can use (nothing else: no files, no imports, no Python internals):

    {{ ind.pm25.target }}        an indicator value as sentences write it: 29微克/立方米以下
    {{ ind.pm25.target.cell }}   as the table prints it: ≤29, 〔18〕
    {{ ind.pm25.target.plain }}  number and unit without the bound: 29微克/立方米
    {{ evaluation.pm25.actual }} a 十三五 evaluation value; .outcome gives 完成 / 未完成
    {{ projects.total }}         the projects' total investment with its unit; projects.count
    {{ projects.all_total }}     with the county plans' own projects (each once); all_count
    {{ table("indicators") }}    a table built from data, alone in its paragraph
    {{ table("indicators_by_county", "pm25", "forest") }}   the counties' targets side by side

Tables: `table()` builds a document-model Table (tables.py) and writes a one-line placeholder
into the Markdown; the parse stage puts the Table where the placeholder's paragraph stands, and
a `表：…` line above it gives the caption as for any table.

Line map: before rendering, a private-use marker carrying the line number is put after every
newline of the template's text (outside {{ }}, {% %}, {# #}); the rendered text is split into
lines, each line takes the number of its first marker (or of the line before it: a loop body
repeats its markers, a directive stays on its own line) and the markers are removed.
"""
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
from .model import Chapter, Plan, Rendered, Source
from .tables import TableInputs, build_table, rollup, value_total

LINE_MARK = "\ue000{}\ue001"
LINE_MARKS = re.compile("\ue000(\\d+)\ue001")
BLOCK_MARK = "\ue002{}\ue003"
BLOCK_PLACEHOLDER = re.compile("^\ue002(\\w+)\ue003$")
PRIVATE = re.compile("[\ue000-\ue003]")
TEMPLATE_START = ("{{", "{%", "{#")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TRIMS_BEFORE = re.compile(r"[ \t]*\{[{%#]-")  # {%- strips the newline before it: keep it so
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
                               autoescape=False, finalize=finalize)
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


# ---- rendering ------------------------------------------------------------------

def render_chapter(chapter: Chapter, plan: Plan) -> Rendered:
    """The chapter's Markdown after its template expressions are filled from the plan's data;
    a body without template syntax comes back as it is."""
    body = chapter.body
    private = PRIVATE.search(body)
    if private:
        line = chapter.body_line + body.count("\n", 0, private.start())
        raise PlanError(f"文件中有私用区字符 U+{ord(private.group()):04X}，请删除", chapter.display,
                        line, code="E154")
    if not any(start in body for start in TEMPLATE_START):
        return Rendered.unchanged(chapter)
    env = environment()
    try:
        tree = env.parse(body)
        for node in tree.find_all(REFUSED_NODES):
            raise PlanError("章节中不能引用其他模板或文件（include、import、extends）：章节只能使用"
                            f"数据（{NAMES}）", code="E155", line=node.lineno)
        code = env.compile(mark_lines(body), name=chapter.display, filename=TEMPLATE_FILE)
        template = env.template_class.from_code(env, code, env.make_globals(None))
        blocks: dict = {}
        names = chapter_names(plan.data, plan.meta.period, blocks, tuple(plan.counties))
        output = template.render(names)
    except Exception as exc:  # noqa: BLE001 — every failure becomes a Chinese file:line
        raise located(exc, chapter) from None
    markdown, line_map = unmark_lines(output, chapter.body_line)
    return Rendered(markdown, line_map, blocks)


def mark_lines(body: str) -> str:
    """Put the line number after every newline of the template's text."""
    out, line, last = [], 1, 0
    tags = [(m.start(), m.end()) for m in TAG.finditer(body)]
    spans = iter(tags + [(len(body) + 1, len(body) + 1)])
    tag_start, tag_end = next(spans)
    for index, char in enumerate(body):
        if index >= tag_end:
            tag_start, tag_end = next(spans)
        if char != "\n":
            continue
        line += 1
        if tag_start <= index < tag_end or TRIMS_BEFORE.match(body, index + 1):
            continue
        out.append(body[last:index + 1])
        out.append(LINE_MARK.format(line))
        last = index + 1
    out.append(body[last:])
    return "".join(out)


def unmark_lines(output: str, first_line: int) -> tuple[str, list[int]]:
    lines, numbers = [], []
    current = first_line
    for text in output.split("\n"):
        mark = LINE_MARKS.search(text)
        if mark:
            current = first_line + int(mark.group(1)) - 1
        lines.append(LINE_MARKS.sub("", text))
        numbers.append(current)
    return "\n".join(lines), numbers


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
