"""Bad input: one Chinese line with file:line, exit code 2, no traceback, last output kept."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOOD_CHAPTER as GOOD, expect_failure, make_plan


def chapter(root: Path) -> Path:
    return root / "chapters" / "01-总体要求.md"


def test_missing_plan_yaml(built_plan):
    root, output, before = built_plan
    (root / "plan.yaml").unlink()
    expect_failure(root, output, before, "plan.yaml", "找不到 plan.yaml")


def test_malformed_plan_yaml(built_plan):
    root, output, before = built_plan
    (root / "plan.yaml").write_text("title: 测试规划\nversions: [draft\nlayout: x\n",
                                    encoding="utf-8")
    expect_failure(root, output, before, "plan.yaml:3", "YAML 格式错误")


def test_plan_yaml_without_title(built_plan):
    root, output, before = built_plan
    (root / "plan.yaml").write_text("organization: 某局\n", encoding="utf-8")
    expect_failure(root, output, before, "plan.yaml", "title")


# Each bad front matter: the chapter's text, the file:line the message names, words it says.
FRONT_MATTER_CASES = {
    "malformed": ("---\nid: one\nowner: [规划\n---\n# 标题\n", 3, "YAML 格式错误"),
    "unknown key": ("---\nid: one\nauthor: 张三\n---\n# 标题\n", 3, "未知的键“author”"),
    "wrong type": ("---\nid: one\nversions: draft\n---\n# 标题\n", 3, "应为列表"),
    "unknown status": ("---\nstatus: 写完了\n---\n# 标题\n", 2, "起草中"),
}


@pytest.mark.parametrize("case", FRONT_MATTER_CASES)
def test_bad_front_matter(built_plan, case):
    root, output, before = built_plan
    text, line, words = FRONT_MATTER_CASES[case]
    chapter(root).write_text(text, encoding="utf-8")
    expect_failure(root, output, before, f"chapters/01-总体要求.md:{line}", words)


def test_duplicate_chapter_id(built_plan):
    root, output, before = built_plan
    (root / "chapters" / "02-重复.md").write_text("---\n\nid: one\n---\n# 重复\n",
                                                 encoding="utf-8")
    expect_failure(root, output, before, "chapters/02-重复.md:3", "与 chapters/01-总体要求.md 重复")


def test_heading_level_skip(built_plan):
    root, output, before = built_plan
    chapter(root).write_text(GOOD + "\n#### 跳级\n\n正文。\n", encoding="utf-8")
    expect_failure(root, output, before, "chapters/01-总体要求.md:11", "标题层级跳跃")


def test_typed_heading_numbering(built_plan):
    root, output, before = built_plan
    chapter(root).write_text(GOOD + "\n### 一、主要任务\n", encoding="utf-8")
    expect_failure(root, output, before, "chapters/01-总体要求.md:11", "自带编号")


def test_non_utf8_chapter(built_plan):
    root, output, before = built_plan
    chapter(root).write_bytes("---\nid: one\n---\n# 标题\n\n第二段\n".encode("utf-8")
                              + "第七行是GBK编码".encode("gbk"))
    expect_failure(root, output, before, "chapters/01-总体要求.md:7", "UTF-8")


def test_unreadable_chapter(built_plan):
    root, output, before = built_plan
    (root / "chapters" / "02-目录而非文件.md").mkdir()
    expect_failure(root, output, before, "chapters/02-目录而非文件.md", "无法读取")


def test_image_outside_the_plan_folder(built_plan, tmp_path):
    root, output, before = built_plan
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    chapter(root).write_text(GOOD + "\n![外部图片](../../secret.png)\n", encoding="utf-8")
    expect_failure(root, output, before, "chapters/01-总体要求.md:11", "路径超出规划目录")


def test_missing_image(built_plan):
    root, output, before = built_plan
    chapter(root).write_text(GOOD + "\n![示意图](images/none.png)\n", encoding="utf-8")
    expect_failure(root, output, before, "chapters/01-总体要求.md:11", "找不到图片文件")


def test_unclosed_or_unknown_container(built_plan):
    root, output, before = built_plan
    chapter(root).write_text(GOOD + "\n::: 附录 其他\n内容\n:::\n", encoding="utf-8")
    expect_failure(root, output, before, "chapters/01-总体要求.md:11", "未知的容器")


def test_real_command_prints_no_traceback(tmp_path):
    root = make_plan(tmp_path / "plan", {"01-a.md": "# 标题\n\n### 跳级\n"})
    plan = Path(sys.executable).parent / "plan"
    result = subprocess.run([str(plan), "--plan", str(root), "build"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "chapters/01-a.md:3" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
