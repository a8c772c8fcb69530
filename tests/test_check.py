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


def messages(root: Path, code: str) -> list[str]:
    return [f.message for f in check_plan(root) if f.code == code]


def fixes(root: Path, code: str) -> list[list[tuple[int, str, str]]]:
    return [[(c.col, c.old, c.new) for c in f.fixes] for f in check_plan(root) if f.code == code]


def test_p104_range_marks_and_what_they_are_not(tmp_path):
    root = plan(tmp_path, HEAD + "经济增长4.5%－5%，0-6岁儿童，提升1~3个百分点，新建1—2个，3-5月完成，"
                "电话010-65209114，执行GB 3095-2012标准，见图2-8，第1-3条，2–4项，3〜5个。\n")
    assert [col for _, _, col, _ in found(root, code="P104")] == [9, 14, 23, 38, 84, 89, 94]
    assert [fix[0][2] for fix in fixes(root, "P104")] == ["～", "～", "～", "—", "～", "～", "～"]
    assert messages(root, "P104")[:1] == ["数值范围用浪纹线“～”，不用“－”：“4.5%－5%”应写作“4.5%～5%”"]
    assert messages(root, "P104")[3] == "时间的起止用一字线“—”，不用“-”：“3-5”应写作“3—5”"


def test_p104_leaves_years_and_dates_to_their_own_rules(tmp_path):
    root = plan(tmp_path, HEAD + "工程于2021-2025年实施，2020-9-30前完成，2026-02-10发布。\n",
                plan_yaml="title: 测试规划\nperiod: 2021—2025年\n")
    assert {code for *_, code in found(root)} == {"C301", "N205"}


def test_p105_latin_terms_take_the_short_hyphen(tmp_path):
    root = plan(tmp_path, HEAD + "打通CAR—T细胞治疗、5G—A网络、CAR－T疗法、RISC-V芯片、2021—2025年、A4—5。\n")
    assert found(root) == [("01-章.md", 7, 6, "P105"), ("01-章.md", 7, 15, "P105"),
                           ("01-章.md", 7, 23, "P105")]
    assert messages(root, "P105")[1] == "拉丁字母词、型号内部用短横线“-”，不用“—”：“5G—A”应写作“5G-A”"
    assert fixes(root, "P105")[2] == [(23, "－", "-")]


def test_p106_half_width_brackets_but_not_links_document_numbers_or_comparisons(tmp_path):
    root = plan(tmp_path, HEAD + "带[ ]数据、带{ }数据、见[说明](https://a.cn)、赣市府办字[2019]40号、"
                "依据<环境保护法>、浓度<30，[1]、{x}。\n")
    assert found(root) == [("01-章.md", 7, 2, "P106"), ("01-章.md", 7, 9, "P106"),
                           ("01-章.md", 7, 40, "N201"), ("01-章.md", 7, 52, "P106"),
                           ("01-章.md", 7, 66, "P106"), ("01-章.md", 7, 70, "P106")]
    assert fixes(root, "P106")[:2] == [[(2, "[", "［"), (4, "]", "］")], [(9, "{", "｛"), (11, "}", "｝")]]
    assert fixes(root, "P106")[2] == []  # <…> is a title: 《》 or 〈〉 is for the drafter to choose
    assert "《环境保护法》" in messages(root, "P106")[2]


def test_p107_crossed_and_nested_titles_and_quotation_marks(tmp_path):
    root = plan(tmp_path, HEAD + "《条例〉，“目标’，“开展“京”彩”行动，《关于印发《规划》的通知》。\n\n"
                "“‘京’彩”，《关于〈规划〉的通知》，Xi’an，‘A’。\n")
    assert found(root) == [("01-章.md", 7, 4, "P107"), ("01-章.md", 7, 9, "P107"),
                           ("01-章.md", 7, 14, "P107"), ("01-章.md", 7, 27, "P107")]
    assert messages(root, "P107")[:3] == [
        "前书名号《与后单书名号〉不配对：《应以》结束", "前引号“与后单引号’不配对：“应以”结束",
        "引号里面还要用引号时，里面一层用单引号：“京”应写作‘京’"]
    assert fixes(root, "P107")[2:] == [[(14, "“", "‘"), (16, "”", "’")],
                                       [(27, "《", "〈"), (30, "》", "〉")]]


