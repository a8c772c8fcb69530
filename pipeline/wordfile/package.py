"""The package of a Word file as OPC defines it: the main part is whatever `_rels/.rels` names
as officeDocument (Word Online writes word/document2.xml), its notes, comments, headers and
footers are what the main part's relationships name, and ISO Strict parts are read as the
transitional ones they are equivalent to. Every part goes through `safefile`."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from lxml import etree

from ..names import (PACKAGE_RELS, STRICT, STRICT_NAMESPACES, STRICT_RELATIONSHIP_TYPES, W)
from ..safefile import NOT_WORD, Limits, SafePackage, refuse

DEFAULT_MAIN = "word/document.xml"
# Where parts sit when a crafted or very old package has no relationships at all.
CONVENTIONAL = {"footnotes": ["footnotes.xml"], "endnotes": ["endnotes.xml"],
                "comments": ["comments.xml"], "commentsExtended": ["commentsExtended.xml"]}
PACKAGE_CONVENTIONAL = {"custom-properties": "docProps/custom.xml",
                        "core-properties": "docProps/core.xml"}
_STRICT_NODES = etree.XPath("//*[starts-with(namespace-uri(), $p) or "
                            "@*[starts-with(namespace-uri(), $p)]]")


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def target_part(source: str, target: str) -> str:
    """A relationship's target as a part name: absolute ('/word/x.xml') or relative to the
    folder of the part that holds the relationship."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relationship_type(value: str) -> str:
    """The last segment of a relationship type, a Strict name given its transitional form."""
    name = value.rstrip("/").rsplit("/", 1)[-1]
    return STRICT_RELATIONSHIP_TYPES.get(name, name)


def natural(name: str) -> list:
    """header2.xml before header10.xml."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def to_transitional(root: etree._Element) -> bool:
    """Rename Strict elements and attributes in place; True when there were any. A Strict part
    says so at its root, as Word writes it (and as expect.py judges it): a transitional part
    costs no search."""
    if not any(uri.startswith(STRICT) for uri in (etree.QName(root).namespace or "",
                                                     *root.nsmap.values())):
        return False
    nodes = _STRICT_NODES(root, p=STRICT)
    for node in nodes:
        node.tag = _mapped(node.tag)
        for key in [k for k in node.attrib if k.startswith("{" + STRICT)]:
            value = node.attrib.pop(key)
            node.set(_mapped(key), value)
    return bool(nodes)


def _mapped(name: str) -> str:
    if not name.startswith("{" + STRICT):
        return name
    uri, local = name[1:].split("}", 1)
    return f"{{{STRICT_NAMESPACES.get(uri, uri)}}}{local}"


class WordFile:
    """A .docx (.docm, .dotx) opened without trusting it. `main` is the main part's root;
    `parts(kind)` the parts it relates to (footnotes, endnotes, comments, commentsExtended,
    header, footer), each as (part name, root); `properties` the custom document properties
    and the core lastModifiedBy. Raises FileRefused for what cannot be read safely."""

    def __init__(self, path: Path, limits: Limits = Limits()):
        self.path, self.limits = path, limits
        self.package = SafePackage(path, limits)
        self.strict = False
        try:
            package_rels = self.relationships("")
            self.main_name = next((t for kind, t in package_rels if kind == "officeDocument"),
                                  DEFAULT_MAIN)
            self.main = self.part(self.main_name)
            if self.main is None:
                raise refuse(path, "压缩包中没有 Word 正文（既无 _rels/.rels 所指的正文部件，"
                                   f"也无 {DEFAULT_MAIN}），不是 Word 文档，未读取", NOT_WORD)
            if self.main.tag != f"{{{W}}}document" or self.main.find(f"{{{W}}}body") is None:
                raise refuse(path, f"正文部件 {self.main_name} 不是 Word 文档正文"
                                   f"（根元素为 {etree.QName(self.main).localname}），未读取",
                             NOT_WORD)
            self.related = self.relationships(self.main_name)
            self.package_related = package_rels
        except BaseException:
            self.package.zip.close()
            raise

    def __enter__(self) -> WordFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.package.zip.close()

    @property
    def names(self) -> set[str]:
        return self.package.names

    def part(self, name: str) -> etree._Element | None:
        root = self.package.xml(name)
        if root is not None and to_transitional(root):
            self.strict = True
        return root

    def relationships(self, source: str) -> list[tuple[str, str]]:
        """(type, target part) of each internal relationship of `source` ("" = the package)."""
        name = rels_name(source) if source else "_rels/.rels"
        root = self.package.xml(name)
        if root is None:
            return []
        out = []
        for rel in root.iter(f"{{{PACKAGE_RELS}}}Relationship"):
            if rel.get("TargetMode") == "External" or not rel.get("Target"):
                continue
            out.append((relationship_type(rel.get("Type", "")),
                        target_part(source, rel.get("Target", ""))))
        return out

    def part_names(self, kind: str) -> list[str]:
        names = sorted({t for k, t in self.related if k == kind and t in self.names}, key=natural)
        if not names and not self.related:  # a package without relationships
            folder = posixpath.dirname(self.main_name)
            names = [posixpath.join(folder, n) for n in CONVENTIONAL.get(kind, [])
                     if posixpath.join(folder, n) in self.names]
        return names

    def parts(self, kind: str) -> list[tuple[str, etree._Element]]:
        found = [(name, self.part(name)) for name in self.part_names(kind)]
        return [(name, root) for name, root in found if root is not None]

    def package_part(self, kind: str) -> etree._Element | None:
        name = next((t for k, t in self.package_related if k == kind),
                    PACKAGE_CONVENTIONAL.get(kind, ""))
        return self.part(name) if name in self.names else None

    @property
    def properties(self) -> dict[str, str]:
        """Custom properties by name (PlanVersion, SourceCommit, …) and lastModifiedBy."""
        found: dict[str, str] = {}
        custom = self.package_part("custom-properties")
        if custom is not None:
            found = {prop.get("name", ""): "".join(prop.itertext()).strip() for prop in custom
                     if isinstance(prop.tag, str)}
        core = self.package_part("core-properties")
        if core is not None:
            for node in core:
                if isinstance(node.tag, str) and node.tag.endswith("}lastModifiedBy"):
                    found["lastModifiedBy"] = (node.text or "").strip()
        return found


def open_word(path: Path, limits: Limits = Limits()) -> WordFile:
    return WordFile(path, limits)
