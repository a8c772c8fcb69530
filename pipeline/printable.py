"""Text from outside (file names, comments, zip member names) made safe to show: control
characters, escape sequences and bidirectional overrides become visible marks, so a terminal
or a table shows what the file holds instead of obeying it. One place, used by the terminal
output and by the tables. A leaf: it imports nothing of the pipeline."""
from __future__ import annotations

# Bidi embeddings, overrides and isolates, the marks and the Arabic letter mark: they reorder
# the text around them (the "Trojan source" trick). Line and paragraph separators end lines.
INVISIBLE = {0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F),
             *range(0x2066, 0x206A)}


def _shown(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC → ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


TABLE = {code: _shown(code) for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), *INVISIBLE)
         if code not in (0x09, 0x0A)}
ONE_LINE = {**TABLE, 0x0A: "\u2424", 0x09: " "}  # ␤: a file name is one line


def printable(text: object, one_line: bool = False) -> str:
    """`text` with every control, escape and bidi character replaced by a visible mark; tabs
    and line breaks stay unless `one_line`."""
    return str(text).translate(ONE_LINE if one_line else TABLE)
