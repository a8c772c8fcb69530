"""The layout profile is checked key by key: a unit's own copy of styles/gbt9704.yaml with a key
missing, misspelt or of the wrong kind is refused with the file and line, every problem at
once, and never ends in a traceback."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import ROOT, make_plan
from pipeline.cli import main
from pipeline.errors import PlanError
from pipeline.layout import SCHEMA, load_layout

PROFILE = (ROOT / "styles" / "gbt9704.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def plan_with_profile(tmp_path, text: str):
    root = make_plan(tmp_path / "plan", {"01-总则.md": "# 总则\n\n正文。\n"})
    (root / "styles").mkdir()
    (root / "styles" / "gbt9704.yaml").write_text(text, encoding="utf-8")
    return root


def build(root):
    return CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])


def test_the_shipped_profile_passes_its_own_schema():
    layout = load_layout("gbt9704", ROOT)
    assert set(SCHEMA) - {"font_alternates?", "verify?"} <= set(layout.data)
    assert layout["page"]["header_twips"] == 851
    assert layout["table"]["min_column_chars"] == 3


@pytest.mark.parametrize("edit, code, where, words", [
    (("  shading: F2F2F2\n", ""), "E404", "box:", "“box”缺少：shading"),
    (("  levels: 2 ", "  levelz: 2 "), "E406", "  levelz: 2", "未知的键“toc.levelz”"),
    (("  size_pt: 10.5\n  header_font", "  size_pt: 五号\n  header_font"), "E405",
     "  size_pt: 五号", "“table.size_pt”应为磅数"),
    (("  shading: F2F2F2", "  shading: 灰色"), "E405", "  shading: 灰色", "颜色"),
    (('{number: "第{cn}节　", font: 楷体_GB2312, size_pt: 16,',
      '{number: "第{cn}节　", font: 楷体_GB2312,'), "E404", '"第{cn}节　"',
     "“numbering.plan[2]”缺少：size_pt"),
    (("  lines: 22", "  lines: 0"), "E405", "  lines: 0", "正整数"),
])
def test_a_bad_key_is_named_at_its_line(tmp_path, edit, code, where, words):
    old, new = edit
    assert old in PROFILE
    text = PROFILE.replace(old, new, 1)
    result = build(plan_with_profile(tmp_path, text))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"styles/gbt9704.yaml:{line_of(text, where)}:" in result.output
    assert words in result.output and code in result.output, result.output


def test_every_problem_of_a_profile_is_listed_at_once(tmp_path):
    text = (PROFILE.replace("  shading: F2F2F2\n", "")
            .replace("  dash: \"—\"", "  dash: 1")
            .replace("footnote:\n  font: 仿宋_GB2312\n", "footnote:\n  font: 仿宋_GB2312\n  colour: red\n"))
    root = plan_with_profile(tmp_path, text)
    with pytest.raises(PlanError) as caught:
        load_layout("gbt9704", root)
    codes = sorted(d.code for d in caught.value.diagnostics)
    assert codes == ["E404", "E405", "E406"]
    unknown = next(d for d in caught.value.diagnostics if d.code == "E406")
    assert (unknown.file, unknown.line) == ("styles/gbt9704.yaml", line_of(text, "colour: red"))


def test_a_missing_section_and_a_profile_that_is_not_a_mapping(tmp_path):
    root = plan_with_profile(tmp_path, PROFILE.split("\nfootnote:")[0] + "\n")
    result = build(root)
    assert result.exit_code == 2 and "E402" in result.output and "footnote" in result.output
    (root / "styles" / "gbt9704.yaml").write_text("- 一\n- 二\n", encoding="utf-8")
    result = build(root)
    assert result.exit_code == 2 and "E402" in result.output and "Traceback" not in result.output
