"""What fonts the PDF really got: official name → embedded font, and characters the mapped font
cannot draw (LibreOffice then silently takes them from another font, e.g. 堃 is not in Fandol).

Everything here returns data; reporting it is the caller's business.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .engine import PdfError

if TYPE_CHECKING:
    from pypdf.generic import DictionaryObject

SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


@dataclass(frozen=True)
class EmbeddedFont:
    name: str       # BaseFont without the subset tag, e.g. "FandolFang-Regular"
    subtype: str    # "/Type0", "/TrueType", "/Type1", "/Type3"
    embedded: bool  # the font program is in the PDF (FontFile, FontFile2 or FontFile3)


@dataclass(frozen=True)
class MappedFont:
    """What fontconfig (under our fonts.conf) gives for a name written in the .docx."""
    family: str
    file: Path
    index: int              # face index inside a .ttc collection
    postscript_name: str


@dataclass(frozen=True)
class FontSubstitution:
    requested: str                 # official name in the .docx, e.g. "仿宋_GB2312"
    mapped: MappedFont
    embedded_as: tuple[str, ...]   # PDF fonts of the mapped family (any weight); empty: not used

    @property
    def found_in_pdf(self) -> bool:
        return bool(self.embedded_as)

    @property
    def faces(self) -> tuple[str, ...]:
        """The embedded faces as a reader knows them: the mapped family and the weight, e.g.
        Noto Serif CJK SC Bold for the CFF name NotoSerifCJKjp-Bold-VKana."""
        return tuple(dict.fromkeys(f"{self.mapped.family} {_ps_style(n)}".strip()
                                   for n in self.embedded_as))


@dataclass(frozen=True)
class MissingGlyph:
    char: str
    count: int            # occurrences in the text checked
    requested: str        # official name the text was set in
    mapped_family: str    # the font that lacks it

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"


@dataclass(frozen=True)
class FontReport:
    substitutions: tuple[FontSubstitution, ...]
    embedded: tuple[EmbeddedFont, ...]
    missing: tuple[MissingGlyph, ...]

    @property
    def not_embedded(self) -> tuple[EmbeddedFont, ...]:
        return tuple(f for f in self.embedded if not f.embedded)

    @property
    def unexpected(self) -> tuple[EmbeddedFont, ...]:
        """Embedded fonts no requested name maps to: LibreOffice's own fallbacks."""
        expected = {n for s in self.substitutions for n in s.embedded_as}
        return tuple(f for f in self.embedded if f.name not in expected)


def font_report(pdf: Path, text_by_font: Mapping[str, str], *,
                fontconfig: Path | None = None) -> FontReport:
    """Substitutions and uncovered characters for one exported PDF.

    `text_by_font` maps each official font name used in the .docx (仿宋_GB2312, 黑体, …) to the
    document text set in that font ("" to check the substitution only). `fontconfig` is the
    fonts.conf that soffice ran with.
    """
    embedded = embedded_fonts(pdf)
    substitutions, missing = [], []
    for requested, text in text_by_font.items():
        mapped, covered = _resolve_font(requested, _config(fontconfig))
        # Any weight of the mapped family counts: a bold 黑体 heading embeds FandolHei-Bold while
        # fontconfig names the regular face. PostScript names are "Family-Style[-suffix]".
        families = {_ps_family(n) for n in _font_names(mapped)} - {""}
        names = tuple(dict.fromkeys(
            f.name for f in embedded if _ps_family(f.name) in families))
        substitutions.append(FontSubstitution(requested, mapped, names))
        counts = Counter(ch for ch in text if _drawable(ch))
        missing += [MissingGlyph(ch, n, requested, mapped.family)
                    for ch, n in counts.items() if ord(ch) not in covered]
    return FontReport(tuple(substitutions), embedded, tuple(missing))


