"""Explanations recomputed on demand from a placement's stored input snapshot, by the engine that placed it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.scoring import engine
from services.scoring.engine.codes import COMPETENCIES
from services.scoring.jobs.compute import SNAPSHOT_CODES, SNAPSHOT_COUNTS, SNAPSHOT_DATES
from services.scoring.placements.models import Placement


def _levels(rows: Sequence[Placement], attribute: str, prefix: str) -> dict[str, list[int | None]]:
    digits = [getattr(row, attribute) for row in rows]
    return {f"{prefix}{code}": [int(text[index]) or None for text in digits] for index, code in enumerate(COMPETENCIES)}


def snapshot_inputs(rows: Sequence[Placement]) -> engine.ScoringInputs:
    """The engine inputs of stored placements, exactly as the export gave them."""
    columns: dict[str, Any] = {"nip": [row.nip for row in rows]}
    for name in (*SNAPSHOT_CODES, *SNAPSHOT_DATES, *SNAPSHOT_COUNTS, "rank_order"):
        columns[name] = [getattr(row, name) for row in rows]
    columns["potential_score"] = [row.potential_assessment_score for row in rows]
    columns |= _levels(rows, "competency_levels", "lvl_")
    columns |= _levels(rows, "competency_standard", "std_")
    return engine.inputs_from_columns(columns)


def explanations(rows: Sequence[Placement], policy: engine.Policy, period: int) -> list[dict[str, Any]]:
    """The engine's explanation of each placement (a page at a time, off the review's batch path)."""
    if not rows:
        return []
    inputs = snapshot_inputs(rows)
    return [engine.explain(inputs, index, policy, period) for index in range(len(rows))]
