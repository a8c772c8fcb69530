"""What a Chinese user reads: click's own help and usage errors in Chinese whatever the locale,
versions printed without a label still named, the encoding hint an Excel user can follow."""
from __future__ import annotations

import ast
import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import expect_failure, make_plan, run_build
from pipeline.cli import LOCALE, main

CATALOG = LOCALE / "zh_CN" / "LC_MESSAGES"
PLAN = Path(sys.executable).parent / "plan"


def po_entries(path: Path) -> dict[str, tuple[str, str]]:
    """msgid → (msgstr, msgid_plural) of a .po file, escapes resolved."""
    entries: dict[str, tuple[str, str]] = {}
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
            if match:
                key = match.group(1).replace("[0]", "")
                fields[key] = ast.literal_eval(f'"{match.group(2)}"')
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries[fields["msgid"]] = fields["msgstr"], fields.get("msgid_plural", "")
    return entries


def click_messages() -> set[str]:
    """Every literal click passes to gettext (_ and ngettext), read from its source."""
    found = {"required"}  # passed as a variable: _(extra["required"])
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("_", "ngettext") and node.args \
                    and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def test_the_compiled_catalog_is_the_po_file():
    entries = po_entries(CATALOG / "plan.po")
    with open(CATALOG / "plan.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert entries
    for msgid, (msgstr, plural) in entries.items():
        got = compiled.ngettext(msgid, plural, 2) if plural else compiled.gettext(msgid)
        assert got == msgstr, msgid


def test_every_message_of_click_is_translated():
    entries = po_entries(CATALOG / "plan.po")
    missing = click_messages() - set(entries)
    assert not missing, sorted(missing)
    for msgid, (msgstr, plural) in entries.items():  # .format() must still fill each name
        names = {n for n in re.findall(r"\{(\w+)", msgid + plural)}
        assert {n for n in re.findall(r"\{(\w+)", msgstr)} <= names, msgid
        assert not re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}|%\(\w+\)s|Bash|Windows|UUID",
                                                     "", msgstr)), msgstr


def run_plan(*args: str) -> subprocess.CompletedProcess:
    """The real command under an English locale: the help is Chinese all the same."""
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.pop("LANGUAGE", None)
    return subprocess.run([str(PLAN), *args], capture_output=True, text=True, timeout=60,
                          env=env)


def test_help_is_chinese_whatever_the_locale():
    result = run_plan("--help")
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("用法： plan [选项] 命令 [参数]...")
    assert "选项：" in out and "命令：" in out and "显示本帮助后退出。" in out
    assert "[默认：.]" in out
    for english in ("Usage", "Options", "Commands", "Show this message", "default:"):
        assert english not in out, english
    build = run_plan("build", "--help").stdout
    assert "用法： plan build [选项]" in build and "[默认：draft]" in build


def every_help(group: click.Group, path: tuple[str, ...] = ()):
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_help(command, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize("columns", [80, 100])
def test_help_fits_the_terminal_with_its_columns_aligned(columns):
    """Chinese characters take two columns: every help text fits the terminal, the descriptions
    of one list start in one column, no line opens with a closing mark, no command's line in
    its group's list is cut to "..."."""
    from pipeline.chinese import display_width
    for path in every_help(main):
        out = CliRunner().invoke(main, [*path, "--help"], terminal_width=columns).output
        lines = out.splitlines()
        assert all(display_width(line) <= columns for line in lines), (path, out)
        assert not [line for line in lines if line.strip() and line.strip()[0] in "，。、；：？！）》”"], out
        starts = set()
        for line in lines:
            # "  --plan 名称    只生成…" / "  build     生成…": where a description begins
            found = re.match(r"^  (\S+(?: \S+)?)( {2,})(\S)", line)
            if found and not line.startswith("   "):
                starts.add(display_width(line[:found.start(3)]))
        assert len(starts) <= 2, (path, starts, out)  # the options' column, the commands'
        listed = out.partition("命令：")[2]  # a group's commands, one line each
        assert "..." not in listed, out


@pytest.mark.parametrize("args, words", [
    (["bild"], "错误：没有命令“bild”。"),
    (["build", "--version", "最终"], "错误：'--version' 的取值不对：“最终”不在可选范围内"),
    (["check", "--nope"], "错误：没有选项“--nope”。"),
    (["diff"], "错误：缺少参数 'OLD'"),
])
def test_usage_errors_are_chinese(args, words):
    result = run_plan(*args)
    assert result.returncode == 2
    assert words in result.stderr, result.stderr
    assert "运行“plan" in result.stderr and "查看帮助。" in result.stderr
    assert "Usage" not in result.stderr and "Error" not in result.stderr


@pytest.mark.parametrize("label", ["''", ""])  # written empty, or left without a value
def test_a_version_without_a_label_is_named(tmp_path, label):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文。\n"},
                     f"title: 测试规划\nversions:\n  final: {{label: {label}}}\n")
    result = run_build(root, "final")
    assert result.exit_code == 0, result.output
    assert "已生成 报批稿（无标注） Word：build/final/测试规划.docx" in result.output
    assert "final" not in result.output.replace("build/final/", "")


def test_an_empty_title_is_not_none(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文。\n"}, "title:\n")
    result = run_build(root)
    assert result.exit_code == 2
    assert "plan.yaml:1: plan.yaml 必须写明规划名称（title）" in result.output
    assert "None" not in result.output


def test_gbk_csv_tells_how_to_save_from_excel(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文。\n"})
    result = run_build(root)
    output = root / "build" / "draft" / "测试规划（初稿）.docx"
    before = output.read_bytes()
    (root / "data").mkdir()
    (root / "data" / "projects.csv").write_bytes(
        "名称,类别\n赣州市污水处理厂提标改造,水污染防治\n".encode("gbk"))
    expect_failure(root, output, before, "data/projects.csv:1",
                   "在 Excel 中“另存为”，文件类型选“CSV UTF-8（逗号分隔）(*.csv)”")
    assert result.exit_code == 0
