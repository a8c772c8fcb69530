"""A workspace: the city plan at the root and the county plans workspace.yaml lists — built
together (Word files here; PDFs in test_workspace_pdf.py), each in its own output folder, made
again only when one of its inputs changed, and the bad inputs of a workspace each named while
the other plans are still built."""
from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from conftest import NS, ROOT, copy_workspace, make_plan
from pipeline import fingerprint as fp
from pipeline.cli import main
from pipeline.files import display_path
from pipeline.workspace import find_workspace, read_workspace

COUNTIES = ["章贡区", "瑞金市", "寻乌县"]
CITY = "赣州市"


def build(root: Path, *args: str, cwd: Path | None = None) -> tuple[int, dict]:
    """plan build --format docx with JSON messages: exit code and the parsed report."""
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx",
                                       "--message-format", "json", *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.output)


def made(report: dict) -> dict[str, bool]:
    """Plan → whether its draft was made in this run (False: up to date)."""
    return {d["plan"]: not d["up_to_date"] for d in report["documents"]}


def docx_of(root: Path, plan: str, version: str = "draft") -> Path:
    folder = root / "build" / ("" if plan == CITY else plan) / version
    return next(folder.glob("*.docx"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = copy_workspace(tmp_path / "ws")
    code, report = build(root)
    assert code == 0, report
    assert made(report) == {name: True for name in [CITY, *COUNTIES]}
    return root


# ---- layout -------------------------------------------------------------------------------

def test_the_sample_workspace_lists_the_city_and_three_county_plans():
    workspace = read_workspace(ROOT)
    assert workspace.problems == []
    assert [m.name for m in workspace.members] == [CITY, *COUNTIES]
    assert [m.folder for m in workspace.counties] == [f"县区/{c}" for c in COUNTIES]
    assert workspace.city.out == ROOT / "build"
    assert workspace.counties[0].out == ROOT / "build" / "章贡区"
    # A county folder finds its workspace above it; a plan elsewhere is a plan of its own.
    found, member = find_workspace(ROOT / "县区" / "寻乌县")
    assert found.root == ROOT and member.name == "寻乌县"


@pytest.mark.parametrize("county", COUNTIES)
@pytest.mark.parametrize("version", ["draft", "review", "final"])
def test_the_sample_county_plans_have_no_findings(county, version):
    from pipeline.check import check_plan
    assert check_plan(ROOT / "县区" / county, version) == []


@pytest.mark.parametrize("county", COUNTIES)
def test_the_sample_county_data_is_marked_as_sample_data(county):
    from pipeline.data import load_data
    data = load_data(ROOT / "县区" / county)
    assert set(data.files) == {"indicators", "projects"}
    for dataset in data.files:
        rows = data.records(dataset)
        assert rows and data.sample_rows(dataset) == len(rows), (county, dataset)
    # Indicators measuring what the city's do carry the city's ids: the comparison and D703
    # read them.
    assert {"pm25", "good_air_days", "water_good", "forest", "farmland"} <= \
        {r.id for r in data.indicators}
    assert {p.county for p in data.projects} == {county}


def test_each_plan_goes_to_its_own_folder_and_the_json_names_the_plan(workspace):
    code, report = build(workspace, "--force")
    assert code == 0
    documents = {d["plan"]: d for d in report["documents"]}
    assert list(documents) == [CITY, *COUNTIES]  # the workspace's order, whatever finished first
    assert documents[CITY]["docx"] == "build/draft/赣州市“十四五”生态环境保护规划（初稿）.docx"
    assert documents["瑞金市"]["docx"] == "build/瑞金市/draft/瑞金市“十四五”生态环境保护规划（初稿）.docx"
    assert documents["瑞金市"]["folder"] == "县区/瑞金市"
    assert [p["plan"] for p in report["plans"]] == [CITY, *COUNTIES]
    assert not any(p["failed"] for p in report["plans"]) and report["diagnostics"] == []
    for county in COUNTIES:
        title = docx_title(docx_of(workspace, county))
        assert title == f"{county}“十四五”生态环境保护规划"


def docx_title(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        core = etree.fromstring(archive.read("docProps/core.xml"))
    return core.findtext("{http://purl.org/dc/elements/1.1/}title")


def test_plan_selects_by_name_and_the_citys_name_selects_the_city(workspace):
    code, report = build(workspace, "--force", "--plan", "寻乌县", "--plan", CITY)
    assert code == 0 and made(report) == {CITY: True, "寻乌县": True}
    code, report = build(workspace, "--plan", "县区/瑞金市")  # the folder names it too
    assert code == 0 and list(made(report)) == ["瑞金市"]
    result = CliRunner().invoke(main, ["--plan", str(workspace), "build", "--plan", "南康区"])
    assert result.exit_code == 2
    assert "工作区中没有名为“南康区”的规划" in result.output and "E028" in result.output


def test_inside_a_county_folder_plan_acts_on_that_plan_alone(workspace):
    county = workspace / "县区" / "章贡区"
    (county / "chapters" / "02-总体要求.md").open("a", encoding="utf-8").write("\n补充一段。\n")
    code, report = build(county)
    assert code == 0
    assert [d["plan"] for d in report["documents"]] == ["章贡区"]
    # Written where the root's run writes: the root's next run finds it up to date.
    assert report["documents"][0]["up_to_date"] is False
    code, report = build(workspace)
    assert made(report) == {name: False for name in [CITY, *COUNTIES]}
    result = CliRunner().invoke(main, ["--plan", str(county), "build", "--plan", "瑞金市"])
    assert result.exit_code == 2 and "只能处理本规划" in result.output


def test_the_roots_styles_serve_every_plan_and_a_countys_own_styles_win(workspace):
    glossary = workspace / "styles" / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text + "\n# 术语表改动\n", encoding="utf-8")
    code, report = build(workspace)
    assert made(report) == {name: True for name in [CITY, *COUNTIES]}  # every plan uses it
    own = workspace / "县区" / "寻乌县" / "styles"
    own.mkdir()
    (own / "glossary.yaml").write_text(text, encoding="utf-8")
    code, report = build(workspace)
    assert made(report) == {CITY: False, "章贡区": False, "瑞金市": False, "寻乌县": True}
    from pipeline.layout import style_file
    assert style_file("glossary.yaml", own.parent) == own / "glossary.yaml"
    assert style_file("glossary.yaml", workspace / "县区" / "瑞金市") == glossary


def test_a_plan_without_workspace_yaml_builds_as_it_always_did(tmp_path):
    root = make_plan(tmp_path / "plan", {"01.md": "# 总体要求\n\n正文。\n"})
    code, report = build(root)
    assert code == 0 and [d["docx"] for d in report["documents"]] == \
        ["build/draft/测试规划（初稿）.docx"]


# ---- incremental ----------------------------------------------------------------------------

def test_a_run_with_nothing_changed_makes_nothing_and_says_so(workspace):
    before = {p: p.stat().st_mtime_ns for p in (workspace / "build").rglob("*.docx")}
    result = CliRunner().invoke(main, ["--plan", str(workspace), "build", "--format", "docx"])
    assert result.exit_code == 0
    assert result.output.count("源文件未改动，未重新生成") == 4
    assert "未变 4 份" in result.output
    assert {p: p.stat().st_mtime_ns for p in (workspace / "build").rglob("*.docx")} == before


def edit(path: Path, text: str = "\n补充一段。\n") -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


NOTHING = {CITY: False, "章贡区": False, "瑞金市": False, "寻乌县": False}


@pytest.mark.parametrize("change, rebuilt", [
    (lambda r: edit(r / "县区/瑞金市/chapters/03-主要任务.md"), ["瑞金市"]),
    (lambda r: edit(r / "chapters/11-保障措施.md"), [CITY]),
    # The city's tables read the counties' data; a county's chapters are its own.
    (lambda r: edit(r / "县区/寻乌县/data/projects.csv",
                    "寻乌县生态环境监测站标准化建设工程,监测监管能力建设,监测用房和设备,寻乌县,0.30,"
                    "2022—2023年,寻乌县人民政府,样例数据\n"), [CITY, "寻乌县"]),
    (lambda r: edit(r / "县区/章贡区/plan.yaml", "\n# 改动\n"), ["章贡区"]),
    (lambda r: edit(r / "workspace.yaml", "\n# 改动\n"), [CITY, *COUNTIES]),
    (lambda r: edit(r / "styles/gbt9704.yaml", "\n# 改动\n"), [CITY, *COUNTIES]),
    (lambda r: (r / "县区/章贡区/reviews").mkdir() or (r / "县区/章贡区/reviews/征求意见稿.yaml")
     .write_text("round: 征求意见稿\nitems: []\n", encoding="utf-8"), ["章贡区"]),
    (lambda r: next((r / "build/寻乌县/draft").glob("*.docx")).unlink(), ["寻乌县"]),
    (lambda r: edit(next((r / "build/瑞金市/draft").glob("*.docx")), "x"), ["瑞金市"]),
    (lambda r: (r / "build/瑞金市/draft/manifest.json").unlink(), ["瑞金市"]),
    (lambda r: (r / "build/draft" / fp.RECORD).write_text("{", encoding="utf-8"), [CITY]),
])
def test_each_kind_of_input_change_remakes_exactly_the_plans_made_from_it(workspace, change,
                                                                         rebuilt):
    change(workspace)
    code, report = build(workspace)
    assert code == 0, report
    assert made(report) == {**NOTHING, **{name: True for name in rebuilt}}
    code, report = build(workspace)
    assert made(report) == NOTHING  # and then it is up to date again


def test_the_pipelines_own_source_counts(workspace, monkeypatch):
    monkeypatch.setattr(fp, "pipeline_digest", lambda: "another version of the pipeline")
    code, report = build(workspace)
    assert made(report) == {name: True for name in [CITY, *COUNTIES]}


def test_the_pdf_fingerprint_adds_the_libreoffice_version(workspace, monkeypatch):
    workspace_, member = find_workspace(workspace / "县区" / "瑞金市")
    from pipeline.model import SourceRevision
    revision = SourceRevision("", False, "2020-01-01", 0)
    first = fp.fingerprint(workspace_, member, "draft", False, revision)
    monkeypatch.setattr(fp, "libreoffice_version", lambda: "LibreOffice 99")
    second = fp.fingerprint(workspace_, member, "draft", False, revision)
    assert first.docx == second.docx and first.pdf != second.pdf
    assert fp.fingerprint(workspace_, member, "draft", False, revision, pdf=False).pdf == ""
    # The source revision printed in the document is an input too.
    dirty = SourceRevision("", True, "2020-01-01", 0)
    assert fp.fingerprint(workspace_, member, "draft", False, dirty).docx != first.docx


def test_force_remakes_everything_with_the_same_bytes(workspace):
    before = {p: p.read_bytes() for p in (workspace / "build").rglob("*") if p.is_file()
              and p.suffix in (".docx", ".json")}
    code, report = build(workspace, "--force")
    assert made(report) == {name: True for name in [CITY, *COUNTIES]}
    after = {p: p.read_bytes() for p in before}
    assert after == before  # fingerprint records included


def test_an_image_outside_chapters_is_an_input_found_by_building(tmp_path):
    from PIL import Image
    root = make_plan(tmp_path / "plan", {"01.md": "# 总体要求\n\n![示意图](../figures/a.png)\n"})
    (root / "figures").mkdir()
    Image.new("RGB", (40, 20), "white").save(root / "figures" / "a.png")
    assert made(build(root)[1]) == {"plan": True}
    assert made(build(root)[1]) == {"plan": False}
    Image.new("RGB", (40, 20), "black").save(root / "figures" / "a.png")
    assert made(build(root)[1]) == {"plan": True}
    record = json.loads((root / "build" / "draft" / fp.RECORD).read_text(encoding="utf-8"))
    assert record["extra"] == ["figures/a.png"]


def test_warnings_of_the_last_build_are_said_again_when_nothing_changed(tmp_path):
    root = make_plan(tmp_path / "plan", {"01.md": "# 总体要求\n\n正文。TODO 补充\n"})
    first = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "review",
                                      "--format", "docx"])
    again = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "review",
                                      "--format", "docx"])
    assert "未变" in again.output
    assert "待办标记“TODO”" in first.output and "待办标记“TODO”" in again.output


