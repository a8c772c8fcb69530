"""Pictures of the Word file saved into images/ under their caption (or Word's own name).
PNG and JPEG go as they are, once Pillow has decoded them whole; GIF, BMP, TIFF and WebP are
converted by Pillow; EMF and WMF (charts pasted from Excel, as a Chinese office drafts them) are
drawn by LibreOffice at 300 dpi and saved as PNG. What cannot come in is left out with a note."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..errors import Diagnostic, PlanError, warning
from ..model import Block, Image
from ..safefile import MB
from ..transform import walk
from ..wordfile import WordFile
from .chapters import file_stem

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}
CONVERTIBLE = ("GIF", "BMP", "TIFF", "WEBP")
METAFILE_DPI = 300
METAFILE_MAX_SIDE = 3000  # pixels: an A4 type area's width at 300 dpi is about 1850
METAFILE_SECONDS = 60
GENERIC_NAME = re.compile(r"(图片|图像|图|Picture|Image|Grafik|Rectangle)?\s*\d*", re.I)


def metafile_kind(data: bytes) -> str:
    """EMF or WMF from the file's first bytes, '' for anything else (Pillow calls both WMF)."""
    if data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF":
        return "EMF"
    if data[:4] == b"\xd7\xcd\xc6\x9a" or data[:6] in (b"\x01\x00\x09\x00\x00\x03",
                                                      b"\x02\x00\x09\x00\x00\x03"):
        return "WMF"
    return ""


class Metafiles:
    """EMF/WMF pictures drawn as PNG by the plan's LibreOffice, started at the first one."""

    def __init__(self, plan_dir: Path, work: Path):
        self.plan_dir, self.work = plan_dir, work
        self.engine = None
        self.unavailable = ""  # why LibreOffice cannot be used, once known
        self.count = 0

    def to_png(self, data: bytes, kind: str) -> bytes:
        """The picture as PNG bytes. Raises PlanError with the reason in Chinese."""
        from PIL import Image as PILImage
        from ..pdf.engine import office_converter
        if self.unavailable:
            raise PlanError(self.unavailable)
        if self.engine is None:
            try:
                self.engine = office_converter(self.plan_dir, "EMF/WMF 图片")
            except PlanError as exc:
                self.unavailable = exc.message
                raise
            self.engine.timeout = METAFILE_SECONDS
        self.count += 1
        source = self.work / f"picture-{self.count}.{kind.lower()}"
        bmp = source.with_suffix(".bmp")
        source.write_bytes(data)
        try:
            size = self.engine.to_bitmap(source, bmp, METAFILE_DPI, METAFILE_MAX_SIDE)
            with PILImage.open(bmp) as drawn:
                if drawn.size != size:
                    raise PlanError("LibreOffice 画出的图片大小不符")
                out = io.BytesIO()
                drawn.convert("RGB").save(out, "PNG")
        except (OSError, SyntaxError, ValueError):
            raise PlanError("LibreOffice 未能画出这张图片") from None
        finally:
            source.unlink(missing_ok=True)
            bmp.unlink(missing_ok=True)
        return out.getvalue()

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
            self.engine = None


class Images:
    """Each picture saved once into `files` (images/…), the chapter pointing at it."""

    def __init__(self, word: WordFile, shown: str, notes: list[Diagnostic],
                 names: dict[str, str], taken: Callable[[str], bool], metafiles: Metafiles):
        self.package, self.shown, self.notes, self.taken = word.package, shown, notes, taken
        self.names = names  # media target → the picture's name in Word
        self.metafiles = metafiles
        self.folder = PurePosixPath(word.main_name).parent
        self.by_target: dict[str, str] = {}
        self.dropped = 0

    def place(self, blocks: list[Block], files: dict[str, bytes]) -> dict[int, str]:
        paths: dict[int, str] = {}
        for block in walk(blocks):
            if not isinstance(block, Image):
                continue
            target = str(block.path)
            if target not in self.by_target:
                saved = self.save(block, files)
                if saved is None:
                    self.dropped += 1
                    continue
                self.by_target[target] = saved
            paths[id(block)] = f"../{self.by_target[target]}"
        return paths

    def save(self, block: Image, files: dict[str, bytes]) -> str | None:
        name = str(self.folder / str(block.path))
        if name not in self.package.names:
            name = str(block.path).lstrip("/")
        shown = f"“{block.caption}”（{block.path}）" if block.caption else f" {block.path} "
        where = block.source.line or None

        def note(code: str, why: str) -> None:
            self.notes.append(warning(code, f"图片{shown}{why}", self.shown, where))
        if name not in self.package.names:
            note("E996", "不在文件中（可能是链接的外部图片），未导入")
            return None
        info = self.package.zip.getinfo(name)
        if info.file_size > self.package.limits.part_mb * MB:
            note("E996", "过大，未导入")
            return None
        data = self.package.zip.read(info)
        kind = metafile_kind(data)
        if kind:
            try:
                data = self.metafiles.to_png(data, kind)
            except PlanError as exc:
                note("E930", f"为 {kind} 格式，须经 LibreOffice 转为 PNG，但未能转换（"
                             f"{exc.message}）：未导入，请在 Word 中把它另存为 PNG 后放入 images/")
                return None
            note("E931", f"由 {kind} 经 LibreOffice 转为 PNG（{METAFILE_DPI} dpi）：请核对图中文字")
            kind = "PNG"
        else:
            kind, problem = self.decoded(data, name)
            if problem:
                note("E996", problem)
                return None
            if kind in CONVERTIBLE:
                data = self.converted(data)
                note("E996", f"由 {kind} 转为 PNG")
                kind = "PNG"
        return self.stored(block, data, kind, files)

    @staticmethod
    def decoded(data: bytes, name: str) -> tuple[str, str]:
        """The picture's format, and why it cannot come in ('' when it can): decoded whole, as
        the build will decode it, so a bomb or a broken file stays out."""
        from PIL import Image as PILImage, UnidentifiedImageError
        kind = PurePosixPath(name).suffix.lstrip(".").upper() or "未知"
        try:
            with PILImage.open(io.BytesIO(data)) as picture:
                kind = picture.format or kind
                picture.load()
        except UnidentifiedImageError:
            pass
        except PILImage.DecompressionBombError:
            return kind, "像素过多，疑为异常文件，未导入"
        except (OSError, SyntaxError, ValueError):
            return kind, "已损坏或不完整，未导入"
        if kind not in IMAGE_FORMATS and kind not in CONVERTIBLE:
            return kind, (f"为 {kind} 格式，流水线只能排 PNG、JPEG：未导入，请另存为 PNG 后放入 "
                          "images/")
        return kind, ""

    @staticmethod
    def converted(data: bytes) -> bytes:
        from PIL import Image as PILImage
        out = io.BytesIO()
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.save(out, "PNG")
        return out.getvalue()

    def stored(self, block: Image, data: bytes, kind: str, files: dict[str, bytes]) -> str:
        own = PurePosixPath(self.names.get(str(block.path), "")).stem
        if GENERIC_NAME.fullmatch(own):
            own = ""
        stem = file_stem(block.caption or own, 30) if block.caption or own else ""
        stem = stem if stem and stem != "章" else f"图{len(self.by_target) + 1}"
        path = f"images/{stem}.{IMAGE_FORMATS[kind]}"
        number = 2
        while path in files or self.taken(path):
            path = f"images/{stem}-{number}.{IMAGE_FORMATS[kind]}"
            number += 1
        files[path] = data
        return path
