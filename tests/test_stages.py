"""The flow's seams: stages return new values (one parsed plan resolves to several versions
side by side), a build names every problem it finds in one run, gates list every kind of
blocker at once, and the same sources give the same bytes in another process."""
from __future__ import annotations

import copy
import re
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT, copy_sample, make_plan
from pipeline.cli import main
from pipeline.model import Box, FootnoteRef, Heading, Paragraph, Table, walk
from pipeline.reading import read_plan, resolve_plan


def test_resolving_a_version_changes_nothing_it_was_given(tmp_path):
    root = make_plan(tmp_path / "p", {
        "01.md": "# 总体要求\n\n## 指导思想\n\n正文[^a]。TODO 核实。\n\n[^a]: 注释。\n\n"
                 "::: 专栏 重点工程\n\n表：项目\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n:::\n\n"
                 "::: 版本 final\n\n## 只在报批稿\n\n:::\n"})
    plan, layout = read_plan(root)
    before = copy.deepcopy(plan.parsed)
    draft = resolve_plan(plan, layout, "draft")
    draft_numbers = [(b.number, b.bookmark) for b in draft.blocks if isinstance(b, Heading)]
    final = resolve_plan(plan, layout, "final")
    assert plan.parsed == before  # nothing numbered or split in place
    assert [(b.number, b.bookmark) for b in draft.blocks if isinstance(b, Heading)] \
        == draft_numbers == [("第一章　", "_Toc00000001"), ("第一节　", "_Toc00000002")]
    assert [b.number for b in final.blocks if isinstance(b, Heading)] == \
        ["第一章　", "第一节　", "第二节　"]
    box = next(b for b in draft.blocks if isinstance(b, Box))
    table = next(b for b in walk(draft.blocks) if isinstance(b, Table))
    assert (box.label, table.label) == ("专栏1", "表1")
    paragraph = next(b for b in draft.blocks if isinstance(b, Paragraph))
    ref = next(i for i in paragraph.inlines if isinstance(i, FootnoteRef))
    assert ref.number == 1 and list(draft.footnotes) == [1]
    assert [(s.text, s.todo) for s in paragraph.inlines if hasattr(s, "todo")] == \
        [("正文", False), ("。", False), ("TODO", True), (" 核实。", False)]
    assert [(m.marker, m.source.line) for m in draft.todos] == [("TODO", 5)]


def test_a_build_names_every_problem_of_every_chapter_at_once(tmp_path):
    root = make_plan(tmp_path / "p", {
        "01.md": "# 甲\n\n### 跳级\n\n::: 专栏\n正文。\n:::\n",
        "02.md": "# 乙\n\n## 一、手写编号\n\n正文[^x]。\n",
        "03.md": "# 丙\n\n{{ 未定义 }}\n"})
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx"])
    assert result.exit_code == 2, result.output
    for where, words in (("chapters/01.md:3", "标题层级跳跃"), ("chapters/01.md:5", "专栏缺少标题"),
                         ("chapters/02.md:3", "自带编号"), ("chapters/02.md:5", "脚注引用没有对应"),
                         ("chapters/03.md:3", "未定义的名称")):
        line = next((l for l in result.output.splitlines() if where in l and words in l), None)
        assert line and line.startswith("错误 "), (where, result.output)
    assert "Traceback" not in result.output and not (root / "build").exists()


def test_build_diagnostics_as_json(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n### 跳级\n"})
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--format", "docx",
                                       "--message-format", "json"])
    assert result.exit_code == 2
    (diagnostic,) = json.loads(result.output)["diagnostics"]
    assert diagnostic == {"file": "chapters/01.md", "line": 3, "col": None, "row": None,
                          "severity": "error", "code": "E202",
                          "message": diagnostic["message"]}
    good = make_plan(tmp_path / "q", {"01.md": "# 甲\n\n正文。TODO\n"})
    result = CliRunner().invoke(main, ["--plan", str(good), "build", "--version", "all",
                                       "--format", "docx", "--message-format", "json"])
    documents = json.loads(result.output)["documents"]
    assert [(d["version"], d["refused"], bool(d["docx"])) for d in documents] == \
        [("draft", False, True), ("review", False, True), ("final", True, False)]
    assert [(d["severity"], d["code"]) for d in documents[1]["diagnostics"]] == \
        [("warning", "E801")]
    assert result.exit_code == 2


def test_the_final_gate_lists_every_kind_of_blocker_in_one_run(tmp_path):
    root = make_plan(tmp_path / "p", {"01.md": "# 甲\n\n正文,TODO 补充。\n"})
    (root / "reviews").mkdir()
    (root / "reviews" / "征求意见稿.yaml").write_text(
        "round: 征求意见稿\nitems:\n- id: a1\n  unit: 章贡区生态环境局\n  kind: comment\n"
        "  text: 请补充数据\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "all",
                                       "--format", "docx"])
    assert result.exit_code == 2, result.output
    final = result.output[result.output.index("报批稿不能含有"):]
    for words in ("报批稿不能含有待办标记，共 1 处", "chapters/01.md:3: 待办标记“TODO”",
                  "报批稿不能含有未答复的审阅意见，共 1 处", "reviews/征求意见稿.yaml:3: 意见 a1",
                  "报批稿不能含有起草规则错误", "chapters/01.md:3:3: ", "（P101）",
                  "报批稿未生成，原有输出保持不变。"):
        assert words in final, (words, result.output)
    assert "本次生成：初稿、征求意见稿；未生成：报批稿" in result.output
    assert (root / "build" / "draft").is_dir() and not (root / "build" / "final").exists()


def test_builds_in_other_processes_give_the_same_bytes(tmp_path):
    root = copy_sample(tmp_path / "plan")
    script = ("import sys, hashlib, pathlib; from pipeline.build import build\n"
              "for b in build(pathlib.Path(sys.argv[1]), ['draft', 'review', 'final'], pdf=False):\n"
              "    print(b.version, hashlib.sha256(b.docx.read_bytes()).hexdigest(),"
              " hashlib.sha256(b.manifest.read_bytes()).hexdigest())\n")
    runs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script, str(root)], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        runs.append(done.stdout)
    assert runs[0] == runs[1] and len(runs[0].splitlines()) == 3


def test_a_pdf_out_of_format_is_a_warning_naming_each_failed_check(tmp_path):
    """The build still writes the PDF, and says which checks it fails, as diagnostics."""
    text = "坚持生态优先推动绿色发展统筹推进污染治理生态保护应对气候变化" * 40
    root = make_plan(tmp_path / "p", {"01.md": f"# 总体要求\n\n{text}\n\n{text}\n"})
    (root / "styles").mkdir()
    profile = (ROOT / "styles" / "gbt9704.yaml").read_text(encoding="utf-8")
    (root / "styles" / "gbt9704.yaml").write_text(
        profile.replace("line_pitch_twips: 579", "line_pitch_twips: 600"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--version", "final",
                                       "--message-format", "json"])
    assert result.exit_code == 0, result.output
    (document,) = json.loads(result.output)["documents"]
    failed = {c["item"] for c in document["layout_checks"] if not c["ok"]}
    warned = [d for d in document["diagnostics"] if d["code"] == "E702"]
    assert failed and len(warned) == len(failed)
    assert all(d["severity"] == "warning" and d["file"].endswith(".pdf") for d in warned)
    assert {re.search(r"版式检查“(.+?)”不符合", d["message"]).group(1) for d in warned} == failed
