"""The `plan` command: a thin click layer over the pipeline; the only place that prints."""
from __future__ import annotations

import gc
import gettext
import json
import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import click

from .errors import Diagnostic, PlanError
from .files import display_path

if TYPE_CHECKING:
    from .workspace import Member

LOCALE = Path(__file__).resolve().parent / "locale"
CLOSING = "，。、；：？！）】》”’"


def chinese_click() -> None:
    """click's own words (用法, 选项, 错误：没有命令…) are gettext messages, translated in
    locale/zh_CN/LC_MESSAGES/plan.po: the catalog is chosen here, in Chinese whatever the
    terminal's locale is, as every other message of the product."""
    gettext.bindtextdomain("plan", str(LOCALE))
    gettext.textdomain("plan")
    os.environ["LANGUAGE"] = "zh_CN"


def cjk_widths() -> None:
    """click lays out help (option columns, wrapping) by counting characters; a Chinese character
    takes two columns of a terminal, so its help ran past the edge and its columns slipped.
    click routes every width it measures through term_len and _truncate_visible (8.4+): they
    are given display widths here. tests/test_messages.py checks the layout, so a click that
    measures otherwise fails there, not on a drafter's screen."""
    import click._textwrap
    import click.formatting

    from .chinese import display_width

    def term_len(text: str) -> int:
        return display_width(click._compat.strip_ansi(text))

    def truncate_visible(text: str, n: int) -> str:
        width = 0
        for index, char in enumerate(text):
            width += display_width(char)
            if width > n:
                # A line does not open with a closing mark: it stays on the line before.
                while index > 1 and text[index] in CLOSING:
                    index -= 1
                return text[:max(index, 1)]
        return text

    click.formatting.term_len = click._textwrap.term_len = term_len
    click._textwrap._truncate_visible = truncate_visible


chinese_click()
cjk_widths()


class HelpFormatter(click.HelpFormatter):
    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")  # 选项：, not 选项:


class Context(click.Context):
    formatter_class = HelpFormatter


class ShortHelp:
    def get_short_help_str(self, limit: int = 45) -> str:
        """A command's line in its group's list: the first sentence of its help (to 。), or what
        precedes its first ： when that is too long. click's own cuts the help at a space, and
        Chinese has none: it printed "生成规划文本：Word 与 PDF，输出到…" or only "..."."""
        if self.short_help:
            return self.short_help
        from .chinese import display_width
        sentence = " ".join((self.help or "").split()).split("。")[0]
        if display_width(sentence) > limit * 2:
            sentence = sentence.split("：")[0]
        return sentence


class Command(ShortHelp, click.Command):
    """A command whose usage line says [选项], not [OPTIONS]."""
    context_class = Context

    def __init__(self, *args, options_metavar: str = "[选项]", **kwargs) -> None:
        super().__init__(*args, options_metavar=options_metavar, **kwargs)


