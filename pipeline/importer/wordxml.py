"""What Word's XML says about a paragraph that pandoc's reader drops: alignment, fonts, bold,
borders, page breaks and automatic numbers. Each paragraph of the main part gets a private-use
marker carrying its number, so the paragraph pandoc reads can be matched with these cues exactly.

Text boxes (w:txbxContent in a DrawingML or VML shape) are lifted out of their shape into the
body, after the paragraph they are anchored to, their paragraphs cued with the box's number:
pandoc reads some shapes and drops others, and a box's text belongs in the text anyway.

Run-level 楷体 and 黑体 become italic and bold in the copy pandoc reads: the pipeline writes
emphasis as 楷体, and a Chinese office marks a run-in heading with 黑体 rather than bold."""
from __future__ import annotations

import copy
import posixpath
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from ..names import A, MC, PACKAGE_RELS, PIC, R, W
from ..wordfile.package import WordFile, rels_name, target_part

# Plane-15 private-use characters: a paragraph's number between START and END, a page break.
START, END, PAGE = "\U000F0001", "\U000F0002", "\U000F0003"
MARK = re.compile(f"{START}(\\d+){END}")
OWN = re.compile("[\U000F0000-\U000FFFFD]")
OFF = ("0", "false", "off", "none")
CHINESE_FORMATS = ("chinese", "ideograph", "japaneseCounting", "taiwanese", "koreanCounting")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Cue:
    style: str = ""  # the paragraph style's name, lower case ("heading 1", "toc 2", "title")
    outline: int | None = None  # outline level, 0 for the top; None for body text
    align: str = ""  # center | both | left | right | distribute | ""
    bold: bool = False  # every run with text is bold (or set in 黑体)
    fonts: frozenset[str] = frozenset()  # font classes of runs with text: hei kai fang song other
    size: float = 0.0  # the largest run, in points
    bordered: bool = False  # paragraph borders: a boxed text
    break_before: bool = False  # set to start a new page
    number: str = ""  # an automatic number's kind: 篇 章 节 cn pcn n pn bullet other
    number_text: str = ""  # the number as Word shows it, e.g. 一、 (lists only)
    text_box: int = 0  # the text box the paragraph was lifted from, numbered from 1

    @property
    def emphasis(self) -> bool:
        return self.bold or bool(self.fonts & {"hei", "kai"})


@dataclass
class MarkedCopy:
    path: Path  # the .docx pandoc reads: markers in, run fonts as bold/italic
    cues: dict[int, Cue] = field(default_factory=dict)  # paragraph number → cues
    image_names: dict[str, str] = field(default_factory=dict)  # media target → name in Word
    text_boxes: dict[int, str] = field(default_factory=dict)  # text box number → its text


def font_class(name: str) -> str:
    if not name:
        return ""
    lowered = name.lower()
    if "楷" in name or "kai" in lowered:
        return "kai"
    if "黑" in name or "hei" in lowered or "小标宋" in name or "xbs" in lowered:
        return "hei"
    if "仿宋" in name or "fangsong" in lowered:
        return "fang"
    if "宋" in name or "song" in lowered or "sun" in lowered:
        return "song"
    return "other"


def on(element: etree._Element | None) -> bool | None:
    """A toggle property: None when absent, else whether it is on."""
    if element is None:
        return None
    return element.get(w("val"), "1").lower() not in OFF