def embedded_fonts(pdf: Path) -> tuple[EmbeddedFont, ...]:
    """Every font resource of the PDF's pages (and the forms they draw), once per font object."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject
    reader = PdfReader(str(pdf))
    seen: set = set()
    found: list[EmbeddedFont] = []

    def visit(resources) -> None:
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject):
            return
        fonts = resources.get("/Font")
        for ref in (fonts.get_object().values() if fonts is not None else ()):
            key = getattr(ref, "idnum", id(ref))
            if key in seen:
                continue
            seen.add(key)
            found.append(_describe(ref.get_object()))
        xobjects = resources.get("/XObject")
        for ref in (xobjects.get_object().values() if xobjects is not None else ()):
            key = ("x", getattr(ref, "idnum", id(ref)))
            xobject = ref.get_object()
            if key not in seen and xobject.get("/Subtype") == "/Form":
                seen.add(key)
                visit(xobject.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return tuple(found)


def _describe(font: DictionaryObject) -> EmbeddedFont:
    subtype = str(font.get("/Subtype", ""))
    name = SUBSET_TAG.sub("", str(font.get("/BaseFont", "")).lstrip("/"))
    if subtype == "/Type3":  # glyphs are drawn by content streams inside the PDF
        return EmbeddedFont(name or "Type3", subtype, True)
    if subtype == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    has_program = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return EmbeddedFont(name, subtype, has_program)


def resolve_font(name: str, fontconfig: Path | None = None) -> MappedFont:
    """The face fontconfig picks for `name`, under `fontconfig` when given (as soffice sees it)."""
    return _resolve_font(name, _config(fontconfig))[0]


def _config(fontconfig: Path | None) -> str | None:
    return str(Path(fontconfig).resolve()) if fontconfig else None


@functools.lru_cache(maxsize=None)
def _resolve_font(name: str, fontconfig: str | None) -> tuple[MappedFont, frozenset[int]]:
    """The face, and the characters it covers: fontconfig keeps each face's charset (read from
    its cmap) in its cache, so asking costs nothing next to parsing a CJK font's cmap."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise PdfError("未找到 fc-match（fontconfig 软件包），无法检查 PDF 字体替换。"
                       "请运行 scripts/install-system.sh。", code="E609")
    env = dict(os.environ)
    if fontconfig:
        env["FONTCONFIG_FILE"] = fontconfig
    out = subprocess.run(
        [fc_match, "--format=%{family[0]}\n%{file}\n%{index}\n%{postscriptname}\n%{charset}",
         name], capture_output=True, text=True, env=env, timeout=60, check=True).stdout
    family, file, index, postscript, charset = (out.split("\n", 4) + [""] * 5)[:5]
    return MappedFont(family, Path(file), int(index or 0), postscript), _charset(charset)


def _charset(ranges: str) -> frozenset[int]:
    """fontconfig's charset notation: hexadecimal code points and ranges, "20-7e a0 a4-a5"."""
    covered: set[int] = set()
    for part in ranges.split():
        first, _, last = part.partition("-")
        covered.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(covered)


def _font_names(mapped: MappedFont) -> tuple[str, ...]:
    """Names the face can carry in a PDF: its PostScript name, and for CFF outlines the CFF
    font name. The faces of a CJK collection share one CFF, so LibreOffice embeds Noto Serif CJK
    SC as "NotoSerifCJKjp-Bold-…" (the glyphs drawn are still the SC ones from the SC cmap)."""
    return tuple(dict.fromkeys((mapped.postscript_name, *_cff_names(mapped.file, mapped.index))))


@functools.lru_cache(maxsize=None)
def _cff_names(file: Path, index: int) -> tuple[str, ...]:
    from fontTools.ttLib import TTFont
    with TTFont(str(file), fontNumber=index, lazy=True) as font:
        return tuple(font["CFF "].cff.fontNames) if "CFF " in font else ()


def _ps_style(postscript_name: str) -> str:
    """FandolFang-Regular → Regular; NotoSerifCJKjp-Bold-VKana → Bold."""
    parts = postscript_name.split("-")
    return parts[1] if len(parts) > 1 else ""


def _ps_family(postscript_name: str) -> str:
    return postscript_name.split("-", 1)[0].lower()


def _drawable(ch: str) -> bool:
    # Spaces, line breaks and control or format characters need no glyph.
    return not ch.isspace() and not unicodedata.category(ch).startswith(("C", "Z"))