class Group(ShortHelp, click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # a group's groups are Groups too

    def __init__(self, *args, options_metavar: str = "[选项]",
                 subcommand_metavar: str = "命令 [参数]...", **kwargs) -> None:
        super().__init__(*args, options_metavar=options_metavar,
                         subcommand_metavar=subcommand_metavar, **kwargs)



class LazyConsole:
    """rich's console, made on first use: tables and progress need it, a build's few lines do
    not (importing rich costs a cold build about 40 ms)."""

    def __init__(self, **options) -> None:
        self.options = options
        self.console = None

    def __getattr__(self, name: str):
        if self.console is None:
            from rich.console import Console
            self.console = Console(highlight=False, soft_wrap=True, **self.options)
        return getattr(self.console, name)


err = LazyConsole(stderr=True)
out = LazyConsole()


def line(*parts: str | tuple[str, str], error: bool = False) -> None:
    """One line printed literally (text from files may look like markup), its control, escape
    and bidi characters made visible (printable.py); a part given as (text, colour) is
    coloured when the terminal shows colour."""
    from .printable import printable
    text = "".join(click.style(p[0], fg=p[1]) if isinstance(p, tuple) else printable(p)
                   for p in parts)
    click.echo(text, err=error)
VERSIONS = ("draft", "review", "final")
EXIT_BAD_INPUT = 2
EXIT_PDF_UNAVAILABLE = 3


@click.group(cls=Group, help="规划文本编制流水线：由 Markdown 章节生成公文格式的 Word 与 PDF。")
@click.option("--plan", "plan_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="规划目录（含 plan.yaml）。")
@click.pass_context
def main(ctx: click.Context, plan_dir: Path) -> None:
    # A build makes some hundred thousand small objects that all live to its end: at the default
    # threshold (700) the collector walks them again and again and finds no cycle to free.
    gc.set_threshold(50_000, 20, 20)
    ctx.obj = plan_dir


@main.command(help="生成规划文本：Word 与 PDF，输出到 build/<版本>/。在工作区根目录（有 workspace.yaml）"
                   "生成市级规划和各县（市、区）规划，县（市、区）的输出在 build/<县（市、区）>/<版本>/；"
                   "源文件未改动的文档不重新生成。")
@click.option("--version", "version", type=click.Choice([*VERSIONS, "all"]), default="draft",
              show_default=True, help="版本：draft 初稿、review 征求意见稿、final 报批稿、all 全部。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all",
              show_default=True, help="输出格式：docx 只生成 Word；pdf 或 all 同时生成 PDF。")
@click.option("--message-format", "messages", type=click.Choice(["text", "json"]),
              default="text", show_default=True,
              help="结果与问题的输出方式：text 供阅读，json 供其他工具读取。")
@click.option("--plan", "names", multiple=True, metavar="名称",
              help="只生成这个规划：县（市、区）名（如 章贡区）或目录，市级规划用 workspace.yaml 中 "
                   "city 的名称；可写多次。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="同时生成的文档数（每个一个 LibreOffice），默认为 CPU 数。")
@click.option("--force", is_flag=True, help="源文件未改动的文档也重新生成。")
@click.pass_obj
def build(plan_dir: Path, version: str, fmt: str, messages: str, names: tuple[str, ...],
          jobs: int | None, force: bool) -> None:
    from .run import Execution, plan_run
    from .workspace import cpu_count

    versions = list(VERSIONS) if version == "all" else [version]
    base = plan_dir.resolve()
    as_json = messages == "json"
    with fail_cleanly(as_json=as_json):
        run = plan_run(base, list(names), versions, pdf=fmt != "docx", force=force)
    view = RunView(run, base, as_json)
    with Execution(run, jobs or cpu_count()) as outcomes:  # workers start before the bar
        with view.progress():
            for outcome in outcomes:
                view.add(outcome)
    view.finish()
    if view.failed:
        sys.exit(EXIT_BAD_INPUT)
    if fmt == "pdf" and any(b.pdf_skipped for b in view.documents()):
        sys.exit(EXIT_PDF_UNAVAILABLE)


class RunView:
    """What `plan build` shows: a line per document as it is done, a bar over the run on a
    terminal, a summary table at the end of a workspace run; or one JSON text."""

    def __init__(self, run, base: Path, as_json: bool) -> None:
        self.run, self.base, self.as_json = run, base, as_json
        self.outcomes: list = []
        self.said: set[Diagnostic] = set()
        self.bar = None
        # Lines name the plan, and a summary table ends the run, at a workspace's root.
        self.named = len(run.members) > 1 or (run.workspace.listed
                                              and base == run.workspace.root)
        if not as_json:
            for problem in run.problems:
                say(problem)

    @property
    def failed(self) -> bool:
        return bool(self.run.problems) or not all(o.ok for o in self.outcomes)

    def documents(self) -> list:
        return [o.built for o in self.outcomes if o.built is not None]

    def progress(self):
        import contextlib
        if self.as_json or not sys.stdout.isatty():  # rich loads only for a terminal's bar
            return contextlib.nullcontext()
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
        self.bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=out.console, transient=True)
        self.task = self.bar.add_task("生成", total=self.run.total)
        return self.bar

    def add(self, outcome) -> None:
        self.outcomes.append(outcome)
        if self.bar is not None:
            self.bar.advance(self.task)
        if not self.as_json:
            self.show(outcome)

    def name(self, outcome) -> str:
        return f"{outcome.member.name} " if self.named else ""

    def shown(self, diagnostic: Diagnostic, outcome) -> Diagnostic:
        from .run import with_folder
        return with_folder(diagnostic, outcome.member, self.base)

    def say_once(self, diagnostic: Diagnostic, outcome) -> None:
        diagnostic = self.shown(diagnostic, outcome)
        if diagnostic not in self.said:
            self.said.add(diagnostic)
            say(diagnostic)

    def show(self, outcome) -> None:
        built = outcome.built
        if built is None:
            for diagnostic in outcome.errors:
                self.say_once(diagnostic, outcome)
            from .run import WORKER_CODES
            unread = [d for d in outcome.errors if d.code not in WORKER_CODES]  # they say it
            if unread and not any(o is not outcome and o.member == outcome.member
                                  and o.built is None for o in self.outcomes):
                line(f"{self.name(outcome)}规划无法读取，未生成，原有输出保持不变。", error=True)
            return
        for diagnostic in built.diagnostics:
            self.say_once(diagnostic, outcome)
        who = self.name(outcome) + built.label
        if built.refused:
            for diagnostic in built.refused:
                say(self.shown(diagnostic, outcome))
            line(f"{who}未生成，原有输出保持不变。", error=True)
            return
        if built.up_to_date:
            made = "、".join(k for k, p in (("Word", built.docx), ("PDF", built.pdf)) if p)
            line(("未变", "cyan"), f" {who} {made}：{self.path(built.docx)}（源文件未改动，未重新生成）")
            return
        if outcome.retried:
            line(("注意", "yellow"), f" {who}：有工作进程意外退出，本文档已在新的进程中重新生成",
                 error=True)
        line(("已生成", "green"), f" {who} Word：{self.path(built.docx)}")
        if built.pdf_skipped:
            line(("未生成 PDF", "yellow"), f"：{built.pdf_skipped}", error=True)
        elif built.failed:
            for diagnostic in built.failed:
                say(diagnostic)
            line(f"{who} PDF 未生成，原有 PDF 保持不变。", error=True)
        elif built.pdf:
            line(("已生成", "green"), f" {who} PDF：{self.path(built.pdf)}"
                 f"（{built.pdf_pages} 页，{built.pdf_seconds:.1f} 秒）")
            report_fonts(built.fonts)
            report_checks(built.checks, self.path(built.verify_report))

    def path(self, path: Path | None) -> str:
        import os
        if path is None:
            return ""
        shown = display_path(path, self.base)
        return shown if not Path(shown).is_absolute() else os.path.relpath(path, Path.cwd())

    def ordered(self) -> list:
        place = {m.root: i for i, m in enumerate(self.run.members)}
        order = {v: i for i, v in enumerate(self.run.versions)}
        return sorted(self.outcomes, key=lambda o: (place.get(o.member.root, 0),
                                                    order.get(o.version, -1)))

    def finish(self) -> None:
        if self.as_json:
            click.echo(json.dumps(self.as_data(), ensure_ascii=False, indent=1))
            return
        built = [o.built for o in self.ordered() if o.built is not None]
        if self.named:
            self.summary()
        elif len(built) > 1:
            refused = [b for b in built if b.refused]
            done = "、".join(b.label for b in built if not b.refused) or "无"
            line(f"本次生成：{done}" + (f"；未生成：{'、'.join(b.label for b in refused)}"
                                       if refused else ""))

    def summary(self) -> None:
        from rich.table import Table
        table = Table(title=self.run.workspace.title or None, show_lines=False)
        for name in ("规划", "版本", "结果", "PDF 页数", "版式检查", "用时（秒）"):
            table.add_column(name, justify="right" if name in ("PDF 页数", "用时（秒）") else "left")
        counts: dict[str, int] = {}
        for outcome in self.ordered():
            built = outcome.built
            result = outcome_word(outcome)
            counts[result] = counts.get(result, 0) + 1
            if built is None:
                table.add_row(outcome.member.name, "—", result, "", "", "")
                continue
            failed = sum(not c.ok for c in built.checks)
            checks = "" if not built.checks else (f"{failed} 项不符合" if failed else "全部符合")
            pages = str(built.pdf_pages) if built.pdf else ""
            seconds = f"{built.seconds:.1f}" if built.seconds else ""
            table.add_row(outcome.member.name, built.label, result, pages, checks, seconds)
        out.print(table)
        line("，".join(f"{word} {n} 份" for word, n in counts.items()))

    def as_data(self) -> dict:
        documents, plans, errors = [], {}, list(self.run.problems)
        for outcome in self.ordered():
            member = outcome.member
            entry = plans.setdefault(member.root, {"plan": member.name, "folder": member.shown,
                                                   "failed": False, "diagnostics": []})
            if outcome.built is None:
                fresh = [d for d in (self.shown(d, outcome) for d in outcome.errors)
                         if d not in errors]
                entry["failed"] = True
                entry["diagnostics"] += [d.as_json() for d in fresh]
                errors += fresh
                continue
            entry["failed"] |= not outcome.ok
            documents.append(self.document_data(outcome))
        return {"documents": documents, "plans": list(plans.values()),
                "diagnostics": [d.as_json() for d in errors]}

    def document_data(self, outcome) -> dict:
        built = outcome.built
        shown = [self.shown(d, outcome) for d in built.refused + built.failed + built.diagnostics]
        return {"plan": outcome.member.name, "folder": outcome.member.shown,
                "version": built.version, "label": built.label,
                "docx": self.path(built.docx) or None, "pdf": self.path(built.pdf) or None,
                "pdf_pages": built.pdf_pages, "pdf_skipped": built.pdf_skipped or None,
                "layout_checks": [{"item": c.item, "ok": c.ok, "requirement": c.requirement,
                                   "measured": c.measured} for c in built.checks],
                "refused": bool(built.refused), "failed": bool(built.failed),
                "up_to_date": built.up_to_date, "retried": outcome.retried,
                "seconds": round(built.seconds, 3),
                "stages": {k: round(v, 3) for k, v in built.stages.items()},
                "diagnostics": [d.as_json() for d in shown]}


def outcome_word(outcome) -> str:
    built = outcome.built
    if built is None:
        from .run import WORKER_CODES
        lost = {d.code for d in outcome.errors} & set(WORKER_CODES)
        return "未生成（进程退出）" if "E031" in lost else "未生成（程序错误）" if lost else "无法读取"
    if built.refused:
        return "未生成"
    if built.failed:
        return "PDF 失败"
    return "未变" if built.up_to_date else "已生成"


SEVERITY_WORDS = {"error": ("错误", "red"), "warning": ("警告", "yellow"), "info": ("提示", "cyan")}


def say(diagnostic: Diagnostic) -> None:
    """One diagnostic, its text printed literally (a message may quote [markup] from a file)."""
    word, style = SEVERITY_WORDS[diagnostic.severity]
    code = "" if diagnostic.code == "E000" else f"（{diagnostic.code}）"
    line((word, style), f" {diagnostic}{code}", error=True)


def report_fonts(fonts) -> None:
    if fonts is None:
        return
    for sub in fonts.substitutions:
        embedded = "、".join(sub.faces) or "未嵌入"
        line(f"  字体替换：{sub.requested} → {sub.mapped.family}（PDF 中为 {embedded}）")
    for font in fonts.unexpected:
        line(("  另用字体", "yellow"), f"：{font.name}（LibreOffice 自行选用）")
    for glyph in fonts.missing:
        line(("  缺字", "yellow"), f"：“{glyph.char}”（U+{glyph.codepoint:04X}）"
             f"{glyph.mapped_family} 中没有，出现 {glyph.count} 次，已由其他字体代替"
             f"（要求字体 {glyph.requested}）")


def report_checks(checks, report: str) -> None:
    failed = [c for c in checks if not c.ok]
    if not failed:
        line(f"  版式检查：{len(checks)} 项全部符合（{report}）")
        return
    line(("  版式检查", "red"), f"：{len(failed)} 项不符合（{report}，各项见上）")


@main.command(help="各章编写进度：责任科室、状态、字数、待办标记数、所在版本。在工作区根目录列出各规划的"
                   "汇总（章节状态、字数、待办、未答复意见、最近生成），--plan 看某一规划的各章。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式。")
@click.option("--plan", "names", multiple=True, metavar="名称",
              help="列出这个规划的各章（工作区根目录中使用）；可写多次。")
@click.pass_obj
def status(plan_dir: Path, fmt: str, names: tuple[str, ...]) -> None:
    from .workspace import WORKSPACE_FILE, read_workspace

    root = plan_dir.resolve()
    if not (root / WORKSPACE_FILE).is_file():
        chapter_table(plan_dir, fmt)
        return
    with fail_cleanly():
        workspace = read_workspace(root)
        members = workspace.select(list(names))
    for problem in workspace.problems:
        say(problem)
    if names:
        for member in members:
            chapter_table(member.root, fmt)
        return
    workspace_table(workspace, members, fmt)


def chapter_table(plan_dir: Path, fmt: str) -> None:
    from dataclasses import asdict

    from rich.table import Table

    from .reading import read_plan
    from .status import chapter_status

    with fail_cleanly():
        plan, _ = read_plan(plan_dir)
    rows = chapter_status(plan)
    if fmt == "json":
        out.print_json(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return
    every = [spec.name for spec in plan.meta.versions.values()]
    table = Table(title=f"{plan.meta.title} 编写进度", show_lines=False)
    for name in ("章节文件", "标题", "责任科室/单位", "状态", "字数", "待办", "所在版本"):
        table.add_column(name, justify="right" if name in ("字数", "待办") else "left",
                         overflow="fold")
    for r in rows:
        shown = "全部" if r.versions == every else "、".join(r.versions)
        table.add_row(Path(r.file).name, r.title, r.owner or "—", r.status, str(r.characters),
                      str(r.todos) if r.todos else "", shown)
    table.add_row("合计", f"{len(rows)} 章", "", "", str(sum(r.characters for r in rows)),
                  str(sum(r.todos for r in rows)), "")
    out.print(table)


def workspace_table(workspace, members, fmt: str) -> None:
    import datetime as dt
    from dataclasses import asdict

    from rich.table import Table
    from rich.text import Text

    from .status import plan_summary

    rows = [plan_summary(workspace, m) for m in members]
    if fmt == "json":
        out.print_json(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return
    table = Table(title=f"{workspace.title or '工作区'} 编写进度", show_lines=False)
    for name in ("规划", "目录", "各章状态", "字数", "待办", "未答复意见", "最近生成"):
        table.add_column(name, justify="right" if name in ("字数", "待办", "未答复意见") else "left",
                         overflow="fold")
    for r in rows:
        built = "—"
        if r.last_build:
            when = dt.datetime.fromtimestamp(r.last_build.when).strftime("%m-%d %H:%M")
            built = f"{r.last_build.label} {when}（{'最新' if r.last_build.current else '需重新生成'}）"
        name, folder = Text(r.name), Text(r.folder)  # names from files: never markup
        if r.problem:
            table.add_row(name, folder, Text(f"无法读取：{r.problem}", style="red"), "", "", "",
                          built)
            continue
        chapters = "，".join(f"{status} {n}" for status, n in r.chapters.items())
        table.add_row(name, folder, chapters, str(r.characters), str(r.todos or ""),
                      str(r.unanswered or ""), built)
    good = [r for r in rows if not r.problem]
    table.add_row("合计", f"{len(rows)} 个规划", f"{sum(sum(r.chapters.values()) for r in good)} 章",
                  str(sum(r.characters for r in good)), str(sum(r.todos for r in good) or ""),
                  str(sum(r.unanswered for r in good) or ""), "")
    out.print(table)


@main.command(help="检查 data/ 下的数据文件（列名、取值、重复的 id），列出各文件的行数与样例数据行数。")
@click.pass_obj
def data(plan_dir: Path) -> None:
    from .data import load_data

    with fail_cleanly():
        loaded = load_data(plan_dir.resolve())
    for notice in loaded.notices:
        say(notice)
    if not loaded.files:
        out.print("data/ 中没有数据文件。")
        return
    marker = loaded.schema.sample_marker
    for name, file in loaded.files.items():
        rows = len(loaded.records(name) or [])
        out.print(f"{file}：{loaded.schema.datasets[name].what} {rows} 行，其中“来源”注明"
                  f"{marker}的 {loaded.sample_rows(name)} 行")


PLANS_OPTION = partial(click.option, "--plan", "names", multiple=True, metavar="名称")


@main.command(help="按版式方案实测 PDF：纸张、版心、行数、字数、页码、字体嵌入、目录页码。"
                   "不指明 PDF 时实测最近一次生成的该版本 PDF（见 --version）；在工作区根目录实测各规划的。")
@click.argument("pdf", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "version", type=click.Choice(VERSIONS), default="draft",
              show_default=True, help="不指明 PDF 时，实测哪个版本最近一次生成的 PDF。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式。")
@PLANS_OPTION(help="工作区根目录中只实测这个规划的 PDF：县（市、区）名或目录，市级规划用 workspace.yaml "
                   "中 city 的名称；可写多次。")
@click.pass_obj
def verify(plan_dir: Path, pdf: Path | None, version: str, fmt: str,
           names: tuple[str, ...]) -> None:
    from .verify import render_table, to_json

    root = plan_dir.resolve()
    with fail_cleanly(note=""):
        workspace, members, named = chosen_plans(root, names) if pdf is None else (None, [], False)
        if not named:  # one PDF: its table alone, as always
            pdf, checks = verify_plan(plan_dir, pdf, version)
            if fmt == "json":
                out.print_json(json.dumps(to_json(checks), ensure_ascii=False))
            else:
                out.print(render_table(checks), markup=False)
            sys.exit(0 if all(c.ok for c in checks) else 1)
    measured = []
    for member in members:
        try:
            measured.append(Measured(member, *verify_plan(member.root, None, version)))
        except PlanError as exc:
            measured.append(Measured(member, None, [], exc.diagnostics))
    if fmt == "json":
        click.echo(json.dumps({"plans": [
            {"plan": m.member.name, "folder": m.member.shown,
             "pdf": from_here(m.pdf.parent, m.pdf.name) if m.pdf else None,
             "checks": to_json(m.checks),
             "diagnostics": [here(d, m.member.root).as_json() for d in m.errors]}
            for m in measured]}, ensure_ascii=False, indent=1))
    else:
        for m in measured:
            for diagnostic in m.errors:
                say(here(diagnostic, m.member.root))
            if m.pdf:
                line((m.member.name, "cyan"), f" {from_here(m.pdf.parent, m.pdf.name)}")
                out.print(render_table(m.checks), markup=False)
        bad = [f"{m.member.name} {sum(not c.ok for c in m.checks)} 项" for m in measured
               if not all(c.ok for c in m.checks)]
        unread = sum(1 for m in measured if m.errors)
        line(f"{len(measured)} 个规划的 PDF：全部符合 {len(measured) - len(bad) - unread} 份"
             + (f"；有不符合项 {len(bad)} 份（{'，'.join(bad)}）" if bad else "")
             + (f"；无法实测 {unread} 份" if unread else "") + "。")
    if workspace.problems or any(m.errors for m in measured):
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(0 if all(c.ok for m in measured for c in m.checks) else 1)


class Measured(NamedTuple):
    """`plan verify` at a workspace's root: one plan's PDF and its checks, or why it has none."""
    member: Member
    pdf: Path | None
    checks: list
    errors: list[Diagnostic] = []


class Checked(NamedTuple):
    """`plan check`: one plan's findings and what --fix mended, or why it cannot be checked."""
    member: Member
    fixed: dict
    findings: list
    errors: list[Diagnostic] = []


def verify_plan(plan_dir: Path, pdf: Path | None, version: str):
    """The PDF measured (the last one built of `version` when none is named) and its checks."""
    from .build import built_pdf
    from .files import read_text
    from .layout import load_layout
    from .load import load_meta
    from .verify import verify_pdf

    pdf = pdf or built_pdf(plan_dir.resolve(), version)
    layout_name, duplex = "gbt9704", True
    if (plan_dir / "plan.yaml").is_file():
        meta = load_meta(read_text(plan_dir / "plan.yaml", "plan.yaml"))
        layout_name, duplex = meta.layout, meta.print == "duplex"
    return pdf, verify_pdf(pdf, load_layout(layout_name, plan_dir.resolve()), duplex)


def chosen_plans(root: Path, names: tuple[str, ...]):
    """The plans a command acts on (workspace.chosen) and whether it names them in what it says:
    at a workspace's root, whose workspace.yaml's problems are said first."""
    from .workspace import at_root, chosen
    workspace, members = chosen(root, list(names))
    named = at_root(root)
    for problem in workspace.problems if named else []:
        say(problem)
    return workspace, members, named


def here(diagnostic: Diagnostic, plan_root: Path) -> Diagnostic:
    """A plan's diagnostic with its file as the terminal's editor opens it."""
    from dataclasses import replace
    return replace(diagnostic, file=from_here(plan_root, diagnostic.file)) if diagnostic.file \
        else diagnostic


@main.command(help="按起草规则检查章节源文：标点、引号、发文字号、日期、术语、标题结构、待办标记。"
                   "输出“文件:行:列: 级别 代码 说明”，有错误时退出码为 1。在工作区根目录检查各规划，"
                   "县（市、区）的文件前带其目录。")
@click.option("--version", "version", type=click.Choice(VERSIONS), default="draft",
              show_default=True, help="按哪个版本的要求检查：只查该版本的章节，待办标记等规则的级别随版本而定。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式：text 供编辑器跳转，json 供其他工具读取。")
@click.option("--fix", is_flag=True, help="就地改正可机械改正的问题（半角标点、直引号、发文字号括号），"
              "再报告其余问题。")
@click.option("--rules", "list_rules", is_flag=True, help="列出全部规则（Markdown 表格）后退出。")
@PLANS_OPTION(help="工作区根目录中只检查这个规划：县（市、区）名或目录，市级规划用 workspace.yaml 中 "
                   "city 的名称；可写多次。")
@click.pass_obj
def check(plan_dir: Path, version: str, fmt: str, fix: bool, list_rules: bool,
          names: tuple[str, ...]) -> None:
    from .check import check_plan, fix_plan, rules_table, summary, to_json, to_text

    root = plan_dir.resolve()
    with fail_cleanly(note=""):
        if list_rules:
            click.echo(rules_table(root))
            return
        workspace, members, named = chosen_plans(root, names)
    checked = []
    for member in members:
        try:
            fixed = fix_plan(member.root, version) if fix else {}
            checked.append(Checked(member, fixed, check_plan(member.root, version)))
        except PlanError as exc:
            checked.append(Checked(member, {}, [], exc.diagnostics))
    every, rows = [f for c in checked for f in c.findings], []
    for member, fixed, findings, errors in checked:
        shown = partial(from_here, member.root)
        for file, count in fixed.items():
            err.print(f"已改正 {shown(file)}：{count} 个字符", markup=False)
        if fmt == "json":
            rows += [{**row, "plan": member.name} if named else row
                     for row in to_json(findings, shown)]
            rows += [{**here(d, member.root).as_json(), "plan": member.name} for d in errors]
        else:
            for text in to_text(findings, shown):
                click.echo(text)
            for diagnostic in errors:
                say(here(diagnostic, member.root))
    unread = [c.member.name for c in checked if c.errors]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not named:
        err.print(summary(every))
    else:
        counts = [f"{c.member.name} {len(c.findings)} 处" for c in checked if c.findings]
        err.print(f"{len(checked)} 个规划" + (f"（{'，'.join(counts)}）" if len(counts) > 1 else "")
                  + f"：{summary(every)}" + (f"无法检查：{'、'.join(unread)}。" if unread else ""),
                  markup=False)
    if unread or (named and workspace.problems):
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(1 if any(f.severity == "error" for f in every) else 0)


def from_here(root: Path, file: str) -> str:
    """A plan file as the terminal's editor can open it: relative to the current folder."""
    path = root / file
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


@main.group(help="审阅意见：收集各单位返回的 Word 文件中的批注与修订，答复后生成采纳情况表。")
def comments() -> None:
    pass


ROUND_OPTION = click.option("--round", "round_name", default="征求意见稿", show_default=True,
                            help="征求意见轮次，对应答复文件 reviews/<轮次>.yaml。")


@comments.command(help="收集返回文件（.docx/.doc/.wps）中的批注与修订，定位到章节文件与行号，"
                       "合并进 reviews/<轮次>.yaml，并输出意见汇总表。有文件被跳过时退出码为 1。")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@ROUND_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx", "docx"]),
              default="text", show_default=True, help="意见汇总表的格式。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（json 默认打印；xlsx/docx 默认 build/reviews/<轮次>.意见汇总表.*）。")
@click.option("--units", type=click.Path(dir_okay=False, path_type=Path),
              help="审阅人/文件名与单位的对照表（默认 reviews/units.yaml）。")
@click.option("--version", "version", type=click.Choice(VERSIONS),
              help="返回文件所依据的版本（默认取文件属性 PlanVersion）。")
@click.pass_obj
def collect(plan_dir: Path, files: tuple[Path, ...], round_name: str, fmt: str,
            output: Path | None, units: Path | None, version: str | None) -> None:
    from .files import atomic_write
    from .review import report
    from .rebuild import rebuilt_manifest
    from .review.collect import collect_files
    from .review.responses import load_responses, merge, responses_path, write_responses
    from .review.units import UnitMap

    root = plan_dir.resolve()
    with fail_cleanly():
        unit_map = UnitMap.load(units or root / "reviews" / "units.yaml")
        found = collect_files(list(files), root, version, unit_map, rebuild=rebuilt_manifest)
        path = responses_path(root, round_name)
        shown = display_path(path, root)
        items, added = merge(load_responses(path, shown), found.records)
        write_responses(path, round_name, items)
    for skipped in found.skipped:
        line(("跳过", "red"), f" {skipped.file}：{skipped.message}", error=True)
    for note in found.notes:
        line(("注意", "yellow"), f" {note}", error=True)
    ids = {r.id for r in found.records}
    collected = [i for i in items if i.get("id") in ids]
    answered = sum(1 for i in items if i.get("采纳情况"))
    line(f"读取 {len(files) - len(found.skipped)} 个文件，意见 {len(found.records)} 条；"
         f"{shown}：新增 {added} 条，共 {len(items)} 条，已答复 {answered} 条", error=True)
    title = f"意见汇总表（{round_name}）"
    if fmt == "json":
        data = json.dumps([r.as_json() for r in found.records], ensure_ascii=False, indent=1)
        if output:
            atomic_write(output, (data + "\n").encode("utf-8"))
        else:
            click.echo(data)
    elif fmt == "text":
        print_summary(title, report.summary_rows(collected))
    else:
        target = output or root / "build" / "reviews" / f"{round_name}.意见汇总表.{fmt}"
        sheet = report.Sheet(title, report.SUMMARY_HEADER, report.summary_rows(collected),
                             report.SUMMARY_WIDTHS)
        with fail_cleanly():
            data = report.xlsx_bytes([sheet], root) if fmt == "xlsx" else report.docx_bytes(
                root, title, [sheet], [], report.Source(shown, 1))
            atomic_write(target, data)
        line(("已生成", "green"), f" {display_path(target, root)}")
    if found.skipped:
        sys.exit(1)


def print_summary(title: str, rows: list[list[str]]) -> None:
    from rich.table import Table
    from rich.text import Text

    from .review.report import SUMMARY_HEADER
    table = Table(title=Text(title), show_lines=True)
    for name in SUMMARY_HEADER:
        table.add_column(name, overflow="fold")
    for row in rows:  # cells already neutralised (report.summary_rows); Text: never markup
        table.add_row(*(Text(cell) for cell in row))
    out.print(table)


@comments.command(help="由 reviews/<轮次>.yaml 生成征求意见采纳情况表（.docx 与 .xlsx），"
                       "含各单位统计与供编制说明使用的未采纳意见及理由。")
@ROUND_OPTION
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="输出目录（默认 build/reviews/）。")
@click.pass_obj
def report(plan_dir: Path, round_name: str, output_dir: Path | None) -> None:
    from .files import atomic_write
    from .review import report as tables
    from .review.responses import load_responses, responses_path

    root = plan_dir.resolve()
    path = responses_path(root, round_name)
    shown = display_path(path, root)
    with fail_cleanly():
        if not path.is_file():
            raise PlanError(f"找不到答复文件 {shown}：请先运行 plan comments collect", shown,
                            code="E906")
        items = [r.data for r in load_responses(path, shown)]
        title = f"征求意见采纳情况表（{round_name}）"
        sheets = [tables.Sheet("各单位意见采纳情况", tables.UNIT_HEADER, tables.unit_rows(items),
                               tables.UNIT_WIDTHS),
                  tables.Sheet("意见采纳情况明细", tables.SUMMARY_HEADER,
                               tables.summary_rows(items), tables.SUMMARY_WIDTHS)]
        explanation = tables.explanation(items)
        folder = output_dir or root / "build" / "reviews"
        docx_path = folder / f"{title}.docx"
        xlsx_path = folder / f"{title}.xlsx"
        atomic_write(docx_path, tables.docx_bytes(root, title, sheets, explanation,
                                                  tables.Source(shown, 1),
                                                  "征求意见采纳情况（供编制说明使用）"))
        atomic_write(xlsx_path, tables.xlsx_bytes(sheets, root))
    for text in explanation:
        line(text)
    for text in tables.missing_reasons(items):
        line(("警告", "yellow"), f" {text}", error=True)
    line(("已生成", "green"), f" {display_path(docx_path, root)}、{display_path(xlsx_path, root)}")


@main.group(help="报送：向各科室、单位和各县（市、区）发放报送表，收回后逐格检查并汇总进 data/，"
                  "统计已报送、未报送的单位。")
def intake() -> None:
    pass


@intake.command("template", help="为 plan.yaml 的 units 中的每个单位（或 --unit 指定的单位）生成报送表"
                                 "（.xlsx）：重大工程项目、指标建议、政策举措、填表说明。")
@click.option("--unit", "names", multiple=True, help="只生成这个单位的报送表（可重复）。")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="输出目录（默认 build/intake/报送表/）。")
@click.pass_obj
def intake_template(plan_dir: Path, names: tuple[str, ...], output_dir: Path | None) -> None:
    from .files import atomic_write
    from .intake.template import unit_templates
    from .intake.units import find_unit, load_units

    root = plan_dir.resolve()
    with fail_cleanly():
        units = load_units(root)
        if not units:
            raise PlanError("plan.yaml 中没有列出报送单位（units）：每个单位写明 name、kind（科室/县区）"
                            "和 deadline", "plan.yaml", code="E952")
        chosen = [find_unit(units, name) for name in names] or units
        folder = output_dir or root / "build" / "intake" / "报送表"
        for name, data in unit_templates(root, units, chosen).items():
            atomic_write(folder / name, data)
            line(("已生成", "green"), f" {display_path(folder / name, root)}")
    line(f"共 {len(chosen)} 份报送表。")


@intake.command("collect", help="收回报送表（.xlsx，或经 LibreOffice 转换的 .xls/.et）：逐格检查，"
                                "有效的行连同来源写入 data/，有误的行以“文件!工作表!单元格”列出；"
                                "同一单位再次报送时替换其上次报送的行。")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式。")
@click.pass_obj
def intake_collect(plan_dir: Path, files: tuple[Path, ...], fmt: str) -> None:
    from .intake.collect import collect_files
    from .workspace import find_workspace

    with fail_cleanly(as_json=fmt == "json"):
        workspace, member = find_workspace(plan_dir)
        # At a workspace's root a county's projects go to the county's own plan.
        counties = {m.name: m.root for m in workspace.counties} if member.city else {}
        found = collect_files(list(files), plan_dir, counties=counties)
    if fmt == "json":
        click.echo(json.dumps({
            "units": [{"unit": c.submission.unit, "file": c.submission.file,
                       "date": c.submission.date, "valid": len(c.submission.rows),
                       "invalid": c.submission.invalid, "change": c.describe(),
                       "replaced": c.replaced} for c in found.changes],
            "diagnostics": [d.as_json() for d in found.errors + found.notices],
            "skipped": [d.as_json() for d in found.skipped], "written": found.written},
            ensure_ascii=False, indent=1))
    else:
        for skipped in found.skipped:
            line(("跳过", "red"), f" {skipped.file}：{skipped.message}", error=True)
        for diagnostic in found.errors + found.notices:
            say(diagnostic)
        for change in found.changes:
            unit, file = change.submission.unit, change.submission.file
            for other in change.replaced:
                line(("注意", "yellow"), f" {other} 与 {file} 同为{unit}报送，按较晚的 {file} 汇总",
                     error=True)
            line(change.describe())
        for file in found.written:
            line(("已写入", "green"), f" {file}")
        if not found.written:
            line("数据文件未改动。")
    if found.skipped or found.errors:
        sys.exit(1)


@intake.command("status", help="报送情况：各单位已报送 / 未报送、报送日期、有效与有误的行数。")
@click.option("--format", "fmt", type=click.Choice(["text", "xlsx", "json"]), default="text",
              show_default=True, help="输出格式：text 终端表格，xlsx 另存为 Excel。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="xlsx 的输出文件（默认 build/intake/报送情况.xlsx）。")
@click.pass_obj
def intake_status(plan_dir: Path, fmt: str, output: Path | None) -> None:
    from .files import atomic_write, read_text
    from .intake.log import load_log
    from .intake.status import (HEADER, status_lines, status_rows, status_table,
                                 status_workbook, summary)
    from .intake.units import load_units
    from .load import load_meta
    from .revision import source_revision, stamp

    root = plan_dir.resolve()
    with fail_cleanly(as_json=fmt == "json"):
        meta = load_meta(read_text(root / "plan.yaml", "plan.yaml"))
        rows = status_rows(load_units(root), load_log(root))
        title = f"{meta.title}报送情况"
        if fmt == "xlsx":
            target = output or root / "build" / "intake" / "报送情况.xlsx"
            atomic_write(target, status_workbook(title, rows, stamp(source_revision(root).epoch)))
    if fmt == "json":
        click.echo(json.dumps([dict(zip(HEADER, r)) for r in rows], ensure_ascii=False, indent=1))
        return
    if fmt == "xlsx":
        line(("已生成", "green"), f" {display_path(target, root)}")
    else:
        table = status_table(title, rows, out.width)
        if table is None:
            line(title)
            for text in status_lines(rows):
                line(text)
        else:
            out.print(table, soft_wrap=False)  # the table fits the terminal
    line(summary(rows))


@main.command(help="比较两个版本的规划文本，生成带修订标记的 Word 与修改对照表（Word、Excel）。"
                   "OLD、NEW 为 git 提交号、标签或分支名，或由本流水线生成的 .docx 文件；"
                   "NEW 省略时为当前文件（含未提交的修改）。")
@click.argument("old")
@click.argument("new", required=False, default=".")
@click.option("--version", "version", type=click.Choice(VERSIONS), default="draft",
              show_default=True, help="比较哪个版本的文本（两侧都按此版本生成；.docx 不受影响）。")
@click.option("--old-version", type=click.Choice(VERSIONS), default=None,
              help="旧版本按哪个版本生成（默认同 --version），如征求意见稿对报批稿："
                   "--old-version review --version final。")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="输出目录（默认 build/diff/）。")
@click.option("--author", default="编制组", show_default=True, help="修订标记的作者。")
@click.option("--notes", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="修改说明文件（默认规划目录下的 修改说明.yaml）。")
@click.pass_obj
def diff(plan_dir: Path, old: str, new: str, version: str, old_version: str | None,
         out_dir: Path | None, author: str, notes: Path | None) -> None:
    from .diff import diff_plan

    root = plan_dir.resolve()
    with fail_cleanly():
        result = diff_plan(plan_dir, old, new, version, out_dir, author, notes, old_version)
    for diagnostic in result.diagnostics:
        say(diagnostic)
    if not result.records:
        out.print("两个版本的正文没有差异。")
    else:
        counts = "，".join(f"{kind} {n}" for kind, n in result.counts.items())
        out.print(f"共 {len(result.records)} 处修改（{counts}），修订标记 {result.tracked} 处。")
    for label, path in (("修订标记 Word", result.redline), ("修改对照表 Word", result.table_docx),
                        ("修改对照表 Excel", result.table_xlsx)):
        out.print(f"[green]已生成[/green] {label}：{display_path(path, root)}")
    if result.records:
        out.print(f"修改说明请填写在 {display_path(result.notes, root)}，重新运行后写入对照表。")
    out.print(f"用时 {result.seconds:.1f} 秒。")


@main.command(name="import", help="导入已有的 Word 文稿（.docx，或经 LibreOffice 转换的 .doc/.wps）："
                                 "按章写成 chapters/*.md，图片存入 images/，目录中没有 plan.yaml 时一并生成，"
                                 "并写出导入报告.txt。")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "target", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="导入到哪个规划目录（默认为 plan --plan 所指的目录，即当前目录）。")
