"""make bench: build a plan of about 170 pages, compare with pandoc on the same Markdown; then
the sample workspace (the city plan and its county plans, Word and PDF): the full build, a run with
nothing changed, one county chapter edited, and 1 worker against N.

Prints medians of repeated whole-process runs (every tool pays its start-up), the ratios, and
where our time goes by stage.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc

from pipeline.reading import fontconfig, read_plan, resolve_plan
from pipeline.pdf import PdfEngine, find_soffice, unavailable_reason
from pipeline.revision import source_revision, stamp
from pipeline.docx import write_docx

RUNS = 7
SENTENCE = ("坚持精准治污、科学治污、依法治污，以改善生态环境质量为核心，统筹推进大气、水、土壤污染"
            "防治，强化多污染物协同控制和区域协同治理，推动生态环境质量持续改善。")


def generate(root: Path, chapters: int = 12, sections: int = 5, items: int = 4) -> str:
    """A plan of about 170 pages of 22 × 28 characters; returns the Markdown given to pandoc."""
    (root / "chapters").mkdir(parents=True)
    (root / "plan.yaml").write_text("title: 基准测试规划\norganization: 测试单位\n",
                                    encoding="utf-8")
    bodies = []
    for c in range(1, chapters + 1):
        lines = [f"# 第{c}个任务领域", ""]
        for s in range(1, sections + 1):
            lines += [f"## 重点任务{c}-{s}", "", SENTENCE * 2, ""]
            for i in range(1, items + 1):
                lines += [f"### 具体措施{c}-{s}-{i}", "", f"**措施要点{i}。**" + SENTENCE * 3, "",
                          SENTENCE * 2, ""]
            lines += ["表：重点工程清单", "", "| 序号 | 项目名称 | 建设内容 | 建设地点 | 建设年限 |",
                      "|---|---|---|---|---|"]
            lines += [f"| {r} | 示例工程{r} | 建设污水管网和处理设施，实施提标改造 | 章贡区 | 2021—2025年 |"
                      for r in range(1, 9)]
            lines += [""]
        body = "\n".join(lines) + "\n"
        (root / "chapters" / f"{c:02d}.md").write_text(f"---\nid: c{c}\n---\n{body}",
                                                       encoding="utf-8")
        bodies.append(body)
    return "\n".join(bodies)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def stages(root: Path) -> dict[str, float]:
    """Where a build's time goes: interpreter start and imports in fresh processes, the stages
    in this one (the medians of three runs after a first that loads the lazy imports)."""
    python = [sys.executable, "-c"]
    bare = statistics.median(timed(python + ["pass"]) for _ in range(RUNS))
    imports = statistics.median(timed(python + [
        "import pipeline.cli, pipeline.run, pipeline.build, pipeline.reading, pipeline.docx, "
        "markdown_it, lxml.etree, yaml"]) for _ in range(RUNS))
    runs: dict[str, list[float]] = {}
    for _ in range(4):
        start = time.perf_counter()
        plan, layout = read_plan(root)
        read = time.perf_counter()
        document = resolve_plan(plan, layout, "draft")
        resolved = time.perf_counter()
        write_docx(document, layout, stamp(source_revision(root).epoch))
        written = time.perf_counter()
        for name, seconds in (("读取与解析", read - start), ("编号", resolved - read),
                              ("写 docx（含压缩）", written - resolved)):
            runs.setdefault(name, []).append(seconds)
    return {"Python 启动": bare, "导入模块": imports - bare,
            **{name: statistics.median(values[1:]) for name, values in runs.items()}}


def pdf_bench(root: Path, docx: Path, tmp: Path) -> None:
    """Three documents through one warm LibreOffice against three cold --convert-to runs."""
    reason = unavailable_reason()
    if reason:
        print(f"PDF 基准已跳过：{reason}")
        return
    copies = []
    for n in range(3):
        copy = tmp / f"doc{n}.docx"
        copy.write_bytes(docx.read_bytes())
        copies.append(copy)
    conf = fontconfig(root)
    start = time.perf_counter()
    with PdfEngine(tmp / "profile-warm", conf) as engine:
        started = time.perf_counter() - start
        warm = []
        for copy in copies:
            warm.append(engine.convert(copy, copy.with_suffix(".pdf"), title="基准",
                                       subject="初稿").seconds)
    cold_profile = (tmp / "profile-cold").as_uri()
    subprocess.run([str(find_soffice()), f"-env:UserInstallation={cold_profile}", "--headless",
                    "--terminate_after_init"], capture_output=True, check=False)
    env = {**__import__("os").environ, "FONTCONFIG_FILE": str(conf)} if conf else None
    cold = []
    for copy in copies:
        begin = time.perf_counter()
        subprocess.run([str(find_soffice()), f"-env:UserInstallation={cold_profile}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "cold"),
                        str(copy)], capture_output=True, check=True, env=env)
        cold.append(time.perf_counter() - begin)
    print(f"PDF：3 份文档经常驻 LibreOffice（含两次更新目录）：{sum(warm):.2f} s"
          f"（另加一次启动 {started:.2f} s）")
    print(f"PDF：3 次冷启动 soffice --convert-to pdf（不更新目录）：{sum(cold):.2f} s")
    print(f"比值 冷启动 / 常驻 = {sum(cold) / sum(warm):.2f}；"
          f"计入启动时间为 {sum(cold) / (sum(warm) + started):.2f}")


ROOT = Path(__file__).resolve().parents[2]
WORKSPACE_RUNS = 3
EDITED = "县区/瑞金市/chapters/03-主要任务.md"


def copy_workspace(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("plan.yaml", "workspace.yaml"):
        shutil.copy(ROOT / name, dest / name)
    for folder in ("chapters", "data", "styles", "县区"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("build"))
    return dest


CPU: list[float] = []  # CPU seconds (user + system, LibreOffice included) of each plan_build


def plan_build(root: Path, *args: str) -> tuple[float, dict]:
    """One whole `plan build` process: seconds and its JSON report."""
    import resource
    command = [str(Path(sys.executable).parent / "plan"), "--plan", str(root), "build",
               "--message-format", "json", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"plan build {' '.join(args)} 失败：{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def made(report: dict) -> list[str]:
    return [d["plan"] for d in report["documents"] if not d["up_to_date"]]


def workspace_bench(tmp: Path) -> None:
    """The sample workspace, Word and PDF, as `make draft` builds it."""
    from pipeline.pdf import unavailable_reason
    from pipeline.workspace import cpu_count
    if unavailable_reason():
        print(f"工作区基准已跳过：{unavailable_reason()}")
        return
    jobs = cpu_count()
    root = copy_workspace(tmp / "workspace")
    plan_build(root)  # LibreOffice profiles made once, as after a first `make draft`
    full, serial, noop, edit = [], [], [], []
    stages: dict[str, float] = {}
    cpu_full, cpu_serial = [], []
    load = os.getloadavg()[0]
    for run in range(WORKSPACE_RUNS):  # interleaved, so machine load affects each alike
        seconds, full_report = plan_build(root, "--force", "--jobs", str(jobs))
        full.append(seconds)
        cpu_full.append(CPU[-1])
        for document in full_report["documents"]:
            for name, value in document["stages"].items():
                stages[name] = stages.get(name, 0.0) + value / WORKSPACE_RUNS
        serial.append(plan_build(root, "--force", "--jobs", "1")[0])
        cpu_serial.append(CPU[-1])
        seconds, report = plan_build(root)
        assert made(report) == [], made(report)
        noop.append(seconds)
        with open(root / EDITED, "a", encoding="utf-8") as chapter:
            chapter.write(f"\n基准测试第{run + 1}次改动。\n")
        seconds, report = plan_build(root)
        assert made(report) == ["瑞金市"], made(report)
        edit.append(seconds)
    pages = sum(d["pdf_pages"] for d in report["documents"])
    full_m, serial_m = statistics.median(full), statistics.median(serial)
    noop_m, edit_m = statistics.median(noop), statistics.median(edit)
    print(f"工作区：{len(report['documents'])} 个规划的初稿（Word 与 PDF，共 {pages} 页），"
          f"{WORKSPACE_RUNS} 次中位数，{jobs} 个 CPU；开始时系统负载 {load:.1f}，结束时 "
          f"{os.getloadavg()[0]:.1f}（负载中含其他用户的进程时，并行比值偏低）")
    print(f"  全部生成（--jobs {jobs}）：{full_m:.2f} s（CPU {statistics.median(cpu_full):.1f} s）")
    print(f"  全部生成（--jobs 1）：{serial_m:.2f} s（CPU {statistics.median(cpu_serial):.1f} s）；"
          f"比值 1 个 / {jobs} 个 = {serial_m / full_m:.2f}（目标 ≥ 1.6）")
    biggest = max(full_report["documents"], key=lambda d: d["pdf_pages"])
    print(f"  其中最大的一份（{biggest['plan']}，{biggest['pdf_pages']} 页）用时 "
          f"{biggest['seconds']:.2f} s：并行时整个运行不会短于它")
    startup = statistics.median(timed([sys.executable, "-c", "import pipeline.cli, pipeline.run"])
                                for _ in range(5))
    print(f"  源文件未改动：{noop_m:.2f} s；比值 / 全部生成 = {noop_m / full_m:.3f}（目标 ≤ 0.1）；"
          f"其中 Python 启动与导入 {startup:.2f} s，其余为读 plan.yaml、核对指纹（哈希源文件与输出）")
    print(f"  改动瑞金市一章（只重新生成瑞金市）：{edit_m:.2f} s；比值 / 全部生成 = "
          f"{edit_m / full_m:.2f}（目标 ≤ 0.3）")
    [edited] = [d for d in report["documents"] if not d["up_to_date"]]
    print("    其中这一份：" + "，".join(f"{name} {value:.2f} s" for name, value
                                      in edited["stages"].items() if value >= 0.01)
          + "；其余为进程启动、导入与核对指纹")
    total = sum(stages.values())
    print(f"  各阶段（四份文档合计，进程内计时 {total:.1f} s；--jobs {jobs} 时分在各进程并行）：")
    for name, value in sorted(stages.items(), key=lambda item: -item[1]):
        print(f"    {name:<12} {value:6.2f} s  {value / total:5.1%}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Timed as an installed package runs: pip compiles its modules' bytecode at install time,
        # which an editable install (or PYTHONDONTWRITEBYTECODE) would otherwise redo every run.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        root = Path(tmp) / "plan"
        markdown = generate(root)
        md_file = Path(tmp) / "all.md"
        md_file.write_text(markdown, encoding="utf-8")
        # --force: every run builds (a run whose sources did not change would only compare
        # fingerprints, which is the workspace bench's no-op case, not this one).
        plan_cmd = [str(Path(sys.executable).parent / "plan"), "--plan", str(root), "build",
                    "--format", "docx", "--force"]
        pandoc_cmd = [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "docx",
                      "-o", str(Path(tmp) / "pandoc.docx"), str(md_file)]
        timed(plan_cmd), timed(pandoc_cmd)  # warm the page cache for both
        ours, theirs = [], []
        for _ in range(RUNS):  # interleaved, so machine load affects both alike
            ours.append(timed(plan_cmd))
            theirs.append(timed(pandoc_cmd))
        docx_path = next((root / "build" / "draft").glob("*.docx"))
        chars = sum(1 for c in markdown if "\u4e00" <= c <= "\u9fff")
        ours_m, theirs_m = statistics.median(ours), statistics.median(theirs)
        print(f"基准规划：{chars} 个汉字，约 {chars // 616} 面（22 行 × 28 字），"
              f"docx {docx_path.stat().st_size // 1024} KB")
        print(f"本流水线 plan build（整个进程，{RUNS} 次中位数）：{ours_m:.3f} s")
        print(f"pandoc {pypandoc.get_pandoc_version()} 同一 Markdown → docx：{theirs_m:.3f} s")
        print(f"比值 本流水线 / pandoc = {ours_m / theirs_m:.2f}")
        print("本流水线各阶段（启动与导入为新进程，其余为进程内，均为中位数；字节码已缓存，如同安装后的包）：")
        parts = stages(root)
        parts["其余（指纹与 manifest、写出文件、命令行）"] = max(0.0, ours_m - sum(parts.values()))
        for name, seconds in parts.items():
            print(f"  {name:<12} {seconds:.3f} s  {seconds / ours_m:5.1%}")
        pdf_bench(root, docx_path, Path(tmp))
        workspace_bench(Path(tmp))


if __name__ == "__main__":
    main()
