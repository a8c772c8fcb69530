"""Where the two sides of a diff come from: a git revision of the plan (exported with
`git archive` into a temporary folder, the repository untouched), the plan folder as it is now,
or a .docx this pipeline built (read back into a Document)."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..reading import read_plan, resolve_version
from ..chinese import DATE_DIGITS
from ..docx.ooxml import qn
from ..docx.package import APPLICATION
from ..errors import Diagnostic, PlanError, warning
from ..wordfile.revisions import body_start
from ..layout import Layout, load_layout
from ..files import read_text
from ..load import load_meta
from ..names import (BOX_TABLE, COVER_FOOTER, COVER_SUBTITLE, DRAFTER_NOTE, FIGURE,
                     FIGURE_CAPTION, HEADING, TABLE_CAPTION, W)
from ..safefile import FileRefused
from ..wordfile import open_word
from ..model import (Block, Box, Document, FootnoteRef, Heading, Inline, LineBreak, ListBlock,
                     ListItem, Note, PageBreak, Paragraph, Plan, PlanMeta, Source, SourceRevision,
                     Span, Table, VersionBlock, VersionSpec, walk)
from ..revision import git, source_revision, stamp

WORKING_TREE = "."  # the NEW side by default: the plan folder with uncommitted edits


@dataclass
class Side:
    document: Document
    layout: Layout
    name: str  # as the user named it: a tag, a commit, a file
    revision: SourceRevision
    # Blocks this side's version prints and the other side's version never would (`::: 版本`,
    # a chapter's `versions:`, 编者注), by source → why: a version difference, not an edit.
    only: dict[Source, str] = field(default_factory=dict)
    notes: list[Diagnostic] = field(default_factory=list)  # warnings about this side


def load_side(stack: contextlib.ExitStack, plan_dir: Path, spec: str, version: str,
              other: str | None = None) -> Side:
    """One side of the diff, built as `version` (`other`: the other side's version).
    Temporary folders stay until `stack` closes: images are read when the redline is written."""
    if spec.lower().endswith(".docx"):
        return read_built_docx(Path(spec), plan_dir)
    if spec == WORKING_TREE:
        plan, layout = read_plan(plan_dir)
        revision = source_revision(plan.root)
        return Side(resolve_version(plan, layout, version, revision), layout, "当前文件",
                    revision, version_only(plan, version, other))
    root, revision = export_revision(stack, plan_dir, spec)
    plan, layout = read_plan(root)
    return Side(resolve_version(plan, layout, version, revision), layout, spec, revision,
                version_only(plan, version, other))


def version_only(plan: Plan, version: str, other: str | None) -> dict[Source, str]:
    """Sources of what `version` prints and `other` does not, each with the reason."""
    versions = plan.meta.versions
    if other is None or other == version or other not in versions:
        return {}
    shown, hidden = versions[version], versions[other]
    only: dict[Source, str] = {}

    def mark(blocks: list[Block], why: str) -> None:
        for block in walk(blocks):
            only.setdefault(block.source, why)

    def visit(blocks: list[Block]) -> None:
        for block in blocks:
            if isinstance(block, VersionBlock):
                if version in block.versions and other not in block.versions:
                    mark(block.blocks, f"版本限定（::: 版本）：仅用于{shown.name}，{hidden.name}中没有")
                else:
                    visit(block.blocks)
            elif isinstance(block, Note) and shown.notes and not hidden.notes:
                mark(block.blocks, f"编者注：只在{shown.name}中显示")
            elif isinstance(block, (Box, Note)):
                visit(block.blocks)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    visit(item.blocks)
    for parsed in plan.parsed:
        versions_of = parsed.chapter.versions
        if version in versions_of and other not in versions_of:
            mark(parsed.blocks, f"本章（章节属性 versions）仅用于{shown.name}，{hidden.name}中没有")
        else:
            visit(parsed.blocks)
    return only


def export_revision(stack: contextlib.ExitStack, plan_dir: Path, spec: str
                    ) -> tuple[Path, SourceRevision]:
    """The plan folder as it was at a git revision, exported with `git archive` into a
    temporary folder that lives until `stack` closes; the repository is untouched."""
    commit = git(plan_dir, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if not commit:
        raise PlanError(f"找不到版本“{spec}”：应为 git 提交号、标签或分支名，或者 .docx 文件",
                        code="E910")
    prefix = git(plan_dir, "rev-parse", "--show-prefix")
    top = Path(git(plan_dir, "rev-parse", "--show-toplevel"))
    archive = subprocess.run(["git", "archive", "--format=tar", commit,
                              *(["--", prefix] if prefix else [])],
                             cwd=top, capture_output=True, timeout=60)
    if archive.returncode != 0:
        raise PlanError(f"无法从 git 取出版本“{spec}”的规划文件："
                        f"{archive.stderr.decode(errors='replace').strip()}", code="E911")
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plan-diff-")))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    root = folder / prefix
    if not (root / "plan.yaml").is_file():
        raise PlanError(f"版本“{spec}”中没有 plan.yaml，无法比较", code="E912")
    epoch = int(git(plan_dir, "log", "-1", "--format=%ct", commit) or 0)
    return root, SourceRevision(commit[:10], False, stamp(epoch).strftime("%Y-%m-%d"), epoch)


# ---- a built .docx read back -------------------------------------------------------------

NS = {"w": W}


def read_built_docx(path: Path, plan_dir: Path) -> Side:
    """A Word file this pipeline wrote (its custom properties name the plan and version):
    headings by style, tables, 专栏, drafters' notes, footnotes and emphasis come back; list
    paragraphs come back as paragraphs that start with their marker, figures are left out.
    Read through `wordfile`, as reviewers' files are: the same checks, the same parts."""
    if not path.is_file():
        raise PlanError(f"{path.name} 不存在或不是 Word（.docx）文件", code="E913")
    try:
        with open_word(path) as word:
            body = word.main.find(qn("w:body"))
            props = word.properties
            notes = word.parts("footnotes")
            footnotes = notes[0][1] if notes else None
            app = word.package_part("extended-properties")
    except FileRefused as exc:
        raise PlanError(f"{path.name} 不存在或不是 Word（.docx）文件：{exc.message}",
                        code="E913") from None
    application = _application(app)
    if "PlanTitle" not in props:
        raise PlanError(f"{path.name} 不是由本流水线生成的规划文本（缺少 PlanTitle 属性），"
                        "无法比较；请改用 git 版本号", code="E914")
    layout_name, numbering = "gbt9704", "plan"
    if (plan_dir / "plan.yaml").is_file():
        meta = load_meta(read_text(plan_dir / "plan.yaml", "plan.yaml"))
        layout_name, numbering = meta.layout, meta.numbering
    layout = load_layout(layout_name, plan_dir.resolve())
    cover = _cover(body)
    version = VersionSpec(props.get("PlanVersion", "draft"), props.get("PlanVersionLabel", ""),
                          cover.get("date", ""), organization=cover.get("organization", ""))
    meta = PlanMeta(props["PlanTitle"], cover.get("organization", ""), cover.get("period", ""),
                    {version.key: version}, None, numbering, layout_name)
    date = props.get("SourceDate", "")
    epoch = int(dt.datetime.fromisoformat(date).replace(tzinfo=dt.timezone.utc).timestamp()) \
        if date else 0
    revision = SourceRevision(props.get("SourceCommit", ""), props.get("SourceDirty") == "true",
                              date, epoch)
    reader = _DocxReader(path.name, layout)
    blocks = reader.body(body)
    notes = reader.footnotes(footnotes) if footnotes is not None else {}
    document = Document(meta, version, blocks, notes, revision=revision)
    return Side(document, layout, path.name, revision,
                notes=foreign(path.name, application, body))


def foreign(name: str, application: str, body: etree._Element) -> list[Diagnostic]:
    """A copy someone saved in Word or WPS is no longer what the pipeline wrote: its runs,
    styles and tracked changes are the office's, and a comparison of it lists their changes
    as edits. Say so instead of reporting them silently."""
    if application == APPLICATION:
        return []
    saved = f"已由 {application} 保存过" if application else "不是本流水线直接写出的文件"
    revisions = len(body.findall(".//w:ins", NS)) + len(body.findall(".//w:del", NS))
    tracked = f"；其中有 {revisions} 处修订标记，修订中的文字未计入" if revisions else ""
    return [warning("E917", f"{saved}，比较的是其中的文字：样式、分段的改动也会列为修改{tracked}。"
                    "要比较规划本身的修改，请比较 git 版本或重新生成的文件", name)]


def _application(app: etree._Element | None) -> str:
    """docProps/app.xml's Application: who wrote the file last."""
    node = app.find("{*}Application") if app is not None else None
    return (node.text or "").strip() if node is not None else ""


def _style(p: etree._Element) -> str:
    style = p.find("w:pPr/w:pStyle", NS)
    return style.get(qn("w:val")) if style is not None else ""


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _cover(body: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in body.iterchildren(qn("w:p")):
        style, text = _style(p), _text(p)
        if style == COVER_SUBTITLE and "period" not in out and "—" in text:
            out["period"] = text.strip("（）")
        elif style == COVER_FOOTER and text.endswith("月") and "年" in text:
            year, month = text[:-1].split("年")
            if all(c in DATE_DIGITS for c in year):
                digits = "".join(str(DATE_DIGITS.index(c)) for c in year)
                out["date"] = f"{digits}-{_cn_small(month):02d}"
        elif style == COVER_FOOTER:
            out["organization"] = text
        if p.find("w:pPr/w:sectPr", NS) is not None:
            break
    return out


def _cn_small(text: str) -> int:
    digits = "零一二三四五六七八九"
    if text.startswith("十"):
        return 10 + (digits.index(text[1]) if len(text) > 1 else 0)
    return digits.index(text)


class _DocxReader:
    def __init__(self, file: str, layout: Layout):
        self.source = Source(file, 0)
        self.emphasis = layout["body"]["emphasis_font"]
        self.bullet = layout["list"]["bullet"]
        ordered = re.escape(layout["list"]["ordered"]).replace(r"\{n\}", r"(\d+)")
        self.ordered = re.compile(f"^{ordered}$")
        self.caption = re.compile(rf"^({re.escape(layout['table']['label'])}(\d+))　")
        self.box_title = re.compile(rf"^({re.escape(layout['box']['label'])}(\d+))　")

    def list_marker(self, p: etree._Element) -> tuple[bool, int] | None:
        """(ordered, number) when the paragraph's first run is a list marker the writer put."""
        first = p.find("w:r", NS)
        text = _text(first) if first is not None else ""
        if text == self.bullet:
            return False, 1
        match = self.ordered.match(text)
        return (True, int(match.group(1))) if match else None

    def inlines(self, p: etree._Element, skip_first: bool = False) -> list[Inline]:
        out: list[Inline] = []
        runs = [r for r in p.iter(qn("w:r"))
                if r.getparent().tag in (qn("w:p"), qn("w:hyperlink"))]
        for index, r in enumerate(runs):
            if skip_first and index == 0:
                continue
            if r.find("w:footnoteReference", NS) is not None:
                number = int(r.find("w:footnoteReference", NS).get(qn("w:id")))
                out.append(FootnoteRef(str(number), number))
                continue
            if r.find("w:br", NS) is not None and r.find("w:br", NS).get(qn("w:type")) is None:
                out.append(LineBreak())
            text = "".join(t.text or "" for t in r.iter(qn("w:t")))
            if not text:
                continue
            bold = r.find("w:rPr/w:b", NS) is not None
            font = r.find("w:rPr/w:rFonts", NS)
            italic = font is not None and font.get(qn("w:eastAsia")) == self.emphasis
            last = out[-1] if out else None
            if isinstance(last, Span) and (last.bold, last.italic) == (bold, italic):
                last.text += text
            else:
                out.append(Span(text, bold, italic))
        return out

    def body(self, body: etree._Element) -> list[Block]:
        children = list(body)
        start = body_start(children)
        blocks: list[Block] = []
        caption: tuple[re.Match, str] | None = None
        after_box = False
        for node in children[start:]:
            if node.tag == qn("w:tbl"):
                style = node.find("w:tblPr/w:tblStyle", NS)
                if style is not None and style.get(qn("w:val")) == BOX_TABLE:
                    blocks.append(self.box(node))
                    after_box = True
                    continue
                blocks.append(self.table(node, caption))
                caption = None
            elif node.tag == qn("w:p"):
                style, text = _style(node), _text(node)
                if after_box and not style and not text:
                    after_box = False
                    continue
                after_box = False
                block = self.paragraph(node, style, text)
                if style == TABLE_CAPTION and self.caption.match(text):
                    caption = (self.caption.match(text), self.caption.sub("", text))
                elif style == DRAFTER_NOTE:
                    if blocks and isinstance(blocks[-1], Note):
                        blocks[-1].blocks.append(block)
                    else:
                        blocks.append(Note([block], self.source))
                elif block is not None and not style and self.list_marker(node):
                    ordered, number = self.list_marker(node)
                    block.inlines = self.inlines(node, skip_first=True)
                    item = ListItem([block], self.source)
                    last = blocks[-1] if blocks else None
                    if isinstance(last, ListBlock) and last.ordered == ordered:
                        last.items.append(item)
                    else:
                        blocks.append(ListBlock([item], ordered, number, self.source))
                elif block is not None:
                    blocks.append(block)
        return blocks

    def paragraph(self, p: etree._Element, style: str, text: str) -> Block | None:
        level = style.removeprefix(HEADING)
        if style.startswith(HEADING) and level.isdigit():
            number = _text(next(p.iter(qn("w:r")))) if p.find("w:r", NS) is not None else ""
            return Heading(int(level), self.inlines(p, skip_first=True), self.source,
                           number=number)
        if style in (FIGURE, FIGURE_CAPTION, TABLE_CAPTION, "GridSpacer", "BoxJoin",
                     "SectionEnd"):  # generated or layout only: no text of the plan
            return None
        if not text and any(b.get(qn("w:type")) == "page" for b in p.iter(qn("w:br"))):
            return PageBreak(self.source)
        inlines = self.inlines(p)
        if style == DRAFTER_NOTE and inlines and isinstance(inlines[0], Span) \
                and inlines[0].text.startswith("【"):
            inlines = inlines[1:]
        return Paragraph(inlines, self.source)

    def cells(self, tr: etree._Element) -> list[list[Inline]]:
        return [[i for p in tc.iter(qn("w:p")) for i in self.inlines(p)]
                for tc in tr.iterchildren(qn("w:tc"))]

    def table(self, tbl: etree._Element, caption: tuple[re.Match, str] | None) -> Table:
        rows = [self.cells(tr) for tr in tbl.iterchildren(qn("w:tr"))]
        ncols = len(rows[0]) if rows else 0
        table = Table(rows[0] if rows else [], rows[1:], [""] * ncols, self.source)
        if caption:
            (label, number), table.caption = caption[0].groups(), caption[1]
            table.number, table.label, table.caption_source = int(number), label, self.source
        return table

    def box(self, tbl: etree._Element) -> Box:
        rows = list(tbl.iterchildren(qn("w:tr")))
        title = _text(rows[0]) if rows else ""
        match = self.box_title.match(title)
        paragraphs = [p for p in rows[1].iter(qn("w:p"))] if len(rows) > 1 else []
        blocks = [Paragraph(self.inlines(p), self.source) for p in paragraphs if _text(p)]
        return Box(self.box_title.sub("", title), blocks, self.source,
                   number=int(match.group(2)) if match else 0, label=match.group(1) if match else "")

    def footnotes(self, root: etree._Element) -> dict[int, list[Block]]:
        out: dict[int, list[Block]] = {}
        for note in root.iterchildren(qn("w:footnote")):
            number = int(note.get(qn("w:id")))
            if number > 0:
                out[number] = [Paragraph(self.inlines(p), self.source)
                               for p in note.iter(qn("w:p"))]
        return out
