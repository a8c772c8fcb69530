"""LibreOffice side of the PDF engine: runs under Debian's /usr/bin/python3, the only interpreter
where `import uno` works, so it is started by pipeline.pdf.engine as a child process and imports
nothing from the project.

    /usr/bin/python3 -I uno_worker.py --pipe NAME [--connect-timeout SECONDS]

It connects to the soffice that the engine started with `--accept=pipe,name=NAME;urp;` and then
answers JSON lines on stdin/stdout, one response line per request line:

    {"cmd": "convert", "docx": "/abs/in.docx", "pdf": "/abs/out.pdf", "title": "...", "subject": "..."}
    -> {"ok": true, "pages": 12}
    -> {"ok": false, "stage": "load", "error": "..."}
    {"cmd": "to_docx", "source": "/abs/in.doc", "docx": "/abs/out.docx"}
    -> {"ok": true}      (a .doc or .wps a reviewer returned, saved as .docx to be read)
    {"cmd": "to_xlsx", "source": "/abs/in.xls", "xlsx": "/abs/out.xlsx"}
    -> {"ok": true}      (a .xls or .et a unit returned, saved as .xlsx to be read)
    {"cmd": "tracked_text", "docx": "/abs/in.docx", "action": "accept"|"reject"|"none"}
    -> {"ok": true, "redlines": 5, "paragraphs": ["...", ...]}
    {"cmd": "quit"}  -> {"ok": true}, then LibreOffice is asked to terminate and the worker exits
                        (so does end of input: the engine's process has gone).

The engine decides where the PDF goes (it writes to a temporary name and renames after checking the
result), owns the soffice process (it kills and restarts it on a timeout or a crash) and removes a
stale `.~lock.NAME#` that a soffice it killed left beside a document.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import traceback

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

WORD_FILTER = "MS Word 2007 XML"
CALC_FILTER = "Calc MS Excel 2007 XML"
PDF_FILTER = "writer_pdf_Export"


def _props(**values) -> tuple:
    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


REMOTE: dict = {}


def connect(pipe: str, timeout: float):
    """Returns the Desktop of the soffice listening on `pipe`."""
    ctx = connect_context(pipe, timeout)
    REMOTE["ctx"] = ctx  # services such as the DispatchHelper live on soffice's side
    return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def connect_context(pipe: str, timeout: float):
    """Returns the component context of the soffice listening on `pipe`.

    soffice needs a moment before it accepts, and on a brand-new profile it restarts once and
    drops the first connection, so connecting is retried until the deadline.
    """
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def no_hanging_punctuation(doc) -> None:
    """LibreOffice 7.4 on a line grid drops a line-end ，、； that it lets hang into the margin
    (measured: 654 commas in the docx, 649 in the PDF), and it ignores w:overflowPunct. Turning
    hanging off in every paragraph style keeps every character and 28 to a line."""
    styles = doc.getStyleFamilies().getByName("ParagraphStyles")
    for name in styles.getElementNames():
        style = styles.getByName(name)
        if style.ParaIsHangingPunctuation:
            style.ParaIsHangingPunctuation = False


def word_line_number_style(doc) -> None:
    """Word sets line numbers in its "line number" character style; LibreOffice imports that
    style but numbers lines in its own "Line Numbering" style, at body size."""
    numbering = doc.getLineNumberingProperties()
    styles = doc.getStyleFamilies().getByName("CharacterStyles")
    if numbering.IsOn and styles.hasByName("line number"):
        numbering.CharStyleName = "line number"


def update_indexes(doc) -> None:
    # The first update can move headings to other pages (the TOC itself grows), so update twice.
    indexes = doc.getDocumentIndexes()
    for _ in range(2):
        for i in range(indexes.getCount()):
            indexes.getByIndex(i).update()


@contextlib.contextmanager
def opened(desktop, path: str):
    """The document at `path`, hidden, closed afterwards; None when LibreOffice cannot load it."""
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(path), "_blank", 0,
        # The filter is named so that a damaged file is rejected instead of being guessed as text.
        _props(Hidden=True, FilterName=WORD_FILTER, UpdateDocMode=0))
    try:
        yield doc
    finally:
        if doc is not None:
            try:
                doc.close(True)
            except Exception:
                doc.dispose()


NOT_LOADED = {"ok": False, "stage": "load", "error": "loadComponentFromURL returned None"}


def convert(desktop, request: dict) -> dict:
    with opened(desktop, request["docx"]) as doc:
        if doc is None:
            return NOT_LOADED
        no_hanging_punctuation(doc)
        word_line_number_style(doc)
        doc.refresh()
        update_indexes(doc)
        info = doc.getDocumentProperties()
        info.Title = request.get("title", "")
        info.Subject = request.get("subject", "")
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(
            ExportBookmarks=True,
            EmbedStandardFonts=True,
            UseTaggedPDF=True,
            ExportNotes=False,
        ))
        doc.storeToURL(uno.systemPathToFileUrl(request["pdf"]), (
            PropertyValue(Name="FilterName", Value=PDF_FILTER),
            PropertyValue(Name="Overwrite", Value=True),
            PropertyValue(Name="FilterData", Value=filter_data),
        ))
        pages = doc.getCurrentController().getPropertyValue("PageCount")
        return {"ok": True, "pages": int(pages)}


def paragraph_texts(text) -> list:
    """Every paragraph's text in order, descending into tables cell by cell (row by row)."""
    out = []
    items = text.createEnumeration()
    while items.hasMoreElements():
        item = items.nextElement()
        if item.supportsService("com.sun.star.text.TextTable"):
            for name in item.getCellNames():  # row by row
                out.extend(paragraph_texts(item.getCellByName(name).getText()))
        elif item.supportsService("com.sun.star.text.Paragraph"):
            out.append(item.getString())
    return out


