"""plan check: each rule on crafted text at its exact line and column, silent on the sample plan;
--fix changes only the intended characters; the JSON keys other tools read stay as they are."""
from __future__ import annotations

import json
import re
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, copy_sample, make_plan, part
from pipeline.check import JSON_KEYS, check_plan, fix_plan, rules_table
from pipeline.check.fix import apply_fixes
from pipeline.check.runner import CharFix
from pipeline.cli import main
from pipeline.errors import PlanError

FRONT = "---\nid: one\nowner: 规划财务科\n---\n"  # four lines: the body starts on line 5
HEAD = "# 总体要求\n\n"  # lines 5 and 6: the first paragraph is on line 7
SPECS = yaml.safe_load((ROOT / "styles" / "rules.yaml").read_text(encoding="utf-8"))
# The data rules need a data file beside their examples: tested on their own below.
ACTIVE = [code for code, spec in SPECS.items() if not code.startswith("D")]


def plan(tmp_path: Path, *bodies: str, plan_yaml: str = "title: 测试规划\n") -> Path:
    chapters = {f"0{i + 1}-章.md": FRONT.replace("one", f"c{i}") + body
                for i, body in enumerate(bodies)}
    return make_plan(tmp_path / "plan", chapters, plan_yaml)


def found(root: Path, version: str = "draft", code: str | None = None) -> list[tuple]:
    return [(f.file.removeprefix("chapters/"), f.line, f.col, f.code)
            for f in check_plan(root, version) if code is None or f.code == code]


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["--plan", str(root), "check", *args])


# ---- the sample and the documented examples ----------------------------------------------

@pytest.mark.parametrize("version", ["draft", "review", "final"])
def test_the_sample_plan_has_no_findings(version):
    assert check_plan(ROOT, version) == []


@pytest.mark.parametrize("code", ACTIVE)
def test_each_rule_fires_on_its_wrong_example_and_not_on_its_right_one(tmp_path, code):
    wrong = make_plan(tmp_path / "wrong", {"01-错例.md": SPECS[code]["wrong"]})
    right = make_plan(tmp_path / "right", {"01-正例.md": SPECS[code]["right"]})
    assert {f.code for f in check_plan(wrong)} == {code}
    assert check_plan(right) == []


# ---- punctuation -------------------------------------------------------------------------

def test_p101_half_width_punctuation_next_to_chinese(tmp_path):
    root = plan(tmp_path, HEAD + "加强监管,严厉打击(违法)行为;细颗粒物(PM2.5)浓度\n\n"
                "比例为1:1,000，时间10:30，**监管**,到位\n")
    assert found(root) == [("01-章.md", 7, 5, "P101"), ("01-章.md", 7, 10, "P101"),
                           ("01-章.md", 7, 16, "P101"), ("01-章.md", 7, 21, "P101"),
                           ("01-章.md", 9, 26, "P101")]
    messages = [f.message for f in check_plan(root)]
    assert messages[1] == "中文中应使用全角标点“（）”，不用半角“()”"


def test_p102_straight_quotes_and_apostrophes(tmp_path):
    root = plan(tmp_path, HEAD + "编制\"十四五\"规划，践行'两山'理念，Xi'an 的例子\n\n他说\"好\n")
    assert found(root) == [("01-章.md", 7, 3, "P102"), ("01-章.md", 7, 13, "P102"),
                           ("01-章.md", 9, 3, "P102")]
    fixes = [f.fixes for f in check_plan(root)]
    assert [(c.col, c.new) for c in fixes[0]] == [(3, "“"), (7, "”")]
    assert fixes[2] == ()  # an unpaired quote: which way it faces is for the drafter to say


def test_p103_unbalanced_pairs_within_one_paragraph(tmp_path):
    root = plan(tmp_path, HEAD + "依据《赣州市规划，推进”绿水青山”理念。\n\n（《条例）》\n\n"
                "依据《赣州市\n规划》执行。\n")
    assert [(line, col, code) for _, line, col, code in found(root)] == [
        (7, 3, "P103"), (7, 12, "P103"), (7, 17, "P103"), (9, 2, "P103"), (9, 6, "P103")]
    assert [f.message for f in check_plan(root)][:2] == ["前书名号《没有对应的后书名号》",
                                                          "后引号”没有对应的前引号“"]


