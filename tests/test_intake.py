"""The 报送 round as a 规划财务科 officer runs it: templates out to the sample's real units, filled
with openpyxl as a unit fills them (bad cells, merged cells, notes, extra sheets, a
resubmission), collected into the plan's data files, and the 已报送 / 未报送 table."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from conftest import ROOT, copy_sample, copy_workspace, make_plan
from pipeline.build import build_docx
from pipeline.cli import main
from pipeline.data import load_data, load_schema
from pipeline.intake.collect import collect_files
from pipeline.revision import source_revision, stamp

SCHEMA = load_schema()
COUNTIES = ["章贡区", "南康区", "赣县区", "信丰县", "大余县", "上犹县", "崇义县", "安远县", "龙南市",
            "定南县", "全南县", "宁都县", "于都县", "兴国县", "会昌县", "寻乌县", "石城县", "瑞金市"]
ZHANGGONG = "章贡区生态环境局"
FORM = f"{ZHANGGONG}-报送表.xlsx"


def plan(*args: str, root: Path):
    return CliRunner().invoke(main, ["--plan", str(root), *args])


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """Every unit's 报送表 of the sample plan, written once by `plan intake template`."""
    root = copy_sample(tmp_path_factory.mktemp("forms") / "plan")
    result = plan("intake", "template", root=root)
    assert result.exit_code == 0, result.output
    assert "共 25 份报送表。" in result.output
    return root / "build" / "intake" / "报送表"


@pytest.fixture
def sample(tmp_path) -> Path:
    return copy_sample(tmp_path / "plan")


def fill(template: Path, dest: Path, date: str | None = "2020-06-12", merges: tuple = (),
         **sheets: list[dict]) -> Path:
    """What a unit does: rows typed under the header (by column name), the date filled in."""
    book = load_workbook(template)
    for key, rows in sheets.items():
        ws = book[SCHEMA.datasets[key].sheet]
        header = [c.value for c in ws[3]]
        for offset, row in enumerate(rows):
            for label, value in row.items():
                cell = ws.cell(4 + offset, header.index(label) + 1, value)
                # As in Excel, a typed cell takes its column's format (0.00 for 总投资).
                cell.number_format = ws.column_dimensions[cell.column_letter].number_format
    for sheet, cells in merges:
        book[sheet].merge_cells(cells)
    if date:
        book["填表说明"]["B5"] = date
    book.save(dest)
    return dest


def project(name: str, county: str = "章贡区", money: object = 1.5, category: str = "水生态环境保护",
            **more) -> dict:
    return {"名称": name, "类别": category, "建设内容": f"{name}建设内容", "县（市、区）": county,
            "总投资（亿元）": money, "建设年限": "2021—2025年", "责任单位": f"{county}人民政府", **more}


