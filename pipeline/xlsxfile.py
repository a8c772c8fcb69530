"""Saving an openpyxl workbook as the same bytes for the same data: openpyxl stamps the zip
entries and the created/modified dates with the clock; the sources' date goes in their place."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from .docx.package import zip_bytes


def workbook_bytes(book: Any, when: dt.datetime, keep_created: bool = False) -> bytes:
    """`keep_created`: a workbook read from a file keeps the date it was made."""
    naive = when.astimezone(dt.timezone.utc).replace(tzinfo=None) if when.tzinfo else when
    if not (keep_created and book.properties.created):
        book.properties.created = naive
    book.properties.modified = naive
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = naive.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(buffer) as saved:
        entries = [(name, saved.read(name)) for name in saved.namelist()]
    entries = [(name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
                if name == "docProps/core.xml" else data) for name, data in entries]
    return zip_bytes(entries, when)
