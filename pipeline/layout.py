"""Layout profiles: the numbers of the official format, read from styles/<name>.yaml and checked
key by key against the schema below, so that a unit's own copy with a key missing or mistyped
is refused with the file and line, in Chinese, before anything is built."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, PlanError, raise_errors
from .files import read_text
from .yamlfile import load_yaml

PACKAGE_STYLES = Path(__file__).resolve().parent.parent / "styles"
TWIPS_PER_MM = 1440 / 25.4
EMU_PER_MM = 36000


# ---- the schema ------------------------------------------------------------------------------
# A key ending in "?" may be left out. Kinds: "mm", "pt", "lines", "chars", "twips" (numbers ≥ 0),
# "count" (a whole number ≥ 1), "number" (any number), "text", "font", "color" (RRGGBB), "bool",
# "align" (left | center | right | both), [kind] a list of them, {…} a nested section, and
# "map" a mapping of texts to texts (font alternates).

LEVEL = {"number": "text", "font": "font", "size_pt": "pt", "bold?": "bool", "align?": "align",
         "indent_chars?": "chars", "space_before_lines?": "rows",
         "space_after_lines?": "rows", "continuous?": "bool"}

SCHEMA: dict[str, Any] = {
    "name": "text",
    "page": {"width_mm": "mm", "height_mm": "mm", "top_mm": "mm", "left_mm": "mm",
             "type_width_mm": "mm", "type_height_mm": "mm", "header_twips": "twips"},
    "grid": {"lines": "count", "chars": "count", "line_pitch_twips": "twips",
             "char_spacing_pt": "number"},
    "body": {"font": "font", "size_pt": "pt", "first_line_chars": "chars",
             "emphasis_font": "font"},
    "title": {"font": "font", "size_pt": "pt", "line_pt": "pt"},
    "numbering": "schemes",
    "page_number": {"font": "font", "size_pt": "pt", "dash": "text",
                    "below_type_area_mm": "mm", "indent_chars": "chars",
                    "number_length_mm": "mm"},
    "cover": {"title_size_pt": "pt", "title_space_before_mm": "mm", "title_line_pt": "pt",
              "subtitle_font": "font", "subtitle_size_pt": "pt", "footer_font": "font",
              "footer_size_pt": "pt", "footer_space_before_mm": "mm"},
    "toc": {"title": "text", "title_font": "font", "title_size_pt": "pt", "levels": "count",
            "title_space_after_lines": "lines", "indent_chars": "chars",
            "entry_sizes_pt": ["pt"], "entry_fonts": ["font"]},
    "table": {"label": "text", "font": "font", "size_pt": "pt", "header_font": "font",
              "caption_font": "font", "caption_size_pt": "pt",
              "caption_space_before_lines": "lines", "border_pt": "pt", "note_size_pt": "pt",
              "cell_margin_mm": "mm", "cell_padding_mm": "mm", "short_column_chars": "chars",
              "min_column_chars": "chars", "centre_chars": "chars", "landscape_columns": "count"},
    "figure": {"label": "text", "caption_font": "font", "caption_size_pt": "pt",
               "max_height_mm": "mm"},
    "box": {"label": "text", "title_font": "font", "title_size_pt": "pt", "font": "font",
            "size_pt": "pt", "line_pt": "pt", "first_line_chars": "chars", "border_pt": "pt",
            "shading": "color"},
    "note": {"label": "text", "highlight": "text", "shading": "color"},
    "footnote": {"font": "font", "size_pt": "pt"},
    "header": {"font": "font", "size_pt": "pt", "detail_size_pt": "pt"},
    "line_numbers": {"font": "font", "size_pt": "pt", "distance_mm": "mm", "pdf_face": "font"},
    "list": {"bullet": "text", "ordered": "text",
             "nested?": [{"ordered": "text", "bullet": "text"}]},
    "font_alternates?": "map",
    "verify?": {"page_mm?": "mm", "margin_mm?": "mm", "page_number_mm?": "mm"},
}

KIND_NAMES = {"mm": "毫米数", "pt": "磅数", "lines": "行数", "chars": "字数", "twips": "缇数",
              "rows": "整行数（半行会使页首标题之后的正文偏离行网格）",
              "count": "正整数", "number": "数值", "text": "文本", "font": "字体名",
              "color": "六位十六进制颜色（如 F2F2F2）", "bool": "true 或 false",
              "align": "left、center、right 或 both"}
NONNEGATIVE = {"mm", "pt", "lines", "chars", "twips"}
ALIGNS = ("left", "center", "right", "both")


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
    data, node = load_yaml(read_text(path, shown), shown)
    raise_errors(validate(data, node, shown))
    return Layout(name, data)


# ---- validation ------------------------------------------------------------------------------

def validate(data: Any, node: yaml.Node | None, file: str) -> list[Diagnostic]:
    """Every problem of a profile at once, each at its line: a missing or unknown key, a value
    of the wrong kind."""
    found: list[Diagnostic] = []
    if not isinstance(data, dict):
        return [Diagnostic("E402", "error", "版式方案应为“键: 值”形式的映射，按部分列出版式数字",
                           file, 1)]
    missing = [key for key in SCHEMA if not key.endswith("?") and key not in data]
    if missing:
        found.append(Diagnostic("E402", "error", f"版式方案缺少：{'、'.join(missing)}", file, 1))
    check_section(data, node, SCHEMA, "", file, found, top=True)
    return found


def lines_of(node: yaml.Node | None) -> tuple[int, dict[str, yaml.Node]]:
    """The node's line (1-based) and, for a mapping, its value nodes by key."""
    if node is None:
        return 1, {}
    values = {str(k.value): v for k, v in node.value} if isinstance(node, yaml.MappingNode) \
        else {}
    return node.start_mark.line + 1, values


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def check_section(data: dict, node: yaml.Node | None, schema: dict[str, Any], path: str,
                  file: str, found: list[Diagnostic], at: int | None = None, top: bool = False
                  ) -> None:
    """A section's keys; `at` is the line of the section's own key."""
    line, values = lines_of(node)
    keys = key_lines(node)
    wanted = {key.rstrip("?"): kind for key, kind in schema.items()}
    if not top:
        missing = [key for key in schema if not key.endswith("?") and key not in data]
        if missing:
            found.append(Diagnostic("E404", "error", f"版式方案的“{path}”缺少："
                                    f"{'、'.join(missing)}", file, at or line))
    for key, value in data.items():
        at = keys.get(str(key), line)
        name = f"{path}.{key}" if path else str(key)
        kind = wanted.get(str(key))
        if kind is None:
            found.append(Diagnostic("E406", "error", f"版式方案中有未知的键“{name}”（此处可用："
                                    f"{'、'.join(wanted)}）", file, at))
            continue
        check_value(value, values.get(str(key)), kind, name, file, at, found)


