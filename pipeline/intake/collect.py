"""A batch of returned 报送表: each file read without trusting it (.xlsx, and .xls/.et through
LibreOffice), each unit's latest submission merged into the data files, every data file checked
by the loader before any is written, and the change against the unit's earlier submission told.

In a workspace a county's projects go to that county's own plan: `counties` maps a county name
(the 县（市、区） of a project row) to its plan folder; everything else goes to `root`."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..data import DataSchema, Dataset, load_schema
from ..errors import Diagnostic, PlanError
from ..files import atomic_write, display_path
from ..safefile import SPREADSHEET, Limits, sniff
from .log import Entry, load_log, save_log
from .merge import DataFile, TextFile, data_path
from .returned import Submission, read_submission
from .template import SHEETS
from .units import Unit, load_units
from .workbook import WorkbookFile

CONVERTED = (".xls", ".et")


@dataclass
class Change:
    """What one unit's submission did to the plan."""
    submission: Submission
    first: bool
    added: int = 0
    changed: int = 0
    removed: int = 0
    same: int = 0
    previous: str = ""  # the earlier submission's date
    repeated: bool = False  # the same rows and errors as the earlier submission
    replaced: list[str] = field(default_factory=list)  # other files of the unit in this batch

    def describe(self) -> str:
        s = self.submission
        head = f"{s.unit}（{s.file}，{s.date}）：有效 {len(s.rows)} 行，有误 {s.invalid} 行"
        if self.first:
            return f"{head}；首次报送，写入 {self.added} 行"
        if self.repeated:
            return f"{head}；与上次报送（{self.previous}）相同，数据文件未改动"
        return (f"{head}；重新报送（上次 {self.previous}）：新增 {self.added} 行，修改 {self.changed} 行，"
                f"删除 {self.removed} 行，未变 {self.same} 行")


@dataclass
class Collected:
    changes: list[Change] = field(default_factory=list)
    skipped: list[Diagnostic] = field(default_factory=list)  # each unreadable file, and why
    written: list[str] = field(default_factory=list)  # data files written, as shown
    cautions: list[Diagnostic] = field(default_factory=list)  # what to check in a file written

    @property
    def errors(self) -> list[Diagnostic]:
        return [e for c in self.changes for e in c.submission.errors]

    @property
    def notices(self) -> list[Diagnostic]:
        return [n for c in self.changes for n in c.submission.notices] + self.cautions


def collect_files(paths: list[Path], root: Path, units: list[Unit] | None = None,
                  counties: dict[str, Path] | None = None, limits: Limits = Limits()) -> Collected:
    root = root.resolve()
    schema = load_schema()
    units = load_units(root) if units is None else units
    plans = county_plans(counties or {}, root)
    result = Collected()
    latest: dict[str, tuple[Submission, list[str]]] = {}
    for submission in read_files(paths, root, units, schema, limits, result):
        earlier = latest.get(submission.unit)
        if earlier is None:
            latest[submission.unit] = (submission, [])
            continue
        # Two files of one unit in a batch: the later date wins, then the later in the list.
        keep, drop = (submission, earlier[0]) if submission.date >= earlier[0].date else \
            (earlier[0], submission)
        latest[submission.unit] = (keep, [*earlier[1], drop.file])
    log = load_log(root)
    targets: dict[tuple[Path, str], DataFile] = {}
    for submission, replaced in latest.values():
        change = merge(submission, log.get(submission.unit), root, plans, schema, targets)
        change.replaced = replaced
        result.changes.append(change)
    changed = [t for t in targets.values() if t.changed]
    for target in changed:
        target.check(schema)
    for target in changed:
        atomic_write(target.path, target.data())
        result.written.append(target.shown)
        result.cautions += target.cautions
    for change in result.changes:
        if not change.repeated:
            log[change.submission.unit] = entry(change, log.get(change.submission.unit))
    if any(not c.repeated for c in result.changes):
        save_log(root, log)
    return result


def county_plans(counties: dict[str, Path], root: Path) -> dict[str, Path]:
    plans = {}
    for county, folder in counties.items():
        folder = Path(folder).resolve()
        if not (folder / "plan.yaml").is_file():
            raise PlanError(f"{county}的规划目录 {display_path(folder, root)} 中没有 plan.yaml",
                            code="E962")
        plans[county] = folder
    return plans


def read_files(paths: list[Path], root: Path, units: list[Unit], schema: DataSchema,
               limits: Limits, result: Collected) -> list[Submission]:
    """Every readable file; one that cannot be read costs only itself."""
    submissions = []
    engine = None
    work = Path(tempfile.mkdtemp(prefix="plan-intake-"))
    try:
        for number, path in enumerate(paths):
            try:
                readable = path
                if sniff(path, limits, SPREADSHEET) == "ole" or path.suffix.lower() in CONVERTED:
                    if engine is None:
                        from ..pdf import office_converter  # LibreOffice only for binary files
                        engine = office_converter(root, ".xls/.et")
                    readable = work / f"{number}.xlsx"
                    engine.to_xlsx(path, readable)
                submissions.append(read_submission(path, readable, units, schema, limits))
            except PlanError as exc:  # refused by safefile, unreadable, no unit, no LibreOffice
                result.skipped.append(exc.diagnostic)
    finally:
        if engine is not None:
            engine.close()
        shutil.rmtree(work, ignore_errors=True)
    return submissions



def merge(submission: Submission, before: Entry | None, root: Path, plans: dict[str, Path],
          schema: DataSchema, targets: dict[tuple[Path, str], DataFile]) -> Change:
    """The unit's earlier rows out of every data file they may be in, its new rows into the file
    of their plan; counted against the earlier submission."""
    previous = set(before.rows) if before else set()
    for name in SHEETS:
        dataset = schema.datasets[name]
        homes = [root, *plans.values()] if name == "projects" else [root]
        rows = [r for r in submission.rows if r.dataset == name]
        for home in dict.fromkeys(homes):
            add = [r for r in rows if plans.get(r.county, root) == home]
            key = (home, name)
            if key not in targets:
                target = data_file(home, root, dataset, schema)
                if not add and not target.path.is_file():
                    continue  # nothing to take out, nothing to put in: no file to create
                targets[key] = target
            targets[key].merge(submission, previous | {r.id for r in rows}, add, schema)
    now = {r.id: r.digest for r in submission.rows}
    old = before.rows if before else {}
    change = Change(submission, before is None, previous=before.date if before else "")
    change.repeated = before is not None and old == now and \
        before.errors == [str(e) for e in submission.errors]
    change.added = sum(i not in old for i in now)
    change.changed = sum(i in old and old[i] != d for i, d in now.items())
    change.same = sum(old.get(i) == d for i, d in now.items())
    change.removed = sum(i not in now for i in old)
    return change


def data_file(home: Path, shown_from: Path, dataset: Dataset, schema: DataSchema) -> DataFile:
    path = data_path(home, dataset, schema)
    shown = display_path(path, shown_from)
    if path.suffix.lower() == ".xlsx":
        return WorkbookFile.of(dataset, path, shown, home)
    return TextFile.of(dataset, path, shown)


def entry(change: Change, before: Entry | None) -> Entry:
    s = change.submission
    times = (before.times + 1) if before else 1
    return Entry(s.file, s.date, times, len(s.rows), s.invalid, {r.id: r.digest for r in s.rows},
                 [str(e) for e in s.errors])
