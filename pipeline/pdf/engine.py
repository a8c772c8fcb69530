"""PDF export through one long-lived LibreOffice for a whole build.

The venv's Python cannot import `uno` (only Debian's /usr/bin/python3 can), so this side is plain
Python: it starts soffice itself (so it knows the pid to kill), starts uno_worker.py under
/usr/bin/python3 to drive soffice over a named pipe, and talks JSON lines to the worker. A document
that hangs or crashes soffice costs that document only: both processes are killed and started
again for the next one.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import threading
import time
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PlanError

UNO_PYTHON = Path("/usr/bin/python3")
WORKER = Path(__file__).with_name("uno_worker.py")
INSTALL_HINT = "请以 root 身份运行 scripts/install-system.sh 安装所需组件（生成 .docx 不受影响）"


@dataclass
class PdfError(PlanError):
    """A PDF could not be made. `message` is Simplified Chinese for the user and names the
    document itself (so `file` stays empty); `detail` keeps LibreOffice's own words for a log.
    Codes E6xx: E601 LibreOffice unavailable, E602 start failed, E603 input missing or not a
    .docx, E604 LibreOffice cannot open it, E605 conversion failed, E606 timeout, E607 soffice
    crashed, E608 PDF not written, E609 fontconfig missing."""

    document: Path | None = None
    detail: str = ""


@dataclass(frozen=True)
class ConversionResult:
    pdf: Path
    pages: int
    seconds: float
    spacers: dict[str, int] = field(default_factory=dict)  # spacer bookmark → height, twips
    body_page: int = 1  # the page the body starts on


@dataclass(frozen=True)
class GridSpacers:
    """What LibreOffice needs to bring text back to the grid after tables, 专栏 and figures:
    the row pitch (twips), the styles whose lines sit on rows, the spacers' style and bookmark
    prefix."""
    pitch: int
    styles: tuple[str, ...]
    spacer: str
    prefix: str
    least: int = 3  # twips: a spacer is never lower than this

    def request(self) -> dict:
        hundredths = 2540 / 1440  # twips → 1/100 mm
        return {"pitch": self.pitch * hundredths, "styles": list(self.styles),
                "spacer": self.spacer, "prefix": self.prefix,
                "least": round(self.least * hundredths)}


def pdf_pages(pdf: Path) -> int | None:
    """The number of pages of a PDF file as a reader counts them; None if it is no PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        with open(pdf, "rb") as handle:
            if handle.read(5) != b"%PDF-":
                return None
        return len(PdfReader(pdf).pages)
    except (PyPdfError, OSError, ValueError):
        return None


