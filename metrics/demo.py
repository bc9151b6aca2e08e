"""Illustrative monthly series, January 2021 to April 2023, for a first run.

Deterministic (seeded), seasonal (January–February low, December high) and exact where the
report gives a figure: the zone's 2022 months add up to the report's year totals, and the
months since the inspection add up to the report's since-inspection figures. An indicator
without a series written out here gets one derived from its target and kind (see
`_derived_plan`), so adding an indicator takes data/catalog.toml and data/targets.toml alone.
Everything here is loaded as one batch marked illustrative, so every screen labels it 示例数据
and `undo` removes it.
"""
from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from . import catalog
from .catalog import Direction, EntityKind, IndicatorKind, TargetKind

FIRST, LAST = "2021-01", "2023-04"
SEED = 20230510
PEER_ZONES = ("甲开发区（示例）", "乙开发区（示例）", "丙开发区（示例）", "丁开发区（示例）", "戊开发区（示例）")
ENTERPRISES = ("理士电池", "南高齿")
SINCE_INSPECTION = ("2022-10", "2023-04")  # feedback on 2022-09-30; report dated 2023-05-10

# Share of a year's flow in each month: slow around the Spring Festival, a December rush.
SEASON = (0.050, 0.042, 0.078, 0.082, 0.084, 0.090, 0.080, 0.082, 0.088, 0.086, 0.092, 0.146)

# The zone's flows: 2021 total, 2022 total, and Jan–Apr 2023 as a share of the 2023 target's
# 序时进度 (1.0 = exactly on pace), chosen so the first screen shows green, amber and red.
ZONE_FLOWS = {
    "invoice_sales": (238.6, 276.8, 0.93),
    "hightech_new": (24, 31, 1.15),
    "srdi_provincial_new": (9, 15, 1.0),
    "srdi_municipal_new": (6, 9, 0.75),
    "smart_workshop_new": (2, 4, 1.0),
    "listed_enterprises_new": (14, 20, 1.05),
    "projects_signed_100m": (11, 14, 1.1),
    "projects_introduced_100m": (9, 13, 0.8),
    "projects_started_100m": (8, 12, 1.0),
    "projects_completed_100m": (7, 11, 1.0),
    "effective_investment": (25.4, 30, 0.96),
    "foreign_capital": (1320, 1120, 0.55),
    "land_cleared": (1630, 2577, 1.12),
    "land_approved": (2410, 3607, 0.92),
    "hazards_found": (690, 760, 1.0),
    "hazards_fixed": (600, 690, 1.0),
}
EXACT_2022 = ("invoice_sales", "hightech_new", "srdi_provincial_new", "srdi_municipal_new",
              "smart_workshop_new", "listed_enterprises_new", "projects_introduced_100m",
              "projects_started_100m", "projects_completed_100m", "effective_investment",
              "land_cleared", "land_approved")
# Report figures for the months since the inspection (Oct 2022 – Apr 2023).
EXACT_SINCE_INSPECTION = {"projects_signed_100m": 20, "hazards_found": 823, "hazards_fixed": 746}

# The zone's levels: one value per month, a gentle path through given anchors.
ZONE_LEVELS = {
    "county_sales_share": {"2021-01": 63.0, "2021-12": 66.1, "2022-12": 68.3, "2023-04": 67.4},
    "tax_per_mu": {"2021-01": 6.9, "2021-12": 7.4, "2022-12": 8.1, "2023-04": 8.3},
    "output_per_mu": {"2021-01": 262, "2021-12": 281, "2022-12": 302, "2023-04": 296},
    "debt_short_term": {"2021-01": 13.2, "2021-12": 15.8, "2022-09": 16.9, "2022-12": 15.6, "2023-04": 12.9},
    "debt_long_term": {"2021-01": 6.0, "2021-12": 7.8, "2022-12": 9.6, "2023-01": 15.0, "2023-04": 15.2},
    "bonds_outstanding": {"2021-01": 0, "2022-10": 0, "2022-11": 2, "2023-04": 2},
}
STEP_LEVELS = {
    # Published once a year; the figure holds until the next result.
    "provincial_rank": {"2021-01": 37, "2022-06": 33, "2023-04": 33},
}
WRITTEN_OUT = {*ZONE_FLOWS, *ZONE_LEVELS, *STEP_LEVELS}
YEAR = int(LAST[:4])  # the year the illustrative months run into


def months(first: str = FIRST, last: str = LAST) -> list[str]:
    out = []
    year, month = map(int, first.split("-"))
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def allocate(total: float, weights: list[float], decimals: int) -> list[float]:
    """Split `total` over weights in steps of 10^-decimals, summing to it exactly (largest remainder)."""
    unit = Decimal(1).scaleb(-decimals)
    units = int((Decimal(str(total)) / unit).to_integral_value(ROUND_HALF_UP))
    wsum = sum(weights)
    raw = [units * w / wsum for w in weights]
    floors = [int(r) for r in raw]
    remainder = units - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in order[:remainder]:
        floors[i] += 1
    return [float(Decimal(f) * unit) for f in floors]


