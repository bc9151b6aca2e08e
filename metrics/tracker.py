"""The operations the command line and the screens share: set up, seed, and read assessed figures."""
from __future__ import annotations

import difflib
import hashlib
import math

import pandas as pd

from . import auth, calc, catalog, demo, periods
from .narrative import subject
from .store import Store, StoreError

DEMO_FILE_NAME = "示例数据（系统生成）"


def init_database(store: Store) -> list[int]:
    """Create or migrate the database and load the reference data; safe to run again."""
    applied = store.migrate()
    store.load_reference()
    return applied


SYSTEM = auth.Actor("系统示例", "admin")


def load_demo(store: Store, actor: auth.Actor = SYSTEM) -> dict:
    """Load the illustrative series as one batch marked illustrative; a second run changes nothing.

    A month that holds a figure from a real upload keeps it: illustrative data never overwrites
    what staff reported.
    """
    if not store.is_initialised():
        init_database(store)
    rows = demo.illustrative_rows()
    digest = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
    held = store.observations()
    reported = held.loc[~held["illustrative"].astype(bool), ["indicator_code", "entity", "period"]]
    keyed = rows.merge(reported, on=["indicator_code", "entity", "period"], how="left", indicator=True)
    kept = rows[(keyed["_merge"] == "left_only").to_numpy()]
    summary = store.commit_batch(kept, actor=actor, file_name=DEMO_FILE_NAME, sha256=digest,
                                 source="demo", illustrative=True, new_entities=demo.entity_kinds())
    return {"batch_id": summary.batch_id, "new": summary.new, "changed": summary.changed,
            "unchanged": summary.unchanged, "kept_reported": len(rows) - len(kept)}


def ensure_ready(store: Store, with_demo: bool = True) -> None:
    """First start of the app: create the database and, on an empty one, the illustrative data."""
    with store.session():
        if store.is_initialised():
            if store.schema_version() < store.schema_latest:
                store.migrate()
            return
        init_database(store)
        if with_demo and store.latest_period() is None:
            load_demo(store)


def indicator_table(store: Store, code: str, entity: str = catalog.ZONE) -> pd.DataFrame:
    """One indicator's months with 累计 (flows) and whether each figure is illustrative."""
    ind = catalog.indicators().get(code)
    if ind is None:
        raise StoreError(unknown_indicator_message(code))
    entity = resolve_entity(store, entity)
    codes = [code, *ind.inputs]
    obs = store.observations(entity=entity, codes=codes)
    series = calc.all_series({c: catalog.indicators()[c] for c in codes}, obs)[code]
    return series


def resolve_entity(store: Store, entity: str) -> str:
    """The stored entity a name or alias means; StoreError with the closest names otherwise."""
    directory = store.entity_directory()
    named = directory.match(entity)
    if named is None:
        near = directory.suggestions(entity)
        hint = f"您是否要找“{'”“'.join(near)}”？" if near else ""
        raise StoreError(f"没有名为“{entity}”的主体。{hint}用 `python -m metrics entities list` 查看全部主体。")
    return named


def no_figures_message(store: Store, period: str, entity: str, what: str) -> str:
    """Why nothing can be made for a month without figures, and which month has them."""
    latest = store.latest_period(entity)
    hint = f"最新有数据的月份是 {latest}。" if latest else "库中还没有任何月度数据，请先上传或运行 `python -m metrics demo`。"
    return f"{period} 没有{subject(entity)}的月度数据，无法生成{what}。{hint}"


def unknown_indicator_message(code: str) -> str:
    names = {i.code: i.name for i in catalog.indicators().values()}
    candidates = difflib.get_close_matches(code, list(names) + list(names.values()), n=1, cutoff=0.4)
    hint = ""
    if candidates:
        c = candidates[0]
        code_hint = c if c in names else next(k for k, v in names.items() if v == c)
        hint = f"您是否要找“{code_hint}”（{names[code_hint]}）？"
    return f"没有指标编码“{code}”。{hint}用 `python -m metrics catalog` 查看全部指标。"


def overview_figures(store: Store, entity: str, period: str | None = None):
    """(period, observations, targets): what the overview reads for one entity at one month, in
    one session of the file (each opening costs more than these queries do). Without a month, the
    latest one most indicators have reported (calc.Reporting.default_period)."""
    with store.session():
        observations = store.observations(entity=entity)
        period = period or calc.reporting(observations).default_period()
        if period is None:
            return None, None, None
        return period, observations, store.targets()


