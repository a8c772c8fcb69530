"""Collected review items: each comment or tracked change of each returned file, located in the
source (chapter file and line) through the build manifest, with the reviewing unit."""
from __future__ import annotations

import difflib
import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PlanError
from ..yamlfile import parse_yaml
from ..wordfile import Mark, ReturnedDocument, read_returned
from ..safefile import Limits, sniff

KIND_NAMES = {"comment": "批注", "insertion": "插入", "deletion": "删除", "move": "移动",
              "untracked": "未留痕修改"}
JSON_KEYS = ("id", "source_file", "reviewer", "unit", "kind", "text", "anchor_text",
             "chapter_file", "line", "date")
TEXT_MATCH = 0.6  # how alike a paragraph must be to a built one to be taken for it
SPACE = re.compile(r"\s+")


@dataclass
class CommentRecord:
    """One opinion in the 意见汇总表."""
    id: str
    source_file: str
    reviewer: str
    unit: str
    kind: str  # comment | insertion | deletion | move | untracked
    text: str
    anchor_text: str
    chapter_file: str
    line: int | None
    date: str
    located_by: str = ""  # anchor | text | after (a new paragraph after that line) | ""
    reply_to: str = ""  # a reply: the id of the comment it answers
    destination: str = ""  # a move: where the text went

    def as_json(self) -> dict:
        return {key: getattr(self, key) for key in JSON_KEYS}


# ---- the built version: manifest.json --------------------------------------------------------

def squeeze(text: str) -> str:
    return SPACE.sub("", text)


