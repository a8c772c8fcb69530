"""Indicators, the 十三五 evaluation and projects from data files: tables with merged cells,
computed totals and outcomes, values in sentences, bad data, spreadsheets, the sandbox."""
from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import docx
import pytest
import yaml
from lxml import etree
from openpyxl import Workbook

from conftest import (NS, ROOT, W, audit_errors, copy_sample, expect_failure, make_plan, part,
                      run_build)
from pipeline.build import build_docx
from pipeline.reading import read_plan
from pipeline.model import Paragraph, Table, plain_text

Q = f"{{{W}}}"
SAMPLE_DATA = ROOT / "data"


# ---- helpers -----------------------------------------------------------------

def tables_by_header(docx_path: Path) -> dict[str, etree._Element]:
    """Plan tables of the document by the text of their first header cell + column count."""
    body = part(docx_path, "word/document.xml")
    out = {}
    for tbl in body.iter(Q + "tbl"):
        if tbl.find("w:tblPr/w:tblStyle", NS).get(Q + "val") != "PlanTable":
            continue
        first = tbl.find("w:tr", NS)
        header = ["".join(tc.itertext()) for tc in first.findall("w:tc", NS)]
        out["|".join(header)] = tbl
    return out


def table_with(docx_path: Path, column: str) -> etree._Element:
    matches = [t for h, t in tables_by_header(docx_path).items() if column in h.split("|")]
    assert len(matches) == 1, list(tables_by_header(docx_path))
    return matches[0]


def grid_rows(tbl: etree._Element) -> list[list[tuple[str, etree._Element]]]:
    """Body rows as (text, tc) per grid column: a cell spanning columns fills each of them."""
    rows = []
    for tr in tbl.findall("w:tr", NS)[1:]:
        row = []
        for tc in tr.findall("w:tc", NS):
            span = tc.find("w:tcPr/w:gridSpan", NS)
            row += [("".join(tc.itertext()), tc)] * (int(span.get(Q + "val")) if span is not None
                                                     else 1)
        rows.append(row)
    return rows


def vmerge(tc: etree._Element) -> str | None:
    node = tc.find("w:tcPr/w:vMerge", NS)
    return None if node is None else node.get(Q + "val", "continue")


def body_text(docx_path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(docx_path).paragraphs)