# ---- roll-up and comparison -------------------------------------------------------------------

def grid(docx: Path, header_text: str) -> tuple[list[list[str]], str]:
    """The rows of the table whose first row holds `header_text`, and the note under it."""
    with zipfile.ZipFile(docx) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    for table in body.iter(f"{{{NS['w']}}}tbl"):
        rows = [["".join(c.itertext()) for c in tr.findall("w:tc", NS)]
                for tr in table.findall("w:tr", NS)]
        if rows and header_text in rows[0]:
            after = table.getnext()
            return rows, "".join(after.itertext()) if after is not None else ""
    raise AssertionError(f"no table with {header_text}")


def csv_projects(path: Path) -> list[dict]:
    import csv
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_roll_up_counts_every_project_once_with_the_countys_own(workspace):
    from decimal import Decimal
    city = csv_projects(workspace / "data" / "projects.csv")
    seen = {(p["县（市、区）"], p["名称"]) for p in city}
    every = list(city)
    shared = 0
    for county in COUNTIES:
        for p in csv_projects(workspace / "县区" / county / "data" / "projects.csv"):
            if (p["县（市、区）"], p["名称"]) in seen:
                shared += 1
                continue
            every.append(p)
    assert shared == 3 and len(every) == len(city) + 12  # the sample: 3 listed by both
    rows, note = grid(docx_of(workspace, CITY), "项目数")
    by_county: dict[str, list[Decimal]] = {}
    for p in every:
        by_county.setdefault(p["县（市、区）"], []).append(Decimal(p["总投资（亿元）"]))
    table = {r[0]: (int(r[1]), Decimal(r[2])) for r in rows[1:-1]}
    assert table == {c: (len(a), sum(a)) for c, a in by_county.items()}
    assert rows[-1][1:] == [str(len(every)), f"{sum(map(sum, by_county.values())):.2f}"]
    for county in COUNTIES:
        assert f"县区/{county}/data/projects.csv" in note
    assert f"本规划所列项目{len(city)}项" in note and "重复的3项只计一次" in note
    text = "".join(etree.fromstring(zipfile.ZipFile(docx_of(workspace, CITY)).read(
        "word/document.xml")).itertext())
    total = sum(Decimal(p["总投资（亿元）"]) for p in every)
    assert f"共{len(every)}项，估算总投资{total:.2f}亿元" in text


