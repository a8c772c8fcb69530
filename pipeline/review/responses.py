"""reviews/<round>.yaml: the collected opinions, where drafters write 采纳情况 and 说明.

Collecting again merges: an item already there keeps what the drafter wrote (its other fields
are refreshed), a new item is appended, and nothing is ever removed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import Diagnostic, PlanError
from .collect import FIELDS, CommentRecord, KIND_NAMES

RESPONSES = ("采纳", "部分采纳", "未采纳")
RESPONSE, NOTE = "采纳情况", "说明"
HEADER = """\
# 征求意见答复表（{round}）：由 plan comments collect 生成并合并，请只填写每条的“采纳情况”与“说明”。
# 采纳情况：采纳 / 部分采纳 / 未采纳；未采纳与部分采纳请在“说明”中写明理由。
# 再次收集时已填写的答复不会丢失；id 由意见内容生成，请勿修改。
# kind：comment 批注 / insertion 插入 / deletion 删除 / replacement 替换（old_text 改为 text）/
#       move 移动（destination 为移到的段落）/ untracked 未留痕修改；
# chapter_file、line：意见所在段落在所依据的那次生成（made_on 提交）中的源文件行；
# current_file、current_line：该段落在当前源文件中的位置（段落已不存在时为空）；
# place、page、page_line：供意见汇总表使用的章节位置与征求意见稿页码、行号；
# located_by：anchor 按书签定位 / text 按段落文字比对 / after 审阅人新增的段落，在该行之后。
"""
# libyaml when present: the same data and the same text, four times faster on a round of
# thousands of items.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class Response:
    """One item of the responses file, with the line it starts on (for messages)."""
    data: dict
    line: int

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def response(self) -> str:
        return str(self.data.get(RESPONSE) or "").strip()

    @property
    def note(self) -> str:
        return str(self.data.get(NOTE) or "").strip()


def responses_path(root: Path, round_name: str) -> Path:
    return root / "reviews" / f"{round_name}.yaml"


def load_responses(path: Path, shown: str) -> list[Response]:
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    loader = Loader(text)
    try:  # one pass: the nodes give each item's line, the same nodes its data
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlanError(f"YAML 格式错误（{getattr(exc, 'problem', exc)}）", shown,
                        mark.line + 1 if mark else 1, code="E904") from None
    finally:
        loader.dispose()
    items = (data or {}).get("items") if isinstance(data, dict) else None
    if items is None:
        return []
    item_nodes = next((v.value for k, v in node.value if k.value == "items"), [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PlanError("items 应为意见条目的列表", shown, 1, code="E904")
    out = []
    for item, item_node in zip(items, item_nodes):
        response = Response(item, item_node.start_mark.line + 1)
        if response.response and response.response not in RESPONSES:
            raise PlanError(f"意见 {response.id} 的采纳情况只能是 {'、'.join(RESPONSES)}，"
                            f"实际为“{response.response}”", shown, response.line, code="E905")
        out.append(response)
    return out


def merge(existing: list[Response], records: list[CommentRecord]) -> tuple[list[dict], int]:
    """The merged items and how many are new. A drafter's answer is never dropped. One dict
    lookup per record: the cost is linear in the items."""
    merged = [dict(r.data) for r in existing]
    index = {str(item.get("id")): item for item in merged}
    added = 0
    for record in records:
        fields = {key: getattr(record, key) for key in FIELDS}
        if record.id in index:
            index[record.id].update({k: v for k, v in fields.items() if v not in ("", None)})
            continue
        merged.append({**fields, RESPONSE: "", NOTE: ""})
        index[record.id] = merged[-1]
        added += 1
    return merged, added


class ResponsesDumper(Dumper):
    """Multi-line texts as literal blocks, the way a drafter would type them."""


ResponsesDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def write_responses(path: Path, round_name: str, items: list[dict]) -> None:
    from ..files import atomic_write
    body = yaml.dump({"round": round_name, "items": items}, Dumper=ResponsesDumper,
                     allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    atomic_write(path, (HEADER.format(round=round_name) + body).encode("utf-8"))


def all_responses(root: Path) -> dict[str, list[Response]]:
    """Every round's responses file under reviews/, by file name."""
    folder = root / "reviews"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return {f"reviews/{p.name}": load_responses(p, f"reviews/{p.name}") for p in files
            if p.name != "units.yaml"}


def unanswered(root: Path) -> list[Diagnostic]:
    """Each item that has no 采纳情况 yet, at its line of reviews/<round>.yaml."""
    lines = []
    for shown, responses in all_responses(root).items():
        for r in responses:
            if not r.response:
                unit = r.data.get("unit") or r.data.get("reviewer") or "未知单位"
                kind = KIND_NAMES.get(r.data.get("kind", ""), "")
                text = str(r.data.get("text", "")).replace("\n", " ")[:30]
                lines.append(Diagnostic("E802", "error",
                                        f"意见 {r.id}（{unit}，{kind}：{text}）尚未填写采纳情况",
                                        shown, r.line))
    return lines