def csv_records(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


# ---- templates ------------------------------------------------------------------------------

def test_every_unit_of_the_work_plan_gets_a_form(templates):
    units = yaml.safe_load((ROOT / "plan.yaml").read_text(encoding="utf-8"))["units"]
    assert [u["name"] for u in units if u["kind"] == "县区"] == [f"{c}生态环境局" for c in COUNTIES]
    assert "规划财务科" in [u["name"] for u in units if u["kind"] == "科室"]
    assert sorted(p.name for p in templates.iterdir()) == \
        sorted(f"{u['name']}-报送表.xlsx" for u in units)


def test_a_form_has_the_data_columns_lists_hints_formats_and_a_locked_header(templates):
    book = load_workbook(templates / FORM)
    assert book.sheetnames == ["重大工程项目", "指标建议", "政策举措", "填表说明"]
    for name in ("projects", "indicators", "measures"):
        dataset = SCHEMA.datasets[name]
        ws = book[dataset.sheet]
        assert [c.value for c in ws[3]] == ["序号", *dataset.columns]  # exactly data/'s columns
        assert ws["A2"].value == f"填报单位：{ZHANGGONG}　　报送截止日期：2020年6月30日"
        assert ws.freeze_panes == "B4"
        assert ws.protection.sheet and not ws.protection.insertRows
        # The header is locked; the rows below it take their column's style: open to fill.
        assert ws["B3"].protection.locked and not ws.column_dimensions["B"].protection.locked
        rules = {str(v.sqref).split(":")[0][:-1]: v for v in ws.data_validations.dataValidation}
        assert len(rules) == len(dataset.columns)  # a hint on every column
        assert all(v.prompt and v.showInputMessage for v in rules.values())
    projects = book["重大工程项目"]
    rules = {projects[str(v.sqref).split(":")[0][:-1] + "3"].value: v
             for v in projects.data_validations.dataValidation}
    counties = rules["县（市、区）"].formula1.strip('"').split(",")
    assert counties == [*COUNTIES, "全市", "市本级"] and rules["县（市、区）"].errorStyle == "warning"
    in_data = list(dict.fromkeys(p.category for p in load_data(ROOT).projects))
    assert rules["类别"].formula1.strip('"').split(",") == in_data
    assert rules["总投资（亿元）"].type == "decimal" and rules["总投资（亿元）"].errorStyle == "stop"
    assert projects.column_dimensions["F"].number_format == "0.00"
    assert projects.column_dimensions["B"].number_format == "@"
    indicators = book["指标建议"]
    rules = {indicators[str(v.sqref).split(":")[0][:-1] + "3"].value: v
             for v in indicators.data_validations.dataValidation}
    assert rules["属性"].formula1 == '"约束性,预期性"' and rules["属性"].errorStyle == "stop"
    assert rules["累计"].formula1 == '"是,否"'
    assert "2020年数值" in rules["现状值"].prompt and "2025年目标" in rules["目标值"].prompt
    assert indicators.column_dimensions["G"].number_format == "@"  # ≥93 and 96.0 stay as typed
    guide = book["填表说明"]
    assert [guide[f"B{r}"].value for r in (2, 3, 4)] == [ZHANGGONG, "县区", "2020-06-30"]
    assert book.defined_names["报送单位"].attr_text == "'填表说明'!$B$2"
    assert book.defined_names["填报日期"].attr_text == "'填表说明'!$B$5"
    assert not guide["B5"].protection.locked and guide["B2"].protection.locked


def test_a_form_is_the_same_bytes_from_another_process(templates, tmp_path):
    root = templates.parent.parent.parent
    out = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="123")
    subprocess.run([sys.executable, "-m", "pipeline.cli", "--plan", str(root), "intake", "template",
                    "--unit", ZHANGGONG, "-o", str(out)], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    assert (out / FORM).read_bytes() == (templates / FORM).read_bytes()
    when = stamp(source_revision(root).epoch)  # the sources' date, never the clock
    with zipfile.ZipFile(out / FORM) as archive:
        assert {i.date_time for i in archive.infolist()} == {when.timetuple()[:6]}
        core = archive.read("docProps/core.xml").decode()
    assert when.strftime("%Y-%m-%dT%H:%M:%SZ") in core


def test_template_mistakes_are_named(sample):
    result = plan("intake", "template", "--unit", "环保局", root=sample)
    assert result.exit_code == 2 and "plan.yaml 的 units 中没有“环保局”" in result.output
    text = (sample / "plan.yaml").read_text(encoding="utf-8")
    (sample / "plan.yaml").write_text(text.replace("kind: 科室, deadline: 2020-06-30}", "kind: 处室}", 1),
                                      encoding="utf-8")
    result = plan("intake", "template", root=sample)
    assert result.exit_code == 2
    assert "plan.yaml:" in result.output and "只能是 科室、县区，实际为“处室”" in result.output
    make_plan(sample / "bare", {"01.md": "# 一\n"})
    result = plan("intake", "template", root=sample / "bare")
    assert result.exit_code == 2 and "plan.yaml 中没有列出报送单位（units）" in result.output


# ---- collecting -------------------------------------------------------------------------------

@pytest.fixture
def returned(templates, tmp_path) -> dict[str, Path]:
    """Two units' forms as they come back."""
    folder = tmp_path / "returned"
    folder.mkdir()
    zhanggong = fill(templates / FORM, folder / "章贡区.xlsx", merges=[("重大工程项目", "C4:C5")],
                     projects=[project("章江新区水系连通工程", money=3.2, 序号=1),
                               project("沙石镇污水管网工程", category=None, money=1.1, 序号=2,
                                       来源="市级项目库"),
                               project("水东工业园区挥发性有机物治理工程", money=0.8,
                                       category="大气污染综合治理", 序号=3),
                               project("待定工程", money="待定", 序号=4),
                               {"序号": "注：投资为估算数。"}],
                     indicators=[{"类别": "环境治理", "名称": "章江断面水质优良比例", "单位": "%",
                                  "现状值": "100", "目标值": ">=95%", "属性": "约束性"}])
    book = load_workbook(zhanggong)
    book.create_sheet("自用备注").append(["这张表是我们自己记的"])
    book.save(zhanggong)
    rules = fill(templates / "法规科-报送表.xlsx", folder / "法规科.xlsx", date="2020年6月28日",
                 measures=[{"名称": "建立生态环境损害赔偿磋商制度", "类别": "制度建设",
                            "主要内容": "明确磋商程序和赔偿资金管理", "责任单位": "法规科"}],
                 indicators=[{"id": "eco_compensation", "类别": "生态保护", "名称": "生态补偿覆盖率",
                              "单位": "%", "目标值": "１００"}])  # 属性 left empty
    return {"zhanggong": zhanggong, "rules": rules}


def test_collect_checks_every_cell_and_merges_the_valid_rows(sample, returned):
    before_projects = csv_records(sample / "data" / "projects.csv")
    before_yaml = (sample / "data" / "indicators.yaml").read_text(encoding="utf-8")
    result = plan("intake", "collect", str(returned["zhanggong"]), str(returned["rules"]),
                  root=sample)
    assert result.exit_code == 1, result.output  # there are errors to send back
    assert "错误 章贡区.xlsx!重大工程项目!F7: “总投资（亿元）”应为不带符号的数值（如 12.5），实际为“待定”" \
        in result.output
    assert "错误 法规科.xlsx!指标建议!H4: 缺少“属性”" in result.output
    assert "提示 章贡区.xlsx!重大工程项目: 合并单元格 C4:C5 已按所在各行逐行填入合并的值" in result.output
    assert "提示 章贡区.xlsx!重大工程项目!A8: 跳过表下注：“注：投资为估算数。”" in result.output
    assert "提示 章贡区.xlsx!指标建议!G4: “目标值”的“>=95%”按“≥95”读取（单位为 %）" in result.output
    assert "提示 章贡区.xlsx!自用备注: 未读取：不是报送表的工作表" in result.output
    assert f"{ZHANGGONG}（章贡区.xlsx，2020-06-12）：有效 4 行，有误 1 行；首次报送，写入 4 行" \
        in result.output
    assert "法规科（法规科.xlsx，2020-06-28）：有效 1 行，有误 1 行；首次报送，写入 1 行" in result.output

    projects = csv_records(sample / "data" / "projects.csv")
    hand = [{k: v for k, v in p.items() if k != "报送编号"} for p in projects[:len(before_projects)]]
    assert hand == before_projects  # rows typed by hand stay as they were
    new = {p["名称"]: p for p in projects[len(before_projects):]}
    assert list(new) == ["章江新区水系连通工程", "沙石镇污水管网工程", "水东工业园区挥发性有机物治理工程"]
    assert new["沙石镇污水管网工程"]["类别"] == "水生态环境保护"  # the merged cell, filled down
    assert new["沙石镇污水管网工程"]["来源"] == f"{ZHANGGONG}报送（2020-06-12）；市级项目库"
    assert new["章江新区水系连通工程"]["来源"] == f"{ZHANGGONG}报送（2020-06-12）"
    assert new["章江新区水系连通工程"]["总投资（亿元）"] == "3.20"
    assert all(len(p["报送编号"]) == 10 for p in new.values())
    text = (sample / "data" / "indicators.yaml").read_text(encoding="utf-8")
    assert text.startswith(before_yaml)  # appended: comments and hand rows untouched
    added = yaml.safe_load(text[len(before_yaml):])
    assert added == [{"id": added[0]["id"], "类别": "环境治理", "名称": "章江断面水质优良比例",
                      "单位": "%", "现状值": "100", "目标值": "≥95", "属性": "约束性",
                      "来源": f"{ZHANGGONG}报送（2020-06-12）", "报送编号": added[0]["报送编号"]}]
    assert added[0]["id"].startswith("sub_")
    measures = csv_records(sample / "data" / "measures.csv")
    assert [(m["名称"], m["来源"]) for m in measures] == [
        ("建立生态环境损害赔偿磋商制度", "法规科报送（2020-06-28）")]
    # The plan builds with them: the project table holds the new rows.
    document = docx.Document(build_docx(sample, "draft").docx)
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert {"章江新区水系连通工程", "沙石镇污水管网工程", "水东工业园区挥发性有机物治理工程"} <= cells


def test_collecting_again_changes_nothing(sample, returned):
    files = [str(returned["zhanggong"]), str(returned["rules"])]
    plan("intake", "collect", *files, root=sample)
    data = {p: p.read_bytes() for p in (sample / "data").iterdir()}
    log = (sample / "intake" / "submissions.yaml").read_bytes()
    result = plan("intake", "collect", *files, root=sample)
    assert f"{ZHANGGONG}（章贡区.xlsx，2020-06-12）：有效 4 行，有误 1 行；与上次报送（2020-06-12）相同，" \
           "数据文件未改动" in result.output
    assert "数据文件未改动。" in result.output
    assert {p: p.read_bytes() for p in (sample / "data").iterdir()} == data
    assert (sample / "intake" / "submissions.yaml").read_bytes() == log
    names = [p["名称"] for p in csv_records(sample / "data" / "projects.csv")]
    assert len(names) == len(set(names))


def test_a_resubmission_replaces_the_units_rows_and_says_what_changed(sample, templates, returned,
                                                                      tmp_path):
    plan("intake", "collect", str(returned["zhanggong"]), root=sample)
    again = fill(templates / FORM, tmp_path / "章贡区（修改）.xlsx", date="2020-06-20",
                 projects=[project("章江新区水系连通工程", money=3.6),  # changed
                           project("沙石镇污水管网工程", money=1.1, 来源="市级项目库"),  # same
                           project("章贡区土壤修复工程", money=0.5, category="土壤污染防治与重金属污染治理")])
    result = plan("intake", "collect", str(again), root=sample)
    assert result.exit_code == 0, result.output
    assert (f"{ZHANGGONG}（章贡区（修改）.xlsx，2020-06-20）：有效 3 行，有误 0 行；重新报送（上次 "
            "2020-06-12）：新增 1 行，修改 1 行，删除 2 行，未变 1 行") in result.output
    mine = [p for p in csv_records(sample / "data" / "projects.csv") if p["报送编号"]]
    assert [(p["名称"], p["总投资（亿元）"], p["来源"]) for p in mine] == [
        ("章江新区水系连通工程", "3.60", f"{ZHANGGONG}报送（2020-06-20）"),
        ("沙石镇污水管网工程", "1.10", f"{ZHANGGONG}报送（2020-06-20）；市级项目库"),
        ("章贡区土壤修复工程", "0.50", f"{ZHANGGONG}报送（2020-06-20）")]
    indicators = yaml.safe_load((sample / "data" / "indicators.yaml").read_text(encoding="utf-8"))
    assert not any("报送编号" in i for i in indicators)  # the resubmission dropped the indicator
    log = yaml.safe_load((sample / "intake" / "submissions.yaml").read_text(encoding="utf-8"))
    assert log[ZHANGGONG]["times"] == 2 and log[ZHANGGONG]["date"] == "2020-06-20"


def test_a_name_already_in_the_plan_is_refused_not_duplicated(sample, templates, tmp_path):
    taken = csv_records(sample / "data" / "projects.csv")[1]["名称"]
    form = fill(templates / FORM, tmp_path / "章贡区.xlsx", projects=[project(taken), project(taken)])
    result = plan("intake", "collect", str(form), root=sample)
    assert result.exit_code == 1
    assert (f"错误 章贡区.xlsx!重大工程项目!第5行: 名称“{taken}”与章贡区.xlsx!重大工程项目!第4行重复"
            in result.output)
    assert (f"错误 章贡区.xlsx!重大工程项目!第4行: 名称“{taken}”与 data/projects.csv 第3行（手工录入）"
            "重复，未写入") in result.output
    names = [p["名称"] for p in csv_records(sample / "data" / "projects.csv")]
    assert names.count(taken) == 1


def test_a_form_without_its_guide_is_told_by_file_name_and_save_date(sample, tmp_path):
    book = Workbook()
    ws = book.active
    ws.title = "项目"
    ws.append(["序号", "名 称", "类别", "建设内容", "县（市、区）", "总投资（亿元）", "建设年限", "责任单位", "来源"])
    ws.append([1, "南康家具园区废气治理", "大气污染综合治理", "集中喷涂中心", "南康区", 2, "2021—2022年",
               "南康区人民政府", None])
    path = tmp_path / "南康区报送.xlsx"
    book.save(path)
    found = collect_files([path], sample)
    (change,) = found.changes
    assert change.submission.unit == "南康区生态环境局"
    assert [str(n) for n in found.notices][:1] == [
        "南康区报送.xlsx: 报送表中没有“填报单位”，按文件名记为“南康区生态环境局”报送"]
    assert change.submission.date == load_workbook(path).properties.modified.date().isoformat()
    assert "南康区报送.xlsx!项目!B1: 表头“名 称”按列名“名称”读取" in [str(n) for n in found.notices]
    book = Workbook()
    book.save(tmp_path / "不知道是谁.xlsx")
    found = collect_files([tmp_path / "不知道是谁.xlsx"], sample)
    assert [str(d) for d in found.skipped] == ["不知道是谁.xlsx: 无法确定报送单位：表中没有“填报单位”（请使用本单位的报送表），"
                             "文件名中也没有 plan.yaml 所列单位的名称"]


def test_two_files_of_one_unit_in_a_batch_keep_the_later(sample, templates, tmp_path):
    early = fill(templates / FORM, tmp_path / "a.xlsx", date="2020-06-10", projects=[project("甲")])
    late = fill(templates / FORM, tmp_path / "b.xlsx", date="2020-06-15", projects=[project("乙")])
    result = plan("intake", "collect", str(late), str(early), root=sample)
    assert result.exit_code == 0, result.output
    assert f"注意 a.xlsx 与 b.xlsx 同为{ZHANGGONG}报送，按较晚的 b.xlsx 汇总" in result.output
    names = [p["名称"] for p in csv_records(sample / "data" / "projects.csv")]
    assert "乙" in names and "甲" not in names


def xlsx_with(path: Path, replace: dict[str, bytes]) -> Path:
    source = io.BytesIO()
    Workbook().save(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            new.writestr(name, replace.get(name, old.read(name)))
        for name, data in replace.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return path


def test_hostile_files_are_refused_and_the_others_still_collected(sample, templates, tmp_path):
    from test_review_hostile import compound_file
    files = {"乱码.xlsx": tmp_path / "乱码.xlsx", "加密.xlsx": tmp_path / "加密.xlsx"}
    files["乱码.xlsx"].write_bytes(b"not a spreadsheet\n" * 10)
    files["加密.xlsx"].write_bytes(compound_file({"EncryptionInfo": 1024, "EncryptedPackage": 4096}))
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1">'
              b'<si><t>&a;</t></si></sst>')
    files["实体.xlsx"] = xlsx_with(tmp_path / "实体.xlsx", {"xl/sharedStrings.xml": laughs})
    cells = "".join(f'<row r="{r}">' + "".join(f'<c r="A{r}"><v>1</v></c>' for _ in range(3))
                    + "</row>" for r in range(1, 70_001))
    files["太多.xlsx"] = xlsx_with(tmp_path / "太多.xlsx", {"xl/worksheets/sheet1.xml": (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>").encode()})
    good = fill(templates / FORM, tmp_path / "章贡区.xlsx", projects=[project("甲")])
    result = plan("intake", "collect", *map(str, files.values()), str(good), root=sample)
    assert result.exit_code == 1
    reasons = {"乱码.xlsx": "不是 Excel 文件（既不是 .xlsx 压缩包，也不是 .xls/.et），未读取",
               "加密.xlsx": "文件已加密（设有打开密码），请报送单位取消密码后重新发送",
               "实体.xlsx": "xl/sharedStrings.xml 含有 DTD 或实体声明",
               "太多.xlsx": "工作表中的单元格超过 200000 个"}
    for name, reason in reasons.items():
        assert f"跳过 {name}：{reason}" in result.output, result.output
    assert f"{ZHANGGONG}（章贡区.xlsx，2020-06-12）：有效 1 行" in result.output
    assert "甲" in [p["名称"] for p in csv_records(sample / "data" / "projects.csv")]


def test_status_lists_who_has_sent_and_who_has_not(sample, returned, templates, tmp_path):
    late = fill(templates / "瑞金市生态环境局-报送表.xlsx", tmp_path / "瑞金市.xlsx", date="2020-07-03",
                projects=[project("瑞金市绵江治理工程", county="瑞金市")])
    plan("intake", "collect", str(returned["zhanggong"]), str(returned["rules"]), str(late),
         root=sample)
    result = plan("intake", "status", "--format", "json", root=sample)
    assert result.exit_code == 0, result.output
    rows = {r["单位"]: r for r in json.loads(result.output)}
    assert len(rows) == 25
    assert rows[ZHANGGONG] | {} == {
        "序号": "8", "单位": ZHANGGONG, "类别": "县区", "截止日期": "2020-06-30", "状态": "已报送",
        "报送日期": "2020-06-12", "报送次数": "1", "有效行数": "4", "有误行数": "1",
        "备注": "1 行有误，请该单位改正后重报"}
    assert rows["瑞金市生态环境局"]["备注"] == "逾期 3 天"
    assert rows["法规科"]["状态"] == "已报送" and rows["法规科"]["报送日期"] == "2020-06-28"
    assert sorted(n for n, r in rows.items() if r["状态"] == "未报送") == sorted(
        set(rows) - {ZHANGGONG, "法规科", "瑞金市生态环境局"})
    text = plan("intake", "status", root=sample).output
    assert "共 25 个单位：已报送 3 个，未报送 22 个；有效 6 行，有误 2 行" in text
    result = plan("intake", "status", "--format", "xlsx", root=sample)
    assert result.exit_code == 0, result.output
    path = sample / "build" / "intake" / "报送情况.xlsx"
    ws = load_workbook(path).active
    table = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=27)]
    assert table[7][1:5] == [ZHANGGONG, "县区", "2020-06-30", "已报送"]
    assert table[0][4] == "未报送" and table[0][1] == "规划财务科"
    assert ws.cell(28, 1).value.startswith("共 25 个单位：已报送 3 个")
    first = path.read_bytes()
    plan("intake", "status", "--format", "xlsx", root=sample)
    assert path.read_bytes() == first


def test_a_countys_projects_go_to_its_own_plan(sample, templates, tmp_path):
    county = make_plan(tmp_path / "县区" / "章贡区", {"01.md": "# 一\n"},
                       "title: 章贡区“十四五”生态环境保护规划\n")
    form = fill(templates / FORM, tmp_path / "章贡区.xlsx",
                projects=[project("章贡区自己的工程"), project("跨到南康的工程", county="南康区")],
                indicators=[{"id": "zg_water", "类别": "环境治理", "名称": "章江水质", "单位": "%",
                             "目标值": "100", "属性": "约束性"}])
    for _ in range(2):  # collecting again moves nothing twice
        found = collect_files([form], sample, counties={"章贡区": county})
        assert not found.errors and not found.skipped
    own = csv_records(county / "data" / "projects.csv")
    assert [p["名称"] for p in own] == ["章贡区自己的工程"]
    assert list(own[0]) == [*SCHEMA.datasets["projects"].columns, "报送编号"]
    city = [p["名称"] for p in csv_records(sample / "data" / "projects.csv")]
    assert "跨到南康的工程" in city and "章贡区自己的工程" not in city
    assert [p.name for p in load_data(county).projects] == ["章贡区自己的工程"]
    assert load_data(county).indicators is None  # indicators stay with the city's plan
    assert "章江水质" in {i.name for i in load_data(sample).indicators}
    with pytest.raises(Exception, match="没有 plan.yaml"):
        collect_files([form], sample, counties={"南康区": tmp_path / "没有"})


def test_at_a_workspace_root_collect_sends_a_countys_projects_to_its_plan(templates, tmp_path):
    root = copy_workspace(tmp_path / "ws")
    form = fill(templates / FORM, tmp_path / "章贡区.xlsx",
                projects=[project("章贡区污水管网补短板工程"), project("南康区工程", county="南康区")])
    result = plan("intake", "collect", str(form), root=root)
    assert result.exit_code == 0, result.output
    county = [p["名称"] for p in csv_records(root / "县区" / "章贡区" / "data" / "projects.csv")]
    city = [p["名称"] for p in csv_records(root / "data" / "projects.csv")]
    assert "章贡区污水管网补短板工程" in county and "章贡区污水管网补短板工程" not in city
    assert "南康区工程" in city  # 南康区 has no plan of its own in the sample workspace


def test_units_may_be_listed_in_workspace_yaml(tmp_path):
    root = make_plan(tmp_path / "ws", {"01.md": "# 一\n"})
    (root / "workspace.yaml").write_text(
        "title: 编制\nplans: []\nunits:\n  - {name: 规划财务科, kind: 科室, deadline: 2020-06-30}\n"
        "  - {name: 章贡区生态环境局, kind: 县区}\n  - {kind: 科室}\n", encoding="utf-8")
    result = plan("intake", "template", root=root)
    assert result.exit_code == 2 and "workspace.yaml:6" in result.output, result.output
    (root / "workspace.yaml").write_text(
        "title: 编制\nplans: []\nunits:\n  - {name: 规划财务科, kind: 科室, deadline: 2020-06-30}\n"
        "  - {name: 章贡区生态环境局, kind: 县区}\n", encoding="utf-8")
    result = plan("intake", "template", root=root)
    assert result.exit_code == 0 and "共 2 份报送表。" in result.output, result.output


def test_what_an_xlsx_data_file_cannot_keep_is_refused_naming_the_cell(sample, templates,
                                                                      tmp_path):
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture
    path = xlsx_data(sample, "projects", "项目表")
    form = fill(templates / FORM, tmp_path / "章贡区.xlsx", projects=[project("甲")])
    plan("intake", "collect", str(form), root=sample)
    n = load_workbook(path)["项目表"].max_row  # the unit's row, below the rows typed by hand
    again = fill(templates / FORM, tmp_path / "章贡区（修改）.xlsx", date="2020-06-20",
                 projects=[project("乙")])
    pristine = path.read_bytes()

    def refused(change, expected: str) -> None:
        book = load_workbook(io.BytesIO(pristine))
        change(book, book["项目表"])
        book.save(path)
        before = path.read_bytes()
        result = plan("intake", "collect", str(again), root=sample)
        assert result.exit_code == 2 and expected in result.output, result.output
        assert path.read_bytes() == before  # nothing written
    refused(lambda book, ws: ws.__setitem__(f"E{n - 5}", "=1+2"),
            f"data/projects.xlsx!项目表!E{n - 5}: 单元格中有公式（=1+2）")
    refused(lambda book, ws: ws.merge_cells(f"B{n - 1}:B{n}"),
            f"data/projects.xlsx!项目表!B{n - 1}:B{n}: 合并单元格 B{n - 1}:B{n} 跨越要改写的行")
    refused(lambda book, ws: setattr(ws.protection, "sheet", True),
            "data/projects.xlsx!项目表: 工作表“项目表”受保护")

    def table(book, ws):
        from openpyxl.worksheet.table import Table
        ws.add_table(Table(displayName="项目", ref=f"A2:I{n}"))
    refused(table, f"data/projects.xlsx!项目表!A2:I{n}: “表格”项目（A2:I{n}）覆盖要改写的行")

    def shape(book, ws):
        Picture.new("RGB", (4, 4)).save(tmp_path / "logo.png")
        book["说明"].add_image(Image(tmp_path / "logo.png"), "B2")
        book.save(path)
        with zipfile.ZipFile(path) as old:  # openpyxl keeps pictures; a text box it drops
            parts = {n: old.read(n) for n in old.namelist()}
        drawing = next(n for n in parts if n.startswith("xl/drawings/drawing"))
        box = (b'<absoluteAnchor><pos x="0" y="0"/><ext cx="1" cy="1"/><sp macro="" textlink="">'
               b'<nvSpPr><cNvPr id="9" name="box"/><cNvSpPr/></nvSpPr><spPr/></sp><clientData/>'
               b'</absoluteAnchor>')
        parts[drawing] = parts[drawing].replace(b"</wsDr>", box + b"</wsDr>")
        with zipfile.ZipFile(path, "w") as new:
            for name, data in parts.items():
                new.writestr(name, data)
    book = load_workbook(io.BytesIO(pristine))
    shape(book, book["项目表"])
    result = plan("intake", "collect", str(again), root=sample)
    assert result.exit_code == 2, result.output
    assert "data/projects.xlsx: 工作簿中的形状或文本框 1 个在写入后无法保留，未写入" in result.output
    # The picture is kept; what openpyxl drops of formats, and formulas that refer to the rows,
    # are told.
    book = load_workbook(io.BytesIO(pristine))
    Picture.new("RGB", (4, 4)).save(tmp_path / "logo.png")
    book["说明"].add_image(Image(tmp_path / "logo.png"), "B2")
    book["说明"]["A5"] = f"=SUM(项目表!E3:E{n})"
    book.save(path)
    with zipfile.ZipFile(path) as old:
        parts = {n: old.read(n) for n in old.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    assert "项目表".encode() in parts["xl/workbook.xml"] and sheet in parts  # 说明 is sheet1
    parts[sheet] = parts[sheet].replace(b"</worksheet>", b'<extLst><ext uri="{05C60535-1F16-4FD2-B633-'
                                        b'F4F36F0B64E0}"/></extLst></worksheet>')
    with zipfile.ZipFile(path, "w") as new:
        for name, data in parts.items():
            new.writestr(name, data)
    result = plan("intake", "collect", str(again), root=sample)
    assert result.exit_code == 0, result.output
    assert ("警告 data/projects.xlsx: 工作簿中的迷你图在写入后不再保留（数据不受影响），需要时请在 Excel 中重新设置"
            "（E969）") in result.output
    assert "警告 data/projects.xlsx: 工作表“说明”A5 的公式引用了“项目表”：写入的行可能不在其引用范围内" \
        in result.output
    with zipfile.ZipFile(path) as package:
        assert any(n.startswith("xl/media/") for n in package.namelist())
    assert [p.name for p in load_data(sample).projects][-1] == "乙"


@pytest.mark.libreoffice
def test_xls_and_et_files_are_read_through_libreoffice(sample, returned, tmp_path):
    """A unit that saved its form as Excel 97 (.xls) or in WPS (.et, the same binary format)."""
    profile = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xls", "--outdir", str(tmp_path), str(returned["zhanggong"])],
                   check=True, capture_output=True, timeout=180)
    xls = tmp_path / "章贡区.xls"
    assert xls.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # a real compound file
    et = tmp_path / "法规科.et"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xls", "--outdir", str(tmp_path / "x"), str(returned["rules"])],
                   check=True, capture_output=True, timeout=180)
    shutil.move(tmp_path / "x" / "法规科.xls", et)
    from_xlsx = collect_files([returned["zhanggong"], returned["rules"]], copy_sample(tmp_path / "a"))
    from_binary = collect_files([xls, et], sample)
    assert not from_binary.skipped
    rows = {c.submission.unit: [(r.dataset, r.cells) for r in c.submission.rows]
            for c in from_xlsx.changes}
    assert {c.submission.unit: [(r.dataset, r.cells) for r in c.submission.rows]
            for c in from_binary.changes} == rows
    assert [str(e).split(": ", 1)[1] for e in from_binary.errors] == \
        [str(e).split(": ", 1)[1] for e in from_xlsx.errors]
    assert "章贡区.xls!重大工程项目!F7: “总投资（亿元）”应为不带符号的数值（如 12.5），实际为“待定”" in \
        [str(e) for e in from_binary.errors]


def test_an_empty_form_is_a_report_and_changes_no_file(sample, templates, tmp_path):
    data = {p: p.read_bytes() for p in (sample / "data").iterdir()}
    form = fill(templates / "规划财务科-报送表.xlsx", tmp_path / "规划财务科.xlsx")
    result = plan("intake", "collect", str(form), root=sample)
    assert result.exit_code == 0, result.output
    assert "规划财务科（规划财务科.xlsx，2020-06-12）：有效 0 行，有误 0 行；首次报送，写入 0 行" in result.output
    assert {p: p.read_bytes() for p in (sample / "data").iterdir()} == data
    rows = {r["单位"]: r for r in json.loads(plan("intake", "status", "--format", "json",
                                                 root=sample).output)}
    assert rows["规划财务科"]["状态"] == "已报送" and rows["规划财务科"]["有效行数"] == "0"


def test_a_resubmitted_row_keeps_its_place_among_rows_typed_after_it(sample, templates, tmp_path):
    def indicator(target: str) -> dict:
        return {"id": "zg_water", "类别": "环境治理", "名称": "章江水质", "单位": "%",
                "目标值": target, "属性": "约束性"}
    first = fill(templates / FORM, tmp_path / "a.xlsx", projects=[project("甲", money=1)],
                 indicators=[indicator("95")])
    plan("intake", "collect", str(first), root=sample)
    path = sample / "data" / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8") + "手工加的工程,水生态环境保护,整治,全市,2,"
                    "2021—2025年,市生态环境局,样例数据,\n", encoding="utf-8")
    yaml_path = sample / "data" / "indicators.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + "# 编制组补充\n- {id: hand, 类别: 环境治理, "
                         "名称: 手工指标, 单位: '%', 目标值: '90', 属性: 预期性, 来源: 样例数据}\n",
                         encoding="utf-8")
    again = fill(templates / FORM, tmp_path / "b.xlsx", date="2020-06-20",
                 projects=[project("甲", money=2)], indicators=[indicator("≥96")])
    result = plan("intake", "collect", str(again), root=sample)
    assert "新增 0 行，修改 2 行，删除 0 行，未变 0 行" in result.output, result.output
    names = [(p["名称"], p["总投资（亿元）"]) for p in csv_records(path)][-2:]
    assert names == [("甲", "2.00"), ("手工加的工程", "2")]
    text = yaml_path.read_text(encoding="utf-8")
    assert text.endswith("# 编制组补充\n- {id: hand, 类别: 环境治理, 名称: 手工指标, 单位: '%', 目标值: '90', "
                         "属性: 预期性, 来源: 样例数据}\n")
    items = yaml.safe_load(text)
    assert [(i["id"], i["目标值"]) for i in items[-2:]] == [("zg_water", "≥96"), ("hand", "90")]