def test_the_county_comparison_puts_each_plans_targets_side_by_side(workspace):
    rows, note = grid(docx_of(workspace, CITY), "县（市、区）")
    assert rows[0] == ["县（市、区）", "细颗粒物（PM2.5）浓度（微克/立方米）",
                       "中心城区空气质量优良天数比率（%）", "森林覆盖率（%）"] or \
        rows[0][0] == "县（市、区）"
    targets = {}
    for name in COUNTIES:
        data = yaml.safe_load((workspace / "县区" / name / "data" / "indicators.yaml")
                              .read_text(encoding="utf-8"))
        targets[name] = {r["id"]: str(r["目标值"]) for r in data}
    city = {r["id"]: str(r["目标值"]) for r in yaml.safe_load(
        (workspace / "data" / "indicators.yaml").read_text(encoding="utf-8"))}
    assert rows[1] == ["全市", city["pm25"], city["good_air_days"], city["forest"]]
    assert [r[0] for r in rows[2:]] == COUNTIES
    for row in rows[2:]:
        assert row[1:] == [targets[row[0]][k] for k in ("pm25", "good_air_days", "forest")]
    assert "县区/章贡区/data/indicators.yaml" in note and "2025年目标值" in note


def test_outside_a_workspace_the_city_plan_stands_alone(tmp_path):
    from conftest import copy_sample
    root = copy_sample(tmp_path / "city")
    code, report = build(root)
    assert code == 0
    rows, note = grid(docx_of(root, CITY), "县（市、区）")
    assert [r[0] for r in rows[1:]] == ["全市"] and "不在工作区中" in note
    rows, note = grid(docx_of(root, CITY), "项目数")
    assert "县区/" not in note


