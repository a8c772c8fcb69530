"""Every font the PDF uses is embedded."""
from __future__ import annotations

import re
from typing import Any

from .pdfread import resolve
from .report import Check


def font_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by the font's own content streams
    if font.get("/Subtype") == "/Type0":
        descendants = resolve(font.get("/DescendantFonts")) or []
        return bool(descendants) and all(font_embedded(resolve(d)) for d in descendants)
    descriptor = resolve(font.get("/FontDescriptor"))
    return bool(descriptor) and any(key in descriptor
                                    for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def check_fonts_embedded(fonts: list[dict[str, Any]]) -> Check:
    requirement = "所有字体嵌入 PDF（含 Type0 的下级字体）"
    missing = sorted({str(f.get("/BaseFont", "?")).lstrip("/") for f in fonts
                      if not font_embedded(f)})
    names = sorted({base_name(str(f.get("/BaseFont", "?"))) for f in fonts})
    if missing:
        measured = f"{len(fonts)} 个字体中 {len(missing)} 种未嵌入：{'、'.join(missing)}"
    elif fonts:
        measured = f"{len(fonts)} 个字体（{len(names)} 种：{'、'.join(names)}）均已嵌入"
    else:
        measured = "PDF 不含字体"
    return Check("字体嵌入", requirement, measured, not missing)


def base_name(name: str) -> str:
    """FontName without the subset tag: /ABCDEF+FandolFang-Regular → FandolFang-Regular."""
    name = name.lstrip("/")
    return name.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", name) else name
