"""The demo agencies, units and positions as rows, with deterministic ids and competency standards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from services.registry.demo.orgchart import ALL_AGENCIES, PositionSpec, positions_of, units_of
from services.registry.demo.rows import Column, Rows, demo_ids
from services.registry.positions.rules import COMPETENCIES, position_level
from services.registry.settings import DEFAULT_COMPETENCY_LEVELS

ACTOR = "service:demo"
# Ids of organisation rows are time-ordered from here (UUIDv7), so rows created later sort after them.
ORG_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@dataclass
class DemoAgency:
    """One demo agency: its row, units, positions, and what generating people needs to know of them."""

    index: int
    code: str
    email_domain: str
    agency: Rows
    units: Rows
    positions: Rows
    shared_weight: Column  # per position: > 0 for positions many people share, 0 for single-holder ones


def audit_columns(count: int, at: dt.datetime) -> dict[str, Column]:
    """created/updated at/by and version for `count` generated rows."""
    stamp = np.full(count, at, dtype=object)
    actor = np.full(count, ACTOR, dtype=object)
    return {
        "created_at": stamp,
        "created_by": actor,
        "updated_at": stamp,
        "updated_by": actor,
        "version": np.ones(count, dtype=np.int64),
    }


def build_agencies(seed: int, recorded_at: dt.datetime, count: int = 2) -> list[DemoAgency]:
    """The demo agencies with their units and positions: pemkab-lampung-barat, pemkab-tanggamus, then more."""
    if not 1 <= count <= len(ALL_AGENCIES):
        raise ValueError(f"a demo dataset has 1 to {len(ALL_AGENCIES)} agencies")
    return [_build(index, seed, recorded_at) for index in range(count)]


def _build(index: int, seed: int, recorded_at: dt.datetime) -> DemoAgency:
    code, name, region, domain = ALL_AGENCIES[index]
    rng = np.random.default_rng([seed, index, 0])
    base = ORG_EPOCH + dt.timedelta(hours=index)
    agency_id = demo_ids(rng, 1, base)[0]
    agency = Rows(
        {
            "id": np.array([agency_id], dtype=object),
            "code": np.array([code], dtype=object),
            "name": np.array([name], dtype=object),
            "region": np.array([region], dtype=object),
            **audit_columns(1, recorded_at),
        }
    )
    unit_specs = units_of(code)
    unit_ids = demo_ids(rng, len(unit_specs), base + dt.timedelta(seconds=1))
    by_code = dict(zip([u.code for u in unit_specs], unit_ids.tolist(), strict=True))
    units = Rows(
        {
            "id": unit_ids,
            "agency_id": np.full(len(unit_specs), agency_id, dtype=object),
            "parent_id": np.array([by_code[u.parent] if u.parent else None for u in unit_specs], dtype=object),
            "name": np.array([u.name for u in unit_specs], dtype=object),
            "code": np.array([u.code for u in unit_specs], dtype=object),
            **audit_columns(len(unit_specs), recorded_at),
        }
    )
    specs = positions_of(code)
    positions = _positions(specs, by_code, agency_id, rng, base + dt.timedelta(seconds=2), recorded_at)
    weights = np.array([s.weight for s in specs], dtype=float)
    return DemoAgency(index, code, domain, agency, units, positions, weights)


def _positions(
    specs: list[PositionSpec],
    unit_ids: dict[str, str],
    agency_id: str,
    rng: np.random.Generator,
    base: dt.datetime,
    recorded_at: dt.datetime,
) -> Rows:
    count = len(specs)
    levels = [position_level(s.position_type, s.functional_level) for s in specs]
    columns: dict[str, Column] = {
        "id": demo_ids(rng, count, base),
        "agency_id": np.full(count, agency_id, dtype=object),
        "unit_id": np.array([unit_ids[s.unit] for s in specs], dtype=object),
        "name": np.array([s.name for s in specs], dtype=object),
        "position_type": np.array([s.position_type for s in specs], dtype=object),
        "functional_level": np.array([s.functional_level for s in specs], dtype=object),
        "level": np.array(levels, dtype=object),
        "is_key": np.array([s.is_key for s in specs], dtype=bool),
        "national": np.zeros(count, dtype=bool),
        "min_rank": np.array([None] * count, dtype=object),
    }
    # A standard sits around the default level of the position's level; leadership competencies one higher.
    base_level = np.array([DEFAULT_COMPETENCY_LEVELS[level] for level in levels])
    has_standard = np.array([s.with_standard for s in specs])
    for i, competency in enumerate(COMPETENCIES):
        bump = (i in (3, 6, 7)) & (base_level < 5) & (rng.random(count) < 0.5)
        columns["std_" + competency] = np.where(has_standard, np.minimum(5, base_level + bump), np.nan)
    return Rows({**columns, **audit_columns(count, recorded_at)})
