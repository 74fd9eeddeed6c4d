"""Readiness of pool members for a target level: the engine's succession rules on the review's recorded inputs.

The target is a position of that level with the policy's defaults (its default competency standard and minimum
rank); rules are checked as of `as_of` on each placement's input snapshot (what the committee decided on), with
the review's predikat of Y and Y-1 and the effective box as the talent data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.scoring import engine
from services.scoring.engine.codes import PREDIKAT, READINESS
from services.scoring.placements.explain import snapshot_inputs
from services.scoring.placements.models import Placement


@dataclass(frozen=True)
class Readiness:
    """One eligible person's readiness for the target level."""

    readiness: str
    target_jpm: float | None
    score: float


def _talent(rows: Sequence[Placement]) -> engine.TalentColumns:
    boxes = np.array([row.effective_box or 0 for row in rows], dtype=np.int8)
    return engine.TalentColumns(
        effective_box=boxes,
        potential_score=np.array([np.nan if row.potential_score is None else row.potential_score for row in rows]),
        predikat_y=np.array([PREDIKAT.index(row.predikat_y) if row.predikat_y else -1 for row in rows], dtype=np.int8),
        predikat_y1=np.array(
            [PREDIKAT.index(row.predikat_y1) if row.predikat_y1 else -1 for row in rows], dtype=np.int8
        ),
        in_talent_pool=np.ones(len(rows), dtype=np.bool_),  # every row here is a pool member
    )


def readiness_of(
    rows: Sequence[Placement], level: str, policy: engine.Policy, as_of: dt.date
) -> dict[tuple[str, str], Readiness]:
    """(review id, NIP) -> readiness of those who meet every rule for a `level` position (others left out)."""
    if not rows:
        return {}
    columns = engine.evaluate(snapshot_inputs(rows), _talent(rows), engine.SuccessionTarget(level), policy, as_of)
    eligible = np.flatnonzero(columns.failed == 0)
    return {
        (rows[index].review_id, rows[index].nip): Readiness(
            readiness=READINESS[int(columns.readiness[index])],
            target_jpm=None if np.isnan(columns.target_jpm[index]) else round(float(columns.target_jpm[index]), 2),
            score=round(float(columns.score[index]), 2),
        )
        for index in eligible.tolist()
    }