# ---- document numbers and dates ----------------------------------------------------------

def test_n201_n202_document_numbers(tmp_path):
    root = plan(tmp_path, HEAD + "见赣市府办字[2019]40号、国发【2020】5号、赣府字(2018)1号、"
                "赣府字（2018）2号。\n\n见赣市府办字〔2019〕第40号、国发〔2020〕005号、国发〔2020〕5号。\n")
    assert found(root) == [("01-章.md", 7, 7, "N201"), ("01-章.md", 7, 19, "N201"),
                           ("01-章.md", 7, 31, "N201"), ("01-章.md", 7, 43, "N201"),
                           ("01-章.md", 9, 13, "N202"), ("01-章.md", 9, 26, "N202")]


def test_n203_the_issuer_in_the_seed_work_plan(tmp_path):
    # Verbatim from /work/shared/seed/ganzhou-14th-fyp-eco-workplan.txt (三、时间安排).
    seed = ("根据《中国足球彩票办公厅关于印发赣州市“十四五”规划编制工作方案的通知》(赣市府办字〔2019〕40号)"
            "的时间要求,结合实际,全市“十四五”生态环境保护规划编制工作分为三个阶段进行。")
    root = plan(tmp_path, HEAD + seed + "\n")
    [issuer] = [f for f in check_plan(root) if f.code == "N203"]
    assert (issuer.line, issuer.col) == (7, 4)
    assert issuer.message == ("发文机关“中国足球彩票办公厅”与发文字号的代字“赣市府办字”不符："
                              "赣市府办字是赣州市人民政府办公厅的代字")
    corrected = seed.replace("中国足球彩票办公厅", "赣州市人民政府办公厅")
    (root / "chapters" / "01-章.md").write_text(FRONT + HEAD + corrected + "\n", encoding="utf-8")
    assert found(root, code="N203") == []


def test_n203_reads_the_glossary_of_agency_codes(tmp_path):
    root = plan(tmp_path, HEAD + "按照《国务院办公厅关于印发某方案的通知》（国发〔2018〕22号）执行。\n")
    assert found(root, code="N203") == [("01-章.md", 7, 4, "N203")]
    (root / "styles").mkdir()
    (root / "styles" / "glossary.yaml").write_text("agencies: {国发: 国务院办公厅}\n", encoding="utf-8")
    assert found(root, code="N203") == []


def test_n204_n205_dates(tmp_path):
    root = plan(tmp_path, HEAD + "2020年09月03日印发，2020-9-30前完成，2020/10起实施，增长2020.5吨。\n\n"
                "二零二零年九月、2020年九月、二〇二〇年9月\n")
    assert found(root) == [("01-章.md", 7, 6, "N204"), ("01-章.md", 7, 9, "N204"),
                           ("01-章.md", 7, 15, "N205"), ("01-章.md", 7, 28, "N205"),
                           ("01-章.md", 9, 2, "N205"), ("01-章.md", 9, 9, "N205"),
                           ("01-章.md", 9, 17, "N205")]


# ---- consistency across the plan ---------------------------------------------------------

def test_c301_year_ranges_follow_the_period_on_the_cover(tmp_path):
    root = plan(tmp_path, HEAD + "规划期限为2021—2025年。\n",
                HEAD + "工程于2021-2025年实施，2021年至2025年完成，2021—2023年试点。\n")
    assert found(root) == [("02-章.md", 7, 4, "C301"), ("02-章.md", 7, 17, "C301")]
    assert check_plan(root)[0].message == ("年份区间“2021-2025年”与封面上的规划期限“2021—2025年”"
                                           "写法不一致：应写作“2021—2025年”")


def test_c301_without_a_period_range_the_majority_wins(tmp_path):
    root = plan(tmp_path, HEAD + "2021-2025年，2021-2023年，2021～2025年。\n",
                plan_yaml="title: 测试规划\nperiod: 五年\n")
    assert found(root) == [("01-章.md", 7, 23, "C301")]


