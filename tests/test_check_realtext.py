"""plan check on real published texts (../shared/corpus/realtext/): the three converted plans
report exactly their known findings, all true, and --fix mends them on a copy; the raw texts, each
wrapped as a one-chapter plan, give the measured precision table in the README; every rule is
tried on sentences quoted from the corpus."""
from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import REALTEXT, ROOT, make_plan, needs_corpus
from pipeline.check import check_plan, fix_plan
from pipeline.check.config import load_rule_specs
from pipeline.check.report import VERSION_NAMES

pytestmark = needs_corpus  # a user's clone has none; in CI its absence fails the run

# ---- the three plans ----------------------------------------------------------------------

# (chapter, line, column, code, the real text found there); every one judged true by hand.
KNOWN = {
    "nanjing": [
        ("01-发展基础.md", 17, 140, "S802", "一批2000—3000亿级的产业集群"),
        ("01-发展基础.md", 21, 498, "P105", "打通CAR—T细胞治疗药物"),
        ("01-发展基础.md", 47, 15, "P104", "每千人口拥有0－3岁婴幼儿托位数"),
    ],
    "shenzhen": [
        ("02-指导方针和主要目标.md", 51, 17, "P106", "带[ ]数据为5年累计值"),
        ("02-指导方针和主要目标.md", 51, 30, "P106", "带{ }数据为5年均值"),
    ],
    "gov-work-report-2026": [
        ("03-总体要求和政策取向.md", 11, 21, "P104", "经济增长4.5%－5%，在实际工作中努力争取更好结果"),
        ("04-政府工作任务.md", 51, 34, "P108", "做实做细“硬联通”、“软联通”、“心联通”"),
        ("04-政府工作任务.md", 51, 40, "P108", "做实做细“硬联通”、“软联通”、“心联通”"),
        ("04-政府工作任务.md", 105, 16, "P108", "贯彻“一国两制”、“港人治港”、“澳人治澳”、高度自治方针"),
        ("04-政府工作任务.md", 105, 23, "P108", "贯彻“一国两制”、“港人治港”、“澳人治澳”、高度自治方针"),
        ("04-政府工作任务.md", 105, 47, "P108", "落实“爱国者治港”、“爱国者治澳”原则"),
    ],
}
# What --fix makes of them.
FIXED = {
    "nanjing": [("一批2000—3000亿级", "一批2000亿—3000亿级"), ("CAR—T", "CAR-T"),
                ("0－3岁", "0～3岁")],
    "shenzhen": [("带[ ]数据", "带［ ］数据"), ("带{ }数据", "带｛ ｝数据")],
    "gov-work-report-2026": [("4.5%－5%", "4.5%～5%"),
                             ("“硬联通”、“软联通”、“心联通”", "“硬联通”“软联通”“心联通”"),
                             ("“一国两制”、“港人治港”、“澳人治澳”、", "“一国两制”“港人治港”“澳人治澳”、"),
                             ("“爱国者治港”、“爱国者治澳”", "“爱国者治港”“爱国者治澳”")],
}


@pytest.mark.parametrize("version", list(VERSION_NAMES))
@pytest.mark.parametrize("name", list(KNOWN))
def test_the_real_plans_report_exactly_their_known_findings(name, version):
    root = REALTEXT / "plans" / name
    findings = check_plan(root, version)
    assert [(f.file.removeprefix("chapters/"), f.line, f.col, f.code) for f in findings] == \
        [known[:4] for known in KNOWN[name]]
    for f, (*_, quote) in zip(findings, KNOWN[name]):
        assert quote in (root / f.file).read_text(encoding="utf-8").splitlines()[f.line - 1]
    # No false alarm at all, so none at error level: the errors are these true ones.
    assert {f.code for f in findings if f.severity == "error"} <= {"P104", "P105", "P106"}


@pytest.mark.parametrize("name", list(KNOWN))
def test_fix_mends_a_copy_of_each_real_plan(tmp_path, name):
    root = tmp_path / name
    shutil.copytree(REALTEXT / "plans" / name, root)
    before = {p.name: p.read_text(encoding="utf-8") for p in (root / "chapters").glob("*.md")}
    fix_plan(root)
    expected = dict(before)
    for chapter in before:
        for wrong, right in FIXED[name]:
            expected[chapter] = expected[chapter].replace(wrong, right)
    assert expected != before
    assert {p.name: p.read_text(encoding="utf-8") for p in (root / "chapters").glob("*.md")} \
        == expected
    assert check_plan(root) == []


# ---- the raw texts ------------------------------------------------------------------------