def test_the_comparison_names_a_wrong_indicator(workspace):
    chapter = workspace / "chapters" / "02-总体要求.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        '"good_air_days"', '"good_days"'), encoding="utf-8")
    code, report = build(workspace)
    assert code == 2
    [city] = [p for p in report["plans"] if p["plan"] == CITY]
    [error] = city["diagnostics"]
    assert error["code"] == "E034" and "good_days" in error["message"]
    assert error["file"] == "chapters/02-总体要求.md"
    assert made(report) == {name: False for name in COUNTIES}  # the others still stand


# ---- 衔接 ------------------------------------------------------------------------------------

def set_target(path: Path, indicator: str, target: str) -> None:
    data = path.read_text(encoding="utf-8")
    lines = data.split("\n")
    start = lines.index(f"- id: {indicator}")
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("  目标值:"):
            lines[i] = f"  目标值: {target}"
            break
    path.write_text("\n".join(lines), encoding="utf-8")


def d703(root: Path, version: str = "draft") -> list[tuple[str, int, str]]:
    from pipeline.check import check_plan
    return [(f.file, f.line, f.severity) for f in check_plan(root, version) if f.code == "D703"]


def test_a_county_target_weaker_than_the_citys_is_reported_at_its_row(workspace):
    county = workspace / "县区" / "章贡区"
    assert d703(county) == []
    set_target(county / "data" / "indicators.yaml", "pm25", "≤32")  # city: ≤29, lower is better
    line = (county / "data" / "indicators.yaml").read_text(encoding="utf-8").split("\n") \
        .index("- id: pm25") + 1
    assert d703(county) == [("data/indicators.yaml", line, "warning")]
    assert d703(county, "final") == [("data/indicators.yaml", line, "error")]
    from pipeline.check import check_plan
    message = next(f.message for f in check_plan(county) if f.code == "D703")
    assert "≤32" in message and "≤29" in message and "赣州市规划 data/indicators.yaml" in message
    set_target(county / "data" / "indicators.yaml", "pm25", "≤28")  # stricter: fine
    assert d703(county) == []


def test_higher_is_better_and_bounds_decide_weaker(workspace):
    city, county = workspace / "data" / "indicators.yaml", workspace / "县区/瑞金市/data/indicators.yaml"
    set_target(city, "farmland", "≥95")
    set_target(county, "farmland", "≥93")  # ≥93 against ≥95: weaker
    assert len(d703(county.parent.parent)) == 1
    set_target(county, "farmland", "95")  # as much as asked
    assert d703(county.parent.parent) == []
    set_target(city, "farmland", "'>95'")  # quoted: > starts a folded text in YAML
    assert len(d703(county.parent.parent)) == 1  # ≥95 where more than 95 is asked
    set_target(county, "forest", "稳定")  # words are not compared
    assert len(d703(county.parent.parent)) == 1


def test_the_city_is_held_to_the_provinces_targets(workspace):
    assert d703(workspace) == []
    set_target(workspace / "data" / "indicators.yaml", "pm25", "≤30")
    [(file, line, severity)] = d703(workspace)
    assert file == "data/indicators.yaml" and severity == "warning"
    from pipeline.check import check_plan
    message = next(f.message for f in check_plan(workspace) if f.code == "D703")
    assert "江西省“十四五”生态环境保护规划" in message and "data/upper_targets.yaml" in message


