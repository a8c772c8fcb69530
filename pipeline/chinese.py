"""Chinese numerals as plan texts write them: 第十一章, （二十三）, 二〇二〇年九月."""
from __future__ import annotations

import unicodedata

DIGITS = "零一二三四五六七八九"
DATE_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 105 → 一百零五 (up to 9999)."""
    if not 0 < n < 10000:
        raise ValueError(n)
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    out = ""
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    zero = False
    for value, name in units:
        digit = n // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += DIGITS[digit] + name
            zero = False
        elif out:
            zero = True
    return out


def cn_date(iso: str) -> str:
    """'2020-09' → 二〇二〇年九月 (the day, if given, is left off as covers do)."""
    year, month = iso.split("-")[:2]
    return "".join(DATE_DIGITS[int(d)] for d in year) + "年" + cn_number(int(month)) + "月"


def circled(n: int) -> str:
    """① … ⑳; beyond twenty, plan texts go on with (21)."""
    return chr(0x245F + n) if 0 < n <= 20 else f"({n})"


def format_number(pattern: str, n: int) -> str:
    """{cn}: 十一, {n}: 11, {circled}: ⑪."""
    return pattern.format(cn=cn_number(n), n=n, circled=circled(n))


def display_width(text: str) -> int:
    """Width in half-width units: a Chinese character (or full-width form) counts 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_width(text: str) -> int:
    """Width in half-width units as Chinese text prints it: quotes, dashes and other characters
    of ambiguous width are set full-width too."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)