def yaml_rows(name: str) -> list[dict]:
    return yaml.safe_load((SAMPLE_DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---- the sample plan -----------------------------------------------------------

def test_indicator_table_merges_category_cells_and_repeats_its_header(sample_docx):
    tbl = table_with(sample_docx, "属性")
    assert tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None
    assert all(tr.find("w:trPr/w:tblHeader", NS) is None for tr in tbl.findall("w:tr", NS)[1:])
    indicators = yaml_rows("indicators")
    rows = grid_rows(tbl)
    assert len(rows) == len(indicators)
    # Every category is one cell merged down as many rows as it has indicators.
    sizes: dict[str, int] = defaultdict(int)
    for item in indicators:
        sizes[item["类别"]] += 1
    starts = [(i, text) for i, row in enumerate(rows) for text, tc in row[:1]
              if vmerge(tc) in ("restart", None)]
    assert [text for _, text in starts] == list(sizes)
    for (start, category), end in zip(starts, [s for s, _ in starts[1:]] + [len(rows)]):
        assert end - start == sizes[category]
        expected = "restart" if sizes[category] > 1 else None
        assert vmerge(rows[start][0][1]) == expected
        assert all(vmerge(rows[r][0][1]) == "continue" and rows[r][0][0] == ""
                   for r in range(start + 1, end))
    # Names read down a left edge; the header stays centred.
    def jc(tc: etree._Element) -> str:
        node = tc.find("w:p/w:pPr/w:jc", NS)
        return "center" if node is None else node.get(Q + "val")
    header = tbl.find("w:tr", NS).findall("w:tc", NS)
    assert {jc(tc) for tc in header} == {"center"}
    assert {jc(row[2][1]) for row in rows} == {"left"}
    assert {jc(row[1][1]) for row in rows} == {"center"}
    assert audit_errors(sample_docx) == []


def test_indicator_table_brackets_cumulative_values_and_notes_them(sample_docx):
    tbl = table_with(sample_docx, "属性")
    targets = {row[2][0]: row[5][0] for row in grid_rows(tbl)}
    for item in yaml_rows("indicators"):
        cell = targets[item["名称"]]
        assert (cell.startswith("〔") and cell.endswith("〕")) == bool(item.get("累计")), cell
    note = tbl.getnext()
    assert "".join(note.itertext()) == "注：〔 〕内为五年累计数。"
    assert note.find("w:pPr/w:pStyle", NS).get(Q + "val") == "TableNote"
    captions = [p.text for p in docx.Document(sample_docx).paragraphs
                if p.style.name == "Table Caption"]
    assert any(re.match(r"表\d+　赣州市“十四五”生态环境保护主要指标$", c) for c in captions)


def test_evaluation_outcomes_are_computed_not_typed(sample_docx):
    tbl = table_with(sample_docx, "完成情况")
    rows = grid_rows(tbl)
    items = yaml_rows("evaluation")
    assert all("完成情况" not in item for item in items)  # never typed in the data
    assert [r[1][0] for r in rows] == [i["名称"] for i in items]
    assert {r[5][0] for r in rows} <= {"完成", "未完成"}
    assert "未完成" in {r[5][0] for r in rows}  # the sample shows both outcomes


def money(text: str) -> Decimal:
    return Decimal(text)


def test_project_totals_are_the_sums_of_the_data(sample_docx):
    projects = csv_rows(SAMPLE_DATA / "projects.csv")
    tbl = table_with(sample_docx, "建设内容")
    rows = grid_rows(tbl)
    invest = 4  # 总投资（亿元）
    groups: list[tuple[str, Decimal, list[Decimal]]] = []
    for row in rows[:-1]:
        if row[0][0].isdigit():
            groups[-1][2].append(money(row[invest][0]))
        else:  # a category row: 一、二、… with its subtotal
            assert row[1][1] is row[3][1]  # the name spans 项目名称 … 县（市、区）
            groups.append((row[1][0], money(row[invest][0]), []))
    for _, subtotal, amounts in groups:
        assert subtotal == sum(amounts)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    for p in projects:
        by_category[p["类别"]] += Decimal(p["总投资（亿元）"])
    assert [(name.split("（")[0], subtotal) for name, subtotal, _ in groups] == \
        list(by_category.items())
    total = rows[-1]
    assert total[0][0].startswith("合计") and total[0][1] is total[3][1]
    assert money(total[invest][0]) == sum(Decimal(p["总投资（亿元）"]) for p in projects)
    assert sum(len(a) for _, _, a in groups) == len(projects)

    summary = table_with(sample_docx, "项目数")
    county_rows = grid_rows(summary)
    by_county: dict[str, list[Decimal]] = defaultdict(list)
    for p in projects:
        by_county[p["县（市、区）"]].append(Decimal(p["总投资（亿元）"]))
    for (county, _), (count, _), (amount, _) in county_rows[:-1]:
        assert int(count) == len(by_county[county])
        assert money(amount) == sum(by_county[county])
    assert {r[0][0] for r in county_rows[:-1]} == set(by_county)
    assert money(county_rows[-1][2][0]) == money(total[invest][0])
    assert int(county_rows[-1][1][0]) == len(projects)


def test_sentences_state_the_data(sample_docx):
    text = body_text(sample_docx)
    projects = csv_rows(SAMPLE_DATA / "projects.csv")
    total = sum(Decimal(p["总投资（亿元）"]) for p in projects)
    assert f"重大工程项目{len(projects)}项，估算总投资{total:.2f}亿元" in text
    assert f"确定的{len(yaml_rows('evaluation'))}项主要指标" in text
    forest = next(i for i in yaml_rows("indicators") if i["id"] == "forest")
    assert f"森林覆盖率稳定在{forest['现状值']}%" in text
    assert "{{" not in text and "ind." not in text


def test_every_data_row_records_its_source():
    for path in sorted(SAMPLE_DATA.iterdir()):
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) if path.suffix == ".yaml" \
            else csv_rows(path)
        assert rows, path
        for row in rows:
            assert str(row.get("来源") or "").strip(), (path.name, row)
    # Projects' investment figures are not public: every row says so.
    assert all("样例数据" in p["来源"] for p in csv_rows(SAMPLE_DATA / "projects.csv"))


def test_changing_one_target_changes_the_table_and_the_sentence(tmp_path, sample_docx):
    def pm25(docx_path: Path) -> tuple[str, str]:
        cells = {row[2][0]: row[5][0] for row in grid_rows(table_with(docx_path, "属性"))}
        sentence = next(p for p in body_text(docx_path).split("\n") if "细颗粒物浓度控制在" in p)
        return cells["中心城区细颗粒物（PM2.5）浓度"], sentence

    cell, sentence = pm25(sample_docx)
    assert cell == "≤29" and "细颗粒物浓度控制在29微克/立方米以下" in sentence
    root = copy_sample(tmp_path / "changed")
    path = root / "data" / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("目标值: ≤29\n") == 1
    path.write_text(text.replace("目标值: ≤29\n", "目标值: 27左右\n"), encoding="utf-8")
    cell, sentence = pm25(build_docx(root, "draft").docx)
    assert cell == "27左右"
    assert "细颗粒物浓度控制在27微克/立方米左右" in sentence and "29微克" not in sentence


# ---- values in sentences ---------------------------------------------------------------

INDICATORS = """\
- {id: pm25, 类别: 环境治理, 名称: 细颗粒物浓度, 单位: 微克/立方米, 现状值: 28, 目标值: ≤29,
   属性: 约束性, 来源: 样例数据}
- {id: good_days, 类别: 环境治理, 名称: 优良天数比率, 单位: "%", 现状值: 94.5, 目标值: 95左右,
   属性: 约束性, 来源: 样例数据}
- {id: farmland, 类别: 环境风险防控, 名称: 受污染耕地安全利用率, 单位: "%", 现状值: 91,
   目标值: ≥93, 属性: 约束性, 来源: 样例数据}
- {id: co2, 类别: 应对气候变化, 名称: 二氧化碳排放降低, 单位: "%", 现状值: —, 目标值: 18,
   累计: 是, 属性: 约束性, 来源: 样例数据}
- {id: forest, 类别: 生态保护, 名称: 森林覆盖率, 单位: "%", 现状值: 76.23, 目标值: 稳中有升,
   属性: 约束性, 来源: 公开数据}
- {id: odd, 类别: 生态保护, 名称: "PM2.5_*星号*", 单位: —, 现状值: 良好, 目标值: 〔不减少〕,
   累计: 是, 属性: 预期性, 来源: 样例数据}
"""


def data_plan(root: Path, chapter: str, **data: str) -> Path:
    make_plan(root, {"01-总体要求.md": chapter})
    (root / "data").mkdir()
    for name, text in data.items():
        (root / "data" / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return root


def paragraphs(docx_path: Path) -> list[str]:
    return [p.text for p in docx.Document(docx_path).paragraphs if p.style.name == "Normal"
            and p.text]


def test_inline_values_are_written_as_plan_texts_write_them(tmp_path):
    chapter = ("# 目标\n\n细颗粒物浓度控制在{{ ind.pm25.target }}，现状{{ ind.pm25.base }}；"
               "表中写作{{ ind.pm25.target.cell }}，数值{{ ind.pm25.target.plain }}。\n\n"
               "优良天数比率达到{{ ind.good_days.target }}，耕地达到{{ ind.farmland.target }}，"
               "降低{{ ind.co2.target }}（{{ ind.co2.target.cell }}），森林覆盖率"
               "{{ ind.forest.base }}、{{ ind.forest.target }}；{{ ind.odd.name }}。\n")
    root = data_plan(tmp_path / "p", chapter, indicators_yaml=INDICATORS)
    out = build_docx(root, "draft").docx
    assert paragraphs(out) == [
        "细颗粒物浓度控制在29微克/立方米以下，现状28微克/立方米；表中写作≤29，数值29微克/立方米。",
        "优良天数比率达到95%左右，耕地达到93%以上，降低18%（〔18〕），森林覆盖率76.23%、稳中有升；"
        "PM2.5_*星号*。"]


def test_a_data_xlsx_builds_the_same_table_as_the_yaml(tmp_path):
    """A department's spreadsheet: a title row above the header, a 序号 column, numbers stored as
    numbers with a display format, one of them as a percentage."""
    chapter = "# 目标\n\n表：主要指标\n\n{{ table(\"indicators\") }}\n\n降低{{ ind.co2.target }}。\n"
    from_yaml = build_docx(data_plan(tmp_path / "yaml", chapter, indicators_yaml=INDICATORS),
                           "draft").docx
    rows = yaml.safe_load(INDICATORS)
    columns = ["序号", "id", "类别", "名称", "单位", "现状值", "目标值", "属性", "累计", "来源"]
    book = Workbook()
    sheet = book.active
    sheet.append(["赣州市“十四五”生态环境保护主要指标（报送表）"])
    sheet.append(columns)
    for number, row in enumerate(rows, start=1):
        sheet.append([number] + [row.get(c) for c in columns[1:]])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                places = len(repr(cell.value).partition(".")[2])
                cell.number_format = "0." + "0" * places
    sheet.cell(row=4, column=6).value = 0.945  # 94.5 shown as a percentage
    sheet.cell(row=4, column=6).number_format = "0.0%"
    root = data_plan(tmp_path / "xlsx", chapter)
    book.save(root / "data" / "indicators.xlsx")
    from_xlsx = build_docx(root, "draft").docx
    for path in (from_yaml, from_xlsx):
        assert audit_errors(path) == []
    canonical = [etree.tostring(table_with(p, "属性")) for p in (from_yaml, from_xlsx)]
    assert canonical[0] == canonical[1]
    assert paragraphs(from_yaml) == paragraphs(from_xlsx)


def test_evaluation_outcome_follows_bounds_and_direction(tmp_path):
    rows = [("a", "≥93", "95", ""), ("b", "≤35", "36", ""), ("c", "95", "94.5", "越高越好"),
            ("d", "35", "28", "越低越好"), ("e", "〔19.5〕", "〔20.1〕", "越高越好"),
            ("f", "保持良好", "保持良好", ""), ("g", "有效保障", "基本保障", ""),
            ("h", ">90", "90", ""), ("i", "100", "—", "越高越好")]
    text = "".join(f"- {{id: {k}, 名称: 指标{k}, 单位: '%', 目标值: '{t}', 实际值: '{a}', "
                   f"{'方向: ' + d + ', ' if d else ''}来源: 样例数据}}\n" for k, t, a, d in rows)
    root = data_plan(tmp_path / "p", "# 评估\n\n{{ table(\"evaluation\") }}\n\n"
                     "指标a{{ evaluation.a.outcome }}。\n", evaluation_yaml=text)
    out = build_docx(root, "draft").docx
    outcomes = [row[5][0] for row in grid_rows(table_with(out, "完成情况"))]
    assert outcomes == ["完成", "未完成", "未完成", "完成", "完成", "完成", "未完成", "未完成",
                        "待核实"]
    assert "指标a完成。" in paragraphs(out)


# ---- bad data: file and row, exit 2, last output kept ---------------------------------------

GOOD_CHAPTER = "# 目标\n\n目标{{ ind.pm25.target }}。\n\n{{ table(\"projects\") }}\n"
PROJECTS = ("名称,类别,建设内容,县（市、区）,总投资（亿元）,建设年限,责任单位,来源\n"
            "甲工程,大气,治理,章贡区,1.5,2021—2025年,章贡区人民政府,样例数据\n"
            "乙工程,大气,治理,南康区,2,2021—2025年,南康区人民政府,样例数据\n"
            "丙工程,水,整治,全市,3.25,2021—2025年,市生态环境局,样例数据\n")


@pytest.fixture
def built_data_plan(tmp_path: Path) -> tuple[Path, Path, bytes]:
    root = data_plan(tmp_path / "plan", GOOD_CHAPTER, indicators_yaml=INDICATORS,
                     projects_csv=PROJECTS)
    result = run_build(root)
    assert result.exit_code == 0, result.output
    output = root / "build" / "draft" / "测试规划（初稿）.docx"
    return root, output, output.read_bytes()


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "data" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, where, words", [
    ("indicators.yaml", "属性: 约束性, 来源: 公开数据", "属性: 约束, 来源: 公开数据",
     "data/indicators.yaml:10", "“属性”只能是 约束性、预期性"),
    ("indicators.yaml", "目标值: ≥93", "目标值: 93%", "data/indicators.yaml:6",
     "“目标值”的值“93%”既不是数值"),
    ("indicators.yaml", "现状值: 94.5", "现状值: 约94.5", "data/indicators.yaml:3", "既不是数值"),
    ("indicators.yaml", "id: farmland", "id: pm25", "data/indicators.yaml:5",
     "id“pm25”与第1行重复"),
    ("indicators.yaml", "来源: 公开数据", "来源: 公开数据, 备注: 无", "data/indicators.yaml:10",
     "未知的列“备注”"),
    ("indicators.yaml", "目标值: 18,\n   累计: 是,", "目标值: 〔18〕,", "data/indicators.yaml:7",
     "“累计”不是“是”"),
    ("indicators.yaml", "id: good_days", "id: Good-Days", "data/indicators.yaml:3",
     "只能由小写英文字母"),
    ("indicators.yaml", "名称: 森林覆盖率, ", "", "data/indicators.yaml:9", "缺少“名称”"),
    ("projects.csv", ",2,", ",两亿,", "data/projects.csv:第3行", "“总投资（亿元）”应为不带符号的数值"),
    ("projects.csv", ",2,", ",2亿,", "data/projects.csv:第3行", "实际为“2亿”"),
    ("projects.csv", ",3.25,", ",≥3,", "data/projects.csv:第4行", "应为不带符号的数值"),
    ("projects.csv", ",南康区,", ",南康区、章贡区,", "data/projects.csv:第3行",
     "只能填一个县（市、区）"),
    ("projects.csv", "乙工程", "甲工程", "data/projects.csv:第3行", "名称“甲工程”与第2行重复"),
    ("projects.csv", ",来源\n", ",来源,备注\n", "data/projects.csv:第1行", "未知的列“备注”"),
])
def test_bad_data_names_file_and_row(built_data_plan, file, old, new, where, words):
    root, output, before = built_data_plan
    edit(root, file, old, new)
    expect_failure(root, output, before, where, words)