def test_a_spreadsheet_row_is_named_by_its_row(workspace):
    county = workspace / "县区" / "寻乌县"
    (county / "data" / "indicators.yaml").unlink()
    (county / "data" / "indicators.csv").write_text(
        "id,类别,名称,单位,目标值,属性,方向,来源\n"
        "forest,生态保护,森林覆盖率,%,≥70,约束性,越高越好,样例数据\n"
        "pm25,环境治理,细颗粒物（PM2.5）浓度,微克/立方米,≤35,约束性,越低越好,样例数据\n",
        encoding="utf-8")
    assert d703(county) == [("data/indicators.csv", 3, "warning")]


def test_the_rules_file_examples_of_d703(workspace):
    """The documented wrong and right rows, planted in a county against the city's ≤29."""
    spec = yaml.safe_load((ROOT / "styles" / "rules.yaml").read_text(encoding="utf-8"))["D703"]
    county = workspace / "县区" / "章贡区"
    for example, expected in ((spec["wrong"], 1), (spec["right"], 0)):
        target = yaml.safe_load(example)[0]["目标值"]
        set_target(county / "data" / "indicators.yaml", "pm25", target)
        assert len(d703(county)) == expected, example


def test_the_final_build_refuses_a_weaker_target(workspace):
    set_target(workspace / "县区" / "章贡区" / "data" / "indicators.yaml", "pm25", "≤32")
    code, report = build(workspace, "--version", "final", "--plan", "章贡区", "--plan", "瑞金市")
    assert code == 2
    documents = {d["plan"]: d for d in report["documents"]}
    assert documents["章贡区"]["refused"] and not documents["瑞金市"]["refused"]
    assert any(d["code"] == "D703" and d["file"] == "县区/章贡区/data/indicators.yaml"
               for d in documents["章贡区"]["diagnostics"])


# ---- bad input ---------------------------------------------------------------------------------

def rewrite_workspace(root: Path, plans: list[str]) -> None:
    (root / "workspace.yaml").write_text(
        "title: 测试工作区\ncity: 赣州市\nplans:\n" + "".join(f"  - {p}\n" for p in plans),
        encoding="utf-8")


@pytest.mark.parametrize("plans, line, code, words", [
    (["县区/章贡区", "县区/南康区", "县区/寻乌县"], 5, "E022", "“县区/南康区”不存在"),
    (["县区/章贡区", "县区/寻乌县", "县区/章贡区/"], 6, "E024", "列出了两次（第一次在第 4 行）"),
    (["县区/章贡区", "../外部", "县区/寻乌县"], 5, "E027", "不在工作区目录之内"),
    (["县区/章贡区", "chapters", "县区/寻乌县"], 5, "E023", "没有 plan.yaml"),
    (["县区/章贡区", "县区/寻乌县", "县区/draft"], 6, "E029", "同名"),
])
def test_a_bad_entry_is_named_and_the_other_plans_are_built(workspace, plans, line, code,
                                                            words):
    if "县区/draft" in plans:
        shutil.copytree(workspace / "县区" / "瑞金市", workspace / "县区" / "draft")
    rewrite_workspace(workspace, plans)
    exit_code, report = build(workspace)
    assert exit_code == 2
    [problem] = report["diagnostics"]
    assert (problem["file"], problem["line"], problem["code"]) == ("workspace.yaml", line, code)
    assert words in problem["message"]
    assert [d["plan"] for d in report["documents"]] == [CITY, "章贡区", "寻乌县"]
    assert all(not d["refused"] and d["docx"] for d in report["documents"])


def test_two_plans_with_one_title(workspace):
    plan_yaml = workspace / "县区" / "寻乌县" / "plan.yaml"
    plan_yaml.write_text(plan_yaml.read_text(encoding="utf-8").replace("寻乌县“", "瑞金市“"),
                         encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(workspace), "build", "--format", "docx"])
    assert result.exit_code == 2
    assert "错误 县区/寻乌县/plan.yaml: 规划名称“瑞金市“十四五”生态环境保护规划”与 县区/瑞金市/plan.yaml " \
           "相同" in result.output
    assert "寻乌县 规划无法读取" in result.output and "E026" in result.output
    assert result.output.count("源文件未改动") == 3  # the others stand, up to date


