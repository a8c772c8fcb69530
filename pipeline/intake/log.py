"""intake/submissions.yaml: each unit's latest 报送 — file, date, rows taken (报送编号 → digest of
what the unit typed), rows refused and why. Written by `plan intake collect`; `plan intake status`
reads it. The data files stand on their own: the record only says what changed between two
submissions and who has not sent."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from ..errors import PlanError
from ..files import atomic_write, read_text
from ..yamlfile import parse_yaml

LOG_FILE = Path("intake") / "submissions.yaml"
HEADER = "# 报送记录：plan intake collect 写入，plan intake status 读取。请勿手工修改。\n"


@dataclass
class Entry:
    file: str
    date: str
    times: int = 1  # how many different submissions the unit made
    valid: int = 0
    invalid: int = 0
    rows: dict[str, str] = field(default_factory=dict)  # 报送编号 → digest
    errors: list[str] = field(default_factory=list)


def load_log(root: Path) -> dict[str, Entry]:
    path = root / LOG_FILE
    if not path.is_file():
        return {}
    shown = LOG_FILE.as_posix()
    data, lines = parse_yaml(read_text(path, shown), shown)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlanError("报送记录应为“单位: 记录”的映射；文件已损坏时可删去，再重新收集各单位的报送表",
                        shown, 1, code="E961")
    log = {}
    for unit, raw in data.items():
        try:
            entry = Entry(**raw)
            entry.rows = {str(k): str(v) for k, v in (entry.rows or {}).items()}
        except TypeError:
            raise PlanError(f"“{unit}”的报送记录有误；文件已损坏时可删去，再重新收集各单位的报送表",
                            shown, lines.get(str(unit), 1), code="E961") from None
        log[str(unit)] = entry
    return log


def save_log(root: Path, log: dict[str, Entry]) -> None:
    data = {unit: asdict(entry) for unit, entry in log.items()}
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    atomic_write(root / LOG_FILE, text.encode("utf-8"))
