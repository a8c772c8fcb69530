"""Opening a file from outside without trusting it (a reviewer's .docx, a unit's .xlsx, a draft
to import): size limits before reading, zip bombs, encrypted documents and XML with entity
declarations are refused with one Chinese sentence."""
from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .errors import PlanError

MB = 1024 * 1024
# Word never writes a DTD; entity declarations are how "billion laughs" files expand. The byte
# search refuses early in the usual encodings; the parsed tree's DTD is checked whatever the
# encoding (libxml2 decoded it).
DECLARATIONS = tuple(word.encode(codec) for word in ("<!DOCTYPE", "<!ENTITY")
                     for codec in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .doc, .wps, encrypted .docx
# An encrypted .docx/.xlsx is a compound file holding these streams (MS-OFFCRYPTO 2.3.4).
ENCRYPTED_PACKAGE = ("EncryptionInfo", "EncryptedPackage")
F_ENCRYPTED = 0x0100  # FibBase flags of a Word 97–2003 WordDocument stream (MS-DOC 2.5.2)


@dataclass(frozen=True)
class Limits:
    """How much a returned file may hold; a real 征求意见稿 with comments is a few MB."""
    file_mb: int = 64  # the file on disk
    part_mb: int = 64  # one XML part, uncompressed
    total_mb: int = 256  # every entry, uncompressed
    ratio: int = 200  # uncompressed / compressed for an entry larger than 1 MB
    items: int = 20_000  # comments and tracked-change marks in one file


@dataclass(frozen=True)
class Expected:
    """What a batch of returned files should be, for the refusals' wording."""
    what: str  # 不是 …，未读取
    sender: str  # who must remove a password


WORD = Expected("Word 文件（既不是 .docx 压缩包，也不是 .doc/.wps）", "审阅单位")
SPREADSHEET = Expected("Excel 文件（既不是 .xlsx 压缩包，也不是 .xls/.et）", "报送单位")


class FileRefused(PlanError):
    """This one file from outside cannot be read; the others of a batch still are."""


# Why a file was refused, one code a reason (pipeline/codes.py).
UNREADABLE, ENCRYPTED_CODE, DAMAGED, TOO_BIG, BOMB, DECLARED, NOT_WORD = \
    "E901", "E920", "E921", "E922", "E923", "E924", "E925"


def refuse(path: Path, reason: str, code: str = UNREADABLE) -> FileRefused:
    """Named by the file's name only: a full path says nothing the drafter needs."""
    return FileRefused(reason, path.name, code=code)


def declared(path: Path, name: str) -> FileRefused:
    return refuse(path, f"{name} 含有 DTD 或实体声明（Word 从不写入），疑为恶意构造的文件，未读取",
                  DECLARED)


def sniff(path: Path, limits: Limits, expected: Expected = WORD) -> str:
    """'zip' for an OOXML package, 'ole' for a binary Office/WPS file; refuses anything else."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise refuse(path, f"无法读取文件（{exc.strerror or exc}）") from None
    if size > limits.file_mb * MB:
        raise refuse(path, f"文件过大（{size / MB:.0f} MB，上限 {limits.file_mb} MB），未读取",
                     TOO_BIG)
    if head.startswith(OLE_MAGIC):
        if encrypted_ole(path):
            raise refuse(path, encrypted_message(expected), ENCRYPTED_CODE)
        return "ole"
    if head.startswith(b"PK"):
        return "zip"
    raise refuse(path, f"不是 {expected.what}，未读取", NOT_WORD)


def encrypted_message(expected: Expected = WORD) -> str:
    return f"文件已加密（设有打开密码），请{expected.sender}取消密码后重新发送"


def encrypted_ole(path: Path) -> bool:
    """From the compound file's directory, not its bytes: an encrypted .docx holds the streams
    EncryptionInfo and EncryptedPackage; an encrypted .doc sets fEncrypted in its FIB. A .doc
    whose text mentions those names is not encrypted."""
    import olefile
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if any(ole.exists(name) for name in ENCRYPTED_PACKAGE):
                return True
            if ole.exists("WordDocument"):
                fib = ole.openstream("WordDocument").read(12)
                return len(fib) == 12 and bool(struct.unpack_from("<H", fib, 10)[0] & F_ENCRYPTED)
    except (OSError, ValueError, struct.error) as exc:  # olefile 0.47 has no error class of its own
        raise refuse(path, f"文件已损坏，不是有效的 .doc/.wps 文件（{exc}），未读取",
                     DAMAGED) from None
    return False


class SafePackage:
    """The parts of an OOXML package (.docx, .xlsx), each size-checked before it is inflated."""

    def __init__(self, path: Path, limits: Limits = Limits()):
        self.path, self.limits = path, limits
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise refuse(path, "文件已损坏，不是有效的压缩包（.docx/.xlsx），未读取", DAMAGED) from None
        infos = self.zip.infolist()
        total = sum(i.file_size for i in infos)
        if total > limits.total_mb * MB:
            raise refuse(path, f"压缩包解开后达 {total / MB:.0f} MB（上限 {limits.total_mb} MB），"
                               "疑为“压缩炸弹”，未读取", BOMB)
        for info in infos:
            if info.file_size > MB and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise refuse(path, f"压缩包中 {info.filename} 的压缩比异常"
                                   f"（{info.file_size // max(info.compress_size, 1)} 倍），"
                                   "疑为“压缩炸弹”，未读取", BOMB)
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
            raise refuse(self.path, f"{name} 过大（{info.file_size / MB:.0f} MB，上限 "
                                    f"{self.limits.part_mb} MB），未读取", TOO_BIG)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(self.limits.part_mb * MB + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise refuse(self.path, f"文件已损坏，无法解开 {name}（{exc}）", DAMAGED) from None
        if any(mark in data for mark in DECLARATIONS):
            raise declared(self.path, name)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                 load_dtd=False, dtd_validation=False, remove_comments=True)
        try:
            root = etree.fromstring(data, parser)
        except (etree.XMLSyntaxError, ValueError) as exc:
            raise refuse(self.path, f"{name} 不是有效的 XML（{getattr(exc, 'msg', exc)}），"
                                    "未读取", DAMAGED) from None
        tree = root.getroottree()
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise declared(self.path, name)
        return root
