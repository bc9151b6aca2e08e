"""Opening an Office file's zip container without trusting it: the checks every uploaded .xlsx,
.ods and .pptx meets before a reader (calamine, python-pptx) sees it.

The sizes a zip declares are read without inflating anything, so a compression bomb is refused
in bounded memory; a part with a DTD (where XML entity bombs live) is refused by its first bytes.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib

MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
PROLOG_BYTES = 64 * 1024
# Failures of a zip whose headers lie (sizes, compression, checksums) appear only when it is read.
DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, OSError)


class UnsafeZip(Exception):
    """The container cannot be opened safely; the message is in Chinese and ends with `advice`."""


def open_checked_zip(data: bytes, file_name: str, advice: str,
                     max_inflated: int = MAX_INFLATED_BYTES) -> zipfile.ZipFile:
    """The zip, once its declared sizes, its number of parts and its XML prologs have been checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except DAMAGED_ZIP as exc:
        raise UnsafeZip(f"文件“{file_name}”已损坏，无法打开（{type(exc).__name__}）。{advice}") from exc
    declared = sum(info.file_size for info in infos)
    if declared > max_inflated or len(infos) > MAX_ZIP_ENTRIES:
        raise UnsafeZip(
            f"文件“{file_name}”解压后有 {declared / 1024 / 1024:.0f} MB、{len(infos)} 个部件，超过 "
            f"{max_inflated // 1024 // 1024} MB、{MAX_ZIP_ENTRIES} 个部件的安全上限（可能是恶意构造的压缩炸弹）。"
            f"请确认文件来源。{advice}")
    try:
        for info in infos:
            if info.filename.endswith((".xml", ".rels")) and _declares_dtd(archive, info):
                raise UnsafeZip(
                    f"文件“{file_name}”的内部 XML（{info.filename}）含有 DTD/实体定义，正常的 Office 文件不会有，"
                    f"可能是恶意构造的文件，已拒绝。请确认来源。{advice}")
    except DAMAGED_ZIP as exc:
        raise UnsafeZip(f"文件“{file_name}”已损坏，无法读取（{type(exc).__name__}）。{advice}") from exc
    return archive


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the part has a <!DOCTYPE> (where entity bombs live) before its root element.

    A DTD can only sit in the prolog, and a genuine part's prolog is a few hundred bytes, so only
    the first 64 KB are read; a part whose root element does not start by then is refused too.
    """
    with archive.open(info) as part:
        head = part.read(PROLOG_BYTES)
    prolog = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.S)
    root = re.search(rb"<[A-Za-z_]", prolog)
    if root is None:
        return len(head) == PROLOG_BYTES
    return b"<!DOCTYPE" in prolog[:root.start()] or b"<!ENTITY" in prolog[:root.start()]
