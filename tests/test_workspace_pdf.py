"""The sample workspace built as `make draft` builds it — Word and PDF for every plan — once on
one worker and once on two: the same bytes either way, each worker with its own LibreOffice
profile, every PDF passing verify, and a second run making nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_workspace
from pipeline.cli import main
from pipeline.fingerprint import RECORD

pytestmark = pytest.mark.libreoffice
PLANS = ["赣州市", "章贡区", "瑞金市", "寻乌县"]


def build(root: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["--plan", str(root), "build", "--message-format", "json",
                                       *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.output)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    found = {}
    for name, jobs in (("serial", "1"), ("parallel", "2")):
        root = copy_workspace(tmp_path_factory.mktemp(name) / "ws")
        code, report = build(root, "--jobs", jobs)
        assert code == 0, report
        found[name] = (root, report)
    return found


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "build").rglob("*")) if p.is_file()
            and ".libreoffice" not in p.as_posix()}


def test_every_plan_gets_its_word_file_and_pdf(runs):
    root, report = runs["parallel"]
    documents = {d["plan"]: d for d in report["documents"]}
    assert list(documents) == PLANS
    for plan, document in documents.items():
        assert document["docx"] and document["pdf"] and document["pdf_pages"] > 5, plan
        assert (root / document["pdf"]).read_bytes().startswith(b"%PDF-")
    assert documents["赣州市"]["pdf"] == "build/draft/赣州市“十四五”生态环境保护规划（初稿）.pdf"
    # Dated from the sources (no git here: 2000-01-01), not by LibreOffice's clock.
    from pypdf import PdfReader
    pdf = PdfReader(root / documents["瑞金市"]["pdf"])
    assert pdf.metadata["/CreationDate"].startswith("D:20000101000000")
    assert pdf.trailer["/ID"][0] == pdf.trailer["/ID"][1]
    assert documents["寻乌县"]["pdf"] == "build/寻乌县/draft/寻乌县“十四五”生态环境保护规划（初稿）.pdf"


def test_parallel_output_is_the_serial_output_byte_for_byte(runs):
    serial, parallel = outputs(runs["serial"][0]), outputs(runs["parallel"][0])
    assert sorted(serial) == sorted(parallel)
    assert any(name.endswith(".pdf") for name in serial)
    different = [name for name in serial if serial[name] != parallel[name]]
    assert different == []


def test_each_worker_has_its_own_libreoffice_profile(runs):
    build_folder = runs["parallel"][0] / "build"
    for profile in (".libreoffice", ".libreoffice-2"):
        assert (build_folder / profile / "user" / "registrymodifications.xcu").is_file(), profile
    assert not (runs["serial"][0] / "build" / ".libreoffice-2").exists()




@pytest.mark.parametrize("plan", PLANS)
def test_every_pdf_passes_verify(runs, plan):
    root, report = runs["parallel"]
    [document] = [d for d in report["documents"] if d["plan"] == plan]
    failed = [c for c in document["layout_checks"] if not c["ok"]]
    result = CliRunner().invoke(main, ["--plan", str(root / document["folder"]), "verify",
                                       str(root / document["pdf"])])
    assert (result.exit_code == 0) == (failed == [])  # the build's checks are verify's
    assert failed == [], failed


def test_verify_at_the_root_measures_every_plans_latest_pdf(runs, monkeypatch):
    root, report = runs["parallel"]
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["verify", "--version", "draft"])
    assert result.exit_code == 0, result.output
    named = [text for text in result.stdout.splitlines() if text.split(" ")[0] in PLANS]
    assert named == [f"{d['plan']} {d['pdf']}" for d in report["documents"]]
    assert sum(text.startswith("目录页码") for text in result.stdout.splitlines()) == 4
    assert result.stdout.splitlines()[-1] == "4 个规划的 PDF：全部符合 4 份。"
    result = CliRunner().invoke(main, ["verify", "--plan", "瑞金市", "--format", "json"])
    [entry] = json.loads(result.stdout)["plans"]
    assert result.exit_code == 0 and entry["plan"] == "瑞金市"
    assert entry["pdf"].startswith("build/瑞金市/draft/") and all(c["ok"] for c in entry["checks"])


def test_a_second_run_makes_nothing_neither_word_nor_pdf(runs):
    root, _ = runs["serial"]
    before = outputs(root)
    code, report = build(root)
    assert code == 0
    assert [d["up_to_date"] for d in report["documents"]] == [True] * 4
    assert all(d["pdf"] and d["pdf_pages"] for d in report["documents"])  # as the record says
    code, report = build(root, "--format", "docx")  # a Word file with its PDF's page numbers
    assert [d["up_to_date"] for d in report["documents"]] == [True] * 4
    assert outputs(root) == before
    record = json.loads((root / "build" / "瑞金市" / "draft" / RECORD).read_text(encoding="utf-8"))
    assert record["pdf"] and record["pages"] > 5


def soffice_on(profiles: list[Path]) -> list[int]:
    """Processes running LibreOffice on one of these profile folders."""
    wanted = {f"-env:UserInstallation={p.resolve().as_uri()}" for p in profiles}
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            args = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if wanted & set(args) and (entry / "status").read_text().find("State:\tZ") < 0:
            found.append(int(entry.name))
    return found


def test_a_worker_dead_with_its_soffice_running_leaves_the_retry_a_free_profile(tmp_path,
                                                                                monkeypatch):
    """The worker dies while its soffice is up: that soffice would hold the profile, and the
    document made again on it would get no PDF."""
    import os

    from pipeline import run
    from pipeline.reading import fontconfig
    make, once = run.make, tmp_path / "crashed"

    def crashing(target, state):
        if target.member.name == "瑞金市" and not once.exists():
            once.touch()
            state.worker.warm(fontconfig(target.member.root))
            state.worker._pending[1].join()  # soffice is up on this worker's profile
            os._exit(3)
        return make(target, state)

    root = copy_workspace(tmp_path / "ws")
    monkeypatch.setattr(run, "make", crashing)
    code, report = build(root, "--jobs", "2", "--plan", "瑞金市", "--plan", "寻乌县")
    assert once.exists() and code == 0, report
    documents = {d["plan"]: d for d in report["documents"]}
    assert documents["瑞金市"]["retried"] and documents["瑞金市"]["pdf_pages"] > 5
    assert (root / documents["瑞金市"]["pdf"]).read_bytes().startswith(b"%PDF-")
    assert soffice_on([root / "build" / ".libreoffice", root / "build" / ".libreoffice-2"]) == []
