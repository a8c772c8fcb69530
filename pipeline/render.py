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

Comments: `{# … #}` with a space (or `-`) after `{#` is a comment, as `{# check: ignore P101 #}`;
`{#` before anything else is text, so pandoc's `# 总体要求 {#zongti}` passes through.

Line map: before rendering, a private-use marker carrying the line number is put after every
newline of the template's text (outside {{ }}, {% %}, {# #}); the rendered text is split into
lines, each line takes the number of its first marker (or of the line before it: a loop body
repeats its markers, a directive stays on its own line) and the markers are removed.
"""
from __future__ import annotations

import re

from .errors import PlanError
from .model import Chapter, Plan, Rendered
from .placeholders import (COMMENT_END, COMMENT_START, LINE_MARK, LINE_MARKS, PRIVATE,
                           TEMPLATE_COMMENT, TEMPLATE_TAG)

TEMPLATE_START = ("{{", "{%")
TRIMS_BEFORE = re.compile(r"[ \t]*\{[{%#]-")  # {%- strips the newline before it: keep it so


def render_chapter(chapter: Chapter, plan: Plan) -> Rendered:
    """The chapter's Markdown after its template expressions are filled from the plan's data;
    a body without template syntax comes back as it is."""
    body = chapter.body
    private = PRIVATE.search(body)
    if private:
        line = chapter.body_line + body.count("\n", 0, private.start())
        raise PlanError(f"文件中有私用区字符 U+{ord(private.group()):04X}，请删除", chapter.display,
                        line, code="E154")
    if not any(start in body for start in TEMPLATE_START) and not TEMPLATE_COMMENT.search(body):
        return Rendered.unchanged(chapter)
    from .sandbox import NAMES, REFUSED_NODES, TEMPLATE_FILE, chapter_names, environment, located

    env = environment()
    try:
        tree = env.parse(jinja_comments(body))
        for node in tree.find_all(REFUSED_NODES):
            raise PlanError("章节中不能引用其他模板或文件（include、import、extends）：章节只能使用"
                            f"数据（{NAMES}）", code="E155", line=node.lineno)
        code = env.compile(jinja_comments(mark_lines(body)), name=chapter.display,
                           filename=TEMPLATE_FILE)
        template = env.template_class.from_code(env, code, env.make_globals(None))
        blocks: dict = {}
        names = chapter_names(plan.data, plan.meta.period, blocks, tuple(plan.counties))
        output = template.render(names)
    except Exception as exc:  # noqa: BLE001 — every failure becomes a Chinese file:line
        raise located(exc, chapter) from None
    markdown, line_map = unmark_lines(output, chapter.body_line)
    return Rendered(markdown, line_map, blocks)


def jinja_comments(text: str) -> str:
    """Each template comment between the private delimiters Jinja is set to read."""
    return TEMPLATE_COMMENT.sub(lambda m: f"{COMMENT_START}{m.group()[2:-2]}{COMMENT_END}", text)


def mark_lines(body: str) -> str:
    """Put the line number after every newline of the template's text."""
    out, line, last = [], 1, 0
    tags = [(m.start(), m.end()) for m in TEMPLATE_TAG.finditer(body)]
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