def test_a_broken_county_data_file_fails_that_plan_alone(workspace):
    data = workspace / "县区" / "瑞金市" / "data" / "indicators.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("  属性: 预期性\n", "  属性: 期望性\n", 1),
                    encoding="utf-8")
    before = docx_of(workspace, "瑞金市").read_bytes()
    code, report = build(workspace)
    assert code == 2
    plans = {p["plan"]: p for p in report["plans"]}
    assert plans["瑞金市"]["failed"] and not plans["寻乌县"]["failed"]
    [error] = plans["瑞金市"]["diagnostics"]
    assert error["file"] == "县区/瑞金市/data/indicators.yaml" and error["code"] == "E123"
    assert docx_of(workspace, "瑞金市").read_bytes() == before  # the last good output stays
    # The city is still built, its tables without 瑞金市, and says why.
    [city] = [d for d in report["documents"] if d["plan"] == CITY]
    assert city["docx"] and not city["up_to_date"]
    [warning] = [d for d in city["diagnostics"] if d["code"] == "E035"]
    assert warning["file"] == "县区/瑞金市/data/indicators.yaml" and warning["severity"] == "warning"
    rows, _ = grid(docx_of(workspace, CITY), "项目数")
    assert "瑞金市" not in [r[0] for r in rows]
    # The final text of the city does not go out with a county left out.
    code, report = build(workspace, "--version", "final", "--plan", CITY)
    [city] = report["documents"]
    assert city["refused"] and any(d["code"] == "E036" for d in city["diagnostics"])


def test_a_broken_workspace_yaml_stops_with_its_line(workspace):
    (workspace / "workspace.yaml").write_text("title: 测试\nplans: [县区/章贡区\n",
                                              encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(workspace), "build"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "workspace.yaml:" in result.output and "YAML 格式错误" in result.output
    (workspace / "workspace.yaml").write_text("title: 测试\nplan: [县区/章贡区]\n",
                                              encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(workspace), "build"])
    assert result.exit_code == 2 and "未知的键“plan”" in result.output


# ---- status ------------------------------------------------------------------------------------