@dataclass
class BuiltVersion:
    """build/<version>/manifest.json: anchors and the text each paragraph was built with."""
    version: str
    commit: str
    anchors: dict[str, dict]
    by_text: dict[str, dict] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.anchors.values():
            self.by_text.setdefault(squeeze(entry["text"]), entry)

    @classmethod
    def load(cls, path: Path) -> BuiltVersion:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            anchors = {a["anchor"]: a for a in data["anchors"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PlanError(f"无法读取生成记录 {path.name}（{exc}），请重新生成该版本",
                            str(path), code="E902") from None
        return cls(data.get("version", ""), data.get("commit", ""), anchors)

    def match_text(self, text: str) -> dict | None:
        """The built paragraph this text most likely was, when a reviewer's edits removed the
        anchor: the same text, or the most alike one above TEXT_MATCH."""
        key = squeeze(text)
        if not key:
            return None
        if key in self.by_text:
            return self.by_text[key]
        best, score = None, TEXT_MATCH
        for candidate, entry in self.by_text.items():
            matcher = difflib.SequenceMatcher(None, key, candidate, autojunk=False)
            if matcher.real_quick_ratio() > score and matcher.quick_ratio() > score:
                ratio = matcher.ratio()
                if ratio > score:
                    best, score = entry, ratio
        return best


def locate(mark: Mark, built: BuiltVersion | None) -> tuple[str, int | None, str]:
    if built is None:
        return "", None, ""
    entry = built.anchors.get(mark.anchor)
    if entry is not None:
        return entry["file"], entry["line"], "anchor"
    entry = built.match_text(mark.paragraph)
    if entry is not None:
        return entry["file"], entry["line"], "text"
    entry = built.anchors.get(mark.previous)  # a paragraph the reviewer added: after this one
    if entry is not None:
        return entry["file"], entry["line"], "after"
    return "", None, ""


# ---- reviewing units -------------------------------------------------------------------------

@dataclass
class UnitMap:
    """reviews/units.yaml: 审阅人 (the user name Word writes) → 单位, and 文件名 keywords → 单位."""
    authors: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> UnitMap:
        if path is None or not path.is_file():
            return cls()
        data, _ = parse_yaml(path.read_text(encoding="utf-8"), path.name)
        if not isinstance(data, dict):
            raise PlanError("单位对照表应为映射：审阅人: {用户名: 单位}，文件名: {关键词: 单位}",
                            path.name, 1, code="E903")
        def table(key: str) -> dict[str, str]:
            value = data.get(key) or {}
            if not isinstance(value, dict):
                raise PlanError(f"单位对照表中“{key}”应为“名称: 单位”的映射", path.name, 1,
                                code="E903")
            return {str(k): str(v) for k, v in value.items()}
        return cls(table("审阅人"), table("文件名"))

    def unit(self, author: str, file_name: str) -> str:
        if author in self.authors:
            return self.authors[author]
        stem = Path(file_name).stem
        for keyword, unit in self.files.items():
            if keyword in stem:
                return unit
        return unit_from_file_name(stem) or author


OPINION_SUFFIX = re.compile(r"(关于|对)?(的)?(修改|反馈|审阅|审查)?意见(稿)?(表)?$")


def unit_from_file_name(stem: str) -> str:
    """'赣州市…规划（征求意见稿）-章贡区生态环境局意见' → '章贡区生态环境局'."""
    stem = re.sub(r"（[^）]*）|\([^)]*\)|【[^】]*】", " ", stem)
    pieces = [p for p in re.split(r"[-_—－\s]+", stem) if p]
    pieces = [OPINION_SUFFIX.sub("", p) for p in pieces if "规划" not in p]
    pieces = [p for p in pieces if p and not p.isdigit()]
    return pieces[-1] if pieces else ""


# ---- records ---------------------------------------------------------------------------------

def record_id(*parts: str) -> str:
    """Stable from content: the same opinion collected again gets the same id."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def tidy(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


def records_from(returned: ReturnedDocument, file_name: str, built: BuiltVersion | None,
                 units: UnitMap, modified_by: str = "") -> list[CommentRecord]:
    records: list[CommentRecord] = []
    by_comment: dict[str, str] = {}
    seen: dict[str, int] = {}
    for mark in returned.marks:
        chapter_file, line, how = locate(mark, built)
        text, anchor_text = tidy(mark.text), tidy(mark.anchor_text)
        base = record_id(mark.kind, mark.author, mark.date, text, anchor_text)
        seen[base] = seen.get(base, 0) + 1
        rid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        by_comment[mark.comment_id] = rid
        records.append(CommentRecord(
            rid, file_name, mark.author, units.unit(mark.author, file_name), mark.kind, text,
            anchor_text, chapter_file, line, mark.date, how,
            reply_to=by_comment.get(mark.parent_id, "") if mark.parent_id else "",
            destination=tidy(mark.destination)))
    if built is not None:
        records += untracked_edits(returned, file_name, built, units, modified_by)
    return records


def untracked_edits(returned: ReturnedDocument, file_name: str, built: BuiltVersion,
                    units: UnitMap, author: str) -> list[CommentRecord]:
    """Paragraphs whose text, tracked changes set aside, differs from what was built."""
    out = []
    for anchor, now in returned.paragraphs.items():
        entry = built.anchors.get(anchor)
        if entry is None or squeeze(now) == squeeze(entry["text"]):
            continue
        text = describe_edit(entry["text"], now)
        out.append(CommentRecord(
            record_id("untracked", file_name, entry["anchor"], now), file_name, author,
            units.unit(author, file_name), "untracked", text, entry["text"], entry["file"],
            entry["line"], "", "anchor"))
    return out


def describe_edit(before: str, after: str) -> str:
    """'删去“…”；增加“…”；“…”改为“…”' from the differences of two texts."""
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "delete":
            parts.append(f"删去“{before[i1:i2]}”")
        elif op == "insert":
            parts.append(f"增加“{after[j1:j2]}”")
        elif op == "replace":
            parts.append(f"“{before[i1:i2]}”改为“{after[j1:j2]}”")
    return "；".join(parts)


# ---- a round of returned files ----------------------------------------------------------------

BINARY_SUFFIXES = (".doc", ".wps")


@dataclass
class Collected:
    records: list[CommentRecord]
    skipped: list[str]  # one Chinese line per file that could not be read
    notes: list[str]  # things the drafter should know (no manifest, another source commit)


def collect_files(paths: list[Path], root: Path, version: str | None = None,
                  units: UnitMap | None = None, limits: Limits = Limits()) -> Collected:
    """Every item of every file; a file that cannot be read costs only itself."""
    units = units or UnitMap()
    result = Collected([], [], [])
    versions: dict[str, BuiltVersion | None] = {}
    engine = None
    work = Path(tempfile.mkdtemp(prefix="plan-review-"))
    try:
        for number, path in enumerate(paths):
            try:
                kind = sniff(path, limits)
                readable = path
                if kind == "ole" or path.suffix.lower() in BINARY_SUFFIXES:
                    if engine is None:
                        engine = binary_converter(root)
                    readable = work / f"{number}.docx"
                    engine.to_docx(path, readable)
                returned = read_returned(readable, limits)
            except PlanError as exc:  # FileRefused and the converter's PdfError
                result.skipped.append(f"{path.name}：{exc.message}")
                continue
            key = version or returned.properties.get("PlanVersion") or "review"
            if key not in versions:
                versions[key] = built_version(root, key, result.notes)
            built = versions[key]
            made_from = returned.properties.get("SourceCommit", "")
            if built is not None and made_from and built.commit and made_from != built.commit:
                result.notes.append(f"{path.name} 由源文件 {made_from} 生成，当前生成记录为 "
                                    f"{built.commit}，行号可能有偏差")
            result.records += records_from(returned, path.name, built, units,
                                           returned.properties.get("lastModifiedBy", ""))
    finally:
        if engine is not None:
            engine.close()
        shutil.rmtree(work, ignore_errors=True)
    return result


def built_version(root: Path, key: str, notes: list[str]) -> BuiltVersion | None:
    path = root / "build" / key / "manifest.json"
    if not path.is_file():
        notes.append(f"找不到 build/{key}/manifest.json：意见未能定位到源文件，"
                     f"请先生成该版本（plan build --version {key}）后再收集")
        return None
    return BuiltVersion.load(path)


def binary_converter(root: Path):
    """The LibreOffice process, started for the first .doc or .wps of a round."""
    from ..reading import fontconfig
    from ..pdf import PdfEngine, PdfError, unavailable_reason
    reason = unavailable_reason()
    if reason:
        raise PdfError(f"需要 LibreOffice 转换 .doc/.wps：{reason}", code="E601")
    return PdfEngine(root / "build" / ".libreoffice", fontconfig(root))