# The document's own lines (first, last; 1-based): without the web page around it, and the
# second copy of the Zhejiang report left out.
BODY = {"gov-work-report-2026.paragraphs.txt": (1, 100), "guangzhou-15th-outline.txt": (775, None),
        "shanghai-15th-outline.txt": (154, None),
        "shenzhen-15th-outline.paragraphs.txt": (5, 697),
        "zhejiang-work-report-2026.paragraphs.txt": (4, 108)}
RAW_TEXTS = ["beijing-15th-outline.txt", "gov-work-report-2026.paragraphs.txt",
             "guangzhou-15th-outline.txt", "hangzhou-work-report-2026.txt",
             "hefei-work-report-2026.txt", "nanjing-15th-outline.txt", "shanghai-15th-outline.txt",
             "shenzhen-15th-outline.paragraphs.txt", "suzhou-15th-outline.txt",
             "zhejiang-work-report-2026.paragraphs.txt"]
HARD_WRAPPED = ("beijing-15th-outline.txt", "suzhou-15th-outline.txt")  # PDF text layers
PARAGRAPH_PREFIX = re.compile(r"^(?:P|C|H[1-6]) ")  # *.paragraphs.txt: P body, C centred, H heading
LINE_MARKUP = re.compile(r"^(?:[#>*+=|-]|\d{1,9}[.)](?:\s|$))")
PAGE_FOOTER = re.compile(r"^—\s*\d+\s*—$")
OPENING, CLOSING = "《“（【〔", "》”）】〕"
# Beijing's PDF text layer turned every ，：（） into , : ( ): P101 there measures the extraction.
ARTIFACTS = {("beijing-15th-outline.txt", "P101")}


def unclosed(paragraph: str) -> bool:
    return sum(map(paragraph.count, OPENING)) > sum(map(paragraph.count, CLOSING))


def markdown_of(path: Path) -> str:
    """A raw text as Markdown paragraphs: one a line; a line that continues an open bracket or
    quotation (a table cell broken by the web page), or a sentence of a hard-wrapped PDF text
    layer, joins the paragraph before; text that would be Markdown markup is escaped."""
    first, last = BODY.get(path.name, (1, None))
    paragraphs: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines()[first - 1:last]:
        line = PARAGRAPH_PREFIX.sub("", line) if path.name.endswith(".paragraphs.txt") else line
        line = line.strip(" \t\u3000\xa0")
        if not line or PAGE_FOOTER.match(line):
            continue
        if paragraphs and (unclosed(paragraphs[-1]) or path.name in HARD_WRAPPED
                           and paragraphs[-1][-1] not in "。！？：；"):
            seam = " " if paragraphs[-1][-1].isascii() or line[0].isascii() else ""
            paragraphs[-1] += seam + line
        else:
            paragraphs.append("\\" + line if LINE_MARKUP.match(line) else line)
    return "\n\n".join(paragraphs) + "\n"


def wrap(name: str, dest: Path) -> Path:
    """A raw text as a plan of one chapter."""
    return make_plan(dest, {"01-原文.md": "# 原文\n\n" + markdown_of(REALTEXT / "raw" / name)},
                     "title: 原文\n")


@pytest.fixture(scope="module")
def raw_findings(tmp_path_factory) -> dict[str, list[tuple[str, str, str]]]:
    """Per raw text: (code, severity, the line's text around the finding)."""
    out = {}
    for name in RAW_TEXTS:
        root = wrap(name, tmp_path_factory.mktemp("raw") / "plan")
        lines = (root / "chapters" / "01-原文.md").read_text(encoding="utf-8").splitlines()
        out[name] = [(f.code, f.severity, lines[f.line - 1][max(0, f.col - 40):f.col + 40])
                     for f in check_plan(root)]
    return out


