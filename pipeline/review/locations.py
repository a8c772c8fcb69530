"""Where a returned copy's paragraphs came from: the location data of the build it was made
from (build/<version>/manifests/<SourceCommit>.json, else regenerated from that commit with
git — rebuild.py, the PDF included so pages and lines come back too — else none: located by
text in the current build), and the current build to give each item its line today."""
from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, PlanError, info
from ..manifest import ARCHIVE, MANIFEST, revision_key
from ..model import SourceRevision

TEXT_MATCH = 0.6  # how alike a paragraph must be to a built one to be taken for it
CANDIDATES = 8  # built paragraphs sharing the most character pairs, compared in full
SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    return SPACE.sub("", text)


@dataclass
class BuiltVersion:
    """One build's location data: anchors, the text each paragraph was built with, places."""
    version: str
    commit: str
    anchors: dict[str, dict]
    dirty: bool = False
    by_text: dict[str, dict] = field(init=False, default_factory=dict)
    pairs: dict[str, list[str]] = field(init=False, default_factory=dict)  # bigram → texts
    matched: dict[str, dict | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.anchors.values():
            key = squeeze(entry["text"])
            if key and key not in self.by_text:
                self.by_text[key] = entry
                for pair in set(bigrams(key)):
                    self.pairs.setdefault(pair, []).append(key)

    @property
    def key(self) -> str:
        return revision_key(self.commit, self.dirty)

    @classmethod
    def load(cls, path: Path, shown: str) -> BuiltVersion:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            anchors = {a["anchor"]: a for a in data["anchors"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PlanError(f"无法读取生成记录 {shown}（{exc}），请重新生成该版本",
                            shown, code="E902") from None
        return cls(data.get("version", ""), data.get("commit", ""), anchors,
                   bool(data.get("dirty")))

    def match_text(self, text: str) -> dict | None:
        """The built paragraph this text most likely was: the same text, else the most alike
        above TEXT_MATCH among those sharing the most character pairs with it (an index, so
        the cost does not grow with the product of the two texts' paragraph counts)."""
        key = squeeze(text)
        if not key:
            return None
        if key in self.by_text:
            return self.by_text[key]
        if key not in self.matched:
            shared = Counter(candidate for pair in set(bigrams(key))
                             for candidate in self.pairs.get(pair, ()))
            best, score = None, TEXT_MATCH
            for candidate, _ in shared.most_common(CANDIDATES):
                matcher = difflib.SequenceMatcher(None, key, candidate, autojunk=False)
                if matcher.real_quick_ratio() > score and matcher.quick_ratio() > score:
                    ratio = matcher.ratio()
                    if ratio > score:
                        best, score = self.by_text[candidate], ratio
            self.matched[key] = best
        return self.matched[key]


def bigrams(text: str) -> list[str]:
    return [text[i:i + 2] for i in range(len(text) - 1)] or [text]


@dataclass
class Builds:
    """For one returned copy: the build it was made from and the current build."""
    made_on: BuiltVersion | None  # None: its location data is gone; located by text only
    current: BuiltVersion | None


# (plan folder, version, commit, notes) → that build's manifest, and whether it has pages
Rebuild = Callable[[Path, str, str, list[Diagnostic]], tuple[bytes, bool]]


class BuildRecords:
    """The location data of each build of a plan's versions, loaded once per collect."""

    def __init__(self, root: Path, notes: list[Diagnostic], rebuild: Rebuild | None = None):
        self.root, self.notes, self.rebuild = root, notes, rebuild
        self.loaded: dict[tuple[str, str], BuiltVersion | None] = {}
        self.said: set[str] = set()

    def note(self, text: str) -> None:
        if text not in self.said:
            self.said.add(text)
            self.notes.append(info("E927", text))

    def folder(self, version: str) -> Path:
        return self.root / "build" / version

    def current(self, version: str) -> BuiltVersion | None:
        if (version, "") not in self.loaded:
            path = self.folder(version) / MANIFEST
            self.loaded[(version, "")] = BuiltVersion.load(
                path, f"build/{version}/{MANIFEST}") if path.is_file() else None
            if not path.is_file():
                self.note(f"找不到 build/{version}/{MANIFEST}：意见未能定位到源文件，"
                          f"请先生成该版本（plan build --version {version}）后再收集")
        return self.loaded[(version, "")]

    def for_copy(self, version: str, properties: dict[str, str], file_name: str) -> Builds:
        current = self.current(version)
        commit = properties.get("SourceCommit", "")
        if not commit:  # not made by this pipeline, or its properties were removed
            return Builds(current, current)
        dirty = properties.get("SourceDirty") == "true"
        key = revision_key(commit, dirty)
        if current is not None and current.key == key:
            return Builds(current, current)
        if (version, key) not in self.loaded:
            self.loaded[(version, key)] = self.archived(version, key) or \
                self.regenerated(version, commit, dirty, key)
        made_on = self.loaded[(version, key)]
        if made_on is None:
            self.note(f"{file_name} 由源文件 {key} 生成，找不到该次生成的定位数据"
                      f"（build/{version}/{ARCHIVE}/{key}.json），也无法由 git 重新生成："
                      "其中的意见只按段落文字定位，行号可能有偏差")
        return Builds(made_on, current)

    def archived(self, version: str, key: str) -> BuiltVersion | None:
        path = self.folder(version) / ARCHIVE / f"{key}.json"
        return BuiltVersion.load(path, f"build/{version}/{ARCHIVE}/{key}.json") \
            if path.is_file() else None

    def regenerated(self, version: str, commit: str, dirty: bool, key: str
                    ) -> BuiltVersion | None:
        """The location data of a build of `commit`, made again from that commit's sources
        (by `self.rebuild`, see rebuild.py) and kept for the next collect."""
        if dirty or self.rebuild is None:  # uncommitted sources cannot be had again
            return None
        try:
            data, paged = self.rebuild(self.root, version, commit, self.notes)
        except PlanError:
            return None
        from ..files import atomic_write
        shown = f"build/{version}/{ARCHIVE}/{key}.json"
        atomic_write(self.folder(version) / ARCHIVE / f"{key}.json", data)
        self.note(f"已由提交 {commit} 的源文件重新生成该次生成的定位数据"
                  f"（{shown}；{'含' if paged else '无'}页码行号）")
        return BuiltVersion.load(self.folder(version) / ARCHIVE / f"{key}.json", shown)