def _flow_year(rng: random.Random, total: float, decimals: int, month_list: list[int]) -> list[float]:
    weights = [SEASON[m - 1] * rng.uniform(0.8, 1.2) for m in month_list]
    return allocate(total, weights, decimals)


def _interpolate(anchors: dict[str, float], periods: list[str], rng: random.Random, decimals: int,
                 noise: float) -> list[float]:
    keys = sorted(anchors)
    index = {p: i for i, p in enumerate(periods)}
    out = []
    for p in periods:
        before = max((k for k in keys if k <= p), default=keys[0])
        after = min((k for k in keys if k >= p), default=keys[-1])
        if before == after:
            v = anchors[before]
        else:
            share = (index[p] - index[before]) / (index[after] - index[before])
            v = anchors[before] + (anchors[after] - anchors[before]) * share
            v *= 1 + rng.uniform(-noise, noise)
        out.append(round(v, decimals))
    return out


def _steps(anchors: dict[str, float], periods: list[str]) -> list[float]:
    keys = sorted(anchors)
    return [anchors[max((k for k in keys if k <= p), default=keys[0])] for p in periods]


def _target(code: str) -> catalog.Target | None:
    """The zone's target for the last illustrative year, else its latest one before."""
    held = [t for t in catalog.targets() if t.indicator == code and t.entity == catalog.ZONE and t.year <= YEAR]
    return max(held, key=lambda t: t.year, default=None)


def _size(code: str) -> float:
    """A year's total or a month-end level where no target gives one: the report's latest year figure, else 100."""
    figures = [f for f in catalog.report_figures()
               if f.indicator == code and f.entity == catalog.ZONE and f.scope == "year"]
    return max(figures, key=lambda f: f.year).value if figures else 100.0


def _derived_plan(ind: catalog.Indicator) -> tuple[str, tuple | dict]:
    """("flow", (2021 total, 2022 total, pace)), ("level", anchors) or ("steps", anchors) for an
    indicator no series is written out for, from its target and kind:
    - a flow grows 10% a year into its annual target, and January–April of the last year is on its
      序时进度 (a growth target: last year's total grown by the target's rate);
    - a level moves toward its year-end target from the side its direction makes worse, and is
      still short of it in the last month (a year-end target is judged in December); it starts
      just outside a floor or ceiling and meets it from the second year;
    - a rank (位) improves in yearly steps toward its target; a percentage stays within 0–100."""
    target = _target(ind.code)
    kind, value = (target.kind, target.value) if target else (None, None)
    if ind.is_rank:
        place = value if kind in (TargetKind.YEAR_END, TargetKind.FLOOR, TargetKind.CEILING) else _size(ind.code)
        return "steps", {FIRST: place + 6, f"{YEAR - 1}-06": place + 3, LAST: place + 2}
    if ind.kind == IndicatorKind.FLOW:
        if kind == TargetKind.GROWTH:
            base = _size(ind.code)
            return "flow", (base / 1.1, base, (1 + value / 100) / 1.1)
        year = {TargetKind.ANNUAL: value, TargetKind.YEAR_END: value,
                TargetKind.FLOOR: None if value is None else value * 12 * 1.05,
                TargetKind.CEILING: None if value is None else value * 12 * 0.95}.get(kind) or _size(ind.code) * 1.1
        return "flow", (year / 1.21, year / 1.1, 1.0)
    worse = 1 if ind.direction == Direction.LOWER else -1  # which way from the target is short of it
    if kind == TargetKind.YEAR_END:
        factors = {FIRST: 1 + 0.15 * worse, f"{YEAR - 1}-12": 1 + 0.05 * worse, LAST: 1 + 0.03 * worse}
    elif kind in (TargetKind.FLOOR, TargetKind.CEILING):
        outside = -1 if kind == TargetKind.FLOOR else 1
        factors = {FIRST: 1 + 0.03 * outside, f"{YEAR - 2}-12": 1 - 0.04 * outside, LAST: 1 - 0.08 * outside}
    else:
        rise = 1 + (value / 100 if kind == TargetKind.GROWTH else 0.05)
        value = _size(ind.code)
        factors = {FIRST: rise ** -2, f"{YEAR - 1}-{LAST[5:]}": 1 / rise, LAST: 1.0}
    return "level", {period: value * factor for period, factor in factors.items()}


def _plans(inds: dict[str, catalog.Indicator]) -> tuple[dict, dict, dict]:
    """(flows, levels, steps): the series written out above, then those derived for every other
    indicator that is uploaded."""
    plans = {"flow": dict(ZONE_FLOWS), "level": dict(ZONE_LEVELS), "steps": dict(STEP_LEVELS)}
    for code, ind in inds.items():
        if ind.kind != IndicatorKind.DERIVED and code not in WRITTEN_OUT:
            kind, plan = _derived_plan(ind)
            plans[kind][code] = plan
    return plans["flow"], plans["level"], plans["steps"]