# Each raw text's findings per rule, every one judged by hand (all true: the column "误报" of the
# README is empty), and the real sentences they are in (not listed one by one: the 290 straight
# quotes of Hangzhou, which writes "十四五" throughout, and Beijing's extraction artifacts).
RAW_COUNTS = {
    "beijing-15th-outline.txt": {"P101": 2903, "C301": 1, "C302": 1, "P104": 4, "P108": 1},
    "gov-work-report-2026.paragraphs.txt": {"P104": 1, "P108": 5},
    "guangzhou-15th-outline.txt": {"C301": 1, "P108": 1},
    "hangzhou-work-report-2026.txt": {"P102": 290, "P104": 1},
    "hefei-work-report-2026.txt": {"P101": 1, "S803": 1},
    "nanjing-15th-outline.txt": {"C302": 1, "P104": 1, "P105": 3, "S802": 1},
    "shanghai-15th-outline.txt": {"P105": 1, "S802": 2},
    "shenzhen-15th-outline.paragraphs.txt": {"P104": 2, "P106": 2},
    "suzhou-15th-outline.txt": {},
    "zhejiang-work-report-2026.paragraphs.txt": {},
}
RAW_QUOTES = [
    ("beijing-15th-outline.txt", "C301", "北京城市总体规划(2016年-2035年)"),
    ("beijing-15th-outline.txt", "C302", "万人拥有绿道长度达到3千米"),
    ("beijing-15th-outline.txt", "P104", "地区生产总值年均增速4.5%-5%"),
    ("beijing-15th-outline.txt", "P104", "打造2-3个千亿级融合消费新地标"),
    ("beijing-15th-outline.txt", "P104", "产业投资占比达到25%-30%"),
    ("beijing-15th-outline.txt", "P104", "城乡建设用地减量8-15平方公里"),
    ("beijing-15th-outline.txt", "P108", "打造“农业 +”、“民宿+”、休闲体验等乡村特色产业"),
    ("gov-work-report-2026.paragraphs.txt", "P104", "经济增长4.5%－5%"),
    ("gov-work-report-2026.paragraphs.txt", "P108", "做实做细“硬联通”、“软联通”、“心联通”"),
    ("gov-work-report-2026.paragraphs.txt", "P108", "贯彻“一国两制”、“港人治港”、“澳人治澳”"),
    ("gov-work-report-2026.paragraphs.txt", "P108", "落实“爱国者治港”、“爱国者治澳”原则"),
    ("guangzhou-15th-outline.txt", "C301", "2021-2024年累计降低8.2"),
    ("guangzhou-15th-outline.txt", "P108", "争取申办“三大球”、“三小球”、赛马、赛车"),
    ("hangzhou-work-report-2026.txt", "P102", "2025年是\"十四五\"收官、\"十五五\"谋划之年"),
    ("hangzhou-work-report-2026.txt", "P104", "为全市0-6岁儿童免费开展孤独症筛查"),
    ("hefei-work-report-2026.txt", "P101", "各位代表!"),
    ("hefei-work-report-2026.txt", "S803", "获批国家级试点示范超百项，形成制度性成果超300项"),
    ("nanjing-15th-outline.txt", "C302", "半径40千米范围内的高度城市化地区"),
    ("nanjing-15th-outline.txt", "P104", "每千人口拥有0－3岁婴幼儿托位数"),
    ("nanjing-15th-outline.txt", "P105", "打通CAR—T细胞治疗药物"),
    ("nanjing-15th-outline.txt", "P105", "推进万兆光网和5G—A等商用部署"),
    ("nanjing-15th-outline.txt", "P105", "构建全域覆盖的5G/5G—A融合网络"),
    ("nanjing-15th-outline.txt", "S802", "一批2000—3000亿级的产业集群"),
    ("shanghai-15th-outline.txt", "P105", "推进全球领先的“5G—A+万兆光网”双万兆城市建设"),
    ("shanghai-15th-outline.txt", "S802", "新增供应保障性租赁住房25—27万套"),
    ("shenzhen-15th-outline.paragraphs.txt", "P104", "“双一流”学科2~4个"),
    ("shenzhen-15th-outline.paragraphs.txt", "P104", "签约覆盖率每年提升1~3个百分点"),
    ("shenzhen-15th-outline.paragraphs.txt", "P106", "带[ ]数据为5年累计值、带{ }数据为5年均值"),
]
FALSE_ALARMS: list[tuple[str, str, str]] = []  # (raw text, code, quote) judged false by hand
BULK = {("beijing-15th-outline.txt", "P101"), ("hangzhou-work-report-2026.txt", "P102")}


def test_the_raw_texts_report_exactly_the_judged_findings(raw_findings):
    assert {name: dict(Counter(code for code, *_ in found)) for name, found in raw_findings.items()} \
        == RAW_COUNTS
    quotes = RAW_QUOTES + FALSE_ALARMS
    for name, code, quote in quotes:
        assert any(c == code and quote in around for c, _, around in raw_findings[name]), \
            (name, code, quote)
    for name, found in raw_findings.items():  # every finding is one of the quoted sentences
        for code, _, around in found:
            assert (name, code) in BULK or any(
                (n, c) == (name, code) and quote in around for n, c, quote in quotes), around


def test_no_error_level_false_alarm_on_the_raw_texts(raw_findings):
    false = {(name, code) for name, code, _ in FALSE_ALARMS}
    assert not [(name, code) for name, found in raw_findings.items() for code, severity, _ in found
                if severity == "error" and (name, code) in false]


