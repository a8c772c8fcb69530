"""LibreOffice side of the PDF engine: runs under Debian's /usr/bin/python3, the only interpreter
where `import uno` works, so it is started by pipeline.pdf.engine as a child process and imports
nothing from the project.

    /usr/bin/python3 -I uno_worker.py --pipe NAME [--connect-timeout SECONDS]

It connects to the soffice that the engine started with `--accept=pipe,name=NAME;urp;` and then
answers JSON lines on stdin/stdout, one response line per request line:

    {"cmd": "convert", "docx": "/abs/in.docx", "pdf": "/abs/out.pdf", "title": "...", "subject": "...",
     "grid": {"pitch": 1021.3, "styles": ["Normal", ...], "spacer": "Grid Spacer",
              "prefix": "_Grid", "least": 5}, "blank_pages": true, "own_line_numbers": false}
    -> {"ok": true, "pages": 12, "spacers": {"_Grid00001": 240, ...}, "body_page": 5}
       (pages as laid out, blank pages included; spacer heights set to bring text back to the
       grid, in twips)
    -> {"ok": false, "stage": "load", "error": "..."}
    {"cmd": "to_docx", "source": "/abs/in.doc", "docx": "/abs/out.docx"}
    -> {"ok": true}      (a .doc or .wps a reviewer returned, saved as .docx to be read)
    {"cmd": "to_xlsx", "source": "/abs/in.xls", "xlsx": "/abs/out.xlsx"}
    -> {"ok": true}      (a .xls or .et a unit returned, saved as .xlsx to be read)
    {"cmd": "to_bitmap", "source": "/abs/chart.emf", "bmp": "/abs/out.bmp", "dpi": 300,
     "max_side": 3000}
    -> {"ok": true, "size": [1800, 1105]}  (an EMF/WMF picture of a Word file drawn as pixels)
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


# Word's names of the built-in styles whose LibreOffice names differ.
BUILT_IN = {"normal": "standard"}
FIXED_SPACING = 3  # com.sun.star.style.LineSpacingMode.FIX


def lo_names(names) -> set:
    return {BUILT_IN.get(n.lower(), n.lower()) for n in names}


# LibreOffice lays pages out one under the other with this gap between them (1/100 mm,
# measured: 284 twips).
PAGE_GAP = 501.6


def to_grid(doc, grid: dict) -> dict:
    """Body text after a table, a 专栏 or a figure goes back to the rows of the page's grid.

    Each such object ends with a spacer paragraph (style grid["spacer"], a bookmark starting
    with grid["prefix"]). Spacer by spacer, in document order, its exact height is set to the
    distance from where it starts to the next row, counted from the last paragraph before it
    that sits on a row (styles grid["styles"]): on the same page directly, on an earlier page
    through the heights of the pages between. Returns each spacer's height in twips, for the
    Word file to carry the same."""
    pitch, least = grid["pitch"], grid["least"]  # 1/100 mm
    on_grid, spacer_style = lo_names(grid["styles"]), grid["spacer"].lower()
    cursor = doc.getCurrentController().getViewCursor()
    page_styles = doc.getStyleFamilies().getByName("PageStyles")
    pages: dict = {}

    def page_box(number: int) -> tuple:
        """(height, top margin) of a page, 1/100 mm."""
        if number not in pages:
            cursor.jumpToPage(number)
            style = page_styles.getByName(cursor.PageStyleName)
            pages[number] = (style.Height, style.TopMargin)
        return pages[number]

    heights = {}
    reference = None  # the last paragraph on the grid
    items = doc.getText().createEnumeration()
    while items.hasMoreElements():
        item = items.nextElement()
        if not item.supportsService("com.sun.star.text.Paragraph"):
            continue
        style = item.ParaStyleName.lower()
        if style in on_grid:
            reference = item
        if style != spacer_style or reference is None:
            continue
        name = next((portion.Bookmark.getName() for portion in iterate(item)
                     if portion.TextPortionType == "Bookmark"
                     and portion.Bookmark.getName().startswith(grid["prefix"])), None)
        if name is None:
            continue
        cursor.gotoRange(reference.getStart(), False)
        first, origin = cursor.getPage(), cursor.getPosition().Y
        cursor.gotoRange(item.getStart(), False)
        page, top = cursor.getPage(), cursor.getPosition().Y
        for number in range(first, page):  # the rows of a later page start at its own top
            origin += page_box(number)[0] + PAGE_GAP
        origin += page_box(page)[1] - page_box(first)[1]
        gap = (top - origin) % pitch
        height = least if gap <= least or pitch - gap <= least else round(pitch - gap)
        spacing = item.ParaLineSpacing
        spacing.Mode, spacing.Height = FIXED_SPACING, int(height)
        item.ParaLineSpacing = spacing
        heights[name] = round(height * 1440 / 2540)
    return heights


def body_page(doc) -> int:
    """The page the body starts on, blank pages counted: that of its first anchored paragraph
    (the cover and the 目录 have none)."""
    marks = doc.getBookmarks()
    if not marks.hasByName("_Src00001"):
        return 1
    cursor = doc.getCurrentController().getViewCursor()
    cursor.gotoRange(marks.getByName("_Src00001").getAnchor().getStart(), False)
    return cursor.getPage()


def iterate(container):
    items = container.createEnumeration()
    while items.hasMoreElements():
        yield items.nextElement()


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
        if request.get("own_line_numbers"):  # the PDF stage numbers every line itself
            doc.getLineNumberingProperties().IsOn = False
        doc.refresh()
        heights = to_grid(doc, request["grid"]) if request.get("grid") else {}
        update_indexes(doc)
        info = doc.getDocumentProperties()
        info.Title = request.get("title", "")
        info.Subject = request.get("subject", "")
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(
            ExportBookmarks=True,
            EmbedStandardFonts=True,
            UseTaggedPDF=True,
            ExportNotes=False,
            # Double-sided printing: the blank versos LibreOffice inserts so that a section
            # starts on a recto stay in the PDF (a printer needs them); single-sided: dropped.
            IsSkipEmptyPages=not request.get("blank_pages", False),
        ))
        doc.storeToURL(uno.systemPathToFileUrl(request["pdf"]), (
            PropertyValue(Name="FilterName", Value=PDF_FILTER),
            PropertyValue(Name="Overwrite", Value=True),
            PropertyValue(Name="FilterData", Value=filter_data),
        ))
        pages = doc.getCurrentController().getPropertyValue("PageCount")
        return {"ok": True, "pages": int(pages), "spacers": heights, "body_page": body_page(doc)}


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


def to_bitmap(desktop, request: dict) -> dict:
    """A picture LibreOffice reads (EMF, WMF) drawn on white at `dpi` for its own size, its
    longer side at most `max_side` pixels, written to `bmp`. (LibreOffice's PNG export renders
    a metafile at screen resolution whatever size is asked, so it is drawn on a device here.)"""
    ctx = REMOTE["ctx"]
    smgr = ctx.ServiceManager
    provider = smgr.createInstanceWithContext("com.sun.star.graphic.GraphicProvider", ctx)
    graphic = provider.queryGraphic(_props(URL=uno.systemPathToFileUrl(request["source"])))
    if graphic is None:
        return NOT_LOADED
    size, per_inch = graphic.getPropertyValue("Size100thMM"), 2540
    if size.Width <= 0 or size.Height <= 0:
        size, per_inch = graphic.getPropertyValue("SizePixel"), 96
    if size.Width <= 0 or size.Height <= 0:
        return {"ok": False, "stage": "load", "error": "the picture has no size"}
    scale = min(request["dpi"] / per_inch, request["max_side"] / max(size.Width, size.Height))
    width, height = max(1, round(size.Width * scale)), max(1, round(size.Height * scale))
    toolkit = smgr.createInstanceWithContext("com.sun.star.awt.Toolkit", ctx)
    device = toolkit.createScreenCompatibleDevice(width, height)
    graphics = device.createGraphics()
    graphics.setFillColor(0xFFFFFF)
    graphics.setLineColor(0xFFFFFF)
    graphics.drawRect(0, 0, width, height)
    renderer = smgr.createInstanceWithContext("com.sun.star.graphic.GraphicRendererVCL", ctx)
    uno.invoke(renderer, "setPropertyValue",
               ("Device", uno.Any("com.sun.star.awt.XDevice", device)))
    renderer.setPropertyValue("DestinationRect", uno.createUnoStruct(
        "com.sun.star.awt.Rectangle", 0, 0, width, height))
    renderer.render(graphic)
    bitmap = device.createBitmap(0, 0, width, height).getDIB().value  # a whole .bmp file
    with open(request["bmp"], "wb") as out:
        out.write(bitmap)
    return {"ok": True, "size": [width, height]}


COMMANDS = {"convert": convert, "to_docx": to_docx, "to_xlsx": to_xlsx,
            "tracked_text": tracked_text, "to_bitmap": to_bitmap}


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
