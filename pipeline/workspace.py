"""A workspace: the city plan at the root and the county plans that workspace.yaml lists.

    title: 赣州市“十四五”生态环境保护规划编制
    city: 赣州市            # the city plan's name for --plan (default: the root folder's name)
    plans:
      - 县区/章贡区          # a county plan folder; its last name is the county's name

Each listed folder is a plan as any other (plan.yaml, chapters/, data/). The city's outputs stay in
build/<version>/, a county's go to build/<county>/<version>/ at the root. A plan folder finds its
workspace by looking upwards for a workspace.yaml that lists it, so `plan` run inside a county
folder acts on that plan alone yet writes where the root's run writes and reads the root's styles.

A leaf of the pipeline: it reads workspace.yaml and plan.yaml titles, nothing else.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Diagnostic, PlanError
from .files import read_text
from .yamlfile import Field, check_fields, compose_safely, parse_yaml

WORKSPACE_FILE = "workspace.yaml"
SCHEMA = {
    "title": Field(str, "工作区名称"),
    "city": Field(str, "市级规划的名称"),
    "plans": Field(list, "县（市、区）规划目录"),
    "units": Field(list, "报送单位"),  # read by intake (intake/units.py)
}
# Folders of build/ that other commands write: a county may not be called so.
BUILD_FOLDERS = ("reviews", "diff")


@dataclass(frozen=True)
class Member:
    """One plan of a workspace (or a plan on its own)."""
    name: str  # 章贡区; the city's name for the city plan
    root: Path  # the plan folder, resolved
    folder: str  # relative to the workspace root, posix: "" for the city, "县区/章贡区"
    out: Path  # where its versions go: <root>/build or <root>/build/<county>
    city: bool
    line: int = 0  # its line in workspace.yaml (0: the city, or no workspace)

    @property
    def shown(self) -> str:
        """The plan folder as a drafter at the root names it."""
        return self.folder or "."


@dataclass(frozen=True)
class Workspace:
    root: Path
    title: str
    members: list[Member]  # the city first, then the counties in workspace.yaml's order
    problems: list[Diagnostic] = field(default_factory=list)  # entries left out, and why
    listed: bool = True  # False: a plan on its own, without workspace.yaml

    @property
    def city(self) -> Member:
        return self.members[0]

    @property
    def counties(self) -> list[Member]:
        return self.members[1:]

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if name in (m.name, m.folder)), None)

    def select(self, names: list[str]) -> list[Member]:
        """The members named (each once, in the workspace's order); an unknown name stops."""
        unknown = [n for n in names if self.member(n) is None]
        if unknown:
            known = "、".join(m.name for m in self.members)
            raise PlanError(f"工作区中没有名为“{'、'.join(unknown)}”的规划（可用：{known}）",
                            WORKSPACE_FILE if self.listed else None, code="E028")
        chosen = {self.member(n).root for n in names}
        return [m for m in self.members if not names or m.root in chosen]


def alone(root: Path) -> Workspace:
    """A plan folder that no workspace lists: a workspace of one, built as it always was."""
    root = Path(root).resolve()
    return Workspace(root, "", [Member(root.name, root, "", root / "build", True)], listed=False)


def read_workspace(root: Path) -> Workspace:
    """workspace.yaml at `root`. A broken file stops (nothing says which plans there are); an
    entry that cannot be a plan is left out with a diagnostic naming its line, so the others
    are still built."""
    root = Path(root).resolve()
    text = read_text(root / WORKSPACE_FILE, WORKSPACE_FILE)
    data, lines = parse_yaml(text, WORKSPACE_FILE)
    data = check_fields(data, SCHEMA, WORKSPACE_FILE, lines, 1, "workspace.yaml ")
    entries = data.get("plans") or []
    city_name = (data.get("city") or root.name).strip()
    city = Member(city_name, root, "", root / "build", True)
    members, problems = [city], []
    for entry, line in zip(entries, _item_lines(text, lines.get("plans", 1), len(entries))):
        try:
            members.append(_county(root, entry, line, members))
        except PlanError as exc:
            problems.append(exc.diagnostic)
    return Workspace(root, str(data.get("title", "")).strip(), members, problems)


def _item_lines(text: str, fallback: int, count: int) -> list[int]:
    """The line of each item of plans:, for messages."""
    _, node = compose_safely(text)
    items = next((value.value for key, value in node.value if key.value == "plans"), [])
    return [item.start_mark.line + 1 for item in items] or [fallback] * count


def _county(root: Path, entry: object, line: int, members: list[Member]) -> Member:
    def fail(message: str, code: str) -> PlanError:
        return PlanError(message, WORKSPACE_FILE, line, code=code)

    if not isinstance(entry, str) or not entry.strip():
        raise fail(f"plans 中的每一项应为县（市、区）规划目录（如 县区/章贡区），实际为“{entry}”",
                   "E021")
    folder = entry.strip().replace("\\", "/").strip("/")
    path = (root / folder).resolve()
    if not path.is_relative_to(root) or path == root:
        raise fail(f"规划目录“{entry}”不在工作区目录之内", "E027")
    if not path.is_dir():
        raise fail(f"工作区列出的规划目录“{folder}”不存在", "E022")
    if not (path / "plan.yaml").is_file():
        raise fail(f"工作区列出的目录“{folder}”中没有 plan.yaml，不是规划目录", "E023")
    relative = path.relative_to(root).as_posix()
    name = path.name
    for other in members:
        if other.root == path:
            raise fail(f"规划目录“{folder}”列出了两次（第一次在第 {other.line} 行）", "E024")
        if not other.city and other.name == name:
            raise fail(f"“{folder}”与“{other.folder}”的目录名都是“{name}”：县（市、区）规划以目录名"
                       "区分，输出到 build/<目录名>/，请改名", "E025")
    if name.startswith(".") or name in BUILD_FOLDERS or name in _version_keys(root):
        raise fail(f"规划目录名“{name}”与 build/ 中的版本或其他输出目录同名，请改名", "E029")
    return Member(name, path, relative, root / "build" / name, False, line)


def _version_keys(root: Path) -> set[str]:
    """The city's build/ holds one folder per version: plan.yaml's and the three defaults."""
    keys = {"draft", "review", "final"}
    try:
        data, _ = parse_yaml(read_text(root / "plan.yaml", "plan.yaml"), "plan.yaml")
    except PlanError:
        return keys  # the city's own build names the problem
    versions = data.get("versions") if isinstance(data, dict) else None
    return keys | {str(k) for k in versions} if isinstance(versions, dict) else keys


def find_workspace(plan_root: Path) -> tuple[Workspace, Member]:
    """The workspace a plan folder belongs to and its place in it: the root's own workspace.yaml,
    else the nearest one above that lists the folder, else a workspace of the plan alone."""
    plan_root = Path(plan_root).resolve()
    for folder in (plan_root, *plan_root.parents):
        if not (folder / WORKSPACE_FILE).is_file():
            continue
        workspace = read_workspace(folder)
        member = next((m for m in workspace.members if m.root == plan_root), None)
        if member is not None:
            return workspace, member
        if folder == plan_root:
            return workspace, workspace.city
        break  # the nearest workspace above does not list it: a plan of its own
    workspace = alone(plan_root)
    return workspace, workspace.city


def chosen(root: Path, names: list[str]) -> tuple[Workspace, list[Member]]:
    """The plans a command run for `root` acts on: at a workspace's root those `names` select
    (every plan when none), inside a plan folder that plan alone (naming another stops)."""
    root = Path(root).resolve()
    if (root / WORKSPACE_FILE).is_file():
        workspace = read_workspace(root)
        return workspace, workspace.select(names)
    workspace, member = find_workspace(root)
    if names and any(workspace.member(n) != member for n in names):
        raise PlanError(f"在 {member.name} 的规划目录中只能处理本规划；要处理其他规划，请在"
                        f"工作区根目录运行（--plan {'、'.join(names)}）", code="E028")
    return workspace, [member]


def at_root(root: Path) -> bool:
    """A command run at a workspace's root acts on its plans, each named in what it says."""
    return (Path(root) / WORKSPACE_FILE).is_file()


def style_folders(plan_root: Path) -> list[Path]:
    """Where a plan's styles/ files are looked up, first match wins: its own styles/, then the
    workspace root's (which serve every plan of the workspace)."""
    plan_root = Path(plan_root).resolve()
    folders = [plan_root / "styles"]
    try:
        workspace, member = find_workspace(plan_root)
    except PlanError:
        return folders  # a broken workspace.yaml is reported by the commands that read it
    if not member.city:
        folders.append(workspace.root / "styles")
    return folders


def cpu_count() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
