"""One small builder per OOXML construct, with children kept in the order the schema fixes."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree

from ..names import A, PIC, R, W, WP, XML

NS = {"w": W, "r": R, "wp": WP, "a": A, "pic": PIC, "xml": XML}

# Sequences from the WordprocessingML schema (ECMA-376 Part 1, §17). Word "repairs" files whose
# property children are out of order, so builders sort by these lists.
SEQUENCE = {
    "w:pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
              "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
              "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
              "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
              "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"],
    "w:rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
              "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
              "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
              "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
              "eastAsianLayout", "specVanish", "oMath"],
    "w:sectPr": ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
                 "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
                 "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
                 "printerSettings", "sectPrChange"],
    "w:tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
                "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"],
    "w:tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
               "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"],
    "w:tblBorders": ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV"],
    "w:pBdr": ["top", "left", "bottom", "right", "between", "bar"],
}


RANK = {tag: {name: i for i, name in enumerate(names)} for tag, names in SEQUENCE.items()}


@lru_cache(maxsize=None)
def qn(tag: str) -> str:
    """'w:p' → Clark notation; bare names (DrawingML attributes) stay bare."""
    if ":" not in tag:
        return tag
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def el(tag: str, attrs: dict[str, str | int] | None = None, *children: etree._Element
       ) -> etree._Element:
    node = etree.Element(qn(tag), {qn(k): str(v) for k, v in attrs.items()} if attrs else None)
    if children:
        node.extend(children)
    return node


def props(tag: str, *children: etree._Element | None) -> etree._Element:
    """A property element (w:pPr, w:rPr, …) with its children in schema order."""
    rank = RANK[tag]
    present = [c for c in children if c is not None]
    present.sort(key=lambda c: rank[c.tag.rsplit("}", 1)[1]])
    return el(tag, None, *present)


def val(tag: str, value: str | int) -> etree._Element:
    return el(tag, {"w:val": value})


def fonts(name: str) -> etree._Element:
    """All four slots: CJK punctuation (“” 《》 ——) must render in the Chinese face too."""
    return el("w:rFonts", {"w:ascii": name, "w:hAnsi": name, "w:eastAsia": name, "w:cs": name})


def size(half_points: int) -> list[etree._Element]:
    return [val("w:sz", half_points), val("w:szCs", half_points)]


def lang() -> etree._Element:
    return el("w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"})


def spacing(**attrs: int | str) -> etree._Element:
    names = {"before": "w:before", "after": "w:after", "line": "w:line", "rule": "w:lineRule",
             "before_lines": "w:beforeLines", "after_lines": "w:afterLines"}
    return el("w:spacing", {names[k]: v for k, v in attrs.items()})


def indent(**attrs: int) -> etree._Element:
    names = {"left": "w:left", "right": "w:right", "first": "w:firstLine",
             "first_chars": "w:firstLineChars", "left_chars": "w:leftChars",
             "hanging": "w:hanging"}
    return el("w:ind", {names[k]: v for k, v in attrs.items()})


def run(text: str, rpr: etree._Element | None = None) -> etree._Element:
    r = el("w:r")
    if rpr is not None:
        r.append(rpr)
    t = el("w:t")
    t.text = text
    if text != text.strip():
        t.set(qn("xml:space"), "preserve")
    r.append(t)
    return r


def paragraph(style: str | None, *content: etree._Element, ppr_extra: list | None = None
              ) -> etree._Element:
    p = el("w:p")
    extra = [c for c in (ppr_extra or []) if c is not None]
    if style or extra:
        p.append(props("w:pPr", val("w:pStyle", style) if style else None, *extra))
    for c in content:
        p.append(c)
    return p


def field(instruction: str, result: list[etree._Element]) -> list[etree._Element]:
    """A complex field (fldChar begin / instrText / separate / result / end) as runs."""
    instr = el("w:instrText")
    instr.text = f" {instruction} "
    instr.set(qn("xml:space"), "preserve")
    return [el("w:r", None, el("w:fldChar", {"w:fldCharType": "begin"})),
            el("w:r", None, instr),
            el("w:r", None, el("w:fldChar", {"w:fldCharType": "separate"})),
            *result,
            el("w:r", None, el("w:fldChar", {"w:fldCharType": "end"}))]


def bookmark(id_: int, name: str) -> tuple[etree._Element, etree._Element]:
    return (el("w:bookmarkStart", {"w:id": id_, "w:name": name}),
            el("w:bookmarkEnd", {"w:id": id_}))


def page_break() -> etree._Element:
    return el("w:r", None, el("w:br", {"w:type": "page"}))


def border(tag: str, eighths: int, style: str = "single") -> etree._Element:
    return el(tag, {"w:val": style, "w:sz": eighths, "w:space": 0, "w:color": "000000"})


def table_borders(eighths: int, inner: int | None = None, top: int | None = -1,
                  bottom: int | None = -1) -> etree._Element:
    """w:tblBorders: the outer lines `eighths` of a point wide, the inner ones `inner` (the
    same by default); `top` or `bottom` None leaves that edge without a line, a number gives
    it its own width."""
    inner = eighths if inner is None else inner
    widths = {"top": eighths if top == -1 else top, "left": eighths,
              "bottom": eighths if bottom == -1 else bottom, "right": eighths,
              "insideH": inner, "insideV": inner}
    return props("w:tblBorders", *(border(f"w:{side}", size) if size is not None else
                                   el(f"w:{side}", {"w:val": "nil"})
                                   for side, size in widths.items()))


def doc_grid(line_pitch: int) -> etree._Element:
    # type="lines" with character spacing in Normal: LibreOffice renders linesAndChars as 14/line.
    return el("w:docGrid", {"w:type": "lines", "w:linePitch": line_pitch})


def tostring(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- tracked changes (ECMA-376 §17.13.5) ---------------------------------

REMOVED = ("del", "moveFrom")


def revision_mark(kind: str, id_: int, author: str, date: str) -> etree._Element:
    """w:ins / w:del / w:moveFrom / w:moveTo: as a run container, or empty on a paragraph mark
    (inside pPr/rPr) or a table row (inside trPr). Word requires id, author and date."""
    return el(f"w:{kind}", {"w:id": id_, "w:author": author, "w:date": date})


def tracked_runs(kind: str, id_: int, author: str, date: str, runs: list[etree._Element]
                 ) -> etree._Element:
    """Runs wrapped in a revision; removed text moves from w:t to w:delText (and a field's
    instruction to w:delInstrText), as the schema wants inside w:del and w:moveFrom."""
    wrapper = revision_mark(kind, id_, author, date)
    for r in runs:
        if kind in REMOVED:
            for t in r.iter(qn("w:t"), qn("w:instrText")):
                t.tag = qn("w:delText") if t.tag == qn("w:t") else qn("w:delInstrText")
        wrapper.append(r)
    return wrapper


def move_range(kind: str, id_: int, name: str, author: str, date: str
               ) -> tuple[etree._Element, etree._Element]:
    """w:moveFromRangeStart/End or w:moveToRangeStart/End around a moved paragraph's runs."""
    return (el(f"w:{kind}RangeStart", {"w:id": id_, "w:name": name, "w:author": author,
                                        "w:date": date}),
            el(f"w:{kind}RangeEnd", {"w:id": id_}))