def test_bad_xlsx_row_names_its_row(built_data_plan):
    root, output, before = built_data_plan
    book = Workbook()
    sheet = book.active
    sheet.append(["重大工程项目（报送表）"])
    for record in csv.reader(PROJECTS.splitlines()):
        sheet.append(record)
    sheet.append(["丁工程", "水", "整治", "于都县", "待定", "2021—2025年", "于都县人民政府", "样例数据"])
    (root / "data" / "projects.csv").unlink()
    book.save(root / "data" / "projects.xlsx")
    expect_failure(root, output, before, "data/projects.xlsx:第6行", "实际为“待定”")


def test_data_file_problems(built_data_plan):
    root, output, before = built_data_plan
    shutil.copy(root / "data" / "projects.csv", root / "data" / "projects.yaml")
    expect_failure(root, output, before, "data/projects.yaml", "只能保留一个")
    (root / "data" / "projects.yaml").unlink()
    (root / "data" / "project.csv").write_text(PROJECTS, encoding="utf-8")
    expect_failure(root, output, before, "data/project.csv", "未知的数据文件")
    (root / "data" / "project.csv").unlink()
    (root / "data" / "indicators.yaml").write_text("id: pm25\n", encoding="utf-8")
    expect_failure(root, output, before, "data/indicators.yaml:1", "若干行的列表")
    (root / "data" / "indicators.yaml").unlink()
    expect_failure(root, output, before, "chapters/01-总体要求.md:3", "没有指标数据")