def find_soffice() -> Path | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    fallback = Path("/usr/lib/libreoffice/program/soffice")
    return fallback if fallback.exists() else None


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when PDF export can work here; otherwise why not, in Chinese, with how to fix it."""
    soffice = find_soffice()
    if soffice is None:
        return f"未找到 LibreOffice（soffice 命令），无法生成 PDF。{INSTALL_HINT}。"
    if not UNO_PYTHON.exists():
        return f"未找到 {UNO_PYTHON}，无法运行 LibreOffice 的 Python 接口（uno）。{INSTALL_HINT}。"
    probe = subprocess.run([str(UNO_PYTHON), "-I", "-c", "import uno"],
                           capture_output=True, timeout=60)
    if probe.returncode != 0:
        return (f"{UNO_PYTHON} 无法导入 uno 模块（缺少 python3-uno 软件包），无法生成 PDF。"
                f"{INSTALL_HINT}。")
    # The -nogui build lacks the UI files that soffice needs to open documents with comments.
    program = soffice.resolve().parent
    if not (program.parent / "share/config/soffice.cfg/modules/swriter/ui/annotation.ui").exists():
        return ("当前安装的 LibreOffice 缺少界面定义文件（可能是 libreoffice-writer-nogui），"
                f"打开带批注的文档时会崩溃。请改装 libreoffice-writer：{INSTALL_HINT}。")
    return None


def _server_binary(soffice: Path) -> Path:
    # The `soffice` script execs oosplash, which forks soffice.bin: killing the pid we started
    # would leave soffice.bin running. Start soffice.bin itself so our pid is the real process.
    binary = soffice.resolve().with_name("soffice.bin")
    return binary if binary.exists() else soffice


def _kill(*procs: subprocess.Popen | None) -> None:
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.kill()
    for proc in procs:
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


def _pump_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)  # end of stream: the worker has exited


def _remove_our_lock(docx: Path, profile_url: str) -> None:
    """Removes the `.~lock.NAME#` that a soffice we killed left beside the document. The lock
    names the profile that wrote it; one naming another profile belongs to a person editing the
    file, and stays."""
    lock = docx.with_name(f".~lock.{docx.name}#")
    try:
        if profile_url in lock.read_text(encoding="utf-8", errors="replace"):
            lock.unlink(missing_ok=True)
    except OSError:
        pass


def stop_strays(profile_dir: Path) -> int:
    """Kills the soffice (and its UNO worker) still running on `profile_dir` after the process
    that started it died without closing it: a stray soffice holds the profile, and the next
    soffice on it hands its work over to the stray and quits. Linux: read from /proc. Returns
    how many processes were killed."""
    profile_arg = f"-env:UserInstallation={Path(profile_dir).resolve().as_uri()}"
    found: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.stat().st_uid != os.getuid():
                continue
            found[int(entry.name)] = (entry / "cmdline").read_bytes().decode(
                "utf-8", "replace").split("\0")
        except (OSError, ValueError):
            continue  # gone meanwhile
    pipes = {arg.removeprefix("--accept=pipe,name=").split(";")[0]
             for args in found.values() if profile_arg in args
             for arg in args if arg.startswith("--accept=pipe,name=")}
    strays = [pid for pid, args in found.items() if profile_arg in args
              or any(args[i:i + 2] == ["--pipe", pipe] for pipe in pipes
                     for i in range(len(args) - 1))]
    for pid in strays:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pipe in pipes:
        Path(f"/tmp/OSL_PIPE_{os.getuid()}_{pipe}").unlink(missing_ok=True)
    return len(strays)


class PdfEngine:
    """One soffice and one UNO worker serving every conversion of a build.

        with PdfEngine(profile_dir, fontconfig=Path("styles/fonts.conf")) as engine:
            engine.convert(docx, pdf, title="…", subject="…")

    `timeout` bounds one document (seconds); it may be changed between conversions. soffice's
    and the worker's output go to `profile_dir/soffice.log`. Not thread-safe: one build thread
    drives one engine.
    """

    def __init__(self, profile_dir: Path, fontconfig: Path | None, timeout: float = 120,
                 *, startup_timeout: float = 60):
        self.profile_dir = Path(profile_dir).resolve()
        self.fontconfig = Path(fontconfig).resolve() if fontconfig else None
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self._profile_url = self.profile_dir.as_uri()
        self._soffice: subprocess.Popen | None = None
        self._worker: subprocess.Popen | None = None
        self._lines: queue.Queue = queue.Queue()
        self._pipe = ""
        self._log_started = False
        self._finalizer = None
        self._closing: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> PdfEngine:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def soffice_pid(self) -> int | None:
        return self._soffice.pid if self._soffice and self._soffice.poll() is None else None

    def is_running(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self._soffice, self._worker))

    def start(self) -> None:
        """Starts soffice and the worker unless both are running. Raises PdfError."""
        if self._closing is not None:  # released: the profile is free once that soffice is gone
            self.close()
        if self.is_running():
            return
        self._stop_processes()
        reason = unavailable_reason()
        if reason:
            raise PdfError(reason, code="E601")
        soffice = find_soffice()
        env = dict(os.environ)
        if self.fontconfig:
            env["FONTCONFIG_FILE"] = str(self.fontconfig)
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        # One log per engine: restarts within a build append, so a crash's output stays visible.
        log = open(self.profile_dir / "soffice.log", "ab" if self._log_started else "wb")
        self._log_started = True
        try:
            self._create_profile(soffice, env, log)
            self._pipe = pipe = f"pipeline-pdf-{os.getpid()}-{secrets.token_hex(4)}"
            self._soffice = subprocess.Popen(
                [str(_server_binary(soffice)), f"-env:UserInstallation={self._profile_url}",
                 "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                 f"--accept=pipe,name={pipe};urp;"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
            self._worker = subprocess.Popen(
                [str(UNO_PYTHON), "-I", str(WORKER), "--pipe", pipe,
                 "--connect-timeout", str(self.startup_timeout)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                text=True, encoding="utf-8", bufsize=1)
        finally:
            log.close()  # the children hold their own copies of the descriptor
        # Kill the children even if the caller forgets close() (or the interpreter exits).
        self._finalizer = weakref.finalize(self, _kill, self._soffice, self._worker)
        self._lines = queue.Queue()
        threading.Thread(target=_pump_lines, args=(self._worker.stdout, self._lines),
                         daemon=True).start()
        ready = self._read_reply(self.startup_timeout + 5)
        if not (ready and ready.get("ready")):
            detail = (ready or {}).get("error", "worker exited or timed out")
            self._stop_processes()
            raise PdfError(f"无法启动 LibreOffice，无法生成 PDF（{detail}）。", code="E602",
                           detail=detail)

    def close(self) -> None:
        """Asks LibreOffice to quit cleanly (so the profile stays sound), then kills leftovers."""
        if self._closing is not None:
            self._closing.join()
            self._closing = None
        else:
            self._quit()
        self._stop_processes()

    def release(self) -> None:
        """Lets LibreOffice quit in the background after the last conversion: what the caller
        does next with the PDF (the font and layout checks) need not wait for it; close() does."""
        if self._closing is None and self.is_running():
            self._closing = threading.Thread(target=self._quit, daemon=True)
            self._closing.start()

    def _quit(self) -> None:
        if self.is_running():
            try:
                self._worker.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self._worker.stdin.flush()
                self._read_reply(5)
                self._soffice.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass

    def _create_profile(self, soffice: Path, env: dict, log) -> None:
        # A brand-new profile makes soffice restart once and drop the first connection: create it
        # in a separate run first (through the `soffice` script, whose oosplash handles restarts).
        if (self.profile_dir / "user" / "registrymodifications.xcu").exists():
            return
        try:
            subprocess.run([str(soffice), f"-env:UserInstallation={self._profile_url}",
                            "--headless", "--terminate_after_init"],
                           stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                           timeout=self.startup_timeout, check=False)
        except subprocess.TimeoutExpired:
            pass  # the worker's connection retries cover a profile still being made

    def _stop_processes(self) -> None:
        _kill(self._worker, self._soffice)
        if self._pipe:
            # A killed soffice leaves its listening socket behind (sal's pipe folder is /tmp).
            Path(f"/tmp/OSL_PIPE_{os.getuid()}_{self._pipe}").unlink(missing_ok=True)
            self._pipe = ""
        if self._worker is not None and self._worker.stdin:
            try:
                self._worker.stdin.close()
            except OSError:
                pass
        if self._finalizer is not None:
            self._finalizer.detach()
        self._soffice = self._worker = self._finalizer = None

    def _read_reply(self, timeout: float) -> dict | None:
        """The worker's next JSON reply; None when `timeout` passed first."""
        try:
            line = self._lines.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None
        if line is None:
            return {"ok": False, "stage": "exit", "error": "the UNO worker exited"}
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            return {"ok": False, "stage": "protocol", "error": line.strip()}

    # -- conversion --------------------------------------------------------------------------

    def convert(self, docx: Path, pdf: Path, *, title: str, subject: str,
                grid: GridSpacers | None = None, blank_pages: bool = False,
                own_line_numbers: bool = False) -> ConversionResult:
        """Exports `docx` to `pdf` with the TOC updated, bookmarks, and Title/Subject set.
        `grid`: set the spacers after tables, 专栏 and figures so that the text after them is
        back on the grid (their heights come back in `spacers`); `blank_pages`: keep the blank
        versos LibreOffice inserts so that a part starts on a recto (double-sided printing);
        `own_line_numbers`: LibreOffice sets no line numbers (the PDF stage numbers every line
        afterwards, see linenumbers.py). `pages` is the PDF's own count.

        Raises PdfError naming the document. An existing `pdf` is replaced only by a complete
        new one.
        """
        started = time.monotonic()
        docx, pdf = Path(docx), Path(pdf)
        source, target = docx.resolve(), pdf.resolve()
        if not source.is_file():
            raise PdfError(f"找不到文档 {docx}，无法生成 PDF。", code="E603", document=docx)
        if not zipfile.is_zipfile(source):
            raise PdfError(f"文档 {docx} 已损坏或不是 Word（.docx）文件，无法生成 PDF。",
                           code="E603", document=docx, detail="not a zip archive")
        self.start()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            reply = self._ask(docx, source, {
                "cmd": "convert", "docx": str(source), "pdf": str(partial), "title": title,
                "subject": subject, "grid": grid.request() if grid else None,
                "blank_pages": blank_pages, "own_line_numbers": own_line_numbers})
            self._check_reply(docx, reply)
            pages = pdf_pages(partial)
            if pages is None:
                raise PdfError(f"LibreOffice 为 {docx} 写出的 PDF 不完整。", code="E608",
                               document=docx)
            os.replace(partial, target)
        except OSError as exc:
            raise PdfError(f"LibreOffice 未能为 {docx} 写出 PDF（{exc}）。", code="E608",
                           document=docx, detail=str(exc)) from exc
        finally:
            partial.unlink(missing_ok=True)
        return ConversionResult(pdf=pdf, pages=pages, seconds=time.monotonic() - started,
                                spacers=reply.get("spacers") or {},
                                body_page=reply.get("body_page", 1))

    def tracked_text(self, docx: Path, action: str = "none") -> tuple[int, list[str]]:
        """How many tracked changes LibreOffice reads in `docx`, and the text of every
        paragraph (table cells included) after it accepts all of them (`action="accept"`),
        rejects all of them ("reject") or leaves them ("none"). A cross-check of a redline
        with a word processor's own reading of it. Raises PdfError."""
        docx = Path(docx)
        source = docx.resolve()
        if not source.is_file():
            raise PdfError(f"找不到文档 {docx}。", code="E603", document=docx)
        self.start()
        reply = self._ask(docx, source, {"cmd": "tracked_text", "docx": str(source),
                                         "action": action})
        self._check_reply(docx, reply)
        return reply["redlines"], reply["paragraphs"]

    def _ask(self, document: Path, source: Path, request: dict) -> dict:
        """Sends one request about `source` and waits for the reply, at most `timeout`."""
        # A lock that a soffice we killed left (here or in an earlier build) makes
        # loadComponentFromURL fail; one naming our profile is ours to remove.
        _remove_our_lock(source, self._profile_url)
        try:
            # ASCII-only JSON: the worker reads stdin in whatever locale encoding it gets.
            self._worker.stdin.write(json.dumps(request) + "\n")
            self._worker.stdin.flush()
        except OSError:
            pass  # a dead worker shows up below as a missing reply
        reply = self._read_reply(self.timeout)
        if reply is None:
            # Still running after the deadline: a hung document. Kill both; the next
            # conversion starts them again.
            self._stop_processes()
            _remove_our_lock(source, self._profile_url)
            raise PdfError(f"转换 {document} 超过 {self.timeout:g} 秒仍未完成，已终止 LibreOffice；"
                           "后续文档将使用重新启动的 LibreOffice。", code="E606",
                           document=document, detail="timeout")
        return reply

    def to_docx(self, source: Path, docx: Path) -> None:
        """Saves a file LibreOffice can open (a reviewer's .doc or .wps) as `docx`, comments
        and tracked changes kept. Raises PdfError naming the file."""
        self._store_as(Path(source), Path(docx), "docx")

    def to_xlsx(self, source: Path, xlsx: Path) -> None:
        """Saves a spreadsheet LibreOffice can open (a unit's .xls or .et) as `xlsx`, merged
        cells and defined names kept. Raises PdfError naming the file."""
        self._store_as(Path(source), Path(xlsx), "xlsx")

    def to_bitmap(self, source: Path, bmp: Path, dpi: int, max_side: int) -> tuple[int, int]:
        """Draws a picture LibreOffice reads (an EMF or WMF of a Word file) as a .bmp at `dpi`
        for its own size, its longer side at most `max_side` pixels; returns its size. Raises
        PdfError naming the file."""
        resolved = Path(source).resolve()
        self.start()
        reply = self._ask(source, resolved, {"cmd": "to_bitmap", "source": str(resolved),
                                             "bmp": str(Path(bmp).resolve()), "dpi": dpi,
                                             "max_side": max_side})
        self._check_reply(source, reply)
        width, height = reply["size"]
        return width, height

    def _store_as(self, source: Path, target: Path, suffix: str) -> None:
        resolved = source.resolve()
        if not resolved.is_file():
            raise PdfError(f"找不到文档 {source}。", code="E603", document=source)
        self.start()
        partial = target.resolve().with_name(f".{target.name}.{os.getpid()}.part")
        try:
            reply = self._ask(source, resolved, {"cmd": f"to_{suffix}", "source": str(resolved),
                                                 suffix: str(partial)})
            self._check_reply(source, reply)
            if not zipfile.is_zipfile(partial):
                raise PdfError(f"LibreOffice 未能把 {source} 另存为 .{suffix}。", code="E608",
                               document=source)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    @property
    def pipe_name(self) -> str:
        """The pipe soffice accepts UNO connections on, for another client (a test that plays
        a reviewer); empty while not running."""
        return self._pipe if self.is_running() else ""

    def _check_reply(self, docx: Path, reply: dict) -> None:
        if reply.get("ok"):
            return
        # Our profile's lock is stale once a conversion failed, whether soffice died with it
        # or not yet: under load the worker may answer before soffice is seen gone.
        _remove_our_lock(docx.resolve(), self._profile_url)
        detail = reply.get("error", "")
        # A killed soffice shows up as a closed bridge in the worker ("DisposedException",
        # "Binary URP bridge disposed") or as the worker itself exiting.
        crashed = (self._soffice is None or self._soffice.poll() is not None
                   or reply.get("stage") == "exit" or "Disposed" in detail
                   or "URP bridge" in detail)
        if crashed:
            self._stop_processes()
            raise PdfError(f"LibreOffice 在转换 {docx} 时意外退出；后续文档将使用重新启动的 "
                           "LibreOffice。", code="E607", document=docx, detail=detail)
        if reply.get("stage") == "load":
            raise PdfError(f"LibreOffice 无法打开文档 {docx}：文件已损坏或不是有效的 Word（.docx）"
                           "文件。", code="E604", document=docx, detail=detail)
        raise PdfError(f"LibreOffice 转换 {docx} 失败：{detail}", code="E605", document=docx,
                       detail=detail)


def office_converter(root: Path, files: str) -> PdfEngine:
    """The plan's LibreOffice process, for converting files from outside (`files`: what they
    are, for the message when LibreOffice is missing, e.g. ".doc/.wps")."""
    from ..reading import fontconfig
    reason = unavailable_reason()
    if reason:
        raise PdfError(f"需要 LibreOffice 转换 {files}：{reason}", code="E601")
    return PdfEngine(root / "build" / ".libreoffice", fontconfig(root))

