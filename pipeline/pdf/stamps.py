"""What makes LibreOffice's PDF of one document differ from run to run, set from the sources: the
creation date (the source date instead of the clock) and the file identifier (/ID, with
LibreOffice's /DocChecksum: a hash of the Word file instead of a random one). Each is replaced by
text of the same length, so every byte offset of the file (its cross-reference table) stays
valid.

The third difference is not here: the /UniqueID LibreOffice gives each embedded Type 1 font comes
from a counter that lives as long as the soffice process, and it sits in the font program's
encrypted part too. build.PdfWorker starts a fresh soffice for each document instead."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

CREATION = re.compile(rb"/CreationDate\(D:(\d{14})")
HEX_IDS = re.compile(rb"(/ID \[ ?<)([0-9A-F]{32})(>\s*<)([0-9A-F]{32})(> ?\])")
CHECKSUM = re.compile(rb"(/DocChecksum /)([0-9A-F]{32})")


def fixed_stamps(pdf: bytes, when: dt.datetime, source: bytes) -> bytes:
    """`pdf` with its creation date `when` and an identifier made from `source`; a file without
    those marks comes back unchanged."""
    date = when.astimezone(dt.timezone.utc).strftime("%Y%m%d%H%M%S").encode("ascii")
    digest = hashlib.md5(source, usedforsecurity=False).hexdigest().upper().encode("ascii")
    pdf = CREATION.sub(lambda m: b"/CreationDate(D:" + date, pdf)
    pdf = HEX_IDS.sub(lambda m: m[1] + digest + m[3] + digest + m[5], pdf)
    return CHECKSUM.sub(lambda m: m[1] + digest, pdf)