def test_c302_units_one_way_through_the_plan_table_cells_included(tmp_path):
    root = plan(tmp_path, HEAD + "浓度29微克/立方米，臭氧160μg/m³，面积12平方公里，3万吨，“千吨万人”水源，5 t。\n\n"
                "| 指标 | 单位 |\n|---|---|\n| 细颗粒物 | μg/m³ |\n| 臭氧 | μg/m³ |\n")
    assert found(root) == [("01-章.md", 7, 5, "C302"), ("01-章.md", 7, 47, "C302")]
    assert "计量单位“微克/立方米”与本规划其他地方的“μg/m³”（3 处）" in check_plan(root)[0].message


def test_c303_glossary_terms(tmp_path):
    root = plan(tmp_path, HEAD + "编制十四五规划，总结「十三五」，落实“十四五”和\"十四五\"，开展赣州经开区三线一单工作。\n")
    assert found(root) == [("01-章.md", 7, 3, "C303"), ("01-章.md", 7, 11, "C303"),
                           ("01-章.md", 7, 25, "P102"), ("01-章.md", 7, 33, "C303"),
                           ("01-章.md", 7, 38, "C303")]


# ---- wording, headings, to-do markers ----------------------------------------------------

def test_w401_repeated_characters_and_words(tmp_path):
    root = plan(tmp_path, HEAD + "推动的的任务落实落实，饮用水水源，实现目的的手段，为了了解情况，"
                "是是非非。\n")
    assert found(root) == [("01-章.md", 7, 4, "W401"), ("01-章.md", 7, 9, "W401")]


def test_headings_typed_numbers_skips_empty_titles_and_sections(tmp_path):
    root = plan(tmp_path, "# 总体要求\n\n## 一、指导思想\n\n正文。\n\n#### 跳级\n\n正文。\n\n"
                "##\n\n正文。\n\n## 基本原则\n\n## 规划目标\n\n### 近期目标\n\n正文。\n")
    assert found(root) == [("01-章.md", 7, 1, "H501"), ("01-章.md", 11, 1, "H502"),
                           ("01-章.md", 15, 1, "H503"), ("01-章.md", 19, 1, "H504")]


def test_heading_rules_report_the_line_plan_build_stops_at(tmp_path):
    root = plan(tmp_path, "# 总体要求\n\n正文。\n\n### 一、跳级\n\n正文。\n")
    assert found(root) == [("01-章.md", 9, 1, "H501"), ("01-章.md", 9, 1, "H502")]
    build = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert "chapters/01-章.md:9" in build.output


def test_a_title_in_the_front_matter_is_the_first_heading(tmp_path):
    root = make_plan(tmp_path / "plan", {"01-a.md": "---\ntitle: 总体要求\n---\n## 指导思想\n\n正文。\n"})
    assert check_plan(root) == []


def test_t601_severity_follows_the_version(tmp_path):
    root = plan(tmp_path, HEAD + "森林覆盖率【待定】，TODO 补充数据，TODOS 不算。\n\n{# TODO: 核实 #}\n")
    severities = {v: [(f.line, f.col, f.severity) for f in check_plan(root, v)]
                  for v in ("draft", "review", "final")}
    assert severities == {"draft": [(7, 6, "info"), (7, 11, "info"), (9, 4, "info")],
                          "review": [(7, 6, "warning"), (7, 11, "warning"), (9, 4, "warning")],
                          "final": [(7, 6, "error"), (7, 11, "error"), (9, 4, "error")]}
    assert run(root).exit_code == 0
    assert run(root, "--version", "review").exit_code == 0
    assert run(root, "--version", "final").exit_code == 1


def test_only_the_chapters_of_the_version_are_checked(tmp_path):
    root = make_plan(tmp_path / "plan", {"01-a.md": "---\nversions: [draft]\n---\n# 附\n\n中文,逗号\n"})
    assert found(root, "draft") == [("01-a.md", 6, 3, "P101")]
    assert found(root, "final") == []


