"""Plays a reviewer in LibreOffice through UNO: opens the built 征求意见稿, adds comments and
tracked changes on known sentences, edits without tracking, saves as .docx (or .doc, or an
encrypted .docx). Runs under /usr/bin/python3 (the only interpreter that imports uno):

    /usr/bin/python3 -I tests/uno/reviewer.py --pipe NAME < request.json

request: {"docx": "/abs/in.docx", "author": "…",
          "comments": [{"find": "sentence", "text": "comment"}],
          "insertions": [{"find": "sentence", "text": "inserted after it"}],
          "deletions": [{"find": "text to delete"}],
          "untracked": [{"find": "text", "replace": "new text"}],
          "saves": [{"path": "/abs/out.docx", "filter": "MS Word 2007 XML", "password": ""}]}
Prints {"ok": true} or {"ok": false, "error": "…"}.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pipeline" / "pdf"))
from uno_worker import connect_context  # noqa: E402  (the engine's own connection code)


def props(**values) -> tuple:
    return tuple(PropertyValue(Name=k, Value=v) for k, v in values.items())


def set_user_name(ctx, name: str) -> None:
    """Tracked changes take their author from the user profile, as in the desktop program."""
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx)
    node = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        props(nodepath="/org.openoffice.UserProfile/Data"))
    node.setPropertyValue("givenname", name)
    node.setPropertyValue("sn", "")
    node.commitChanges()


def find(doc, text: str):
    search = doc.createSearchDescriptor()
    search.SearchString = text
    found = doc.findFirst(search)
    if found is None:
        raise LookupError(f"not found: {text}")
    return found


def review(ctx, request: dict) -> None:
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    set_user_name(ctx, request["author"])
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(request["docx"]), "_blank", 0,
                                       props(Hidden=True))
    try:
        for item in request.get("comments", []):
            found = find(doc, item["find"])
            note = doc.createInstance("com.sun.star.text.textfield.Annotation")
            note.Author = request["author"]
            note.Content = item["text"]
            found.getText().insertTextContent(found, note, True)  # spans the sentence
        doc.RecordChanges = True
        for item in request.get("insertions", []):
            found = find(doc, item["find"])
            found.getText().insertString(found.getEnd(), item["text"], False)
        for item in request.get("deletions", []):
            find(doc, item["find"]).setString("")
        doc.RecordChanges = False
        for item in request.get("untracked", []):
            find(doc, item["find"]).setString(item["replace"])
        for save in request["saves"]:
            args = props(FilterName=save.get("filter", "MS Word 2007 XML"), Overwrite=True)
            if save.get("password"):
                args += props(Password=save["password"])
            doc.storeToURL(uno.systemPathToFileUrl(save["path"]), args)
    finally:
        doc.close(True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipe", required=True)
    args = parser.parse_args()
    request = json.loads(sys.stdin.read())
    try:
        review(connect_context(args.pipe, 60), request)
    except Exception as exc:  # the test shows the reason
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps({"ok": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