# ---- chapters: lines, unknown ids, the sandbox ----------------------------------------------

def test_errors_after_rendering_name_the_chapters_own_lines(tmp_path):
    chapter = ("# 目标\n\n{% for i in ind %}\n- {{ i.name }}\n{% endfor %}\n\n{# 说明\n两行 #}\n"
               "表：主要指标\n\n{{ table(\"indicators\") }}\n\n降低{{ ind.co2.target }}。\n")
    root = data_plan(tmp_path / "p", chapter, indicators_yaml=INDICATORS)
    plan, _ = read_plan(root)
    blocks = plan.parsed[0].blocks
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.source.line == 11 and table.caption == "主要指标"
    assert table.merges  # the 生态保护 rows
    last = blocks[-1]
    assert isinstance(last, Paragraph) and plain_text(last.inlines) == "降低18%。"
    assert last.source.line == 13
    # A Markdown error after the expanded loop and the table still names its own line.
    (root / "chapters" / "01-总体要求.md").write_text(chapter + "\n#### 跳级\n", encoding="utf-8")
    result = run_build(root)
    assert result.exit_code == 2 and "chapters/01-总体要求.md:15" in result.output, result.output


@pytest.mark.parametrize("line, words", [
    ("目标{{ ind.pm2.target }}。", "data/indicators.yaml 中没有 id 为“pm2”的指标"),
    ("目标{{ ind.pm25.targt }}。", "没有“targt”这一项"),
    ("现状{{ ind.co2.base }}。", "现状值为空"),
    ("{{ table(\"nope\") }}", "没有名为“nope”的数据表"),
    ("见下表{{ table(\"indicators\") }}", "应单独成段"),
    ("{{ 未知 }}", "未定义的名称“未知”"),
    ("{{ ind.pm25.target", "模板语法错误"),
])
def test_chapter_mistakes_name_file_and_line(built_data_plan, line, words):
    root, output, before = built_data_plan
    path = root / "chapters" / "01-总体要求.md"
    path.write_text(GOOD_CHAPTER + "\n" + line + "\n", encoding="utf-8")
    expect_failure(root, output, before, "chapters/01-总体要求.md:7", words)