# ---- what the rules do not read ----------------------------------------------------------

def test_markup_code_links_templates_and_front_matter_are_skipped(tmp_path):
    body = (HEAD + "使用`key:value,a;b`格式，见[说明](https://a.cn/x?a=1,b=(2))和网址https://b.cn/?q=1,2。\n\n"
            "浓度为{{ data[\"pm25\"].value }}微克，{% if version == 'draft' %}\n"
            "草稿{{ x,y }}内容\n{% endif %}\n\n```\n中文,代码(块)\n```\n\n"
            "::: 专栏 重点工程\n内容。\n:::\n\n脚注[^1]。\n\n[^1]: 说明。\n\n- 列表项\n1. 序号项\n")
    root = plan(tmp_path, body)
    (root / "chapters" / "01-章.md").write_text(
        "---\nid: one\nowner: 规划财务科, 大气环境科(暂定)\n---\n" + body, encoding="utf-8")
    # The template names nothing the data has (D701 says so); no other rule reads inside it.
    assert [f.code for f in check_plan(root)] == ["D701"]


def test_a_box_title_is_checked_as_text(tmp_path):
    root = plan(tmp_path, HEAD + "::: 专栏 重点工程(一)\n内容。\n:::\n")
    assert found(root) == [("01-章.md", 7, 12, "P101")]


# ---- silencing one occurrence ------------------------------------------------------------

def test_a_marker_silences_one_occurrence_of_its_code(tmp_path):
    root = plan(tmp_path, HEAD + "甲,乙,{# check: ignore P101 原文引用 #}丙,丁\n\n"
                "甲,乙,丙{# check: ignore P101 #}\n\n"
                "{# check: ignore W401 #}中文，无问题\n\n"
                "中文{# check: ignore Q999 #}\n")
    # line 7: the comma after the marker is silenced; line 9: the marker ends the line, so the
    # last comma before it is; lines 11 and 13: nothing to silence.
    assert found(root) == [("01-章.md", 7, 2, "P101"), ("01-章.md", 7, 4, "P101"),
                           ("01-章.md", 9, 2, "P101"), ("01-章.md", 11, 1, "X001"),
                           ("01-章.md", 13, 3, "X001")]
    assert [f.message for f in check_plan(root)][3:] == [
        "忽略标记未放过任何问题：本行没有 W401（字词重复），请删去该标记",
        "忽略标记中的“Q999”不是已知的规则代码"]


def test_markers_never_reach_the_document(tmp_path):
    from pipeline.build import build_docx
    root = plan(tmp_path, HEAD + "甲,{# check: ignore P101 #}乙。\n")
    document = part(build_docx(root, "draft").docx, "word/document.xml")
    text = "".join(document.itertext())
    assert "甲,乙。" in text and "check" not in text


# ---- --fix -------------------------------------------------------------------------------

FIX_BODY = ("# 总体要求\r\n\r\n加强监管,严厉打击(违法)行为;编制\"十四五\"规划。\r\n\r\n"
            "见赣市府办字[2019]40号，使用`a,b`格式,落实\"两山\"理念:依据《规划。\r\n")


def test_fix_changes_only_the_intended_characters(tmp_path):
    root = plan(tmp_path, "")
    path = root / "chapters" / "01-章.md"
    before = ("\ufeff" + FRONT.replace("\n", "\r\n").replace("one", "c0") + FIX_BODY)
    path.write_bytes(before.encode("utf-8"))
    os.chmod(path, 0o640)
    result = run(root, "--fix")
    after = path.read_bytes().decode("utf-8")
    assert len(after) == len(before)
    expected = before.replace("加强监管,严厉打击(违法)行为;编制\"十四五\"规划",
                              "加强监管，严厉打击（违法）行为；编制“十四五”规划").replace(
        "[2019]40号，使用`a,b`格式,落实\"两山\"理念:依据", "〔2019〕40号，使用`a,b`格式，落实“两山”理念：依据")
    assert after == expected
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed == [(",", "，"), ("(", "（"), (")", "）"), (";", "；"), ('"', "“"), ('"', "”"),
                       ("[", "〔"), ("]", "〕"), (",", "，"), ('"', "“"), ('"', "”"), (":", "：")]
    assert after.startswith("\ufeff---\r\n") and after.count("\r\n") == before.count("\r\n")
    assert "`a,b`" in after  # inside a code span: not prose
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["01-章.md"]
    assert result.exit_code == 1  # the unbalanced 《 is for the drafter
    assert [f.code for f in check_plan(root)] == ["P103"]
    assert "已改正" in result.output