class Styles:
    """styles.xml: properties through the basedOn chain, then the document defaults."""

    def __init__(self, root: etree._Element | None):
        self.styles: dict[str, etree._Element] = {}
        self.default_paragraph = ""
        self.defaults_rpr = self.defaults_ppr = None
        if root is None:
            return
        for style in root.iter(w("style")):
            sid = style.get(w("styleId"), "")
            self.styles[sid] = style
            if style.get(w("type")) == "paragraph" and \
                    style.get(w("default"), "").lower() in ("1", "true", "on"):
                self.default_paragraph = sid
        defaults = root.find(w("docDefaults"))
        if defaults is not None:
            self.defaults_rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
            self.defaults_ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")

    def name(self, sid: str) -> str:
        style = self.styles.get(sid)
        node = style.find(w("name")) if style is not None else None
        return (node.get(w("val"), sid) if node is not None else sid).lower()

    def chain(self, sid: str) -> list[etree._Element]:
        out, seen = [], set()
        while sid and sid in self.styles and sid not in seen and len(out) < 20:
            seen.add(sid)
            out.append(self.styles[sid])
            based = self.styles[sid].find(w("basedOn"))
            sid = based.get(w("val"), "") if based is not None else ""
        return out

    def find(self, sid: str, container: str, path: str) -> etree._Element | None:
        """The first `path` under w:pPr or w:rPr along the style chain, then the defaults."""
        for style in self.chain(sid):
            props = style.find(w(container))
            found = props.find(path) if props is not None else None
            if found is not None:
                return found
        defaults = self.defaults_ppr if container == "pPr" else self.defaults_rpr
        return defaults.find(path) if defaults is not None else None


class Numbering:
    """numbering.xml: what kind of number an automatically numbered paragraph shows."""

    def __init__(self, root: etree._Element | None):
        self.levels: dict[tuple[str, int], tuple[str, str]] = {}
        if root is None:
            return
        abstract = {a.get(w("abstractNumId")): a for a in root.iter(w("abstractNum"))}
        for num in root.iter(w("num")):
            ref = num.find(w("abstractNumId"))
            node = abstract.get(ref.get(w("val")) if ref is not None else None)
            if node is None:
                continue
            for lvl in node.iter(w("lvl")):
                fmt = lvl.find(w("numFmt"))
                text = lvl.find(w("lvlText"))
                ilvl = lvl.get(w("ilvl"), "0")
                self.levels[(num.get(w("numId"), ""), int(ilvl) if ilvl.isdigit() else 0)] = (
                    fmt.get(w("val"), "decimal") if fmt is not None else "decimal",
                    text.get(w("val"), "") if text is not None else "")

    def kind(self, num_id: str, level: int) -> tuple[str, str, str]:
        """(kind, numFmt, lvlText) of a numbered paragraph; kind '' when not numbered."""
        found = self.levels.get((num_id, level))
        if num_id in ("", "0") or found is None:
            return "", "", ""
        fmt, text = found
        return number_kind(fmt, text), fmt, text


def number_kind(fmt: str, text: str) -> str:
    if fmt == "bullet":
        return "bullet"
    for word in ("篇", "章", "节"):
        if word in text:
            return word
    single = text.count("%") == 1
    paren = bool(re.fullmatch(r"[（(]%\d[）)]", text))
    if fmt.startswith(CHINESE_FORMATS):
        return "pcn" if paren else "cn" if single else "other"
    if fmt in ("decimal", "decimalFullWidth", "decimalHalfWidth"):
        return "pn" if paren else "n" if single else "other"
    return "other"


