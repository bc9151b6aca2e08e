"""佐证材料: the files a ledger measure's evidence may be, checked as uploads are before the store
keeps them in the upload archive under their SHA-256 (`Store.add_evidence`).

The same size limit as a monthly upload, and the same types (.xlsx, .xls, .ods, .csv), plus what
evidence usually is: scans and documents as .pdf, .jpg, .png and .docx. A file's content must be
what its extension says, and an Office file's zip container meets the checks every upload meets.
"""
from __future__ import annotations

from pathlib import Path

from ..auth import Actor
from ..store import Store, StoreError
from ..zip_safety import PROLOG_BYTES, UnsafeZip, open_checked_zip
from .read import EXTENSIONS, MAX_FILE_BYTES, OLE2_MAGIC

EVIDENCE_EXTENSIONS = (*EXTENSIONS, ".pdf", ".jpg", ".jpeg", ".png", ".docx")
# The first bytes each kind of file starts with; zip-based Office files are opened and checked instead.
_MAGIC = {".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
          ".jpeg": (b"\xff\xd8\xff",), ".xls": (OLE2_MAGIC,)}
# The part every file of a zip-based kind holds.
_ZIP_PART = {".xlsx": "[Content_Types].xml", ".docx": "[Content_Types].xml", ".ods": "mimetype"}
_KINDS = {".pdf": "PDF", ".png": "PNG 图片", ".jpg": "JPEG 图片", ".jpeg": "JPEG 图片", ".xls": "Excel 97-2003",
          ".xlsx": "Excel", ".docx": "Word", ".ods": "OpenDocument 表格", ".csv": "CSV 文本"}


def evidence_problem(data: bytes, file_name: str) -> str | None:
    """Why a file cannot be a measure's evidence, in Chinese; None when it can."""
    ext = Path(file_name).suffix.lower()
    if ext not in EVIDENCE_EXTENSIONS:
        return (f"佐证材料不支持“{ext or '（无扩展名）'}”类型的文件“{file_name}”。"
                f"请上传 {'、'.join(EVIDENCE_EXTENSIONS)} 文件（扫描件请存为 PDF 或图片）。")
    if len(data) > MAX_FILE_BYTES:
        return (f"文件“{file_name}”大小为 {len(data) / 1024 / 1024:.1f} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB "
                "的上限。请压缩图片或把扫描件分成几个文件上传。")
    if not data:
        return f"文件“{file_name}”是空的。请确认选对了文件。"
    mismatch = f"文件“{file_name}”的内容不是{_KINDS[ext]}文件，与扩展名 {ext} 不符（可能已损坏或改过扩展名）。请重新导出后上传。"
    if ext in _MAGIC:
        return None if data.startswith(_MAGIC[ext]) else mismatch
    if ext in _ZIP_PART:
        try:
            names = open_checked_zip(data, file_name, "请重新导出后上传。").namelist()
        except UnsafeZip as exc:
            return str(exc)
        return None if _ZIP_PART[ext] in names else mismatch
    return mismatch if b"\x00" in data[:PROLOG_BYTES] else None  # .csv: text has no NUL bytes


def attach_evidence(store: Store, problem_id: str, measure_no: int, data: bytes, file_name: str, *,
                    actor: Actor) -> int:
    """Check one evidence file and attach it to a measure; returns its number in the store."""
    problem = evidence_problem(data, file_name)
    if problem:
        raise StoreError(problem)
    return store.add_evidence(problem_id, measure_no, data, Path(file_name).name, by=actor)