def precision_table(raw_findings) -> str:
    """Per rule over the raw texts (Beijing's P101 apart): findings, true, false, precision."""
    rows = ["| 规则 | 报告 | 真 | 误报 | 准确率 |", "|---|---|---|---|---|"]
    for code, spec in load_rule_specs(ROOT, VERSION_NAMES).items():
        found = sum(1 for name, items in raw_findings.items() for c, *_ in items
                    if c == code and (name, code) not in ARTIFACTS)
        false = sum(1 for _, c, _ in FALSE_ALARMS if c == code)
        share = f"{(found - false) / found:.0%}" if found else "—"
        rows.append(f"| {code} {spec.title} | {found} | {found - false} | {false} | {share} |")
    return "\n".join(rows)


def test_the_readme_states_the_measured_precision(raw_findings):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert precision_table(raw_findings) in readme


# ---- real sentences, rule by rule ---------------------------------------------------------

# (code, a sentence quoted from the corpus, how many findings of that code it gives)
SENTENCES = [
    ("P101", "各位代表!", 1),
    ("P102", '2025年是"十四五"收官、"十五五"谋划之年。', 2),
    ("P103", "构建“科技和创新型中小企业—‘四上’高新技术企业—科技领军企业”梯度培育机制。", 0),
    ("C301", "生产总值二氧化碳排放降低，2021-2024年累计降低8.2，完成省下达目标。", 1),
    ("P104", "今年发展主要预期目标是：经济增长4.5%－5%，在实际工作中努力争取更好结果；城镇调查失业率5.5%左右。", 1),
    ("P104", "全人群家庭医生签约覆盖率每年提升1~3个百分点。", 1),
    ("P104", "到2030年，形成1～2个领跑全国的产业集群。", 0),
    ("P104", "为全省0—6岁儿童免费开展孤独症筛查。", 0),
    ("P104", "参照《海洋及相关产业分类》（GB/T 20794—2021），海洋生产总值稳步增长。", 0),
    ("P105", "国家级临空经济示范区加速成长，打通CAR—T细胞治疗药物、跨境电商特殊物品进口通道。", 1),
    ("P105", "率先实现全市域5G-A网络全覆盖，突破CRISPR-Cas基因编辑、碱基编辑技术。", 0),
    ("P106", "注：标*数据为2024年数据，带[ ]数据为5年累计值、带{ }数据为5年均值。", 2),
    ("P106", "0.6 <0.6 约束性", 0),
    ("P107", "精心组织开展“‘京’彩文化 青春绽放”行动。", 0),
    ("P107", "构建“科技和创新型中小企业—‘四上’高新技术企业—科技领军企业”梯度培育机制。", 0),
    ("P108", "加强与共建国家战略对接，做实做细“硬联通”、“软联通”、“心联通”。", 2),
    ("P108", "“一件事一次办”“拿地即开工”等改革措施在全国推广。", 0),
    ("P109", "广州市人民政府关于印发广州市国民经济和社会发展第十五个五年规划纲要的通知（穗府〔2026〕4号）", 0),
    ("S801", "全年地区生产总值23011亿元、增长5.2%。", 0),
    ("S802", "新增供应保障性租赁住房25—27万套（间），社会保障体系更加健全。", 1),
    ("S802", "全省生产总值增长5%—5.5%，在实际工作中努力争取更好结果。", 0),
    ("S803", "重点领域改革蹄疾步稳，获批国家级试点示范超百项，形成制度性成果超300项。", 1),
    ("S804", "社会消费品零售总额达14500亿元，网络零售成交额约3300亿元、较“十四五”初增长。", 0),
    ("S804", "全市统一预约挂号平台覆盖全部二级及以上医疗机构。", 0),
    ("S805", "全员劳动生产率达到78243，年均增速超过经济增长，12345热线高效办理。", 0),
    ("W401", "产业科技互促双强实现重大突破，创新并跑领跑领域更广。", 0),
    ("W401", "建强国家生物药品制品制造创新型产业集群。", 0),
    ("W401", "优化民生领域事业单位结构布局。深化文化文物单位改革。", 0),
]


@pytest.mark.parametrize("code, sentence, count", SENTENCES)
def test_real_sentences(tmp_path, code, sentence, count):
    root = make_plan(tmp_path / "plan", {"01-原文.md": "# 原文\n\n" + sentence + "\n"})
    findings = check_plan(root)
    assert sum(1 for f in findings if f.code == code) == count
    assert not [f for f in findings if f.code != code]