@click.option("--force", is_flag=True, help="chapters/ 中已有章节文件时仍然导入：原有的 chapters/、"
              "images/ 和导入报告先移到“导入备份-N/”中。")
@click.option("--accept-changes", "accept", is_flag=True,
              help="接受文中全部修订后导入；批注不进正文，列在导入报告中。")
@click.option("--reject-changes", "reject", is_flag=True,
              help="拒绝文中全部修订后导入；批注不进正文，列在导入报告中。")
@click.pass_obj
def import_word(plan_dir: Path, file: Path, target: Path | None, force: bool, accept: bool,
                reject: bool) -> None:
    from .importer import REPORT_NAME, import_word as run_import

    root = (target or plan_dir).resolve()
    with fail_cleanly(note="未写入任何文件。"):
        if accept and reject:
            raise PlanError("--accept-changes 与 --reject-changes 只能选一个", code="E993")
        imported = run_import(file, root, force, "accept" if accept else "reject" if reject
                              else "")
    chapters = [p for p in imported.files if p.startswith("chapters/")]
    line(("已导入", "green"), f" {len(chapters)} 章（编号方案 {imported.scheme}）：",
         "、".join(chapters))
    if imported.backup is not None:
        line(f"原有章节文件已移到 {display_path(imported.backup, root)}/")
    if imported.notes:
        line(("需要注意", "yellow"), f" {len(imported.notes)} 处（未导入的内容、疑似标题等），"
             "见导入报告", error=True)
    if imported.build_error:
        line(("导入的章节无法生成", "red"), f"：{imported.build_error}", error=True)
    elif imported.check:
        from .check import summary
        line(f"起草规则检查：{summary(imported.check)}", error=True)
    line(f"导入报告：{display_path(root / REPORT_NAME, root)}")


class fail_cleanly:
    """Bad input ends in Chinese lines with file:line and exit code 2, never a traceback."""

    def __init__(self, note: str = "未生成新文件，原有输出保持不变。", as_json: bool = False) -> None:
        self.note = note
        self.as_json = as_json

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, PlanError):
            if self.as_json:
                click.echo(json.dumps({"diagnostics": [d.as_json() for d in exc.diagnostics]},
                                      ensure_ascii=False, indent=1))
            else:
                for diagnostic in exc.diagnostics:
                    say(diagnostic)
                if self.note:
                    line(self.note, error=True)
            sys.exit(EXIT_BAD_INPUT)
        return False


if __name__ == "__main__":
    main()
