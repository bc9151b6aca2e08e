"""The user's template: opened safely, its layouts chosen by placeholder type, its theme's typefaces,
and the free places on a slide drawn from it."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Inches

from ... import catalog
from ...zip_safety import UnsafeZip, open_checked_zip
from .typefaces import DEFAULT_EAST_ASIAN_TYPEFACE, DEFAULT_LATIN_TYPEFACE

DEFAULT_TEMPLATE = catalog.DATA_DIR / "deck_template.pptx"


class TemplateError(ValueError):
    """The template file cannot be used; the message is in Chinese."""


_TEMPLATE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
_PRESENTATION_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


TEMPLATE_MAX_BYTES = 20 * 1024 * 1024
# python-pptx parses every XML part of a template into memory at once (some ten times its size).
TEMPLATE_MAX_XML_BYTES = 30 * 1024 * 1024
TEMPLATE_ADVICE = "请提供用 PowerPoint 或 WPS 保存的 .pptx 或 .potx 模板（删除其中的幻灯片和大图片后通常不到 5 MB）。"


def open_template(template: str | Path | bytes | None = None) -> Presentation:
    """The template (a path, or an uploaded file's bytes) with its masters and layouts and
    without its own slides; .potx files work too. An uploaded one meets the same size and zip
    checks as a data upload before python-pptx reads it."""
    name = "上传的模板" if isinstance(template, bytes) else str(template or DEFAULT_TEMPLATE)
    try:
        blob = template if isinstance(template, bytes) else Path(template or DEFAULT_TEMPLATE).read_bytes()
    except FileNotFoundError:
        raise TemplateError(f"找不到模板文件 {name}。") from None
    except OSError as exc:
        raise TemplateError(f"无法读取模板文件 {name}（{exc.strerror or exc}）。请检查路径和读取权限。") from None
    _check_template(blob, name)
    try:
        prs = Presentation(io.BytesIO(_as_presentation(blob)))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise TemplateError(
            f"无法读取模板文件 {name}（{type(exc).__name__}）。请提供用 PowerPoint 或 WPS 保存的 .pptx 或 .potx 文件。") from None
    if len(prs.slide_layouts) == 0:
        raise TemplateError(f"模板文件 {name} 中没有版式（slide layout），无法使用。")
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        slide_ids.remove(slide_id)
        prs.part.drop_rel(slide_id.rId)
    return prs


def _check_template(blob: bytes, name: str) -> None:
    if len(blob) > TEMPLATE_MAX_BYTES:
        raise TemplateError(f"模板文件 {name} 有 {len(blob) / 2**20:.1f} MB，超过 {TEMPLATE_MAX_BYTES // 2**20} MB 的上限。"
                            + TEMPLATE_ADVICE)
    try:
        archive = open_checked_zip(blob, name, TEMPLATE_ADVICE)
    except UnsafeZip as exc:
        raise TemplateError(str(exc)) from None
    xml = sum(info.file_size for info in archive.infolist() if info.filename.endswith((".xml", ".rels")))
    if xml > TEMPLATE_MAX_XML_BYTES:
        raise TemplateError(f"模板文件 {name} 的版式和幻灯片内容解压后有 {xml / 2**20:.0f} MB，超过 "
                            f"{TEMPLATE_MAX_XML_BYTES // 2**20} MB 的上限。" + TEMPLATE_ADVICE)


def _as_presentation(blob: bytes) -> bytes:
    """A .potx is a .pptx whose main part has another content type; python-pptx opens only the latter."""
    with zipfile.ZipFile(io.BytesIO(blob)) as source:
        types = source.read("[Content_Types].xml")
        if _TEMPLATE_CONTENT_TYPE.encode() not in types:
            return blob
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(_TEMPLATE_CONTENT_TYPE.encode(), _PRESENTATION_CONTENT_TYPE.encode())
                target.writestr(item, data)
        return out.getvalue()


def theme_typefaces(prs: Presentation) -> tuple[str, str]:
    """(East Asian, Latin) body typefaces of the template's theme, or the defaults where unset."""
    theme = etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)
    minor = theme.find(f".//{qn('a:fontScheme')}/{qn('a:minorFont')}")
    def typeface(tag: str, default: str) -> str:
        element = minor.find(qn(tag)) if minor is not None else None
        value = element.get("typeface", "") if element is not None else ""
        return value if value and not value.startswith("+") else default
    return typeface("a:ea", DEFAULT_EAST_ASIAN_TYPEFACE), typeface("a:latin", DEFAULT_LATIN_TYPEFACE)


_FOOTER_PLACEHOLDERS = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}


def _content_placeholders(layout) -> list:
    return [p.placeholder_format.type for p in layout.placeholders
            if p.placeholder_format.type not in _FOOTER_PLACEHOLDERS]


def pick_layout(prs: Presentation, cover: bool = False):
    """By placeholder types, never by position: a cover wants a centred title (and a subtitle);
    other slides want a title and as little else as possible. Layouts without a title come last."""
    def cost(layout) -> tuple:
        kinds = _content_placeholders(layout)
        has_title = PP_PLACEHOLDER.TITLE in kinds or PP_PLACEHOLDER.CENTER_TITLE in kinds
        if cover:
            return (PP_PLACEHOLDER.CENTER_TITLE not in kinds, PP_PLACEHOLDER.SUBTITLE not in kinds,
                    not has_title, len(kinds))
        return (PP_PLACEHOLDER.TITLE not in kinds, not has_title, len(kinds))
    return min(prs.slide_layouts, key=cost)


@dataclass
class Box:
    """A place on a slide, in EMU."""
    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def split(self, fractions: list[float], gap: int = Inches(0.2)) -> list["Box"]:
        free = self.width - gap * (len(fractions) - 1)
        boxes, left = [], self.left
        for f in fractions:
            width = int(free * f / sum(fractions))
            boxes.append(Box(left, self.top, width, self.height))
            left += width + gap
        return boxes


def _overlaps(a: Box, b: Box) -> bool:
    return a.left < b.left + b.width and b.left < a.left + a.width and a.top < b.bottom and b.top < a.bottom


def free_box(slide, prs: Presentation, preferred: Box) -> Box:
    """Where a box of `preferred`'s size goes (the 示例数据 badge): the preferred place if no shape of
    the slide covers it, else the first free one of the slide's corners and the strips under and above
    each shape, so it never lies over a title, a table or a chart whatever the template's proportions
    and layout."""
    width, height = preferred.width, preferred.height
    shapes = [Box(s.left, s.top, s.width, s.height) for s in slide.shapes if s.width and s.height]
    margin = Inches(0.2)
    right = prs.slide_width - width - margin
    candidates = [preferred, Box(right, margin, width, height)]
    for shape in sorted(shapes, key=lambda b: b.top):
        candidates.append(Box(min(shape.left + shape.width - width, right), shape.bottom + Inches(0.05), width, height))
        candidates.append(Box(min(shape.left + shape.width - width, right), shape.top - height - Inches(0.05), width, height))
    candidates.append(Box(right, prs.slide_height - height - margin, width, height))
    on_slide = [c for c in candidates if c.left >= 0 and c.top >= 0 and c.bottom <= prs.slide_height]
    return next((c for c in on_slide if not any(_overlaps(c, s) for s in shapes)), on_slide[-1])
