"""修改说明: the drafter's explanation of each change, kept in a YAML file beside the plan and
keyed by the change's stable id. Every run merges: new changes are added with an empty 修改说明,
what a drafter wrote stays, and entries of changes no longer present are kept as they were."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import PlanError
from ..files import read_text
from ..yamlfile import parse_yaml
from .compare import KINDS, ChangeRecord

NOTE = "修改说明"
HEADER = ("# 修改说明：每条修改一项，键是修改编号（与修改对照表一致）。只需填写“修改说明”；\n"
          "# 每次运行 plan diff 都会合并本文件：新的修改追加在后，已填写的说明不会丢失。\n")


def read_notes(path: Path, shown: str) -> dict[str, dict]:
    if not path.is_file():
        return {}
    data, lines = parse_yaml(read_text(path, shown), shown)
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise PlanError("修改说明文件应为“修改编号: {修改说明: …}”形式的映射", shown, 1,
                        code="E915")
    for key, entry in data.items():
        if not isinstance(entry.get(NOTE, ""), (str, type(None))):
            raise PlanError(f"修改 {key} 的“{NOTE}”应为文本", shown, lines.get(str(key), 1),
                            code="E916")
    return {str(k): v for k, v in data.items()}


def merge_notes(records: list[ChangeRecord], notes: dict[str, dict]) -> bytes:
    """Fill each record's note from `notes`; the merged file's new content."""
    merged: dict[str, dict] = {}
    for record in records:
        # A version difference comes with its reason; what a drafter wrote comes first.
        record.note = (notes.get(record.id, {}).get(NOTE) or record.note or "").strip()
        merged[record.id] = {"章节": " ".join(filter(None, (record.chapter, record.where))),
                             "类型": KINDS[record.kind], "原文": record.old,
                             "修改后": record.new, NOTE: record.note}
    for key, entry in notes.items():  # changes no longer present keep what was written
        merged.setdefault(key, entry)
    if not merged:
        return HEADER.encode("utf-8")
    text = yaml.safe_dump(merged, allow_unicode=True, sort_keys=False, width=1000)
    return (HEADER + text).encode("utf-8")
