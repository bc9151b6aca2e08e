"""Monthly uploads: read a file staff already keep, explain every problem, preview, commit, undo.

    from metrics.ingest import import_file, preview_file
    result = import_file(store, Path("四月月报.xlsx"), actor=actor)
    result.ok, result.errors, result.warnings, result.summary, result.batch_id
"""
from ..store import PeriodLocked
from .cells import Period, parse_period
from .errors_xlsx import errors_workbook
from .pipeline import ImportResult, PreviewOutdated, commit_preview, import_file, preview_file, undo_upload
from .problems import UploadProblem, grouped
from .template import write_template

__all__ = ["ImportResult", "Period", "PeriodLocked", "PreviewOutdated", "UploadProblem", "commit_preview",
           "errors_workbook", "grouped", "import_file", "parse_period", "preview_file", "undo_upload", "write_template"]