class Marker:
    """One pass over the main part: cues read, markers and run emphasis written."""

    def __init__(self, styles: Styles, numbering: Numbering):
        self.styles, self.numbering = styles, numbering
        self.cues: dict[int, Cue] = {}
        self.text_boxes: dict[int, str] = {}

    def paragraph_prop(self, ppr: etree._Element | None, sid: str, name: str
                       ) -> etree._Element | None:
        found = ppr.find(w(name)) if ppr is not None else None
        return found if found is not None else self.styles.find(sid, "pPr", w(name))

    def run_prop(self, rpr: etree._Element | None, run_style: str, para_style: str, name: str,
                 direct_only: bool = False) -> etree._Element | None:
        found = rpr.find(w(name)) if rpr is not None else None
        if found is None and run_style:
            found = self.styles.find(run_style, "rPr", w(name))
        if found is None and not direct_only:
            found = self.styles.find(para_style, "rPr", w(name))
        return found

    def cue(self, p: etree._Element) -> Cue:
        ppr = p.find(w("pPr"))
        style_node = ppr.find(w("pStyle")) if ppr is not None else None
        sid = style_node.get(w("val"), "") if style_node is not None else \
            self.styles.default_paragraph
        jc = self.paragraph_prop(ppr, sid, "jc")
        outline = int_val(self.paragraph_prop(ppr, sid, "outlineLvl"), 9)
        borders = self.paragraph_prop(ppr, sid, "pBdr")
        bordered = borders is not None and any(
            (b.get(w("val")) or "none") not in ("nil", "none") for b in borders)
        numpr = self.paragraph_prop(ppr, sid, "numPr")
        kind = number_text = ""
        if numpr is not None:
            num_id = numpr.find(w("numId"))
            kind, _, number_text = self.numbering.kind(
                num_id.get(w("val"), "") if num_id is not None else "",
                int_val(numpr.find(w("ilvl")), 0))
        bold, classes, size = self.runs(p, sid)
        break_before = ppr is not None and bool(on(ppr.find(w("pageBreakBefore"))))
        return Cue(self.styles.name(sid) if sid else "", outline if outline < 9 else None,
                   jc.get(w("val"), "") if jc is not None else "", bold, frozenset(classes),
                   size, bordered, break_before, kind, number_text)

    def runs(self, p: etree._Element, sid: str) -> tuple[bool, set[str], float]:
        """Whether every run with text is bold, their font classes, the largest size; direct
        楷体/黑体 runs are marked italic/bold for pandoc on the way."""
        bold_all, classes, size, any_text = True, set(), 0.0, False
        for r in list(p.iter(w("r"))):
            if nearest_paragraph(r) is not p:
                continue
            text = "".join(t.text or "" for t in r.iter(w("t")))
            if not text.strip():
                continue
            any_text = True
            rpr = r.find(w("rPr"))
            rstyle_node = rpr.find(w("rStyle")) if rpr is not None else None
            rstyle = rstyle_node.get(w("val"), "") if rstyle_node is not None else ""
            fonts = self.run_prop(rpr, rstyle, sid, "rFonts")
            family = font_class(fonts.get(w("eastAsia")) or fonts.get(w("ascii")) or ""
                                if fonts is not None else "")
            direct = self.run_prop(rpr, rstyle, sid, "rFonts", direct_only=True)
            direct_family = font_class(direct.get(w("eastAsia")) or direct.get(w("ascii")) or ""
                                       if direct is not None else "")
            bold = on(self.run_prop(rpr, rstyle, sid, "b")) or family == "hei"
            if family:
                classes.add(family)
            if direct_family in ("kai", "hei"):
                rpr = rpr if rpr is not None else etree.SubElement(r, w("rPr"))
                if r.index(rpr) != 0:
                    r.remove(rpr)
                    r.insert(0, rpr)
                etree.SubElement(rpr, w("i" if direct_family == "kai" else "b"))
            bold_all = bold_all and bool(bold)
            sz = self.run_prop(rpr, rstyle, sid, "sz")
            try:
                size = max(size, int(sz.get(w("val"), "0")) / 2 if sz is not None else 0)
            except ValueError:
                pass
        return bold_all and any_text, classes, size

    def mark(self, root: etree._Element) -> None:
        for node in root.iter(w("t"), w("delText"), w("instrText")):
            if node.text and OWN.search(node.text):
                node.text = OWN.sub("", node.text)
        for br in list(root.iter(w("br"))):
            if br.get(w("type")) == "page":
                t = etree.Element(w("t"))
                t.text = PAGE
                br.getparent().replace(br, t)
        lifted = lift_text_boxes(root)
        self.text_boxes = {n: text for n, (_, text) in enumerate(lifted, start=1)}
        boxed = {p: n for n, (paragraphs, _) in enumerate(lifted, start=1) for p in paragraphs}
        for number, p in enumerate(root.iter(w("p")), start=1):
            cue = self.cue(p)
            self.cues[number] = replace(cue, text_box=boxed[p]) if p in boxed else cue
            r = etree.Element(w("r"))
            etree.SubElement(r, w("t")).text = f"{START}{number}{END}"
            ppr = p.find(w("pPr"))
            p.insert(p.index(ppr) + 1 if ppr is not None else 0, r)


