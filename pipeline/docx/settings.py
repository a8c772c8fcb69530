"""settings.xml and fontTable.xml."""
from __future__ import annotations

from lxml import etree

from ..layout import Layout
from .ooxml import NS, el, qn, tostring, val

# GB2312 charset: Word uses it to pick a substitute when the named face is missing.
GB2312 = "86"


def build_settings(has_footnotes: bool) -> bytes:
    root = etree.Element(qn("w:settings"), nsmap={"w": NS["w"]})
    root.append(el("w:zoom", {"w:percent": 100}))
    root.append(val("w:defaultTabStop", 420))
    root.append(el("w:evenAndOddHeaders"))  # §7.5: odd pages right, even pages left
    root.append(val("w:characterSpacingControl", "doNotCompress"))
    # Word lays pages out a little differently from LibreOffice: let it refresh the 目录.
    root.append(val("w:updateFields", "true"))
    if has_footnotes:
        root.append(el("w:footnotePr", None, el("w:footnote", {"w:id": -1}),
                       el("w:footnote", {"w:id": 0})))
    root.append(el("w:compat", None, el("w:compatSetting", {
        "w:name": "compatibilityMode", "w:uri": "http://schemas.microsoft.com/office/word",
        "w:val": 15})))
    root.append(el("w:themeFontLang", {"w:val": "en-US", "w:eastAsia": "zh-CN"}))
    root.append(val("w:decimalSymbol", "."))
    root.append(val("w:listSeparator", ","))
    return tostring(root)


def used_fonts(layout: Layout, numbering: str) -> list[str]:
    """Every font name the profile writes, in a stable order."""
    names: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("numbering", "font_alternates"):
                    continue
                if key == "font" or key.endswith("_font"):
                    names.append(value)
                elif key.endswith("_fonts"):
                    names.extend(value)
                else:
                    visit(value)
    visit(layout.data)
    names += [spec["font"] for spec in layout.scheme(numbering)]
    return list(dict.fromkeys(names))


def build_font_table(layout: Layout, numbering: str) -> bytes:
    alternates = layout.data.get("font_alternates", {})
    root = etree.Element(qn("w:fonts"), nsmap={"w": NS["w"]})
    for name in used_fonts(layout, numbering):
        font = el("w:font", {"w:name": name})
        if name in alternates:
            font.append(val("w:altName", alternates[name]))
        font.append(val("w:charset", GB2312))
        font.append(val("w:family", "auto"))
        font.append(val("w:pitch", "variable"))
        root.append(font)
    return tostring(root)