@pytest.mark.parametrize("attempt", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ind.__class__.__init__.__globals__ }}",
    "{{ ind.pm25._items }}",
    "{{ ind.pm25.target|attr('__class__') }}",
    "{{ ''|attr('__class__')|attr('__base__') }}",
    "{{ '{0.__class__}'.format(ind) }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}{{ os }}",
    "{% extends '../plan.yaml' %}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ self.__init__.__globals__ }}",
    "{{ ind.pm25.name.format_map }}",
])
def test_sandbox_escape_attempts_are_refused(built_data_plan, attempt):
    root, output, before = built_data_plan
    path = root / "chapters" / "01-总体要求.md"
    path.write_text(GOOD_CHAPTER + "\n" + attempt + "\n", encoding="utf-8")
    result = run_build(root)
    assert result.exit_code == 2, result.output
    assert "chapters/01-总体要求.md:7: " in result.output, result.output
    assert re.search(r"不允许此操作|不能引用其他模板或文件|未定义的名称|只能写入数据的值",
                     result.output), result.output
    assert "Traceback" not in result.output and "uid=" not in result.output
    assert output.read_bytes() == before


def test_plan_data_lists_the_files_and_their_sample_rows(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main
    root = copy_sample(tmp_path / "sample")
    result = CliRunner().invoke(main, ["--plan", str(root), "data"])
    assert result.exit_code == 0, result.output
    for path in sorted((root / "data").iterdir()):
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) if path.suffix == ".yaml" \
            else csv_rows(path)
        sample = sum("样例数据" in str(r["来源"]) for r in rows)
        assert re.search(rf"data/{path.name}：\S+ {len(rows)} 行，其中“来源”注明样例数据的 "
                         rf"{sample} 行", result.output), result.output
    (root / "data" / "projects.csv").write_text("名称,类别\n甲,乙\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(root), "data"])
    assert result.exit_code == 2 and "data/projects.csv:第2行: 缺少“建设内容”" in result.output


# ---- spreadsheets as 科室 and counties send them --------------------------------------------

PROJECT_COLUMNS = ["序号", "名称", "类别", "建设内容", "县（市、区）", "总投资（亿元）", "建设年限",
                   "责任单位", "来源"]


def project_row(number: int, name: str, category: str, county: str, money: float | str) -> list:
    return [number, name, category, "治理", county, money, "2021—2025年", f"{county}人民政府",
            "样例数据"]


def loaded(root: Path):
    from pipeline.data import load_data
    return load_data(root)


def notices(data, code: str) -> list[str]:
    return [str(n) for n in data.notices if n.code == code]


def saved(book: Workbook, root: Path, name: str) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    path = root / "data" / name
    book.save(path)
    return path


def test_merged_category_cells_are_filled_down(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["重大工程项目表"])
    sheet.append(PROJECT_COLUMNS)
    sheet.append(project_row(1, "甲工程", "大气", "章贡区", 1.5))
    sheet.append(project_row(2, "乙工程", None, "南康区", 2))
    sheet.append(project_row(3, "丙工程", None, "于都县", 3))
    sheet.append(project_row(4, "丁工程", "水", "寻乌县", 4))
    sheet.append([5])  # a 序号 typed ahead, nothing else: a blank row
    sheet.merge_cells("C3:C5")
    sheet.merge_cells("A1:I1")  # the title across the table: not a data cell
    saved(book, tmp_path, "projects.xlsx")
    data = loaded(tmp_path)
    assert [(p.name, p.category) for p in data.projects] == [
        ("甲工程", "大气"), ("乙工程", "大气"), ("丙工程", "大气"), ("丁工程", "水")]
    assert notices(data, "E138") == [
        "data/projects.xlsx: 合并单元格 C3:C5 已按所在各行逐行填入合并的值"]


def test_note_subtotal_and_total_rows_are_skipped_and_the_total_checked(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(PROJECT_COLUMNS)
    sheet.append(project_row(1, "甲工程", "大气", "章贡区", 1.5))
    sheet.append(project_row(2, "乙工程", "大气", "南康区", 2))
    sheet.append([None, "小计", None, None, None, 3.5])
    sheet.append(project_row(3, "丙工程", "水", "于都县", 3.25))
    sheet.append(["合计（3项）", None, None, None, None, 6.75])
    sheet.append(["注：1. 投资为估算数。"])
    sheet.append(["2. 跨县项目按县分行。"])
    sheet.append(["说明：本表由规划财务科汇总。"])
    saved(book, tmp_path, "projects.xlsx")
    data = loaded(tmp_path)
    assert [p.name for p in data.projects] == ["甲工程", "乙工程", "丙工程"]
    assert notices(data, "E136") == [
        "data/projects.xlsx:第4行: 跳过小计行：“小计”",
        "data/projects.xlsx:第6行: 跳过合计行（“总投资（亿元）”6.75与以上各行之和相符）",
        "data/projects.xlsx:第7行: 跳过表下注：“注：1. 投资为估算数。”",
        "data/projects.xlsx:第8行: 跳过表下注（续）：“2. 跨县项目按县分行。”",
        "data/projects.xlsx:第9行: 跳过表下注：“说明：本表由规划财务科汇总。”"]
    assert {n.severity for n in data.notices} == {"info"}


def test_a_wrong_total_is_a_warning_and_the_table_sums_the_rows(tmp_path):
    root = data_plan(tmp_path / "p", "# 工程\n\n{{ table(\"projects\") }}\n")
    book = Workbook()
    sheet = book.active
    sheet.append(PROJECT_COLUMNS)
    sheet.append(project_row(1, "甲工程", "大气", "章贡区", 1.5))
    sheet.append(project_row(2, "乙工程", "大气", "南康区", 2))
    sheet.append(["合计", None, None, None, None, 4])
    saved(book, root, "projects.xlsx")
    result = run_build(root)
    assert result.exit_code == 0, result.output
    assert ("警告 data/projects.xlsx:第4行: 合计行的“总投资（亿元）”为 4，与以上各行之和 3.5 不符："
            "已跳过该行，表中的合计由流水线按各行计算，请核对各行与合计") in result.output
    out = root / "build" / "draft" / "测试规划（初稿）.docx"
    rows = grid_rows(table_with(out, "建设内容"))
    assert rows[-1][0][0].startswith("合计") and rows[-1][4][0] == "3.5"


@pytest.mark.parametrize("first, first_rows, second, read, why", [
    # The first sheet is a 填表说明: the first sheet with a header is read.
    ("填表说明", [["请按下表填写重大工程项目，名称、类别均为必填。"]], "项目", "甲工程",
     "读取工作表“项目”（第一个含“名称”列表头的工作表）；未读取：“填表说明”"),
    # Another sheet has a header too, but the sheet named in datasets.yaml comes first.
    ("旧表", [PROJECT_COLUMNS, project_row(1, "旧工程", "大气", "章贡区", 9)], "重大工程项目",
     "甲工程", "读取工作表“重大工程项目”（工作表名与重大工程项目数据的约定相同）；未读取：“旧表”"),
])
def test_the_header_sheet_is_found_and_named(tmp_path, first, first_rows, second, read, why):
    from pipeline.data import load_schema
    assert load_schema().datasets["projects"].sheet == "重大工程项目"
    book = Workbook()
    book.active.title = first
    for row in first_rows:
        book.active.append(row)
    sheet = book.create_sheet(second)
    sheet.append(PROJECT_COLUMNS)
    sheet.append(project_row(1, "甲工程", "大气", "章贡区", 1.5))
    saved(book, tmp_path, "projects.xlsx")
    data = loaded(tmp_path)
    assert [p.name for p in data.projects] == [read]
    assert notices(data, "E135") == [f"data/projects.xlsx: {why}"]


def test_no_sheet_with_a_header_names_every_sheet(tmp_path):
    book = Workbook()
    book.active.title = "填表说明"
    book.create_sheet("备用").append(["项目", "金额"])
    saved(book, tmp_path, "projects.xlsx")
    with pytest.raises(Exception) as caught:
        loaded(tmp_path)
    assert str(caught.value).startswith(
        "data/projects.xlsx: 找不到表头行：工作表“填表说明”、“备用”中都没有含“名称”列的表头")


INDICATOR_COLUMNS = ["id", "类别", "名称", "单位", "现状值", "目标值", "属性", "来源"]


@pytest.mark.parametrize("typed, read, unit", [
    (">=96", "≥96", "%"), ("＞96", ">96", "%"), ("９６", "96", "%"), ("96%", "96", "%"),
    ("≥９６％", "≥96", "%"), ("<= 29", "≤29", "微克/立方米"), ("９６.５左右", "96.5左右", "%"),
])
def test_spellings_of_a_percent_column_are_read_with_a_note(tmp_path, typed, read, unit):
    book = Workbook()
    sheet = book.active
    sheet.append(INDICATOR_COLUMNS)
    sheet.append(["good_days", "环境治理", "优良天数比率", unit, "94.5", typed, "约束性", "样例数据"])
    saved(book, tmp_path, "indicators.xlsx")
    data = loaded(tmp_path)
    (item,) = data.indicators
    assert item.target.text == read and item.target.number is not None
    (note,) = data.notices
    assert note.severity == "info" and note.code == "E133"
    suffix = "（单位为 %）" if "%" in typed or "％" in typed else ""
    assert str(note) == f"data/indicators.xlsx:第2行: “目标值”的“{typed}”按“{read}”读取{suffix}"


@pytest.mark.parametrize("typed, words", [
    ("96%", "“目标值”的值“96%”既不是数值"),  # the unit is not a percentage: 96% is refused
    ("约９６", "既不是数值"),  # respelling does not make words into a number
])
def test_a_spelling_that_is_not_a_number_is_still_refused(tmp_path, typed, words):
    book = Workbook()
    sheet = book.active
    sheet.append(INDICATOR_COLUMNS)
    sheet.append(["days", "环境治理", "天数", "天", "300", typed, "预期性", "样例数据"])
    saved(book, tmp_path, "indicators.xlsx")
    with pytest.raises(Exception) as caught:
        loaded(tmp_path)
    assert "data/indicators.xlsx:第2行: " in str(caught.value) and words in str(caught.value)


def test_header_cells_with_spaces_and_half_width_brackets_match_their_columns(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["序 号", "名 称", "类\n别", "建设内容", "县(市、区)", "总投资(亿元)", "建设年限",
                  "责任单位", "来　源"])
    sheet.append(project_row(1, "甲工程", "大气", "章贡区", 1.5))
    saved(book, tmp_path, "projects.xlsx")
    data = loaded(tmp_path)
    (project,) = data.projects
    assert (project.name, project.category, project.county, project.investment.text) == \
        ("甲工程", "大气", "章贡区", "1.5")
    assert notices(data, "E134") == [
        "data/projects.xlsx:第1行: 表头“序 号”按列名“序号”读取",
        "data/projects.xlsx:第1行: 表头“名 称”按列名“名称”读取",
        "data/projects.xlsx:第1行: 表头“类\n别”按列名“类别”读取",
        "data/projects.xlsx:第1行: 表头“县(市、区)”按列名“县（市、区）”读取",
        "data/projects.xlsx:第1行: 表头“总投资(亿元)”按列名“总投资（亿元）”读取",
        "data/projects.xlsx:第1行: 表头“来　源”按列名“来源”读取"]


def test_a_csv_saved_from_excel_is_read_the_same_way(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "indicators.csv").write_text(
        "id,类别,名 称,单位,现状值,目标值,属性,来源\n"
        "good_days,环境治理,优良天数比率,%,94.5,>=96%,约束性,样例数据\n"
        "注：现状值为2020年数据。,,,,,,,\n", encoding="utf-8")
    data = loaded(tmp_path)
    assert data.indicators[0].target.text == "≥96"
    assert [n.code for n in data.notices] == ["E134", "E133", "E136"]


def test_yaml_typed_by_the_rules_is_not_respelled(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "indicators.yaml").write_text(
        "- {id: a, 类别: 环境治理, 名称: 甲, 单位: '%', 目标值: '>=96', 属性: 约束性, 来源: 样例数据}\n",
        encoding="utf-8")
    with pytest.raises(Exception, match="“目标值”的值“>=96”既不是数值"):
        loaded(tmp_path)


def test_plan_data_prints_the_notices_and_every_bad_row(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main
    root = data_plan(tmp_path / "p", GOOD_CHAPTER)
    book = Workbook()
    book.active.title = "填表说明"
    sheet = book.create_sheet("重大工程项目")
    sheet.append(PROJECT_COLUMNS)
    sheet.append(project_row(1, "甲工程", "大气", "章贡区", "１.５"))
    saved(book, root, "projects.xlsx")
    result = CliRunner().invoke(main, ["--plan", str(root), "data"])
    assert result.exit_code == 0, result.output
    assert "提示 data/projects.xlsx: 读取工作表“重大工程项目”" in result.output
    assert "提示 data/projects.xlsx:第2行: “总投资（亿元）”的“１.５”按“1.5”读取" in result.output
    assert "data/projects.xlsx：重大工程项目 1 行" in result.output
    sheet.append(project_row(2, "乙工程", "大气", "章贡区", "待定"))
    sheet.append(project_row(3, "丙工程", "大气", "章贡区", "两亿"))
    saved(book, root, "projects.xlsx")
    result = CliRunner().invoke(main, ["--plan", str(root), "data"])
    assert result.exit_code == 2
    assert "data/projects.xlsx:第3行: “总投资（亿元）”应为不带符号的数值（如 12.5），实际为“待定”" \
        in result.output
    assert "data/projects.xlsx:第4行: “总投资（亿元）”应为不带符号的数值（如 12.5），实际为“两亿”" \
        in result.output
