"""A run of `plan build` over the plans of a workspace: what is out of date, and building it in
parallel.

Planning reads only workspace.yaml, each plan.yaml and the fingerprint records, and hashes the
inputs (fingerprint.py): a run where nothing changed reads no chapter. The documents to make go to
a pool of worker processes, the biggest first; each worker owns a LibreOffice profile folder
(PdfWorker: a fresh soffice on it for each PDF, the engine's timeout and restart rules) and makes
a whole document — Word file, PDF, fonts, layout checks — so Word files and PDFs of different
documents are made side by side. With one worker, or one document to make, everything happens in this process.

A plan that cannot be read fails alone; the others are still built.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .built import BuiltDocument
from .errors import Diagnostic, PlanError
from .files import read_text
from .fingerprint import (Fingerprint, Record, file_digest, fingerprint, read_record,
                          up_to_date, write_record)
from .load import load_meta
from .model import PlanMeta, SourceRevision
from .revision import source_revision
from .workspace import WORKSPACE_FILE, Member, Workspace, at_root, chosen

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


@dataclass(frozen=True)
class Target:
    """One version of one plan to make."""
    workspace: Workspace
    member: Member
    version: str
    strict: bool
    pdf: bool
    revision: SourceRevision
    fingerprint: Fingerprint
    cost: int  # bytes of chapters, to start the biggest documents first


@dataclass
class Outcome:
    """What the run says about one version of one plan, or about a plan it could not read."""
    member: Member
    version: str
    built: BuiltDocument | None = None  # None: the plan could not be read
    errors: list[Diagnostic] = field(default_factory=list)  # why the plan could not be read
    retried: bool = False  # made again after its worker process died

    @property
    def ok(self) -> bool:
        return self.built is not None and not (self.built.refused or self.built.failed)


@dataclass
class Run:
    workspace: Workspace
    members: list[Member]  # the plans selected, in the workspace's order
    versions: list[str]
    targets: list[Target] = field(default_factory=list)  # to make
    fresh: list[Outcome] = field(default_factory=list)  # up to date, or unreadable plans
    problems: list[Diagnostic] = field(default_factory=list)  # workspace.yaml's

    @property
    def total(self) -> int:
        return len(self.targets) + len(self.fresh)


def plan_run(root: Path, names: list[str], versions: list[str], pdf: bool, force: bool) -> Run:
    """Which documents to make. `root` is a workspace root or a plan folder (then that plan
    alone, with its workspace's styles and output folders); `names` selects plans by name."""
    root = Path(root).resolve()
    if not (root / WORKSPACE_FILE).is_file() and not (root / "plan.yaml").is_file():
        from .load import load_plan
        load_plan(root)  # says there is no plan.yaml here, as it always did
    workspace, members = chosen(root, names)
    # Inside a county folder, the others' problems are not ours.
    run = Run(workspace, members, versions, problems=list(workspace.problems)
              if at_root(root) else [])
    titles: dict[str, Member] = {}
    for member in members:
        try:
            meta = member_meta(member, titles)
        except PlanError as exc:
            run.fresh.append(Outcome(member, "", errors=exc.diagnostics))
            continue
        titles[meta.title] = member
        revision = source_revision(member.root)
        for version in versions:
            outcome, target = plan_version(workspace, member, meta, version, revision, pdf,
                                           force)
            if target is not None:
                run.targets.append(target)
            else:
                run.fresh.append(outcome)
    return run


def member_meta(member: Member, titles: dict[str, Member]) -> PlanMeta:
    meta = load_meta(read_text(member.root / "plan.yaml", "plan.yaml"))
    other = titles.get(meta.title)
    if other is not None:
        raise PlanError(f"规划名称“{meta.title}”与 {other.shown}/plan.yaml 相同：各规划的名称须不同，"
                        "才能区分生成的文件", "plan.yaml", code="E026")
    return meta


def plan_version(workspace: Workspace, member: Member, meta: PlanMeta, version: str,
                 revision: SourceRevision, pdf: bool, force: bool
                 ) -> tuple[Outcome | None, Target | None]:
    spec = meta.versions[version]
    folder = member.out / version
    record = read_record(folder)
    current = fingerprint(workspace, member, version, spec.strict, revision,
                          tuple(record.extra) if record else (), pdf)
    if not force and up_to_date(folder, record, current, pdf, pdf_unavailable):
        return Outcome(member, version, from_record(member, version, spec.label or version,
                                                    folder, record, pdf)), None
    cost = sum(p.stat().st_size for p in (member.root / "chapters").glob("*.md"))
    return None, Target(workspace, member, version, spec.strict, pdf, revision, current, cost)


def pdf_unavailable() -> str | None:
    from .pdf import unavailable_reason
    return unavailable_reason()


def from_record(member: Member, version: str, label: str, folder: Path, record: Record,
                pdf: bool) -> BuiltDocument:
    """The outputs an earlier run made, as that run reported them."""
    from .verify import Check

    def output(suffix: str) -> Path | None:
        name = next((n for n in record.outputs if n.endswith(suffix)), None)
        return folder / name if name else None

    return BuiltDocument(
        version, label, output(".docx"), pdf=output(".pdf") if pdf else None,
        pdf_skipped=record.pdf_skipped if pdf else "", pdf_pages=record.pages,
        checks=[Check(**c) for c in record.checks] if pdf else [],
        verify_report=output(".版式检查.txt") if pdf else None, manifest=output("manifest.json"),
        diagnostics=[Diagnostic(**d) for d in record.diagnostics], plan=member.name,
        up_to_date=True)


# ---- making the documents ----------------------------------------------------------------

class JobState:
    """What one process keeps between its documents: its LibreOffice profile and the plans it
    read (the versions of one plan are read once)."""

    def __init__(self, build_root: Path, slot: int) -> None:
        from .build import PdfWorker, profile_folder
        self.worker = PdfWorker(profile_folder(build_root, slot))
        self.plans: dict[Path, tuple] = {}

    def read(self, root: Path):
        from .reading import read_plan
        if root not in self.plans:
            self.plans[root] = read_plan(root)
        return self.plans[root]


def make(target: Target, state: JobState) -> Outcome:
    from .build import build_version
    member = target.member
    started = time.monotonic()
    if target.pdf and not pdf_unavailable():
        from .reading import fontconfig
        state.worker.warm(fontconfig(member.root))  # soffice starts while the docx is made
    try:
        plan, layout = state.read(member.root)
    except PlanError as exc:
        state.worker.cancel()
        return Outcome(member, target.version, errors=exc.diagnostics)
    reading = time.monotonic() - started  # once per plan and process: 0 for its next versions
    try:
        built = build_version(plan, layout, target.version, target.revision, member.out,
                              state.worker if target.pdf else None)
    finally:
        state.worker.cancel()  # a soffice warmed for nothing does not outlive the document
    built.plan = member.name
    built.stages = {"读取与解析": reading, **built.stages}
    built.seconds += reading
    if built.docx is not None:
        remember(target, built)
    return Outcome(member, target.version, built)


def remember(target: Target, built: BuiltDocument) -> None:
    """The fingerprint record beside the outputs just made."""
    member = target.member
    extra = tuple(sorted(shown for shown in (relative(p, member.root) for p in built.sources)
                         if not shown.startswith("chapters/")))
    current = target.fingerprint
    if extra != current.extra:  # an image (or chapter) outside chapters/: found by building
        current = fingerprint(target.workspace, member, target.version, target.strict,
                              target.revision, extra, target.pdf)
    made = [built.docx, built.manifest, built.pdf, built.verify_report]
    record = Record(current.docx, current.pdf if built.pdf and not built.failed else "",
                    built.pdf_skipped, list(extra),
                    {p.name: file_digest(p) for p in made if p is not None},
                    built.pdf_pages,
                    [{"item": c.item, "requirement": c.requirement, "measured": c.measured,
                      "ok": c.ok} for c in built.checks],
                    [d.as_json() for d in built.diagnostics])
    write_record(built.docx.parent, record)


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


STATE: JobState | None = None  # in a worker process of the pool


def start_worker(slots, build_root: Path) -> None:
    global STATE
    STATE = JobState(build_root, slots.get())


def make_in_worker(target: Target) -> Outcome:
    return make(target, STATE)


def make_alone(target: Target, slot: int, build_root: Path, reply) -> None:
    """A document made again after a worker died, in a process of its own: a second death
    costs this document only."""
    global STATE
    STATE = JobState(build_root, slot)
    try:
        outcome = make_in_worker(target)
    except Exception as exc:  # noqa: BLE001 — a bug in the pipeline, not bad input
        outcome = internal_error(target, exc)
    reply.send(outcome)
    reply.close()


def internal_error(target: Target, exc: BaseException) -> Outcome:
    return Outcome(target.member, target.version, errors=[Diagnostic(
        "E037", "error", f"生成{target.member.name}（{target.version}）时出现程序错误"
        f"（{type(exc).__name__}：{exc}），未生成，原有输出保持不变；请把这段话报告给维护者")])


def died(target: Target, exitcode: int | None) -> Outcome:
    how = (f"被信号 {-exitcode} 终止" if exitcode is not None and exitcode < 0
           else f"退出码 {exitcode}")
    return Outcome(target.member, target.version, errors=[Diagnostic(
        "E031", "error", f"生成{target.member.name}（{target.version}）时工作进程意外退出，在单独的"
        f"进程中重新生成时再次退出（{how}），未生成，原有输出保持不变；其他文档照常生成")])


# Codes of a document lost with its worker process, not of a plan that cannot be read.
WORKER_CODES = ("E031", "E037")


class Execution:
    """The documents of a run being made. Entering starts the worker processes and hands them
    every document at once (before the caller starts a progress display's thread: the workers
    are forked); iterating yields each outcome as it is done, up-to-date ones first.

    A worker that dies (killed, a crash, out of memory) breaks the pool, and every document not
    yet done with it: those are made again, each in a fresh process of its own, so a document
    that kills its worker once more is the only one lost."""

    def __init__(self, run: Run, jobs: int) -> None:
        self.run = run
        self.targets = sorted(run.targets, key=lambda t: -t.cost)
        self.workers = max(1, min(jobs, len(self.targets)))
        self.pool: ProcessPoolExecutor | None = None
        self.futures: dict = {}

    def __enter__(self) -> Execution:
        if self.workers > 1:
            # Loaded only for a pool: a one-document run does not pay for multiprocessing.
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            context = multiprocessing.get_context("fork")
            slots = context.Queue()
            for slot in range(1, self.workers + 1):
                slots.put(slot)
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                            initializer=start_worker,
                                            initargs=(slots, self.run.workspace.root))
            self.futures = {self.pool.submit(make_in_worker, t): t for t in self.targets}
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=exc_info[0] is not None)

    def __iter__(self) -> Iterator[Outcome]:
        yield from self.run.fresh
        if not self.targets:
            return
        if self.pool is None:
            state = JobState(self.run.workspace.root, 1)
            for target in self.targets:
                yield make(target, state)
            return
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool
        unfinished = []
        for future in as_completed(self.futures):
            target = self.futures[future]
            try:
                yield future.result()
            except BrokenProcessPool:
                unfinished.append(target)
            except Exception as exc:  # noqa: BLE001 — raised in the worker: a bug, not bad input
                yield internal_error(target, exc)
        if unfinished:
            self.pool.shutdown(wait=True)  # the pool has ended its workers
            self.pool = None
            yield from self.again([t for t in self.targets if t in unfinished])

    def again(self, targets: list[Target]) -> Iterator[Outcome]:
        """`targets` made once more, up to `workers` at a time, each by a fresh process."""
        import multiprocessing
        from multiprocessing.connection import wait

        from .build import profile_folder
        from .pdf.engine import stop_strays
        root = self.run.workspace.root
        context = multiprocessing.get_context("fork")
        free = list(range(1, self.workers + 1))
        for slot in free:  # the soffice of a killed worker still holds its profile
            stop_strays(profile_folder(root, slot))
        waiting, running = list(targets), {}
        while waiting or running:
            while waiting and free:
                target, slot = waiting.pop(0), free.pop(0)
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(target=make_alone, daemon=True,
                                          args=(target, slot, root, writer))
                process.start()
                writer.close()  # the child's copy alone: its end of the pipe closes with it
                running[reader] = (process, target, slot)
            for reader in wait(list(running)):
                process, target, slot = running.pop(reader)
                try:
                    outcome = replace(reader.recv(), retried=True)
                except EOFError:  # died before it could answer
                    outcome = None
                reader.close()
                process.join()
                if outcome is None:
                    stop_strays(profile_folder(root, slot))
                    outcome = died(target, process.exitcode)
                free.append(slot)
                yield outcome


def with_folder(diagnostic: Diagnostic, member: Member, base: Path) -> Diagnostic:
    """A plan's diagnostic as seen from `base` (the folder the run was started for): a county
    plan's files get the county folder in front, so an editor at the root opens them."""
    if not diagnostic.file or member.root == base:
        return diagnostic
    prefix = relative(member.root, base)
    return replace(diagnostic, file=f"{prefix}/{diagnostic.file}")