def test_fix_goes_on_until_nothing_fixable_is_left(tmp_path):
    # The colon sits between ")" and a digit: it is Chinese text only once ")" has become "）".
    root = plan(tmp_path, HEAD + "各县(市):2020年完成。\n")
    assert found(root) == [("01-章.md", 7, 3, "P101")]
    assert fix_plan(root) == {"chapters/01-章.md": 3}
    assert (root / "chapters" / "01-章.md").read_text(encoding="utf-8").endswith(
        "各县（市）：2020年完成。\n")
    assert check_plan(root) == []


def test_fix_replaces_the_file_atomically_or_not_at_all(tmp_path, monkeypatch):
    root = plan(tmp_path, HEAD + "加强监管,严厉打击。\n")
    path = root / "chapters" / "01-章.md"
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        fix_plan(root)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["01-章.md"]


def test_fix_refuses_a_file_changed_since_the_check(tmp_path):
    root = plan(tmp_path, HEAD + "加强监管，严厉打击。\n")
    path = root / "chapters" / "01-章.md"
    before = path.read_bytes()
    with pytest.raises(PlanError) as error:
        apply_fixes(path, "chapters/01-章.md", {CharFix(7, 5, ",", "，")})
    assert error.value.code == "E507" and path.read_bytes() == before


def test_fix_leaves_the_sample_plan_untouched(tmp_path):
    root = copy_sample(tmp_path / "sample")
    before = {p.name: p.read_bytes() for p in (root / "chapters").iterdir()}
    assert fix_plan(root) == {}
    assert {p.name: p.read_bytes() for p in (root / "chapters").iterdir()} == before


# ---- output ------------------------------------------------------------------------------

def test_json_keys_are_stable(tmp_path, monkeypatch):
    root = plan(tmp_path, HEAD + "加强监管,严厉打击。\n")
    monkeypatch.chdir(root)
    result = run(root, "--format", "json")
    data = json.loads(result.output)
    assert JSON_KEYS == ("file", "line", "col", "severity", "code", "message")
    assert [list(item) for item in data] == [list(JSON_KEYS)]
    assert data == [{"file": "chapters/01-章.md", "line": 7, "col": 5, "severity": "error",
                     "code": "P101", "message": "中文中应使用全角标点“，”，不用半角“,”"}]
    assert result.exit_code == 1


def test_text_lines_are_editor_jump_targets_and_warnings_do_not_fail(tmp_path, monkeypatch):
    root = plan(tmp_path, HEAD + "推动的的落实。\n")
    monkeypatch.chdir(root)
    result = run(root)
    assert result.output.splitlines()[0] == \
        "chapters/01-章.md:7:4: 警告 W401 “的”连写了两次（“的的”），疑为多打"
    assert result.exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert run(root).output.startswith("plan/chapters/01-章.md:7:4: 警告 W401")


def test_severities_come_from_the_plans_rules_file(tmp_path):
    root = plan(tmp_path, HEAD + "推动的的落实。\n")
    (root / "styles").mkdir()
    rules = (ROOT / "styles" / "rules.yaml").read_text(encoding="utf-8")
    local = root / "styles" / "rules.yaml"
    local.write_text(rules.replace("字词重复\n  severity: warning", "字词重复\n  severity: off"),
                     encoding="utf-8")
    assert check_plan(root) == []
    local.write_text(rules.replace("字词重复\n  severity: warning", "字词重复\n  severity: fatal"),
                     encoding="utf-8")
    result = run(root)
    assert result.exit_code == 2
    line = next(i for i, text in enumerate(rules.splitlines(), 1) if text.startswith("W401:"))
    assert f"styles/rules.yaml:{line}" in result.output and "fatal" in result.output