# ---- a data file kept in Excel ---------------------------------------------------------------

def xlsx_data(sample: Path, name: str, sheet: str, note: str | None = None) -> Path:
    """data/<name>.yaml or .csv as a drafting unit keeps it in Excel: a 说明 sheet first, a title
    row, a styled header, set widths, every value typed as text; the text file removed."""
    from openpyxl.styles import Font, PatternFill
    from pipeline.data import read_csv, read_yaml
    source = next(p for p in (sample / "data").iterdir() if p.stem == name)
    dataset = SCHEMA.datasets[name]
    text = source.read_text(encoding="utf-8-sig")
    rows = read_yaml(text, "x") if source.suffix == ".yaml" else read_csv(text, "x", dataset, [])
    header = list(dict.fromkeys(label for row in rows for label in row.cells))
    book = Workbook()
    book.active.title = "说明"
    book["说明"].append(["本工作簿由规划财务科维护"])
    ws = book.create_sheet(sheet)
    ws.append([f"{dataset.what}汇总表"])
    ws.append(header)
    for cell in ws[2]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
    for row in rows:
        ws.append([row.cells[label].value if label in row.cells else None for label in header])
        ws.row_dimensions[ws.max_row].height = 21
    for index in range(1, len(header) + 1):
        ws.column_dimensions[ws.cell(2, index).column_letter].width = 11 + index
        ws.cell(ws.max_row, index).font = Font(name="仿宋", color="1F4E79")
    if note:
        ws.append([note])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                       end_column=len(header))
    path = sample / "data" / f"{name}.xlsx"
    book.save(path)
    source.unlink()
    return path


