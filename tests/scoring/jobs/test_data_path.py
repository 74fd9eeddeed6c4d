"""The review data path without the registry: export CSV -> compute -> COPY -> API, against the engine run directly."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi import FastAPI

from services.scoring import engine
from services.scoring.jobs.compute import BadExport, prepare_review
from tests.engine.synthetic import synthetic_inputs
from tests.scoring.conftest import Api, complete_review_from
from tests.scoring.csvexport import export_csv


@pytest.mark.parametrize("policy_id", ["permenpanrb-3-2020", "simata-2025"])
async def test_placements_round_trip_with_exact_explanations(api: Api, scoring_app: FastAPI, policy_id: str) -> None:
    inputs = synthetic_inputs(600, seed=7, missing=0.05)
    review_id = await complete_review_from(scoring_app, api, export_csv(inputs), policy_id)
    policy = engine.builtin_policy(policy_id)
    expected = engine.place(inputs, policy, 2025)
    order = np.argsort(inputs.nip.astype(str))
    served = []
    cursor = None
    while True:
        query = f"?limit=500&cursor={cursor}" if cursor else "?limit=500"
        page = (await api.get(f"/v1/talent-reviews/{review_id}/placements{query}")).json()
        served.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [p["nip"] for p in served] == inputs.nip.astype(str)[order].tolist()
    for row, placement in zip(order.tolist(), served, strict=True):
        box = int(expected.box[row])
        assert placement["box"] == (box or None)
        assert placement["status"] == ("placed" if expected.placed[row] else "incomplete")
        assert placement["missing"] == engine.missing_codes(int(expected.missing[row]))
        assert placement["explanation"] == engine.explain(inputs, row, policy, 2025)
        score = float(expected.potential_score[row])
        assert placement["potential_score"] == (None if np.isnan(score) else score)
    review = (await api.get(f"/v1/talent-reviews/{review_id}")).json()
    counts = np.bincount(expected.box.astype(int), minlength=10)
    assert review["summary"]["boxes"] == {str(b): int(counts[b]) for b in range(1, 10)}
    assert review["summary"]["incomplete"] == int((~expected.placed).sum())


async def test_a_bad_export_is_refused() -> None:
    inputs = synthetic_inputs(5, seed=1)
    good = export_csv(inputs)
    with pytest.raises(BadExport):
        prepare_review(good.replace(b",pns,", b",nobody,", 1), "r", engine.builtin_policy(), 2025)
    with pytest.raises(BadExport):
        prepare_review(good.rsplit(b"\n", 2)[0][:-3], "r", engine.builtin_policy(), 2025)
    header, first, *_ = good.split(b"\n")
    with pytest.raises(BadExport):
        prepare_review(b"\n".join([header, first, first, b""]), "r", engine.builtin_policy(), 2025)
    assert prepare_review(header + b"\n", "r", engine.builtin_policy(), 2025).rows == 0