FOREST = ("- id: forest\n  类别: 生态保护\n  名称: 森林覆盖率\n  单位: \"%\"\n  现状值: 76.23\n"
          "  目标值: 稳中有升\n  属性: 约束性\n  来源: 测试\n"
          "- id: pm25\n  类别: 环境治理\n  名称: 中心城区细颗粒物（PM2.5）浓度\n"
          "  单位: 微克/立方米\n  现状值: 28\n  目标值: ≤29\n  属性: 约束性\n  来源: 测试\n")


def with_data(root: Path) -> Path:
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "indicators.yaml").write_text(FOREST, encoding="utf-8")
    return root


@pytest.mark.parametrize("code", ["D701", "D702"])
def test_data_rules_fire_on_their_wrong_example_and_not_on_their_right_one(tmp_path, code):
    wrong = with_data(make_plan(tmp_path / "wrong", {"01-错例.md": SPECS[code]["wrong"]}))
    right = with_data(make_plan(tmp_path / "right", {"01-正例.md": SPECS[code]["right"]}))
    assert {f.code for f in check_plan(wrong)} == {code}
    assert check_plan(right) == []


def test_d701_unresolved_reference_at_its_line(tmp_path):
    root = with_data(plan(tmp_path, HEAD + "目标为{{ ind.forest.target }}。\n\n"
                                          "浓度降至{{ ind.pm2.target }}。\n"))
    assert found(root) == [("01-章.md", 9, 1, "D701")]
    message = check_plan(root)[0].message
    assert "pm2" in message and "pm25" in message  # names what is there instead


def test_d702_number_that_disagrees_with_the_data(tmp_path):
    root = with_data(plan(tmp_path, HEAD + "全市森林覆盖率稳定在76.5%，细颗粒物浓度为28微克/立方米。\n\n"
                                          "细颗粒物浓度控制在30微克/立方米以内，到2025年实现目标。\n\n"
                                          "森林覆盖率保持76.23%。\n"))
    assert found(root) == [("01-章.md", 7, 11, "D702"), ("01-章.md", 9, 10, "D702")]
    first = check_plan(root)[0].message
    assert "76.23" in first and "76.5%" in first and "ind.forest" in first


def test_final_build_refuses_a_number_that_disagrees_with_the_data(tmp_path):
    from click.testing import CliRunner
    from pipeline.cli import main
    root = with_data(plan(tmp_path, HEAD + "全市森林覆盖率稳定在80%。\n"))
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "final",
                                       "--format", "docx"])
    assert result.exit_code == 2 and "D702" in result.output


def test_readme_rules_table_is_the_rules_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules_table(ROOT) in readme


# ---- make and pre-commit -----------------------------------------------------------------

def test_pre_commit_hook_runs_plan_check(tmp_path):
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [hook] = [h for repo in config["repos"] if repo["repo"] == "local" for h in repo["hooks"]]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    command = shlex.split(hook["entry"])
    command[0] = str(Path(sys.executable).parent / Path(command[0]).name)
    assert subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120).returncode == 0
    bad = copy_sample(tmp_path / "bad")
    chapter = sorted((bad / "chapters").glob("*.md"))[0]
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("，", ",", 1), encoding="utf-8")
    assert subprocess.run(command, cwd=bad, capture_output=True, timeout=120).returncode == 1


def test_make_help_lists_every_target_with_its_description():
    """Each target of the Makefile (its .PHONY list) is a line of `make help`, with the Chinese
    words written beside it; check and final among them."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    targets = phony.split(":", 1)[1].split()
    described = dict(re.findall(r"^([a-z]+):.*?## (.+)$", makefile, re.M))
    text = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True).stdout
    listed = dict(re.findall(r"^  ([a-z]+) +(.+)$", text, re.M))
    assert text.startswith("用法：make <目标>")
    assert sorted(listed) == sorted(targets) == sorted(described)
    assert listed == described
    assert listed["check"].startswith("按起草规则检查章节") and "报批稿" in listed["final"]
