"""The `plan` command: a thin click layer over the pipeline; the only place that prints."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from .build import build_docx
from .errors import PlanError

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
VERSIONS = ("draft", "review", "final")


@click.group(help="规划文本编制流水线：由 Markdown 章节生成公文格式的 Word 与 PDF。")
@click.option("--plan", "plan_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="规划目录（含 plan.yaml）。")
@click.pass_context
def main(ctx: click.Context, plan_dir: Path) -> None:
    ctx.obj = plan_dir


@main.command(help="生成指定版本的规划文本（输出到 build/<版本>/）。")
@click.option("--version", "version", type=click.Choice([*VERSIONS, "all"]), default="draft",
              show_default=True, help="版本：draft 初稿、review 征求意见稿、final 报批稿。")
@click.pass_obj
def build(plan_dir: Path, version: str) -> None:
    versions = VERSIONS if version == "all" else (version,)
    for key in versions:
        with fail_cleanly():
            built = build_docx(plan_dir, key)
        shown = built.docx.relative_to(plan_dir.resolve()) if built.docx.is_relative_to(
            plan_dir.resolve()) else built.docx
        out.print(f"[green]已生成[/green] {built.label}：{shown}")


class fail_cleanly:
    """Bad input ends in one Chinese line with file:line and exit code 2, never a traceback."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, PlanError):
            err.print(f"[red]错误[/red] {exc}", soft_wrap=True)
            err.print("未生成新文件，原有输出保持不变。")
            sys.exit(2)
        return False


if __name__ == "__main__":
    main()