def lift_text_boxes(root: etree._Element) -> list[tuple[list[etree._Element], str]]:
    """Moves each text box's paragraphs and tables out of its shape to just after the paragraph
    holding the shape; returns, per box with text, its paragraphs and their text. The VML copy
    Word keeps in mc:Fallback for old readers goes."""
    boxes: list[tuple[list[etree._Element], str]] = []
    after: dict[etree._Element, etree._Element] = {}  # anchor → the last block lifted after it
    chosen: set[etree._Element] = set()  # mc:AlternateContent whose mc:Choice held a text box
    for content in list(root.iter(w("txbxContent"))):
        parent = content.getparent()
        if parent is None:
            continue
        branch = next((a for a in content.iterancestors()
                       if a.tag in (f"{{{MC}}}Choice", f"{{{MC}}}Fallback")), None)
        if branch is not None and branch.tag == f"{{{MC}}}Fallback" and \
                branch.getparent() in chosen:
            parent.remove(content)  # the same box as the mc:Choice's, lifted already
            continue
        if branch is not None and branch.tag == f"{{{MC}}}Choice":
            chosen.add(branch.getparent())
        anchor = nearest_paragraph(content)
        if anchor is None or anchor.getparent() is None:
            continue
        blocks = [child for child in content if child.tag in (w("p"), w("tbl"))]
        parent.remove(content)
        paragraphs = [p for block in blocks for p in block.iter(w("p"))]
        text = " ".join(t for p in paragraphs
                        if (t := "".join(n.text or "" for n in p.iter(w("t"))).strip()))
        if not text:
            continue  # a shape's empty text area: nothing to keep
        place = after.get(anchor, anchor)
        for block in blocks:
            place.addnext(block)
            place = block
        after[anchor] = place
        boxes.append((paragraphs, text))
    return boxes


def int_val(element: etree._Element | None, default: int) -> int:
    """The integer w:val of an element, `default` when absent or not a number."""
    value = element.get(w("val"), "") if element is not None else ""
    return int(value) if value.isdigit() else default


def nearest_paragraph(node: etree._Element) -> etree._Element | None:
    parent = node.getparent()
    while parent is not None and parent.tag != w("p"):
        parent = parent.getparent()
    return parent


def image_names(root: etree._Element, word: WordFile) -> dict[str, str]:
    """Media target (as pandoc names it, relative to the main part's folder) → the picture's
    own name in Word, when it has one."""
    rels = word.package.xml(rels_name(word.main_name))
    targets = {rel.get("Id", ""): target_part(word.main_name, rel.get("Target", ""))
               for rel in (rels.iter(f"{{{PACKAGE_RELS}}}Relationship") if rels is not None
                           else []) if rel.get("TargetMode") != "External"}
    folder = posixpath.dirname(word.main_name)
    out = {}
    for pic in root.iter(f"{{{PIC}}}pic"):
        blip = pic.find(f".//{{{A}}}blip")
        props = pic.find(f".//{{{PIC}}}cNvPr")
        target = targets.get(blip.get(f"{{{R}}}embed", "")) if blip is not None else None
        if target is None or props is None:
            continue
        out.setdefault(posixpath.relpath(target, folder or "."),
                       props.get("descr") or props.get("name") or "")
    return out


def marked_copy(word: WordFile, dest: Path) -> MarkedCopy:
    """The package written to `dest` with markers in its main part; the cues of every paragraph.
    An ISO Strict file is given to pandoc as it is, without cues (its other parts stay Strict)."""
    if word.strict:
        dest.write_bytes(word.path.read_bytes())
        return MarkedCopy(dest)
    root = copy.deepcopy(word.main)
    styles = word.parts("styles")
    numbering = word.parts("numbering")
    marker = Marker(Styles(styles[0][1] if styles else None),
                    Numbering(numbering[0][1] if numbering else None))
    marker.mark(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = word.package
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in package.zip.infolist():
            out.writestr(info.filename, data if info.filename == word.main_name
                         else package.zip.read(info))
    return MarkedCopy(dest, marker.cues, image_names(root, word), marker.text_boxes)