def _zone_rows(shared: random.Random, entity: str, scale: float, exact: bool) -> list[dict]:
    inds = catalog.indicators()
    periods = months()
    targets_2023 = {t.indicator: t.value for t in catalog.targets() if t.year == YEAR and t.kind == TargetKind.ANNUAL}
    flows, levels, steps = _plans(inds)

    def rng_for(code: str) -> random.Random:
        """A derived series draws from its own generator, so adding an indicator changes no other's months."""
        return shared if code in WRITTEN_OUT else random.Random(f"{SEED}:{entity}:{code}")

    rows = []
    for code, (y2021, y2022, pace_2023) in flows.items():
        ind = inds[code]
        rng = rng_for(code)
        dec = ind.decimals
        if not exact:
            y2021, y2022 = y2021 * scale * rng.uniform(0.85, 1.15), y2022 * scale * rng.uniform(0.85, 1.15)
            pace_2023 *= rng.uniform(0.8, 1.2)
        y2023 = targets_2023.get(code, y2022 * 1.1) * (scale if not exact else 1)
        values = (_flow_year(rng, y2021, dec, list(range(1, 13)))
                  + _flow_year(rng, y2022, dec, list(range(1, 13))))
        # Jan–Apr 2023 at the chosen pace against the 2023 target.
        values += _flow_year(rng, y2023 * pace_2023 * 4 / 12, dec, [1, 2, 3, 4])
        if exact and code in EXACT_SINCE_INSPECTION:
            start, end = periods.index(SINCE_INSPECTION[0]), periods.index(SINCE_INSPECTION[1])
            window = values[start:end + 1]
            values[start:end + 1] = allocate(EXACT_SINCE_INSPECTION[code], [max(v, 0.5) for v in window], dec)
        rows += [{"indicator_code": code, "entity": entity, "period": p, "value": v}
                 for p, v in zip(periods, values)]
    for code, anchors in levels.items():
        dec = inds[code].decimals
        rng = rng_for(code)
        factor = 1.0 if exact else scale ** 0.3 * rng.uniform(0.85, 1.15)
        scaled = {k: v * factor for k, v in anchors.items()}
        values = _interpolate(scaled, periods, rng, dec, noise=0.0 if code == "bonds_outstanding" else 0.015)
        if inds[code].unit == "%":
            values = [min(v, 100.0) for v in values]
        rows += [{"indicator_code": code, "entity": entity, "period": p, "value": v}
                 for p, v in zip(periods, values)]
    for code, anchors in steps.items():
        offset = 0 if exact else rng_for(code).randint(-30, 40)
        values = _steps({k: max(1, round(v) + offset) for k, v in anchors.items()}, periods)
        rows += [{"indicator_code": code, "entity": entity, "period": p, "value": v}
                 for p, v in zip(periods, values)]
    return rows


def _enterprise_rows(rng: random.Random) -> list[dict]:
    periods = months()
    rows = []
    # 理士电池 2022 开票 56.8 亿元; 南高齿 entered industrial statistics in August 2022 with 33.5 亿元.
    plans = {"理士电池": ("2021-01", {2021: 49.5, 2022: 56.8}, 62.0, 9.6, 410),
             "南高齿": ("2022-08", {2022: 33.5}, 84.0, 12.4, 520)}
    for entity, (first, totals, total_2023, tax, output) in plans.items():
        active = [p for p in periods if p >= first]
        for year in (2021, 2022):
            ps = [p for p in active if p.startswith(str(year))]
            if not ps:
                continue
            values = _flow_year(rng, totals[year], 1, [int(p[5:]) for p in ps])
            rows += [{"indicator_code": "invoice_sales", "entity": entity, "period": p, "value": v}
                     for p, v in zip(ps, values)]
        ps = [p for p in active if p.startswith("2023")]
        values = _flow_year(rng, total_2023 * sum(SEASON[:4]), 1, [1, 2, 3, 4])
        rows += [{"indicator_code": "invoice_sales", "entity": entity, "period": p, "value": v}
                 for p, v in zip(ps, values)]
        for code, level, dec in (("tax_per_mu", tax, 2), ("output_per_mu", output, 1)):
            anchors = {active[0]: level * 0.92, active[-1]: level}
            values = _interpolate(anchors, active, rng, dec, noise=0.02)
            rows += [{"indicator_code": code, "entity": entity, "period": p, "value": v}
                     for p, v in zip(active, values)]
    return rows


def illustrative_rows() -> pd.DataFrame:
    """All illustrative figures: the zone, five peer zones and the two enterprises the report names."""
    rng = random.Random(SEED)
    rows = _zone_rows(rng, catalog.ZONE, 1.0, exact=True)
    for i, peer in enumerate(PEER_ZONES):
        rows += _zone_rows(rng, peer, (0.45, 0.7, 0.85, 1.2, 0.6)[i], exact=False)
    rows += _enterprise_rows(rng)
    df = pd.DataFrame(rows)
    df["months"] = 1
    df["note"] = "示例数据"
    return df


def entity_kinds() -> dict[str, str]:
    return {**{p: EntityKind.ZONE for p in PEER_ZONES}, **{e: EntityKind.ENTERPRISE for e in ENTERPRISES},
            catalog.ZONE: EntityKind.ZONE}