def without_where(records: list) -> list:
    from dataclasses import replace
    return [replace(r, where=None) for r in records]


def test_collect_writes_into_an_xlsx_data_file(sample, returned, templates, tmp_path):
    from openpyxl.styles import Font
    twin = copy_sample(tmp_path / "twin")  # the same plan with YAML and CSV data files
    indicators = xlsx_data(sample, "indicators", "主要指标")
    projects = xlsx_data(sample, "projects", "项目表", note="注：投资为估算数，以批复为准。")
    third = copy_sample(tmp_path / "third")
    for path in (indicators, projects):  # the same workbooks in a third copy of the plan
        (third / "data" / path.with_suffix(".csv" if "projects" in path.name else ".yaml").name
         ).unlink()
        (third / "data" / path.name).write_bytes(path.read_bytes())
    before = load_workbook(indicators)
    hand = [[c.value for c in row] for row in before["主要指标"].iter_rows()]
    files = [str(returned["zhanggong"]), str(returned["rules"])]
    for root in (sample, twin):
        result = plan("intake", "collect", *files, root=root)
        assert result.exit_code == 1, result.output  # the forms' bad cells, as before
        assert "已写入 data/indicators." in result.output, result.output
    book = load_workbook(indicators)
    assert book.sheetnames == ["说明", "主要指标"]
    assert [[c.value for c in r] for r in book["说明"].iter_rows()] == [["本工作簿由规划财务科维护"]]
    ws = book["主要指标"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[1]
    assert header == [*hand[1], "报送编号"]  # the column added after the last one
    added_head = ws.cell(2, len(header))
    assert added_head.font.bold and added_head.fill.fgColor.rgb.endswith("D9D9D9")
    assert ws.column_dimensions["C"].width == 14  # widths kept
    assert rows[:len(hand)] == [hand[0] + [None], header] + [r + [None] for r in hand[2:]]
    added = dict(zip(header, rows[len(hand)]))
    assert (added["名称"], added["现状值"], added["目标值"], added["来源"]) == (
        "章江断面水质优良比例", 100, "≥95", f"{ZHANGGONG}报送（2020-06-12）")
    assert ws.cell(len(hand) + 1, 3).font.name == "仿宋"  # styled as the last row typed by hand
    assert ws.row_dimensions[len(hand) + 1].height == 21
    # Projects: the new rows go above the note below the table, which moves down with its merge.
    ws = load_workbook(projects)["项目表"]
    names = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert names[-4:] == ["章江新区水系连通工程", "沙石镇污水管网工程", "水东工业园区挥发性有机物治理工程",
                          "注：投资为估算数，以批复为准。"]
    assert [str(m) for m in ws.merged_cells.ranges] == [f"A{ws.max_row}:H{ws.max_row}"]
    money = ws.cell(ws.max_row - 3, 5)
    assert (money.value, money.number_format) == (3.2, "0.00")  # a number Excel can sum
    # The loader reads the workbooks back to the records the YAML and CSV files give.
    mine, theirs = load_data(sample), load_data(twin)
    for name in ("indicators", "projects", "measures"):
        assert without_where(mine.records(name)) == without_where(theirs.records(name)), name
    # Collecting again writes nothing; the same collection in another copy, the same bytes.
    data = {p.name: p.read_bytes() for p in (sample / "data").iterdir()}
    result = plan("intake", "collect", *files, root=sample)
    assert "数据文件未改动。" in result.output
    assert {p.name: p.read_bytes() for p in (sample / "data").iterdir()} == data
    plan("intake", "collect", *files, root=third)
    assert {p.name: p.read_bytes() for p in (third / "data").iterdir()} == data
    # A resubmission replaces the unit's rows in the workbook, and the plan builds with them; a
    # row typed by hand below them moves up with its format.
    book = load_workbook(indicators)
    ws = book["主要指标"]
    typed = {"id": "hand_typed", "类别": "环境治理", "名称": "手工加的指标", "单位": "%", "目标值": "90",
             "属性": "预期性", "来源": "样例数据"}
    ws.append([typed.get(c.value) for c in ws[2]])
    ws.cell(ws.max_row, 3).font = Font(name="楷体")
    book.save(indicators)
    again = fill(templates / FORM, tmp_path / "章贡区（修改）.xlsx", date="2020-06-20",
                 projects=[project("章江新区水系连通工程", money=3.6)])
    result = plan("intake", "collect", str(again), root=sample)
    assert "新增 0 行，修改 1 行，删除 3 行，未变 0 行" in result.output, result.output
    ws = load_workbook(projects)["项目表"]
    names = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert names[-2:] == ["章江新区水系连通工程", "注：投资为估算数，以批复为准。"]
    assert [str(m) for m in ws.merged_cells.ranges] == [f"A{ws.max_row}:H{ws.max_row}"]
    assert "章江断面水质优良比例" not in {i.name for i in load_data(sample).indicators}
    ws = load_workbook(indicators)["主要指标"]
    assert ws.max_row == len(hand) + 1 and ws.cell(ws.max_row, 3).value == "手工加的指标"
    assert ws.cell(ws.max_row, 3).font.name == "楷体"
    document = docx.Document(build_docx(sample, "draft").docx)
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "章江新区水系连通工程" in cells and "3.60" in cells


def test_the_status_table_reads_at_80_columns_and_shows_names_as_written(sample, returned,
                                                                          tmp_path):
    from rich.cells import cell_len
    text = (sample / "plan.yaml").read_text(encoding="utf-8")
    listed = '  - {name: "[bold]督察[red]科", kind: 科室, deadline: 2020-06-30}\n'
    (sample / "plan.yaml").write_text(text.replace("units:\n", "units:\n" + listed, 1),
                                      encoding="utf-8")
    unlisted = load_workbook(returned["rules"])
    unlisted["填表说明"]["B2"] = "[blink]某单位\u202e"  # a unit that typed its own name
    unlisted.save(tmp_path / "某单位.xlsx")
    plan("intake", "collect", str(returned["zhanggong"]), str(tmp_path / "某单位.xlsx"), root=sample)

    def status(columns: int) -> list[str]:
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "--plan", str(sample),
                               "intake", "status"], cwd=ROOT, capture_output=True, text=True, check=True,
                              env=dict(os.environ, COLUMNS=str(columns), TERM="xterm-256color"))
        assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
        return done.stdout.splitlines()
    narrow = status(80)
    assert max(cell_len(t) for t in narrow) <= 80
    assert narrow[0].startswith("赣州市“十四五”生态环境保护规划报送情况（截止日期 2020-06-30）")
    assert narrow[1].split() == ["序号", "单位", "类别", "状态", "报送日期", "次数", "有效", "有误", "备注"]
    row = next(n for n, t in enumerate(narrow) if ZHANGGONG in t)
    assert narrow[row].split()[:8] == ["9", ZHANGGONG, "县区", "已报送", "2020-06-12", "1", "4", "1"]
    remark = "".join(t[-12:].strip() for t in narrow[row:row + 4])
    assert remark.startswith("1行有误，请该单位改正后重报")  # folded whole: no character lost
    assert narrow[3].split()[:2] == ["1", "[bold]督察[red]"]  # a long name over two lines
    wide = status(120)
    assert any("[bold]督察[red]科" in t for t in wide)  # literally, not as markup
    assert any("[blink]某单位<U+202E>" in t for t in wide)  # a bidi override made visible
    assert max(cell_len(t) for t in wide) <= 120
    assert any(t.rstrip().endswith("1 行有误，请该单位改正后重报") and ZHANGGONG in t for t in wide)
    row = next(n for n, t in enumerate(wide) if ZHANGGONG in t)
    assert wide[row + 1].split()[:2] == ["10", "南康区生态环境局"]  # the row on one line
    assert f"9. {ZHANGGONG}（县区，截止 2020-06-30）：已报送 2020-06-12，1 次，有效 4 行，有误 1 行；" \
           "1 行有误，请该单位改正后重报" in status(50)