def test_status_at_the_root_sums_up_every_plan(workspace):
    result = CliRunner().invoke(main, ["--plan", str(workspace), "status", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert list(rows) == [CITY, *COUNTIES]
    xunwu = rows["寻乌县"]
    assert xunwu["chapters"] == {"起草中": 4} and xunwu["characters"] > 1000
    assert xunwu["last_build"]["label"] == "初稿" and xunwu["last_build"]["current"] is True
    edit(workspace / "县区" / "寻乌县" / "chapters" / "01-发展基础与形势.md", "\nTODO 补充\n")
    rows = {r["name"]: r for r in json.loads(CliRunner().invoke(
        main, ["--plan", str(workspace), "status", "--format", "json"]).output)}
    assert rows["寻乌县"]["todos"] == 1 and rows["寻乌县"]["last_build"]["current"] is False
    assert rows["瑞金市"]["last_build"]["current"] is True
    text = CliRunner().invoke(main, ["--plan", str(workspace), "status"]).output
    assert "寻乌县" in text and "合计" in text and "4 个规划" in text
    detail = CliRunner().invoke(main, ["--plan", str(workspace), "status", "--plan", "寻乌县"])
    assert "寻乌县“十四五”生态环境保护规划 编写进度" in detail.output
    assert "主要任务" in detail.output and "发展基础" in detail.output


def test_status_names_a_plan_it_cannot_read_and_sums_the_others(workspace):
    (workspace / "县区" / "章贡区" / "plan.yaml").write_text("title: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(workspace), "status", "--format", "json"])
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert "YAML 格式错误" in rows["章贡区"]["problem"] and not rows["瑞金市"]["problem"]


# ---- check and verify over the workspace ---------------------------------------------------

def plan_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def straight_quotes(chapter: Path) -> int:
    """A P102 error (straight quotes) added to a chapter: its line."""
    edit(chapter, '\n他说"好"。\n')
    return chapter.read_text(encoding="utf-8").split("\n").index('他说"好"。') + 1


def test_check_at_the_root_covers_every_plan_with_the_county_folder_in_front(workspace,
                                                                             monkeypatch):
    monkeypatch.chdir(workspace)
    assert plan_cli("check") == (0, "", "4 个规划：未发现问题。\n")
    line = straight_quotes(workspace / "县区" / "瑞金市" / "chapters" / "03-主要任务.md")
    county = workspace / "县区" / "章贡区"
    set_target(county / "data" / "indicators.yaml", "pm25", "≤32")  # D703 against the city
    row = (county / "data" / "indicators.yaml").read_text(encoding="utf-8").split("\n") \
        .index("- id: pm25") + 1
    code, out, err = plan_cli("check")
    assert code == 1
    found = [text.split(" ")[:3] for text in out.splitlines()]
    assert found == [["县区/章贡区/data/indicators.yaml:%d:1:" % row, "警告", "D703"],
                     ["县区/瑞金市/chapters/03-主要任务.md:%d:3:" % line, "错误", "P102"]]
    assert err.splitlines() == ["4 个规划（章贡区 1 处，瑞金市 1 处）：共 2 处：错误 1，警告 1；"
                                "其中 1 处可用 plan check --fix 改正。"]
    code, out, _ = plan_cli("check", "--plan", "瑞金市", "--format", "json")
    assert code == 1 and [(f["plan"], f["file"], f["line"], f["code"]) for f in json.loads(out)] \
        == [("瑞金市", "县区/瑞金市/chapters/03-主要任务.md", line, "P102")]
    code, out, err = plan_cli("check", "--plan", CITY, "--plan", "寻乌县")
    assert (code, out, err) == (0, "", "2 个规划：未发现问题。\n")
    code, _, err = plan_cli("check", "--version", "final", "--plan", "章贡区")
    assert code == 1 and "错误 1" in err  # D703 is an error for the final text
    # Inside a county folder: that plan alone, as before.
    monkeypatch.chdir(workspace / "县区" / "瑞金市")
    code, out, err = plan_cli("check")
    assert code == 1 and out.startswith("chapters/03-主要任务.md:%d:3: 错误 P102" % line)
    assert err.startswith("共 1 处") and len(out.splitlines()) == 1
    assert plan_cli("check", "--plan", "章贡区")[0] == 2  # another plan: from the root


def test_check_at_the_root_with_fix_mends_every_plan(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    chapter = workspace / "县区" / "寻乌县" / "chapters" / "03-主要任务.md"
    straight_quotes(chapter)
    code, out, err = plan_cli("check", "--fix")
    assert code == 0 and out == ""
    assert "已改正 县区/寻乌县/chapters/03-主要任务.md：2 个字符" in err
    assert "他说“好”。" in chapter.read_text(encoding="utf-8")


def test_a_plan_check_cannot_read_is_named_and_the_others_are_checked(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    (workspace / "县区" / "章贡区" / "plan.yaml").write_text("title: [\n", encoding="utf-8")
    line = straight_quotes(workspace / "chapters" / "11-保障措施.md")
    code, out, err = plan_cli("check")
    assert code == 2
    assert out.splitlines() == ["chapters/11-保障措施.md:%d:3: 错误 P102 中文中的引号应使用弯引号 “”，"
                                '不用直引号 ""' % line]
    assert "县区/章贡区/plan.yaml:" in err and "E101" in err
    assert err.splitlines()[-1].endswith("无法检查：章贡区。")


def test_verify_at_the_root_measures_every_plans_pdf(workspace, monkeypatch):
    """The workspace fixture made Word files only: every plan is named for its missing PDF."""
    monkeypatch.chdir(workspace)
    code, _, err = plan_cli("verify")
    assert code == 2
    missing = [text for text in err.splitlines() if "E054" in text]
    assert [text.split(" ")[1] for text in missing] == [
        "build/draft/", "build/章贡区/draft/", "build/瑞金市/draft/", "build/寻乌县/draft/"]
    code, out, _ = plan_cli("verify", "--plan", "寻乌县", "--format", "json")
    assert code == 2 and [(p["plan"], p["pdf"], p["diagnostics"][0]["code"])
                          for p in json.loads(out)["plans"]] == [("寻乌县", None, "E054")]


# ---- make and CI ---------------------------------------------------------------------------------

def test_make_targets_act_on_every_plan_and_can_choose_some():
    import subprocess
    text = subprocess.run(["make", "-n", "draft", "PLAN=章贡区 瑞金市", "JOBS=2"], cwd=ROOT,
                          capture_output=True, text=True).stdout
    assert "plan build --version draft --plan 章贡区 --plan 瑞金市 --jobs 2" in text
    text = subprocess.run(["make", "-n", "all"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "plan build --version all" in text and "--plan" not in text
    for target, command in (("check", "plan check"), ("verify", "plan verify --version draft")):
        text = subprocess.run(["make", "-n", target, "PLAN=瑞金市 赣州市"], cwd=ROOT,
                              capture_output=True, text=True).stdout
        assert f"{command} --plan 瑞金市 --plan 赣州市" in text, target


def ci_jobs() -> dict[str, dict[str, list[str]]]:
    """Each CI system's jobs per plan: plan name → the commands it runs."""
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    forgejo = yaml.safe_load((ROOT / ".forgejo" / "workflows" / "plans.yml")
                             .read_text(encoding="utf-8"))
    found = {"gitlab": {}, "forgejo": {}}
    for name, job in gitlab.items():
        if isinstance(job, dict) and "PLAN" in job.get("variables", {}):
            found["gitlab"][job["variables"]["PLAN"]] = job
    for name, job in forgejo["jobs"].items():
        for entry in job.get("strategy", {}).get("matrix", {}).get("include", []):
            found["forgejo"][entry["plan"]] = {**job, "entry": entry}
    return found


def test_ci_has_a_job_per_plan_of_the_workspace():
    names = [m.name for m in read_workspace(ROOT).members]
    for system, jobs in ci_jobs().items():
        assert sorted(jobs) == sorted(names), system


def test_ci_jobs_run_the_make_targets_and_publish_the_outputs():
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    template = gitlab[".plan"]
    assert "make check PLAN=\"$PLAN\"" in template["script"]
    assert "make draft PLAN=\"$PLAN\"" in template["script"]
    assert any("*.pdf" in p for p in template["artifacts"]["paths"])
    workflow = (ROOT / ".forgejo" / "workflows" / "plans.yml").read_text(encoding="utf-8")
    assert 'make check PLAN="${{ matrix.plan }}"' in workflow
    assert 'make draft PLAN="${{ matrix.plan }}"' in workflow
    assert "upload-artifact" in workflow
    workspace = read_workspace(ROOT)
    for system, jobs in ci_jobs().items():
        for name, job in jobs.items():
            member = workspace.member(name)
            if system == "gitlab":
                paths, own = job["rules"][0]["changes"], "/**/*"
                assert job["variables"]["OUT"] == display_path(member.out / "draft", ROOT)
            else:
                paths, own = job["entry"]["paths"].split(), "/**"
                assert job["entry"]["out"] == display_path(member.out / "draft", ROOT)
            # Its own sources, what every plan reads, and what it reads from the others.
            assert {"styles" + own, "workspace.yaml", "pipeline" + own} <= set(paths)
            if member.city:
                assert {"chapters" + own, "data" + own, "plan.yaml", "县区/*/data" + own} <= \
                    set(paths), (system, name)
            else:
                assert {member.folder + own, "data/indicators.*"} <= set(paths), (system, name)


def crash_on(plan: str, once: Path | None = None):
    """run.make for a pool whose worker dies (as a segfault or the OOM killer would end it) on
    one plan's documents: always, or only the first time when `once` is a marker file. The pool
    forks, so the patched function is what its workers and the fresh ones after it run."""
    from pipeline import run
    make = run.make

    def crashing(target, state):
        if target.member.name == plan and not (once and once.exists()):
            if once:
                once.touch()
            os._exit(3)
        return make(target, state)
    return crashing


def plan_outputs(root: Path, plan: str) -> dict[str, bytes]:
    folder = root / "build" / ("" if plan == CITY else plan) / "draft"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_worker_that_dies_costs_its_own_document_only(workspace, tmp_path, monkeypatch):
    """The city's worker dies as it starts (the biggest document goes first): the pool breaks
    with the counties not yet made; they are made again, each by a fresh process, and the city
    dies there once more."""
    from pipeline import run
    edit(workspace / "chapters" / "11-保障措施.md")  # a build would change the city's outputs
    serial = shutil.copytree(workspace, tmp_path / "serial")
    before = plan_outputs(workspace, CITY)
    monkeypatch.setattr(run, "make", crash_on(CITY))
    code, report = build(workspace, "--force", "--jobs", "2")
    assert code == 2
    failed = {p["plan"]: p for p in report["plans"] if p["failed"]}
    assert list(failed) == [CITY]
    [error] = failed[CITY]["diagnostics"]
    assert error["code"] == "E031" and CITY in error["message"] and "退出码 3" in error["message"]
    assert made(report) == {name: True for name in COUNTIES}
    assert any(d["retried"] for d in report["documents"])  # made after the pool broke
    assert plan_outputs(workspace, CITY) == before  # its last good outputs stay
    monkeypatch.undo()
    code, _ = build(serial, "--force", "--jobs", "1", *(a for p in COUNTIES for a in ("--plan", p)))
    assert code == 0
    for plan in COUNTIES:
        assert plan_outputs(workspace, plan) == plan_outputs(serial, plan), plan


def test_a_document_whose_worker_died_once_is_made_again(workspace, tmp_path, monkeypatch):
    from pipeline import run
    edit(workspace / "县区" / "瑞金市" / "chapters" / "03-主要任务.md", "\n进程重启后的一段。\n")
    monkeypatch.setattr(run, "make", crash_on("瑞金市", once=tmp_path / "crashed"))
    code, report = build(workspace, "--force", "--jobs", "2")
    assert (tmp_path / "crashed").exists() and code == 0, report
    assert made(report) == {name: True for name in [CITY, *COUNTIES]}
    retried = {d["plan"] for d in report["documents"] if d["retried"]}
    assert "瑞金市" in retried
    with zipfile.ZipFile(docx_of(workspace, "瑞金市")) as docx:
        assert "进程重启后的一段" in docx.read("word/document.xml").decode("utf-8")


def test_in_git_a_county_edit_leaves_the_city_clean(workspace):
    import subprocess
    from pipeline.revision import source_revision
    (workspace / ".gitignore").write_text("build/\n", encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "sample"]):
        subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True)
    assert made(build(workspace)[1]) == {name: True for name in [CITY, *COUNTIES]}  # new commit
    edit(workspace / "县区" / "寻乌县" / "chapters" / "03-主要任务.md")
    assert source_revision(workspace / "县区" / "寻乌县").dirty
    assert not source_revision(workspace).dirty  # the county folders are plans of their own
    assert made(build(workspace)[1]) == {**NOTHING, "寻乌县": True}
