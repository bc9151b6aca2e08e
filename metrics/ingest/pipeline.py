"""One import for both the upload page and `python -m metrics import`.

archive → read → recognise the layout → normalise → validate (every error, not the first) →
preview against the database → commit in one transaction as one batch.

Every file is archived byte for byte under its SHA-256 before it is parsed, rejected ones too, so
the database can be rebuilt from the archive and a rejected file can be looked at later.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import auth, catalog
from ..entity_names import EntityDirectory, canonical
from ..periods import period_label
from ..store import Store, StoreError
from . import read, validate, worker
from .figures import MonthBook, MonthFigure, month_figures
from .parsing import ParsedFile
from .problems import UploadProblem, UploadProblems, UnreadableFile

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


class PreviewOutdated(StoreError):
    """The database changed between the preview someone confirmed and the commit."""


@dataclass
class ImportResult:
    file_name: str
    sha256: str = ""
    archive_path: Path | None = None
    readable: bool = True
    problems: list[UploadProblem] = field(default_factory=list)
    sheet: read.SheetData | None = None  # the first sheet read
    sheet_names: list[str] = field(default_factory=list)  # every sheet read
    header_row: int | None = None  # 0-based, the last header row of the first sheet read
    layout: str | None = None
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    batch_id: int | None = None
    committed: bool = False
    dry_run: bool = False
    pending_review: bool = False  # committed, but waiting for a reviewer before its figures are current

    @property
    def errors(self) -> list[UploadProblem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[UploadProblem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def infos(self) -> list[UploadProblem]:
        return [p for p in self.problems if p.level == "info"]

    @property
    def ok(self) -> bool:
        return self.readable and not self.errors

    @property
    def exit_code(self) -> int:
        return EXIT_UNREADABLE if not self.readable else EXIT_REJECTED if self.errors else EXIT_OK

    @property
    def summary(self) -> dict:
        counts = self.preview["change"].value_counts() if len(self.preview) else {}
        return {k: int(counts.get(k, 0)) for k in ("new", "changed", "unchanged")}

    @property
    def new_notes(self) -> int:
        """Figures the file repeats unchanged with a 备注 they do not carry yet (a month's 原因分析):
        all a file that changes no figure writes."""
        if not len(self.preview):
            return 0
        return int((self.preview["new_note"].astype(bool) & (self.preview["change"] == "unchanged")).sum())

    @property
    def writes_only_notes(self) -> bool:
        """No figure is new or changed: confirming writes only the `new_notes` (possibly none)."""
        counts = self.summary
        return counts["new"] + counts["changed"] == 0

    @property
    def changes_nothing(self) -> bool:
        """Neither a figure nor a 备注 would change: confirming writes nothing."""
        return self.writes_only_notes and self.new_notes == 0

    @property
    def fingerprint(self) -> str:
        """What the preview showed, so a commit can refuse if the database moved in between."""
        return preview_fingerprint(self.preview)

    def as_json(self) -> dict:
        return {
            "ok": self.ok, "dry_run": self.dry_run, "file": self.file_name, "sha256": self.sha256,
            "sheet": self.sheet.name if self.sheet else None, "sheets": self.sheet_names, "layout": self.layout,
            "batch": self.batch_id, "pending_review": self.pending_review,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "infos": [p.as_dict() for p in self.infos],
            "summary": self.summary, "new_notes": self.new_notes,
        }


def preview_file(store: Store, source: Path | bytes, file_name: str | None = None, *, actor: auth.Actor,
                 sheet: str | None = None) -> ImportResult:
    """Everything short of writing figures: archive, read, check, and compare with the database.

    `file_name` (required with bytes) is what the file is called and, by its extension, how it is
    read. `actor` decides whether figures for a locked month are an error or (for an administrator
    correcting a reported month) a warning. The file is parsed in a worker process with no hold on
    the database; only the comparison with the figures held opens it, briefly.
    """
    file_name = file_name or Path(source).name
    result = ImportResult(file_name)
    try:
        result.sha256, result.archive_path = archive_upload(store, source, file_name)
    except UnreadableFile as exc:
        result.readable = False
        result.problems = [UploadProblem("error", str(exc))]
        return result
    parsed = worker.parse_in_worker(result.archive_path, file_name, sheet, dt.date.today())
    result.readable, result.sheet, result.sheet_names, result.layout, result.header_row = (
        parsed.readable, parsed.sheet, parsed.sheet_names, parsed.layout, parsed.header_row)
    problems = UploadProblems(list(parsed.problems))
    if parsed.readable and parsed.layout is not None:
        with store.session(), collector_paused():
            _check_against_store(store, parsed, actor, result, problems)
    # Listed in the order of the file, so a person can work down it; whole-sheet problems first.
    # (A row with a month and a 累计 shares one 期间 cell: its problem is listed once.)
    result.problems = sorted(dict.fromkeys(problems.items), key=lambda p: (p.sheet, p.row or 0, p.column))
    return result


def _check_against_store(store: Store, parsed: ParsedFile, actor: auth.Actor, result: ImportResult,
                         problems: UploadProblems) -> None:
    figures, published = _figures(store, parsed, problems)
    _check_locked_months(figures, store.locked_periods(), actor, problems)
    if not problems.errors and not figures:
        problems.error("文件中没有找到任何数值（空白和“-”表示没有数据，不会导入）。请填写数值后再上传。",
                       sheet=parsed.sheet.name)
    if figures and not problems.errors:
        result.preview = _preview(store, figures, published, problems)


def import_file(store: Store, source: Path | bytes, file_name: str | None = None, *, actor: auth.Actor,
                sheet: str | None = None, dry_run: bool = False,
                expected_fingerprint: str | None = None, lock_reason: str = "") -> ImportResult:
    """Preview, then (unless a dry run or rejected) commit the preview as one batch (`commit_preview`)."""
    auth.require(actor, "upload")
    result = preview_file(store, source, file_name, actor=actor, sheet=sheet)
    result.dry_run = dry_run
    if result.ok and not dry_run:
        commit_preview(store, result, actor=actor, expected_fingerprint=expected_fingerprint, lock_reason=lock_reason)
    return result


def commit_preview(store: Store, result: ImportResult, *, actor: auth.Actor, expected_fingerprint: str | None = None,
                   lock_reason: str = "") -> ImportResult:
    """Write a clean preview's figures as one batch in one transaction.

    The store compares the figures again inside the transaction: if they differ from what the
    preview showed (`expected_fingerprint`, by default the preview's own), as when two people
    upload the same month at once, nothing is written and `PreviewOutdated` is raised. The store
    holds the figures it compares until the commit, so of two confirmations made at the same moment
    exactly one commits.
    """
    rows = result.preview[["indicator_code", "entity", "period", "months", "value", "note", "published_yoy"]]
    expected = expected_fingerprint or result.fingerprint

    def confirm_unchanged(con, diff: pd.DataFrame) -> None:
        if preview_fingerprint(diff) != expected:
            raise PreviewOutdated("预览之后数据库中的数据已被修改（可能有人同时上传了文件），本次没有写入任何数据。"
                                  "请重新核对新的预览，确认无误后再导入。")

    # Permissions and locked months are checked by the store itself, inside the transaction.
    with collector_paused():
        summary = store.commit_batch(
            rows, actor=actor, file_name=result.file_name, sha256=result.sha256, source="upload",
            lock_reason=lock_reason, before_commit=confirm_unchanged)
    result.batch_id = summary.batch_id
    result.committed = summary.batch_id is not None
    result.pending_review = summary.review == "pending"
    return result


_pause_lock = threading.Lock()
_pauses = 0
_collector_was_enabled = True


@contextmanager
def collector_paused():
    """Python's cycle collector off while a file is checked and written.

    A 20,000-row file makes some 200,000 small objects (cells, figures, their places in the
    sheet) that all live until the import ends. Their number kept triggering full collections,
    each traversing all of them to free nothing: a fifth of the import's time. Reference counting
    still frees everything as usual; the collector is back as it was when the last import running
    in the process ends.
    """
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()


def undo_upload(store: Store, batch_id: int, actor: auth.Actor) -> dict:
    """Undo one batch: editors their own uploads, administrators any (the store checks)."""
    return store.undo_batch(batch_id, actor)


def preview_fingerprint(diff: pd.DataFrame) -> str:
    if diff.empty:
        return hashlib.sha256(b"").hexdigest()
    # The 备注 too: what a file that changes no figure writes, and the month's 原因分析.
    key = diff[["indicator_code", "entity", "period", "months", "value", "old_value", "change", "note", "old_note"]]
    # Row hashes rather than the table as CSV: the same rows in the same order give the same digest,
    # at a tenth of the cost for a 20,000-row upload (which takes it twice: at preview and at commit).
    rows = pd.util.hash_pandas_object(key, index=False).to_numpy()
    return hashlib.sha256(rows.tobytes()).hexdigest()


def archive_upload(store: Store, source: Path | bytes, file_name: str) -> tuple[str, Path]:
    """Keep the uploaded bytes in the store's archive under their SHA-256; returns (sha256, a path
    to read them at). Files over the size limit are refused before they are copied, so the archive
    cannot be used to fill the disk."""
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    read.check_size(size, file_name)
    return store.archive(source if isinstance(source, bytes) else Path(source).read_bytes(), file_name)


def _figures(store: Store, parsed: ParsedFile,
             problems: UploadProblems) -> tuple[list[MonthFigure], dict[tuple[str, str, str], float]]:
    """The month figures to store, and the 同比 the file publishes for them."""
    indicators = catalog.indicators()
    directory = store.entity_directory()
    _check_unread_names(parsed.unread_names, directory, problems)
    sheet_entities = _sheet_entities(parsed.sheet_titles, directory, problems)
    readings = _held_entities(parsed.readings, directory, sheet_entities, problems)
    claims = _held_entities(parsed.claims, directory, sheet_entities, problems)
    codes = sorted({r.code for r in readings} | {c.code for c in claims})
    # The checks look back at most to last year (同比, a January's previous month), for the file's entities.
    entities = sorted({r.entity for r in readings} | {c.entity for c in claims})
    since = f"{min(x.period.year for x in [*readings, *claims]) - 1:04d}-01" if codes else None
    book = MonthBook(store.observations(codes=codes, entities=entities, since=since)
                               if codes else _no_observations())
    figures = month_figures(readings, book, indicators, problems)
    validate.check_figures(figures, book, indicators, problems)
    published = validate.check_yoy(claims, book, indicators, figures, problems)
    return figures, published


def _held_entities(records: list, directory: EntityDirectory, sheet_entities: dict[str, str | None],
                   problems: UploadProblems) -> list:
    """`records` under the stored names of the entities they name (a name in another spelling, or an
    alias an administrator set, is its entity), so an upload never creates or guesses an entity.

    A name from an entity column that matches no entity is an error once, with the closest names.
    A 其中 row naming no entity is a breakdown we do not track: skipped, with a warning once. A record
    of a sheet without an entity column is about the entity its title names (`_sheet_entities`).
    """
    held, reported = [], set()
    for record in records:
        if record.entity_from == "sheet":
            name = sheet_entities.get(record.cell.sheet, catalog.ZONE)
            if name is not None:
                held.append(record._replace(entity=name))
            continue
        name = directory.match(record.entity)
        if name is not None:
            held.append(record._replace(entity=name))
            continue
        key = (record.entity_from, record.cell.sheet, record.cell.row) if record.entity_from == "sub_row" else record.entity
        if key in reported:
            continue
        reported.add(key)
        if record.entity_from == "sub_row":
            problems.warning(f"“其中：{record.entity}”不是系统中的指标，也不是已有的主体，按分项处理，这一行没有导入。"
                             "如果它是某个主体的数，请管理员先在“主体管理”中新建该主体或设置别名。",
                             **(record.entity_cell or record.cell).where())
            continue
        close = directory.suggestions(record.entity)
        hint = f"您是否要填“{'”或“'.join(close)}”？" if close else ""
        problems.error(f"没有名为“{record.entity}”的主体。{hint}上传不会新建主体：请改为已有的主体名称，"
                       "或请管理员先在“主体管理”中新建该主体，或把这个名称设为已有主体的别名。",
                       **(record.entity_cell or record.cell).where(), entity=record.entity)
    return held


# An entity named in a title is found as a substring; names this short would be found in any title.
SHORTEST_NAME_IN_TITLE = 2


def _sheet_entities(titles: dict[str, tuple[str, ...]], directory: EntityDirectory,
                    problems: UploadProblems) -> dict[str, str | None]:
    """Each sheet without an entity column → the entity its title, else its sheet name, else the file
    name names ("甲开发区2023年5月统计月报"), or the zone when none names an entity held; None when the
    first that names any names two."""
    entities: dict[str, str | None] = {}
    for sheet, texts in titles.items():
        entities[sheet] = catalog.ZONE
        for where, text in zip(("标题", "工作表名", "文件名"), texts):
            named = _entities_named_in(canonical(text), directory)
            if len(named) > 1:
                problems.error(f"{where}同时提到了“{'”“'.join(sorted(named))}”，无法确定这张表是哪个主体的数据。"
                               "请在表中增加一列“主体”，逐行写明主体名称。", sheet=sheet)
                entities[sheet] = None
                break
            if named:
                entities[sheet] = named.pop()
                break
    return entities


def _entities_named_in(text: str, directory: EntityDirectory) -> set[str]:
    found = [(key, name) for key, name in directory.by_canonical.items()
             if len(key) >= SHORTEST_NAME_IN_TITLE and key in text]
    # "XX经济开发区甲园区" names the park, not also the zone its name contains
    return {name for key, name in found if not any(key != other and key in other for other, _ in found)}


def _check_unread_names(cells: list, directory: EntityDirectory, problems: UploadProblems) -> None:
    """A column that is not read but holds entity names is an error: its figures would otherwise all
    be filed under one entity, without a word."""
    reported = set()
    for cell in cells:
        name = directory.match(cell.raw)
        if name is None or (cell.sheet, cell.col) in reported:
            continue
        reported.add((cell.sheet, cell.col))
        header = f"表头“{cell.header}”" if cell.header else "这一列没有表头，"
        problems.error(f"这一列填的是主体名称（如“{name}”），但{header}不是系统认识的主体列，这一列不会被读取，"
                       "数值会被全部记到同一个主体名下。请把这一列的表头改为“主体”（或“填报单位”“企业名称”）；"
                       "如果表中已有主体列，请删除这一列。", **cell.where())


def _check_locked_months(figures: list[MonthFigure], locked: set[str], actor: auth.Actor,
                         problems: UploadProblems) -> None:
    reported: set[str] = set()
    for f in figures:
        if f.period not in locked or f.period in reported:
            continue
        reported.add(f.period)
        label = period_label(f.period, f.months)
        if actor.can("override_lock"):
            problems.warning(f"{label}已锁定（已报送上级）。您是管理员，确认后将作为更正写入；请在备注中写明更正原因。",
                             **f.cell.where())
        else:
            problems.error(f"{label}已锁定（已报送上级），不能再上传该月数据。如需更正，请联系管理员。", **f.cell.where())


def _no_observations() -> pd.DataFrame:
    return pd.DataFrame({"indicator_code": [], "entity": [], "period": [], "months": [], "value": []})


def _preview(store: Store, figures: list[MonthFigure], published: dict[tuple[str, str, str], float],
             problems: UploadProblems) -> pd.DataFrame:
    indicators = catalog.indicators()
    rows = pd.DataFrame({
        "indicator_code": [f.code for f in figures], "entity": [f.entity for f in figures],
        "period": [f.period for f in figures], "months": [f.months for f in figures],
        "value": [float(f.value) for f in figures], "note": [f.note for f in figures],
        "published_yoy": [published.get((f.code, f.entity, f.period), float("nan")) for f in figures]})
    diff = store.diff(rows)
    validate.revision_warnings(diff, figures, indicators, problems)
    cells = {(f.code, f.entity, f.period): f.cell for f in figures}
    # Columns as Python lists: iterating a pandas string column goes value by value through Arrow.
    codes, entities, periods, months = (diff[c].tolist() for c in ("indicator_code", "entity", "period", "months"))
    diff["name"] = [indicators[c].name for c in codes]
    diff["unit"] = [indicators[c].unit for c in codes]
    diff["label"] = [period_label(p, int(m)) for p, m in zip(periods, months)]
    diff["row"] = [cells[key].row + 1 for key in zip(codes, entities, periods)]
    return diff
