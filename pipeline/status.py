"""plan status: the table the 领导小组 asks for at each meeting — who owns what, how far along;
at a workspace's root, one line per plan."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Box, Note, ParsedChapter, Plan, inlines_of, walk
from .transform import TODO
from .workspace import Member, Workspace


@dataclass(frozen=True)
class ChapterStatus:
    file: str
    id: str
    title: str
    owner: str
    status: str
    characters: int  # characters of text the chapter contributes, drafters' notes excluded
    todos: int
    versions: list[str]  # labels of the versions that include the chapter


def chapter_status(plan: Plan) -> list[ChapterStatus]:
    labels = {key: spec.name for key, spec in plan.meta.versions.items()}
    return [ChapterStatus(p.chapter.display, p.chapter.id, p.title, p.chapter.owner,
                          p.chapter.status, characters(p), len(TODO.findall(p.chapter.body)),
                          [labels[v] for v in p.chapter.versions])
            for p in plan.parsed]


def characters(chapter: ParsedChapter) -> int:
    notes = {id(b) for n in walk(chapter.blocks) if isinstance(n, Note) for b in walk(n.blocks)}
    count = 0
    for block in walk(chapter.blocks):
        if id(block) in notes or isinstance(block, Note):
            continue
        if isinstance(block, Box):
            count += len(block.title)
        for inlines in inlines_of(block):
            count += sum(len(i.text.strip()) for i in inlines if hasattr(i, "text"))
    return count


# ---- a workspace: one line per plan ------------------------------------------------------

@dataclass(frozen=True)
class LastBuild:
    label: str  # 初稿
    when: float  # the Word file's modification time
    current: bool  # its inputs have not changed since


@dataclass(frozen=True)
class PlanStatus:
    name: str
    folder: str
    title: str
    chapters: dict[str, int]  # 编写状态 → number of chapters, in the order of STATUSES
    characters: int
    todos: int
    unanswered: int  # review opinions without 采纳情况
    last_build: LastBuild | None
    problem: str = ""  # why the plan could not be read


def plan_summary(workspace: Workspace, member: Member) -> PlanStatus:
    """What the 领导小组 asks about one plan of the workspace; a plan that cannot be read says
    why instead, and the others are still summed up."""
    from .errors import PlanError
    from .load import STATUSES
    from .reading import read_plan
    from .review.responses import unanswered

    try:
        plan, _ = read_plan(member.root)
        opinions = len(unanswered(member.root))
    except PlanError as exc:
        return PlanStatus(member.name, member.shown, "", {}, 0, 0, 0,
                          last_build(workspace, member, None), str(exc.diagnostic))
    rows = chapter_status(plan)
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    return PlanStatus(member.name, member.shown, plan.meta.title,
                      {s: n for s, n in counts.items() if n}, sum(r.characters for r in rows),
                      sum(r.todos for r in rows), opinions, last_build(workspace, member, plan))


def last_build(workspace: Workspace, member: Member, plan: Plan | None) -> LastBuild | None:
    """The version built last, and whether its outputs still match the sources."""
    from .fingerprint import fingerprint, read_record, up_to_date
    from .revision import source_revision

    latest = None
    for folder in sorted(member.out.iterdir()) if member.out.is_dir() else []:
        record = read_record(folder)
        docx = next((folder / n for n in record.outputs if n.endswith(".docx")), None) \
            if record else None
        if docx is None or not docx.is_file():
            continue
        when = docx.stat().st_mtime
        if latest is None or when > latest[0]:
            latest = (when, folder, record)
    if latest is None:
        return None
    when, folder, record = latest
    spec = plan.meta.versions.get(folder.name) if plan else None
    if spec is None:
        return LastBuild(folder.name, when, False)
    current = fingerprint(workspace, member, folder.name, spec.strict,
                          source_revision(member.root), tuple(record.extra), bool(record.pdf))
    return LastBuild(spec.label or spec.key, when,
                     up_to_date(folder, record, current, bool(record.pdf), lambda: None))
