"""Load stage: plan.yaml and chapter files → Plan, with every value traced to its file and line."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

from .data import load_data
from .errors import Diagnostic, PlanError, warning
from .files import display_path, inside, read_text
from .model import DEFAULT_LABELS, Chapter, Plan, PlanMeta, VersionSpec
from .workspace_data import county_data
from .yamlfile import Field, check_fields, parse_yaml

# What each version shows by default (plan-domain.md); plan.yaml may change any of it.
DEFAULT_VERSIONS = {
    "draft": VersionSpec("draft", DEFAULT_LABELS["draft"], "", notes=True, header=True, mark="内部讨论稿",
                         revision=True, todo="info", strict=False),
    "review": VersionSpec("review", DEFAULT_LABELS["review"], "", header=True, line_numbers=True,
                          todo="warning", strict=False),
    "final": VersionSpec("final", DEFAULT_LABELS["final"], "", responses="error"),
}
TODO_LEVELS = ("info", "warning", "error")
NUMBERING_SCHEMES = ("plan", "outline", "gongwen")
PRINT_MODES = ("duplex", "simplex")
STATUSES = ("未开始", "起草中", "待审", "定稿")

PLAN_SCHEMA = {
    "title": Field(str, "规划名称"),
    "organization": Field(str, "编制单位"),
    "period": Field(str, "规划期限"),
    "versions": Field(dict, "版本"),
    "chapters": Field(list, "章节顺序"),
    "numbering": Field(str, "编号方案", NUMBERING_SCHEMES),
    "layout": Field(str, "版式方案"),
    "print": Field(str, "印刷方式", PRINT_MODES),
    "title_lines": Field(list, "封面名称的分行"),
    "units": Field(list, "报送单位"),  # read by plan intake (pipeline/intake/units.py)
}
VERSION_SCHEMA = {
    "label": Field(str, "版本标注"),
    "date": Field((str, dt.date), "成稿日期"),
    "organization": Field(str, "封面编制单位"),
    "notes": Field(bool, "显示编者注"),
    "header": Field(bool, "页眉标注"),
    "line_numbers": Field(bool, "行号"),
    "mark": Field(str, "页眉标记"),
    "revision": Field(bool, "页眉显示源文件版本"),
    "todo": Field(str, "待办标记的处理", TODO_LEVELS),
    "strict": Field(bool, "起草规则检查有错误时拒绝生成"),
    "responses": Field(str, "未答复审阅意见的处理", TODO_LEVELS),
}
CHAPTER_SCHEMA = {
    "id": Field(str, "章节标识"),
    "title": Field(str, "章节标题"),
    "owner": Field(str, "责任科室/单位"),
    "status": Field(str, "编写状态", STATUSES),
    "versions": Field(list, "适用版本"),
}
YEAR_MONTH = re.compile(r"^\d{4}-\d{1,2}(-\d{1,2})?$")



def load_plan(root: Path) -> Plan:
    root = root.resolve()
    plan_file = root / "plan.yaml"
    if not plan_file.is_file():
        raise PlanError(f"找不到 plan.yaml：{root} 不是规划目录（用 --plan 指定规划目录）",
                        "plan.yaml", code="E003")
    meta = load_meta(read_text(plan_file, "plan.yaml"))
    paths = chapter_paths(root, meta)
    chapters = [load_chapter(p, root, meta) for p in paths]
    check_unique_ids(chapters)
    data = load_data(root)
    counties, warnings = county_data(root)
    return Plan(root, meta, chapters, data,
                diagnostics=[*unlisted(root, meta, paths), *data.notices, *warnings],
                counties=counties)


def unlisted(root: Path, meta: PlanMeta, paths: list[Path]) -> list[Diagnostic]:
    """Chapter files on disk that plan.yaml's `chapters:` leaves out: a drafter who added one
    and forgot the list would otherwise never see it in the document."""
    if meta.chapter_files is None:
        return []
    listed = {p.resolve() for p in paths}
    return [warning("E051", "不在 plan.yaml 的 chapters 列表中，未编入规划：要编入请把文件名加进列表，"
                    "不用的文件请移出 chapters/", display_path(path, root))
            for path in sorted((root / "chapters").glob("*.md"))
            if path.is_file() and path.resolve() not in listed]


def load_meta(text: str) -> PlanMeta:
    data, lines = parse_yaml(text, "plan.yaml")
    data = check_fields(data, PLAN_SCHEMA, "plan.yaml", lines, 1, "plan.yaml ")
    if not data.get("title", "").strip():
        raise PlanError("plan.yaml 必须写明规划名称（title）", "plan.yaml", lines.get("title", 1),
                        code="E106")
    versions = dict(DEFAULT_VERSIONS)
    for key, spec in (data.get("versions") or {}).items():
        at = lines.get("versions", 1)
        spec = check_fields(spec, VERSION_SCHEMA, "plan.yaml", {}, at, f"版本“{key}”")
        if isinstance(spec.get("date"), dt.date):
            spec["date"] = spec["date"].isoformat()
        if spec.get("date") and not YEAR_MONTH.match(spec["date"]):
            raise PlanError(f"版本“{key}”的日期应写成 2020-09 或 2020-09-30，实际为“{spec['date']}”",
                            "plan.yaml", at, code="E107")
        base = versions.get(str(key), VersionSpec(str(key), str(key), ""))
        versions[str(key)] = replace(base, **spec)
    chapter_files = data.get("chapters")
    if chapter_files is not None and not all(isinstance(c, str) for c in chapter_files):
        raise PlanError("chapters 应为章节文件名的列表", "plan.yaml", lines["chapters"], code="E109")
    title_lines = data.get("title_lines")
    if title_lines is not None and ("".join(map(str, title_lines)) != data["title"].strip()
                                    or not all(isinstance(t, str) and t for t in title_lines)):
        raise PlanError("title_lines 应把规划名称原样分成几行（各行连起来等于 title），"
                        f"实际为 {title_lines}", "plan.yaml", lines.get("title_lines", 1),
                        code="E407")
    return PlanMeta(
        title=data["title"].strip(),
        organization=data.get("organization", "").strip(),
        period=data.get("period", "2021—2025年").strip(),
        versions=versions,
        chapter_files=chapter_files,
        numbering=data.get("numbering", "plan"),
        layout=data.get("layout", "gbt9704"),
        print=data.get("print", "duplex"),
        title_lines=title_lines,
    )


def chapter_paths(root: Path, meta: PlanMeta) -> list[Path]:
    folder = root / "chapters"
    if meta.chapter_files is None:
        paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    else:
        paths = []
        for name in meta.chapter_files:
            path = inside(root, folder / name, "plan.yaml", None)
            if not path.is_file():
                raise PlanError(f"plan.yaml 列出的章节文件不存在：chapters/{name}", "plan.yaml",
                                code="E004")
            paths.append(path)
    if not paths:
        raise PlanError("chapters/ 中没有章节文件（*.md）", "plan.yaml", code="E005")
    return paths



def split_front_matter(text: str, shown: str = "") -> tuple[str | None, str, int]:
    """Return (yaml text, body, line number of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise PlanError("章节属性（第 1 行的“---”）没有结束行：请在属性之后单独写一行“---”，"
                    "否则属性会被印进正文", shown, 1, code="E050")


def load_chapter(path: Path, root: Path, meta: PlanMeta) -> Chapter:
    shown = display_path(path, root)
    text = read_text(path, shown)
    yaml_text, body, body_line = split_front_matter(text, shown)
    data: dict = {}
    lines: dict[str, int] = {}
    if yaml_text is not None:
        data, lines = parse_yaml(yaml_text, shown, first_line=2)
        data = check_fields(data, CHAPTER_SCHEMA, shown, lines, 1, "章节属性")
    versions = data.get("versions", list(meta.versions))
    for v in versions:
        if v not in meta.versions:
            raise PlanError(f"章节属性 versions 中的“{v}”不是 plan.yaml 定义的版本"
                            f"（{'、'.join(meta.versions)}）", shown, lines.get("versions"),
                            code="E100")
    chapter = Chapter(
        path=path, display=shown, id=data.get("id", path.stem), title=data.get("title", ""),
        owner=data.get("owner", ""), status=data.get("status", "起草中"), versions=versions,
        body=body, body_line=body_line, id_line=lines.get("id", 1),
    )
    return chapter


def check_unique_ids(chapters: list[Chapter]) -> None:
    seen: dict[str, Chapter] = {}
    for ch in chapters:
        if ch.id in seen:
            raise PlanError(f"章节标识 id“{ch.id}”与 {seen[ch.id].display} 重复",
                            ch.display, ch.id_line, code="E108")
        seen[ch.id] = ch