def test_text_excel_would_run_as_a_formula_is_refused(sample, templates, tmp_path):
    form = fill(templates / FORM, tmp_path / "章贡区.xlsx",
                projects=[project("甲", 责任单位="-2+3+cmd|' /C calc'!A0"), project("乙", 来源="@SUM(1)"),
                          project("丙")],
                indicators=[{"id": "zg_change", "类别": "环境治理", "名称": "排放量变化", "单位": "%",
                             "现状值": "-5", "目标值": "+2.5", "属性": "预期性"}])
    book = load_workbook(form)
    cell = book["重大工程项目"]["B6"]
    cell.value, cell.data_type = '=HYPERLINK("http://example.com","丙")', "s"  # text, not a formula
    book.save(form)
    result = plan("intake", "collect", str(form), root=sample)
    assert result.exit_code == 1
    assert ("错误 章贡区.xlsx!重大工程项目!H4: “责任单位”以“-”开头（-2+3+cmd|' /C calc'!），"
            "写入数据文件后 Excel 会把它当作公式执行：请去掉开头的符号") in result.output
    assert "错误 章贡区.xlsx!重大工程项目!I5: “来源”以“@”开头" in result.output
    assert "错误 章贡区.xlsx!重大工程项目!B6: “名称”以“=”开头" in result.output
    assert "有效 1 行，有误 3 行" in result.output  # the indicator's -5 and +2.5 are numbers
    names = [p["名称"] for p in csv_records(sample / "data" / "projects.csv")]
    assert not {"甲", "乙", "丙"} & set(names) and not any(n.startswith("=") for n in names)
