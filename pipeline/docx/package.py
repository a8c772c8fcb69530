"""The OPC package: parts, relationships, content types, properties, deterministic zip bytes."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from html import escape  # xml.sax.saxutils would pull in urllib and http (30 ms)

from ..names import REL

CT = "application/vnd.openxmlformats-officedocument"
WML = f"{CT}.wordprocessingml"


@dataclass(frozen=True)
class Part:
    name: str
    content_type: str
    data: bytes
    rel_type: str | None = None  # relationship from word/document.xml
    rel_id: str | None = None


def content_types(parts: list[Part]) -> bytes:
    defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml",
                "xml": "application/xml"}
    overrides = []
    for part in parts:
        ext = part.name.rsplit(".", 1)[-1]
        if part.content_type.startswith("image/"):
            defaults[ext] = part.content_type
        else:
            overrides.append(f'<Override PartName="/{part.name}" ContentType="{part.content_type}"/>')
    body = "".join(f'<Default Extension="{k}" ContentType="{v}"/>' for k, v in defaults.items())
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'{body}{"".join(overrides)}</Types>').encode()


def relationships(rels: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{escape(target)}"/>'
                    for i, t, target in rels)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{items}</Relationships>').encode()


def core_properties(title: str, subject: str, creator: str, when: dt.datetime) -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dc:title>{escape(title)}</dc:title><dc:subject>{escape(subject)}</dc:subject>'
        f'<dc:creator>{escape(creator)}</dc:creator>'
        f'<cp:lastModifiedBy>{escape(creator)}</cp:lastModifiedBy><cp:revision>1</cp:revision>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        '</cp:coreProperties>').encode()


def custom_properties(values: dict[str, str]) -> bytes:
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one FMTID custom properties use
    items = "".join(f'<property fmtid="{fmtid}" pid="{pid}" name="{escape(name)}">'
                    f'<vt:lpwstr>{escape(value)}</vt:lpwstr></property>'
                    for pid, (name, value) in enumerate(values.items(), start=2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'docPropsVTypes">{items}</Properties>').encode()


APPLICATION = "plan-pipeline"  # an office that saves the file writes its own name here


def app_properties() -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/docPropsVTypes"><Application>{APPLICATION}</Application></Properties>').encode()


def package_bytes(document: bytes, parts: list[Part], core: bytes, custom: bytes,
                  when: dt.datetime) -> bytes:
    """Zip the package with fixed entry dates and order: same input, same bytes."""
    doc_part = Part("word/document.xml", f"{WML}.document.main+xml", document)
    core_part = Part("docProps/core.xml",
                     "application/vnd.openxmlformats-package.core-properties+xml", core)
    app_part = Part("docProps/app.xml", f"{CT}.extended-properties+xml", app_properties())
    custom_part = Part("docProps/custom.xml", f"{CT}.custom-properties+xml", custom)
    every = [doc_part, *parts, core_part, app_part, custom_part]
    root_rels = relationships([
        ("rId1", f"{REL}/officeDocument", "word/document.xml"),
        ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                 "core-properties", "docProps/core.xml"),
        ("rId3", f"{REL}/extended-properties", "docProps/app.xml"),
        ("rId4", f"{REL}/custom-properties", "docProps/custom.xml")])
    doc_rels = relationships([(p.rel_id, p.rel_type, p.name.removeprefix("word/"))
                              for p in parts if p.rel_type and p.rel_id])
    entries = [("[Content_Types].xml", content_types(every)), ("_rels/.rels", root_rels),
               ("word/_rels/document.xml.rels", doc_rels)] + [(p.name, p.data) for p in every]
    return zip_bytes(entries, when)


def zip_bytes(entries: list[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip with fixed entry dates and order: same input, same bytes."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()
