"""Hostile or broken returned files: each ends in one Chinese line for that file, and the
other files of the round are still collected."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, W_XMLNS as W, copy_sample, docx_with, needs_corpus
from pipeline.cli import main
from pipeline.wordfile import read_returned
from pipeline.safefile import Limits, FileRefused

GOOD = CORPUS / "track_changes_insertion.docx"


def compound_file(streams: dict[str, int | bytes]) -> bytes:
    """A minimal compound (OLE) file holding the named streams, as an encrypted .docx does
    (EncryptionInfo, EncryptedPackage); each stream a whole number of 512-byte sectors, filled
    with a letter or with the bytes given."""
    contents = {name: size if isinstance(size, bytes) else bytes([65 + i]) * size
                for i, (name, size) in enumerate(streams.items())}
    streams = {name: len(data) for name, data in contents.items()}
    free, end, fat_mark, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_mark, end]
    entries = [("Root Entry", 5, 1, 0xFFFFFFFF, end, 0)]
    sector = 2
    for index, (name, size) in enumerate(streams.items()):
        count = size // 512
        fat += list(range(sector + 1, sector + count)) + [end]
        right = index + 2 if index + 1 < len(streams) else none
        entries.append((name, 2, none, right, sector, size))
        sector += count
    fat += [free] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0,
                            4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    directory = b""
    for name, kind, child, right, start, size in entries + [("", 0, none, none, 0, 0)]:
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        directory += (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                      + struct.pack("<III", none, right if kind == 2 else none, child)
                      + bytes(36) + struct.pack("<IQ", start if kind == 2 else end, size))
    directory = directory.ljust(512, b"\0")
    data = b"".join(contents.values())
    return header + struct.pack("<128I", *fat) + directory + data


def word_document(encrypted: bool, text: str = "") -> bytes:
    """The start of a Word 97–2003 WordDocument stream: its FIB, fEncrypted set or not, then
    text (stored as UTF-16, as Word stores text outside Latin-1)."""
    flags = 0x0100 if encrypted else 0
    return (struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0804, 0, flags)
            + text.encode("utf-16-le")).ljust(4096, b"\0")  # past the mini-stream cutoff


def document_xml(text: str) -> bytes:
    return (f"<w:document {W}><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body>"
            "</w:document>").encode()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    files["not-a-zip"] = folder / "乱码.docx"
    files["not-a-zip"].write_bytes(b"This is not a Word file at all.\n" * 20)
    files["bomb"] = folder / "炸弹.docx"
    with zipfile.ZipFile(files["bomb"], "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (80 * 1024 * 1024))  # 80 MB of spaces
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "hahahahahaha">'
              + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">'
                         % ((98 + i,) + (97 + i,) * 10) for i in range(9))
              + b"]><w:document " + W.encode() + b"><w:body><w:p><w:r><w:t>&j;</w:t></w:r>"
              + b"</w:p></w:body></w:document>")
    files["entities"] = docx_with(folder / "实体.docx", laughs)
    files["encrypted"] = folder / "加密.docx"
    files["encrypted"].write_bytes(compound_file({"EncryptionInfo": 1024,
                                                  "EncryptedPackage": 4096}))
    files["huge"] = folder / "超大.docx"
    with open(files["huge"], "wb") as handle:  # sparse: no time spent writing it
        handle.truncate(100 * 1024 * 1024)
    files["encrypted-doc"] = folder / "加密[密码].doc"
    files["encrypted-doc"].write_bytes(compound_file({"WordDocument": word_document(True)}))
    for name, codec in (("utf32-entities", "utf-32-le"), ("utf32be-entities", "utf-32-be")):
        declared = laughs.replace(b'<?xml version="1.0"?>',
                                  b'<?xml version="1.0" encoding="%s"?>' % codec.upper().encode())
        files[name] = docx_with(folder / f"{name}.docx", declared.decode().encode(codec))
    files["markup-member"] = folder / "意见[v2]汇总[bold].docx"
    with zipfile.ZipFile(files["markup-member"], "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", document_xml("正文"))
        archive.writestr("[/]", b"\0" * (2 * 1024 * 1024))
    files["no-document"] = docx_with(folder / "空包.docx", b"<x/>")
    with zipfile.ZipFile(files["no-document"], "w") as archive:
        archive.writestr("hello.txt", "hello")
    return files


EXPECTED = {"not-a-zip": "不是 Word 文件", "bomb": "压缩炸弹", "entities": "DTD 或实体声明",
            "encrypted": "文件已加密", "huge": "文件过大", "no-document": "没有 Word 正文",
            "encrypted-doc": "文件已加密", "utf32-entities": "DTD 或实体声明",
            "utf32be-entities": "DTD 或实体声明", "markup-member": "压缩比异常"}


# One code a reason (pipeline/codes.py), so a tool reading the diagnostics can tell them apart.
CODES = {"not-a-zip": "E925", "bomb": "E923", "entities": "E924", "encrypted": "E920",
         "huge": "E922", "no-document": "E925", "encrypted-doc": "E920",
         "utf32-entities": "E924", "utf32be-entities": "E924", "markup-member": "E923"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_is_refused_with_its_reason(hostile, name):
    with pytest.raises(FileRefused) as caught:
        from pipeline.safefile import sniff
        limits = Limits()
        sniff(hostile[name], limits)
        read_returned(hostile[name], limits)
    assert EXPECTED[name] in caught.value.message
    assert caught.value.code == CODES[name]


def test_a_bomb_is_refused_before_it_is_inflated(tmp_path):
    """The sizes in the zip directory are checked first: 1 GB would take seconds to inflate."""
    path = tmp_path / "bomb.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (8 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    # Claim 1 GB uncompressed in the central directory (offset 24 of its record).
    at = data.rfind(b"PK\x01\x02")
    data[at + 24:at + 28] = struct.pack("<I", 1024 ** 3)
    path.write_bytes(bytes(data))
    with pytest.raises(FileRefused, match="压缩炸弹"):
        read_returned(path)


@needs_corpus
def test_the_other_files_are_still_collected(hostile, tmp_path):
    root = copy_sample(tmp_path / "plan")
    files = [str(p) for p in hostile.values()] + [str(GOOD)]
    result = CliRunner().invoke(main, ["--plan", str(root), "comments", "collect", *files,
                                       "--format", "json"])
    assert result.exit_code == 1  # some files were skipped
    skipped = [line for line in result.stderr.splitlines() if line.startswith("跳过")]
    assert len(skipped) == len(hostile)
    for name, reason in EXPECTED.items():
        assert any(hostile[name].name in line and reason in line for line in skipped), name
    assert "Traceback" not in result.output
    assert '"two exciting"' in result.stdout
    # Names are printed as they are: rich markup in a file or member name stays text.
    assert any("意见[v2]汇总[bold].docx" in line and "[/]" in line for line in skipped)



def test_a_doc_that_only_mentions_encryption_is_read(tmp_path):
    """The stream names of an encrypted package, as text in a plain .doc, are not encryption."""
    from pipeline.safefile import sniff
    path = tmp_path / "说明.doc"
    path.write_bytes(compound_file({"WordDocument": word_document(
        False, "EncryptedPackage EncryptionInfo")}))
    assert "EncryptedPackage".encode("utf-16-le") in path.read_bytes()
    assert sniff(path, Limits()) == "ole"


def test_a_declaration_is_refused_after_parsing_whatever_the_bytes(tmp_path, monkeypatch):
    """The byte search is only a shortcut: the parsed tree's DTD is checked too."""
    import pipeline.safefile as safefile
    monkeypatch.setattr(safefile, "DECLARATIONS", ())
    doc = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "x">]><w:document '
           + W.encode() + b"><w:body/></w:document>")
    with pytest.raises(FileRefused, match="DTD 或实体声明"):
        read_returned(docx_with(tmp_path / "dtd.docx", doc))
