"""Opening a file from outside without trusting it (a reviewer's .docx, a unit's .xlsx, a draft
to import): size limits before reading, zip bombs, encrypted documents and XML with entity
declarations are refused with one Chinese sentence."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .errors import PlanError

MB = 1024 * 1024
# Word never writes a DTD; entity declarations are how "billion laughs" files expand.
DECLARATIONS = tuple(word.encode(codec) for word in ("<!DOCTYPE", "<!ENTITY")
                     for codec in ("ascii", "utf-16-le", "utf-16-be"))
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .doc, .wps, encrypted .docx


@dataclass(frozen=True)
class Limits:
    """How much a returned file may hold; a real 征求意见稿 with comments is a few MB."""
    file_mb: int = 64  # the file on disk
    part_mb: int = 64  # one XML part, uncompressed
    total_mb: int = 256  # every entry, uncompressed
    ratio: int = 200  # uncompressed / compressed for an entry larger than 1 MB


@dataclass(frozen=True)
class Expected:
    """What a batch of returned files should be, for the refusals' wording."""
    what: str  # 不是 …，未读取
    sender: str  # who must remove a password


WORD = Expected("Word 文件（既不是 .docx 压缩包，也不是 .doc/.wps）", "审阅单位")
SPREADSHEET = Expected("Excel 文件（既不是 .xlsx 压缩包，也不是 .xls/.et）", "报送单位")


class FileRefused(PlanError):
    """This one file from outside cannot be read; the others of a batch still are."""


def refuse(path: Path, reason: str) -> FileRefused:
    return FileRefused(reason, path.name, code="E901")


def sniff(path: Path, limits: Limits, expected: Expected = WORD) -> str:
    """'zip' for an OOXML package, 'ole' for a binary Office/WPS file; refuses anything else."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise refuse(path, f"无法读取文件（{exc.strerror or exc}）") from None
    if size > limits.file_mb * MB:
        raise refuse(path, f"文件过大（{size / MB:.0f} MB，上限 {limits.file_mb} MB），未读取")
    if head.startswith(OLE_MAGIC):
        if encrypted_ole(path):
            raise refuse(path, f"文件已加密（设有打开密码），请{expected.sender}取消密码后重新发送")
        return "ole"
    if head.startswith(b"PK"):
        return "zip"
    raise refuse(path, f"不是 {expected.what}，未读取")


def encrypted_ole(path: Path) -> bool:
    """An encrypted .docx is a compound file holding the streams EncryptionInfo and
    EncryptedPackage; their names sit in the directory sectors as UTF-16."""
    data = path.read_bytes()
    return "EncryptedPackage".encode("utf-16-le") in data or \
        "EncryptionInfo".encode("utf-16-le") in data


class SafePackage:
    """The parts of an OOXML package (.docx, .xlsx), each size-checked before it is inflated."""

    def __init__(self, path: Path, limits: Limits = Limits()):
        self.path, self.limits = path, limits
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise refuse(path, "文件已损坏，不是有效的压缩包（.docx/.xlsx），未读取") from None
        infos = self.zip.infolist()
        total = sum(i.file_size for i in infos)
        if total > limits.total_mb * MB:
            raise refuse(path, f"压缩包解开后达 {total / MB:.0f} MB（上限 {limits.total_mb} MB），"
                               "疑为“压缩炸弹”，未读取")
        for info in infos:
            if info.file_size > MB and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise refuse(path, f"压缩包中 {info.filename} 的压缩比异常"
                                   f"（{info.file_size // max(info.compress_size, 1)} 倍），"
                                   "疑为“压缩炸弹”，未读取")
        self.names = {i.filename for i in infos}

    def __enter__(self) -> SafePackage:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def xml(self, name: str) -> etree._Element | None:
        """A part parsed without DTDs, entities, network or huge-tree mode; None when absent."""
        if name not in self.names:
            return None
        info = self.zip.getinfo(name)
        if info.file_size > self.limits.part_mb * MB:
            raise refuse(self.path, f"{name} 过大（{info.file_size / MB:.0f} MB），未读取")
        try:
            with self.zip.open(info) as handle:
                data = handle.read(self.limits.part_mb * MB + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise refuse(self.path, f"文件已损坏，无法解开 {name}（{exc}）") from None
        if any(mark in data for mark in DECLARATIONS):
            raise refuse(self.path, f"{name} 含有 DTD 或实体声明（Word 从不写入），"
                                    "疑为恶意构造的文件，未读取")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                 load_dtd=False, dtd_validation=False, remove_comments=True)
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise refuse(self.path, f"{name} 不是有效的 XML（{exc.msg}），未读取") from None