def test_p103_an_apostrophe_is_no_closing_quotation_mark(tmp_path):
    root = plan(tmp_path, HEAD + "西安（Xi’an）与“长安”，《条例〉。\n")
    assert found(root) == [("01-章.md", 7, 19, "P107")]


def test_p108_no_enumeration_comma_between_quoted_or_titled_items(tmp_path):
    root = plan(tmp_path, HEAD + "做实做细“硬联通”、“软联通”、“心联通”，贯彻“一国两制”、高度自治，"
                "《红楼梦》（曹雪芹）、《三国演义》（罗贯中），依据《环境保护法》、《水污染防治法》。\n")
    assert found(root) == [("01-章.md", 7, 10, "P108"), ("01-章.md", 7, 16, "P108"),
                           ("01-章.md", 7, 69, "P108")]
    assert messages(root, "P108")[0] == ("标有引号的并列成分之间通常不用顿号：“硬联通”、“软联通”应写作"
                                         "“硬联通”“软联通”")
    assert fixes(root, "P108")[2] == [(69, "、", "")]


# ---- numbers (GB/T 15835) ----------------------------------------------------------------

# (code, text, columns of its findings on line 7, a message among them)
FOUND_AND_SAID = [
    ("P109", "按照（国办发〔2020〕347）执行，国发(2020)5文件，《分类（2019）》2项，穗府〔2026〕4号，"
             "国发〔2020〕5 号。", [16, 29], "发文字号“(2020)5”缺少“号”：应写作“〔2020〕5号”"),
    ("S801", "覆盖率７６．２３％，增长5％，第３季度，５．５。", [4, 14, 17, 21],
     "阿拉伯数字和百分号用半角：“７６．２３％”应写作“76.23%”"),
    ("S804", "投资约120亿元左右，约占30%以上，节约5%以上，约3300亿元，大约五成上下，预约挂号覆盖二级及以上。",
     [3, 12, 36], "“约”与“以上”不连用（约数与界限，意思矛盾）：“约占30%以上”应写作“占30%以上”或“约占30%”"),
    ("S805", "接待1,2345万人次，2,025年，12,345万元，1,234.5吨，1,23,456元，第1,2批。", [3, 13, 38, 49],
     "年份不分节：“2,025年”应写作“2025年”"),
]


@pytest.mark.parametrize("code, body, columns, message", FOUND_AND_SAID)
def test_rule_finds_and_says(tmp_path, code, body, columns, message):
    root = plan(tmp_path, HEAD + body + "\n")
    assert found(root) == [("01-章.md", 7, col, code) for col in columns]
    assert message in messages(root, code)


def test_s801_fixes_each_full_width_character(tmp_path):
    root = plan(tmp_path, HEAD + "覆盖率７６．２３％，增长5％。\n")
    assert fixes(root, "S801") == [[(4, "７", "7"), (5, "６", "6"), (6, "．", "."), (7, "２", "2"),
                                    (8, "３", "3"), (9, "％", "%")], [(14, "％", "%")]]


def test_s802_both_ends_of_a_range_carry_their_sign(tmp_path):
    root = plan(tmp_path, HEAD + "提高3～5%，住房25—27万套，投资9～16亿元，提高15%～30%，2021—2025年，1～2个。\n")
    assert found(root) == [("01-章.md", 7, 3, "S802"), ("01-章.md", 7, 10, "S802"),
                           ("01-章.md", 7, 20, "S802")]
    assert messages(root, "S802")[:2] == [
        "数值范围前后两个数值都要带“%”：“3～5%”应写作“3%～5%”",
        "数值范围前后两个数值都要带“万”，省去会与“25”混淆：“25—27万”应写作“25万—27万”"]
    assert fixes(root, "S802") == [[(4, "", "%")], [(12, "", "万")], [(21, "", "亿")]]


