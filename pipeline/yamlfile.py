"""Safe YAML reading that keeps line numbers, and a small schema check with Chinese messages."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .errors import PlanError


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    label: str  # Chinese name of the field, for messages
    choices: tuple[str, ...] | None = None


KIND_NAMES = {str: "文本", int: "整数", list: "列表", dict: "映射", bool: "是/否"}
# libyaml's parser when PyYAML was built with it: the same safe constructors, ten times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_safely(text: str) -> Any:
    """The data of a YAML text we ship or wrote ourselves (no line marks needed)."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 — SAFE_LOADER is a safe loader


def compose_safely(text: str) -> tuple[Any, yaml.Node | None]:
    """The data and its node tree (with line marks) from one safe parse. On a syntax error the
    pure-Python parser reads it again: its marks point at the drafter's line more often."""
    try:
        return _compose(text, SAFE_LOADER)
    except yaml.YAMLError:
        if SAFE_LOADER is yaml.SafeLoader:
            raise
        return _compose(text, yaml.SafeLoader)


def _compose(text: str, loader_class: type) -> tuple[Any, yaml.Node | None]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def load_yaml(text: str, file: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """Load YAML safely; return the data and its node tree (lines of nested keys)."""
    try:
        return compose_safely(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(f"YAML 格式错误，请检查冒号后的空格、括号与引号是否成对、缩进是否一致"
                        f"（解析器提示：{problem}）", file, line, code="E101") from None


def parse_yaml(text: str, file: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """Load YAML safely; return the data and the line of each top-level key."""
    data, node = load_yaml(text, file, first_line)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            lines[str(key.value)] = first_line + key.start_mark.line
    return data, lines


def check_fields(data: Any, schema: dict[str, Field], file: str, lines: dict[str, int],
                 line: int, what: str) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlanError(f"{what}应为“键: 值”形式的映射", file, line, code="E102")
    for key, value in list(data.items()):
        at = lines.get(str(key), line)
        spec = schema.get(str(key))
        if spec is None:
            known = "、".join(schema)
            raise PlanError(f"{what}中有未知的键“{key}”（可用的键：{known}）", file, at, code="E103")
        kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
        if value is None and spec.choices:  # `status:` with nothing after it: not given
            del data[key]
            continue
        if value is None and str in kinds:  # `label:` with nothing after it: an empty text
            data[key] = value = ""
        if not isinstance(value, spec.kind) or isinstance(value, bool) and spec.kind is not bool:
            want = "或".join(KIND_NAMES.get(k, k.__name__) for k in kinds)
            shown = "空" if value is None else f"“{value}”"
            raise PlanError(f"{what}中“{key}”（{spec.label}）应为{want}，实际为{shown}",
                            file, at, code="E104")
        if spec.choices and value not in spec.choices:
            raise PlanError(f"{what}中“{key}”（{spec.label}）只能是 {'、'.join(spec.choices)}，"
                            f"实际为“{value}”", file, at, code="E105")
    return data
