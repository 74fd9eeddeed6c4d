"""Talent columns for succession: each candidate's effective box, potential and predikat from a review."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from services.scoring import engine
from services.scoring.engine.arrow import inputs_from_arrow
from services.scoring.engine.codes import LEVELS, PREDIKAT
from services.scoring.jobs.compute import BadExport, read_export

_PREDIKAT_CODE = {name: code for code, name in enumerate(PREDIKAT)}


def parse_candidates(data: bytes) -> tuple[pa.Table, engine.ScoringInputs]:
    """The export's rows and engine inputs (CPU-bound for large exports: run in a thread)."""
    table = read_export(data)
    try:
        return table, inputs_from_arrow(table)
    except engine.InputError as exc:
        raise BadExport(f"bad export data: {exc}") from None


def talent_columns(nips: NDArray[Any], rows: Sequence[Any], policy: engine.Policy) -> engine.TalentColumns:
    """Align (nip, effective_box, potential_score, predikat_y, predikat_y1) rows with `nips` (absent: no talent)."""
    size = len(nips)
    box = np.zeros(size, dtype=np.int8)
    potential = np.full(size, np.nan)
    predikat_y = np.full(size, -1, dtype=np.int8)
    predikat_y1 = np.full(size, -1, dtype=np.int8)
    if rows and size:
        order = np.argsort(nips, kind="stable")
        sorted_nips = nips[order]
        found = np.array([row[0] for row in rows], dtype=sorted_nips.dtype)
        at = np.clip(np.searchsorted(sorted_nips, found), 0, size - 1)
        hit = sorted_nips[at] == found
        target = order[at[hit]]
        picked = [row for row, ok in zip(rows, hit.tolist(), strict=True) if ok]
        box[target] = [row[1] or 0 for row in picked]
        potential[target] = [np.nan if row[2] is None else row[2] for row in picked]
        predikat_y[target] = [_PREDIKAT_CODE.get(row[3], -1) for row in picked]
        predikat_y1[target] = [_PREDIKAT_CODE.get(row[4], -1) for row in picked]
    pool = np.isin(box, np.array(policy.talent_pool_boxes, dtype=np.int8))
    return engine.TalentColumns(
        effective_box=box,
        potential_score=potential,
        predikat_y=predikat_y,
        predikat_y1=predikat_y1,
        in_talent_pool=pool,
    )


def level_codes(levels: Sequence[str]) -> NDArray[np.int8]:
    """Engine level codes of level names."""
    return np.array([LEVELS.index(level) for level in levels if level in LEVELS], dtype=np.int8)