def test_s803_one_kind_of_numeral_for_one_kind_of_count(tmp_path):
    root = plan(tmp_path, HEAD + "新建3个污水处理厂、五个垃圾转运站，建设一批项目。\n\n"
                "第五个基地和3个园区，三四个月和2个月，落实“两个维护”和3个中心，十二项任务和12项工程。\n")
    assert found(root) == [("01-章.md", 7, 11, "S803"), ("01-章.md", 9, 35, "S803")]
    assert messages(root, "S803")[0] == "同一句中同类的计数写法不一：“五个”与“3个”；计数用阿拉伯数字，同类别同形式"


def test_fix_deletes_inserts_and_replaces_on_one_line(tmp_path):
    root = plan(tmp_path, HEAD + "提高3~5%，“硬联通”、“软联通”、“心联通”，７６．２３％，带[ ]数据，CAR—T，““京”彩”，"
                "《关于印发《规划》的通知》，25—27万套，0-6岁。\n")
    assert fix_plan(root) == {"chapters/01-章.md": 19}
    assert (root / "chapters" / "01-章.md").read_text(encoding="utf-8").endswith(
        "提高3%～5%，“硬联通”“软联通”“心联通”，76.23%，带［ ］数据，CAR-T，“‘京’彩”，"
        "《关于印发〈规划〉的通知》，25万—27万套，0～6岁。\n")
    assert check_plan(root) == []


def test_fix_refuses_two_changes_of_one_character(tmp_path):
    root = plan(tmp_path, HEAD + "加强监管,严厉打击。\n")
    path = root / "chapters" / "01-章.md"
    before = path.read_bytes()
    with pytest.raises(PlanError) as error:
        apply_fixes(path, "chapters/01-章.md", {CharFix(7, 5, ",", "，"), CharFix(7, 5, ",", "、")})
    assert error.value.code == "E506" and path.read_bytes() == before


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


def test_c303_single_quotation_marks_are_right_inside_double_ones(tmp_path):
    root = plan(tmp_path, HEAD + "他说：“要编制好‘十四五’规划。”总结‘十三五’。\n")
    assert found(root) == [("01-章.md", 7, 20, "C303")]


# ---- wording, headings, to-do markers ----------------------------------------------------

def test_w401_repeated_characters_and_words(tmp_path):
    root = plan(tmp_path, HEAD + "推动的的任务落实落实，饮用水水源，实现目的的手段，为了了解情况，"
                "是是非非。\n")
    assert found(root) == [("01-章.md", 7, 4, "W401"), ("01-章.md", 7, 9, "W401")]


def test_w401_reports_whole_words_typed_twice_not_characters_across_words(tmp_path):
    root = plan(tmp_path, HEAD + "创新并跑领跑领域更广，建强生物药品制品制造集群，深化文化文物单位改革，"
                "实实在在弄懂，哈哈哈哈哈哈，研究研究再说。\n")
    assert found(root) == [("01-章.md", 7, 52, "W401")]


def test_jieba_loads_quietly_and_writes_no_cache(tmp_path):
    root = plan(tmp_path, HEAD + "推动的的任务落实落实。\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    command = [str(Path(sys.executable).parent / "plan"), "--plan", str(root), "check"]
    env = {**os.environ, "TMPDIR": str(temp)}
    runs = [subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
            for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.count("W401") == 2
    assert runs[0].stderr.strip() == "共 2 处：警告 2。"
    assert list(temp.iterdir()) == []


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
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    text = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, env=env,
                          capture_output=True, text=True).stdout  # also when make test runs it
    listed = dict(re.findall(r"^  ([a-z]+) +(.+)$", text, re.M))
    assert text.startswith("用法：make <目标>")
    assert sorted(listed) == sorted(targets) == sorted(described)
    assert listed == described
    assert listed["check"].startswith("按起草规则检查章节") and "报批稿" in listed["final"]