def check_value(value: Any, node: yaml.Node | None, kind: Any, name: str, file: str, at: int,
                found: list[Diagnostic]) -> None:
    def wrong(want: str) -> None:
        found.append(Diagnostic("E405", "error", f"版式方案中“{name}”应为{want}，实际为"
                                f"“{value}”", file, at))
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            return wrong("“键: 值”形式的映射")
        return check_section(value, node, kind, name, file, found, at)
    if isinstance(kind, list):
        if not isinstance(value, list) or not value:
            return wrong(f"{KIND_NAMES[kind[0]]}的列表")
        items = node.value if isinstance(node, yaml.SequenceNode) else [None] * len(value)
        for index, (item, item_node) in enumerate(zip(value, items), start=1):
            line = item_node.start_mark.line + 1 if item_node is not None else at
            check_value(item, item_node, kind[0], f"{name}[{index}]", file, line, found)
        return None
    if kind == "schemes":
        if not isinstance(value, dict) or not value:
            return wrong("编号方案的映射（方案名: 各级标题的列表）")
        _, schemes = lines_of(node)
        lines = key_lines(node)
        for scheme, levels in value.items():
            check_value(levels, schemes.get(str(scheme)), [LEVEL], f"{name}.{scheme}", file,
                        lines.get(str(scheme), at), found)
        return None
    if kind == "map":
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in value.items()):
            return wrong("“字体名: 替代字体名”形式的映射")
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else wrong(KIND_NAMES[kind])
    if kind in ("text", "font"):
        return None if isinstance(value, str) and value.strip() else wrong(KIND_NAMES[kind])
    if kind == "color":
        ok = isinstance(value, str) and len(value) == 6 and all(
            c in "0123456789abcdefABCDEF" for c in value)
        return None if ok else wrong(KIND_NAMES[kind])
    if kind == "align":
        return None if value in ALIGNS else wrong(KIND_NAMES[kind])
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "count":
        return None if number and value == int(value) and value >= 1 else wrong(KIND_NAMES[kind])
    if kind == "rows":
        return None if number and value == int(value) and value >= 0 else wrong(KIND_NAMES[kind])
    if not number or (kind in NONNEGATIVE and value < 0):
        return wrong(KIND_NAMES[kind] + ("（不小于 0）" if kind in NONNEGATIVE else ""))
    return None
