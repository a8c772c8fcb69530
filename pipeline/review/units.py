"""Which unit sent an opinion: reviews/units.yaml (user name, then a keyword of the file name),
else a unit named in the file name, else the Word user name."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PlanError
from ..yamlfile import parse_yaml

OPINION_SUFFIX = re.compile(r"(关于|对)?(的)?(修改|反馈|审阅|审查)?意见(稿)?(表)?$")
# What the name of a unit, a body or an expert group ends with.
UNIT_SUFFIX = re.compile(r"(局|委员会|委|办公室|办|厅|院|所|中心|公司|集团|组|部|处|科|室|站|队|会|"
                         r"政府|街道|镇|乡|县|区|市|州|省|专家)$")
CJK = re.compile(r"[\u4e00-\u9fff]")


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


def unit_from_file_name(stem: str) -> str:
    """'赣州市…规划（征求意见稿）-章贡区生态环境局意见' → '章贡区生态环境局'. Only a piece that
    reads as a unit: it ended in 意见, or it ends as a unit's name does; 'comments' is none."""
    stem = re.sub(r"（[^）]*）|\([^)]*\)|【[^】]*】|\[[^]]*]", " ", stem)
    for piece in reversed([p for p in re.split(r"[-_—－\s]+", stem) if p and "规划" not in p]):
        name = OPINION_SUFFIX.sub("", piece)
        if not name or name.isdigit() or not CJK.search(name):
            continue
        if name != piece or UNIT_SUFFIX.search(name):
            return name
    return ""
