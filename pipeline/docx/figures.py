"""Figures: the picture inline in its own paragraph, the caption under it, the image part."""
from __future__ import annotations

from lxml import etree

from ..errors import PlanError
from ..layout import EMU_PER_MM
from ..model import Image, Span
from ..transform import LABEL_GAP
from .ooxml import NS, el
from .writer import Media, Writer

MEDIA_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpeg", "image/jpeg")}


def figure(w: Writer, item: Image) -> list[etree._Element]:
    from PIL import Image as PILImage  # only plans with figures pay for the import
    media = w.media_by_path.get(item.path) or add_media(w, item)
    with PILImage.open(item.path) as img:
        px_w, px_h = img.size
        dpi = img.info.get("dpi", (96, 96))[0] or 96
    cx = round(px_w / dpi * 25.4 * EMU_PER_MM)
    cy = round(px_h / dpi * 25.4 * EMU_PER_MM)
    max_w = w.layout["page"]["type_width_mm"] * EMU_PER_MM
    max_h = w.layout["figure"]["max_height_mm"] * EMU_PER_MM
    scale = min(1.0, max_w / cx, max_h / cy)
    cx, cy = round(cx * scale), round(cy * scale)
    w.next_drawing += 1
    n = w.next_drawing
    label = item.label
    pic = el("pic:pic", None,
             el("pic:nvPicPr", None, el("pic:cNvPr", {"id": n, "name": item.path.name}),
                el("pic:cNvPicPr")),
             el("pic:blipFill", None, el("a:blip", {"r:embed": media.rel_id}),
                el("a:stretch", None, el("a:fillRect"))),
             el("pic:spPr", None,
                el("a:xfrm", None, el("a:off", {"x": 0, "y": 0}),
                   el("a:ext", {"cx": cx, "cy": cy})),
                el("a:prstGeom", {"prst": "rect"}, el("a:avLst"))))
    inline = el("wp:inline", {"distT": 0, "distB": 0, "distL": 0, "distR": 0},
                el("wp:extent", {"cx": cx, "cy": cy}),
                el("wp:docPr", {"id": n, "name": label}),
                el("wp:cNvGraphicFramePr", None, el("a:graphicFrameLocks",
                                                    {"noChangeAspect": 1})),
                el("a:graphic", None, el("a:graphicData", {"uri": NS["pic"]}, pic)))
    drawing = w.tracked_run(el("w:r", None, el("w:drawing", None, inline)), item.change)
    caption = f"{label}{LABEL_GAP}{item.caption}" if item.caption else label
    runs = None if item.label_change or not item.caption else w.title(
        f"{label}{LABEL_GAP}", [Span(item.caption)], w.layout["figure"]["caption_size_pt"])
    return [w.paragraph(w.ppr("Figure", change=item.change), [drawing], change=item.change),
            w.paragraph(w.ppr("FigureCaption", change=item.change),
                        runs or w.label(item.label_change, caption), source=item.source,
                        change=item.change),
            w.spacer(item.change)]


def add_media(w: Writer, item: Image) -> Media:
    from PIL import Image as PILImage
    with PILImage.open(item.path) as img:
        kind = img.format
    if kind not in MEDIA_TYPES:
        raise PlanError(f"图片格式 {kind} 不受支持，请转换为 PNG 或 JPEG：{item.path.name}",
                        item.source.file, item.source.line, code="E510")
    ext, content_type = MEDIA_TYPES[kind]
    index = len(w.media) + 1
    media = Media(f"word/media/image{index}.{ext}", content_type, item.path.read_bytes(),
                  f"rIdImage{index}")
    w.media.append(media)
    w.media_by_path[item.path] = media
    return media
