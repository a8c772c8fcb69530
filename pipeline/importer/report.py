"""What an import produced, and 导入报告.txt written from it: what came in (chapters, headings
per level, paragraphs, tables, images, footnotes, 专栏), what was left out or only half recognised and where — the chapter file and
line it landed on, and the paragraph of the Word file — the comments, and `plan check`."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic
from ..wordfile import Mark
from .chapters import Outline

REPORT_NAME = "导入报告.txt"
CHANGE_MODES = {"accept": "接受", "reject": "拒绝"}


@dataclass
class Imported:
    """What an import produced, for the report and the command's summary."""
    source: str
    plan_dir: Path
    outline: Outline
    scheme: str
    files: dict[str, bytes]  # path relative to the plan folder → content
    levels: Counter
    counts: Counter
    comments: list[Mark]
    changes: Counter  # tracked changes by kind (insertion, deletion, replacement, move)
    mode: str  # "", accept or reject
    converted: bool  # .doc/.wps saved as .docx by LibreOffice first
    notes: list[Diagnostic]
    positions: dict[int, tuple[str, int]] = field(default_factory=dict)  # Word paragraph → md
    plan_yaml: str = ""  # "written", or why not
    backup: Path | None = None
    check: list = field(default_factory=list)  # plan check findings on the imported text
    build_error: str = ""  # why the imported chapters would not build, if they would not


SCHEMES = {"plan": "plan（第一章／第一节／一、／（一）／1.／（1））",
           "gongwen": "gongwen（一、／（一）／1.／（1））"}
COUNTED = ("章", "段落", "列表项", "表格", "图片", "图片（未能导入）", "脚注", "专栏", "编者注", "分页")


def where(imported: Imported, note: Diagnostic) -> str:
    if note.file == imported.source and note.line:
        landed = imported.positions.get(note.line)
        paragraph = f"原文第 {note.line} 段"
        return f"{landed[0]}:{landed[1]}（{paragraph}）" if landed else paragraph
    return note.file or imported.source


def located(imported: Imported, text: str) -> str:
    """chapters/…md:line where a commented text landed, when it can be found."""
    key = "".join(text.split())[:16]
    if key:
        for path, data in imported.files.items():
            if path.startswith("chapters/"):
                for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
                    if key in "".join(line.split()):
                        return f"{path}:{number} "
    return "（位置未能确定）"


def note_lines(imported: Imported) -> list[str]:
    return [f"  {where(imported, n)}：{n.message}" for n in imported.notes]


def summary_lines(imported: Imported) -> list[str]:
    counts = imported.counts
    levels = "，".join(f"第 {level} 级 {n}" for level, n in sorted(imported.levels.items()))
    return ["统计：",
            *(f"  {name}：{counts[name]}" for name in COUNTED if counts[name] or name in
              ("章", "段落", "表格", "图片", "脚注", "专栏")),
            f"  标题：{levels or '无'}"]


def report_text(imported: Imported) -> str:
    shape = imported.outline
    lines = [f"导入报告：{imported.source}", ""]
    if imported.converted:
        lines.append("原文件为 .doc/.wps，已经 LibreOffice 另存为 .docx 后导入。")
    lines += [f"规划名称：{shape.title}"
              + ("（已写入 plan.yaml，请核对）" if imported.plan_yaml == "written"
                 else f"（{imported.plan_yaml}）"),
              f"编号方案：{SCHEMES[imported.scheme]}"]
    if shape.period:
        lines.append(f"规划期限：{shape.period}")
    if shape.organization:
        lines.append(f"编制单位：{shape.organization}")
    if imported.backup is not None:
        lines.append(f"原有章节文件已移到 {imported.backup.name}/。")
    lines += ["", "章节文件："]
    lines += [f"  {path}" for path in imported.files if path.startswith("chapters/")]
    lines += ["", *summary_lines(imported), ""]
    if imported.comments or imported.changes:
        verb = CHANGE_MODES.get(imported.mode, "")
        changed = sum(imported.changes.values())
        lines.append(f"批注与修订：修订 {changed} 处已全部{verb}。" if not imported.comments else
                     f"批注与修订：修订 {changed} 处已全部{verb}；批注 {len(imported.comments)} "
                     "条未导入正文，列在下面（位置按所批注的文字在导入的章节中查找）：")
        for number, comment in enumerate(imported.comments, 1):
            place = located(imported, comment.anchor_text)
            quoted = f"“{comment.anchor_text[:30]}”" if comment.anchor_text else ""
            lines.append(f"  {number}. {comment.author or '（未署名）'} {comment.date[:10]} "
                         f"{place}{quoted}：{comment.text}")
        lines.append("")
    lines.append(f"需要注意（{len(imported.notes)} 处）：" if imported.notes
                 else "需要注意：无")
    lines += note_lines(imported)
    lines += ["", "起草规则检查（plan check）："]
    if imported.build_error:
        lines.append(f"  导入的章节无法生成：{imported.build_error}")
    elif imported.check:
        from ..check import summary, to_text
        lines.append(f"  {summary(imported.check)}")
        lines += [f"  {line}" for line in to_text(imported.check)]
    else:
        lines.append("  未发现问题。")
    return "\n".join(lines) + "\n"
