"""Layout profiles: the numbers of the official format, read from styles/<name>.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PlanError
from .yamlfile import parse_yaml

PACKAGE_STYLES = Path(__file__).resolve().parent.parent / "styles"
TWIPS_PER_MM = 1440 / 25.4
EMU_PER_MM = 36000
REQUIRED = ("page", "grid", "body", "title", "numbering", "page_number", "cover", "toc", "table",
            "figure", "box", "note", "footnote", "list", "header", "line_numbers")


@dataclass(frozen=True)
class Layout:
    name: str
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @property
    def type_width_twips(self) -> int:
        return twips(self["page"]["type_width_mm"])

    def scheme(self, numbering: str) -> list[dict[str, Any]]:
        return self["numbering"][numbering]


def twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def half_points(pt: float) -> int:
    return round(pt * 2)


def style_file(filename: str, plan_root: Path) -> Path | None:
    """A file of styles/: the plan's own copy first, then its workspace root's, else the one
    shipped with the pipeline."""
    from .workspace import style_folders
    for folder in (*style_folders(plan_root), PACKAGE_STYLES):
        if (folder / filename).is_file():
            return folder / filename
    return None


def load_layout(name: str, plan_root: Path) -> Layout:
    path = style_file(f"{name}.yaml", plan_root)
    if path is None:
        raise PlanError(f"找不到版式方案 styles/{name}.yaml", "plan.yaml", code="E401")
    shown = f"styles/{name}.yaml"
    data, _ = parse_yaml(path.read_text(encoding="utf-8"), shown)
    missing = [key for key in REQUIRED if key not in (data or {})]
    if missing:
        raise PlanError(f"版式方案缺少：{'、'.join(missing)}", shown, 1, code="E402")
    return Layout(name, data)