def assessed_overview(store: Store, entity: str, period: str | None = None):
    """(period, assessments, series) for one entity at one month (default: its latest)."""
    period, observations, targets = overview_figures(store, entity, period)
    if period is None:
        return None, [], {}
    assessments, series = calc.overview(catalog.indicators(), observations, targets, entity, period)
    return period, assessments, series


def month_reporting(store: Store, entity: str) -> calc.Reporting:
    """How many indicators each month holds for the entity, and how many more wait for review: the
    month picker offers a month whose figures all wait (to show them counted as waiting), and its
    default is never such a month (calc.Reporting.default_period)."""
    with store.session():
        current = store.observations(entity=entity)[["indicator_code", "period"]]
        waiting = store.pending_figures(entity=entity)[["indicator_code", "period"]]
    return calc.reporting(current, waiting)


def pending_review_count(store: Store, period: str, entity: str) -> int:
    """How many of the month's figures for the entity wait for review: leaders' screens and the
    exports leave them out, as not yet reported, and say how many there are."""
    waiting = store.pending_figures(period=period, entity=entity)
    return len(waiting[["indicator_code", "period"]].drop_duplicates())


def pending_review_note(store: Store, period: str, entity: str) -> str:
    """The deck's and the Word report's words for figures waiting for review ("" when none)."""
    count = pending_review_count(store, period, entity)
    return f"另有{count}项数据待审核，未计入" if count else ""


def sign_in(store: Store, name: str, password: str, *, client: str = "", origin: str = "") -> auth.Actor:
    """Check a password. Repeated failures slow further attempts down (metrics.auth) rather than lock
    the account; an unknown name costs as much time as a wrong password, so names cannot be probed."""
    name = name.strip()
    wait = store.begin_sign_in(name, client)
    if wait > 0:
        raise auth.PermissionDenied(f"密码错误次数较多，为防止猜测密码，请 {math.ceil(wait)} 秒后再试。"
                                    "如忘记密码，请管理员重置。")
    record = store.user_record(name)
    usable = record is not None and not record["disabled"]
    succeeded = auth.verify_password(record["password_hash"] if usable else None, password)
    role = record["role"] if succeeded else "viewer"
    actor = auth.Actor(name or "（空）", role, origin=origin)
    store.finish_sign_in(actor, client, succeeded)
    if not succeeded:
        raise auth.PermissionDenied("用户名或密码不正确（或账户已停用）。连续输错后每次需等待更久才能再试。")
    return actor


def undo_lines(effects: pd.DataFrame) -> list[str]:
    """What an undo reverts, a line per figure: "低效用地清理面积 XX经济开发区 2023年5月：120 → 110",
    with its 备注 where that reverts too (the month's 原因分析): "…：30 → 30，备注“受雨季影响” → 无备注"."""
    inds = catalog.indicators()
    lines = []
    for e in effects.itertuples(index=False):
        after = "无数据" if pd.isna(e.value_after) else f"{e.value_after:,.10g}"
        line = (f"{inds[e.indicator_code].name} {e.entity} {periods.period_label(e.period, int(e.months_now))}："
                f"{e.value_now:,.10g} → {after}")
        if e.note_now != e.note_after and not pd.isna(e.value_after):
            line += f"，备注{_quoted_note(e.note_now)} → {_quoted_note(e.note_after)}"
        lines.append(line)
    return lines


def _quoted_note(note: str) -> str:
    return f"“{note}”" if note else "无备注"


def command_line_actor(store: Store, name: str | None) -> auth.Actor:
    """The account a command acts as: it must exist and be enabled, and the store checks its role as
    for the web. The audit log records it beside the operating-system user who ran the command."""
    origin = auth.command_line_origin()
    if not name:
        raise StoreError("请用 --user 指定执行此操作的账户（或设置环境变量 METRICS_USER），例如 --user 张三。"
                         "命令行的修改同样按账户的角色检查权限，并连同系统用户记入操作日志。")
    record = store.user_record(name)
    if record is None:
        raise StoreError(f"没有账户“{name}”。用 `python -m metrics users list` 查看全部账户。")
    if record["disabled"]:
        raise StoreError(f"账户“{name}”已停用，不能执行修改。")
    return auth.Actor(name, record["role"], origin=origin)
