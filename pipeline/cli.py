"""The `plan` command: a thin click layer over the pipeline; the only place that prints."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from .errors import PlanError, display_path

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
VERSIONS = ("draft", "review", "final")
EXIT_BAD_INPUT = 2
EXIT_PDF_UNAVAILABLE = 3


@click.group(help="规划文本编制流水线：由 Markdown 章节生成公文格式的 Word 与 PDF。")
@click.option("--plan", "plan_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="规划目录（含 plan.yaml）。")
@click.pass_context
def main(ctx: click.Context, plan_dir: Path) -> None:
    ctx.obj = plan_dir


@main.command(help="生成指定版本的规划文本：Word 与 PDF，输出到 build/<版本>/。")
@click.option("--version", "version", type=click.Choice([*VERSIONS, "all"]), default="draft",
              show_default=True, help="版本：draft 初稿、review 征求意见稿、final 报批稿、all 全部。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all",
              show_default=True, help="输出格式：docx 只生成 Word；pdf 或 all 同时生成 PDF。")
@click.pass_obj
def build(plan_dir: Path, version: str, fmt: str) -> None:
    from .build import build as build_versions

    versions = list(VERSIONS) if version == "all" else [version]
    root = plan_dir.resolve()
    skipped = False
    with fail_cleanly():
        for built in build_versions(plan_dir, versions, pdf=fmt != "docx"):
            out.print(f"[green]已生成[/green] {built.label or built.version} Word："
                      f"{display_path(built.docx, root)}")
            for warning in built.warnings:
                err.print(f"[yellow]警告[/yellow] {warning}")
            if built.pdf_skipped:
                skipped = True
                err.print(f"[yellow]未生成 PDF[/yellow]：{built.pdf_skipped}", soft_wrap=True)
                continue
            if built.pdf:
                out.print(f"[green]已生成[/green] {built.label} PDF：{display_path(built.pdf, root)}"
                          f"（{built.pdf_pages} 页，{built.pdf_seconds:.1f} 秒）")
                report_fonts(built.fonts)
                report_checks(built.checks, display_path(built.verify_report, root))
    if skipped and fmt == "pdf":
        sys.exit(EXIT_PDF_UNAVAILABLE)


def report_fonts(fonts) -> None:
    if fonts is None:
        return
    for sub in fonts.substitutions:
        embedded = "、".join(sub.embedded_as) or "未嵌入"
        out.print(f"  字体替换：{sub.requested} → {sub.mapped.family}（PDF 中为 {embedded}）")
    for font in fonts.unexpected:
        out.print(f"  [yellow]另用字体[/yellow]：{font.name}（LibreOffice 自行选用）")
    for glyph in fonts.missing:
        out.print(f"  [yellow]缺字[/yellow]：“{glyph.char}”（U+{glyph.codepoint:04X}）"
                  f"{glyph.mapped_family} 中没有，出现 {glyph.count} 次，已由其他字体代替"
                  f"（要求字体 {glyph.requested}）")


def report_checks(checks, report: str) -> None:
    failed = [c for c in checks if not c.ok]
    if not failed:
        out.print(f"  版式检查：{len(checks)} 项全部符合（{report}）")
        return
    out.print(f"  [red]版式检查：{len(failed)} 项不符合[/red]（{report}）")
    for check in failed:
        out.print(f"    {check.item}：要求 {check.requirement}，实测 {check.measured}")


@main.command(help="各章编写进度：责任科室、状态、字数、待办标记数、所在版本。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式。")
@click.pass_obj
def status(plan_dir: Path, fmt: str) -> None:
    from dataclasses import asdict

    from rich.table import Table

    from .build import read_plan
    from .status import chapter_status

    with fail_cleanly():
        plan, _ = read_plan(plan_dir)
    rows = chapter_status(plan)
    if fmt == "json":
        out.print_json(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return
    every = [spec.label or key for key, spec in plan.meta.versions.items()]
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


@main.command(help="按版式方案实测 PDF：纸张、版心、行数、字数、页码、字体嵌入、目录页码。")
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式。")
@click.pass_obj
def verify(plan_dir: Path, pdf: Path, fmt: str) -> None:
    from .layout import load_layout
    from .load import load_meta, read_text
    from .verify import render_table, to_json, verify_pdf

    with fail_cleanly():
        layout_name = "gbt9704"
        if (plan_dir / "plan.yaml").is_file():
            layout_name = load_meta(read_text(plan_dir / "plan.yaml", "plan.yaml")).layout
        checks = verify_pdf(pdf, load_layout(layout_name, plan_dir.resolve()))
    if fmt == "json":
        out.print_json(json.dumps(to_json(checks), ensure_ascii=False))
    else:
        out.print(render_table(checks), markup=False)
    sys.exit(0 if all(c.ok for c in checks) else 1)


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


class fail_cleanly:
    """Bad input ends in one Chinese line with file:line and exit code 2, never a traceback."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, PlanError):
            err.print(f"[red]错误[/red] {exc}", soft_wrap=True, markup=True)
            err.print("未生成新文件，原有输出保持不变。")
            sys.exit(EXIT_BAD_INPUT)
        return False


if __name__ == "__main__":
    main()
