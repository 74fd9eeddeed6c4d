"""Hand-written people as rows of the registry's scoring-inputs export, turned into engine columns."""

from __future__ import annotations

from typing import Any

import numpy as np

from services.scoring.engine.codes import COMPETENCIES, PREDIKAT
from services.scoring.engine.inputs import ScoringInputs, inputs_from_columns
from services.scoring.engine.succession import TalentColumns

# A complete administrator, fresh inputs for period 2025, no standard of its own (default 3 on all nine).
BASE: dict[str, Any] = {
    "nip": "198001012005011001",
    "name": "Contoh",
    "employment_type": "pns",
    "gender": "male",
    "birth_date": "1980-01-01",
    "retirement_date": "2038-02-01",
    "position_id": "p-1",
    "position_type": "administrator",
    "functional_level": None,
    "position_since": "2020-01-01",
    "level_since": "2020-01-01",
    "rank": "III/d",
    "rank_order": 34,
    "rank_since": "2020-04-01",
    "education_level": "s1",
    "predikat_y": "baik",
    "predikat_y1": "baik",
    "competency_assessed_on": "2025-06-01",
    "potential_assessed_on": "2025-06-01",
    "potential_score": 80.0,
    "sanctions_in_force": 0,
    "ringan_recent": 0,
    "sedang_recent": 0,
    "berat_recent": 0,
    "last_heavy_sanction_ended_on": None,
    "awards_recent": 0,
}


def row(
    levels: int | dict[str, int] | None = 3, standard: int | dict[str, int] | None = None, **fields: Any
) -> dict[str, Any]:
    """One export row: BASE with `fields` replaced; `levels`/`standard` set all nine (int) or some (dict)."""
    result = dict(BASE)
    for prefix, value in (("lvl", levels), ("std", standard)):
        named = dict.fromkeys(COMPETENCIES, value) if not isinstance(value, dict) else value
        for code in COMPETENCIES:
            result[f"{prefix}_{code}"] = named.get(code)
    return result | fields


def build(rows: list[dict[str, Any]]) -> ScoringInputs:
    """Engine columns for the rows, through the same builder the service uses."""
    names = rows[0].keys()
    return inputs_from_columns({name: np.array([r[name] for r in rows], dtype=object) for name in names})


def talent(
    boxes: list[int],
    potential: list[float] | None = None,
    predikat_y: list[str | None] | None = None,
    predikat_y1: list[str | None] | None = None,
    pool_boxes: tuple[int, ...] = (7, 8, 9),
) -> TalentColumns:
    """Review results per candidate; the pool follows the effective box unless told otherwise."""
    size = len(boxes)

    def codes(values: list[str | None] | None) -> np.ndarray:
        values = values if values is not None else ["baik"] * size
        return np.array([PREDIKAT.index(v) if v else -1 for v in values], dtype=np.int8)

    return TalentColumns(
        effective_box=np.array(boxes, dtype=np.int8),
        potential_score=np.array(potential if potential is not None else [85.0] * size, dtype=np.float64),
        predikat_y=codes(predikat_y),
        predikat_y1=codes(predikat_y1),
        in_talent_pool=np.isin(np.array(boxes), pool_boxes),
    )