def tracked_text(desktop, request: dict) -> dict:
    """The tracked changes LibreOffice reads in a .docx, and its text once every change is
    accepted, rejected or left as it is (request["action"]: accept | reject | none)."""
    with opened(desktop, request["docx"]) as doc:
        if doc is None:
            return NOT_LOADED
        redlines, items = 0, doc.getRedlines().createEnumeration()
        while items.hasMoreElements():
            items.nextElement()
            redlines += 1
        command = {"accept": ".uno:AcceptAllTrackedChanges",
                   "reject": ".uno:RejectAllTrackedChanges"}.get(request.get("action", "none"))
        if command:
            helper = REMOTE["ctx"].ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.DispatchHelper", REMOTE["ctx"])
            helper.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, ())
        return {"ok": True, "redlines": redlines, "paragraphs": paragraph_texts(doc.getText())}


def store_as(source: str, target: str, filter_name: str, desktop) -> dict:
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0,
        _props(Hidden=True, UpdateDocMode=0))  # no FilterName: the format is the file's own
    if doc is None:
        return NOT_LOADED
    try:
        doc.storeToURL(uno.systemPathToFileUrl(target),
                       _props(FilterName=filter_name, Overwrite=True))
        return {"ok": True}
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()


def to_docx(desktop, request: dict) -> dict:
    """Any format LibreOffice recognises (Word 97 .doc, WPS .wps) stored as .docx, comments and
    tracked changes kept."""
    return store_as(request["source"], request["docx"], WORD_FILTER, desktop)


def to_xlsx(desktop, request: dict) -> dict:
    """A spreadsheet LibreOffice recognises (Excel 97 .xls, WPS .et) stored as .xlsx, merged
    cells and defined names kept."""
    return store_as(request["source"], request["xlsx"], CALC_FILTER, desktop)


COMMANDS = {"convert": convert, "to_docx": to_docx, "to_xlsx": to_xlsx,
            "tracked_text": tracked_text}


def handle(desktop, request: dict) -> dict:
    command = COMMANDS.get(request.get("cmd"))
    if command is None:
        return {"ok": False, "stage": "request", "error": f"unknown cmd {request.get('cmd')!r}"}
    try:
        return command(desktop, request)
    except Exception as exc:  # any UNO error is an answer, not a reason for the worker to die
        return {"ok": False, "stage": "convert",
                "error": f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}",
                "traceback": traceback.format_exc(limit=3)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipe", required=True)
    parser.add_argument("--connect-timeout", type=float, default=60.0)
    args = parser.parse_args()

    # Responses go to the original stdout only; anything else a library prints goes to stderr so
    # it cannot corrupt the JSON stream.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(message: dict) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")

    try:
        desktop = connect(args.pipe, args.connect_timeout)
    except Exception as exc:
        reply({"ok": False, "stage": "connect", "error": f"{type(exc).__name__}: {exc}"})
        return 1
    reply({"ok": True, "ready": True})

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            reply({"ok": False, "stage": "request", "error": str(exc)})
            continue
        if request.get("cmd") == "quit":
            reply({"ok": True})
            break
        reply(handle(desktop, request))
    # Quit, or stdin closed because the engine's process is gone (even killed): either way do
    # not leave soffice running, or it would hold the profile and swallow the next build's start.
    try:
        desktop.terminate()
    except Exception:
        pass  # soffice going away closes the bridge mid-call; that is the point
    return 0


if __name__ == "__main__":
    sys.exit(main())
