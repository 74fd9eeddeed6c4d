"""Bench: the scoring engine's batch placement and successor search against its per-person reference.

Places 1,000,000 and 5,600,000 synthetic people (both built-in policies) and compares with the plain-Python
reference timed on a sample in the same run (aim: >= 50x, and about a second for 5.6 M). Also times one
explanation and one successor search in a 10,000-person agency. Settings by environment:
BENCH_ENGINE_SIZES (1000000,5600000), BENCH_ENGINE_SAMPLE (20000), BENCH_ROUNDS (3).
Run: python -m tests.perf engine   (or make bench).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from services.scoring.engine import SuccessionTarget, TalentColumns, explain, place, successors
from services.scoring.engine.builtin_policies import PERMENPANRB_3_2020, SIMATA_2025
from services.scoring.engine.reference import people, reference_place_one
from services.scoring.engine.reference_succession import TalentRecord, reference_successors
from tests.engine.synthetic import synthetic_inputs

PERIOD = 2025
TARGET_RATIO = 50.0
TARGET_SECONDS_5_6M = 1.0


def setting(name: str, default: str) -> str:
    """A bench setting from the environment."""
    return os.environ.get(f"BENCH_{name}", default)


def timed(function: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """(first run, median of `rounds` further runs) in seconds: the first pays for fresh memory pages."""
    started = time.perf_counter()
    function()
    first = time.perf_counter() - started
    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return first, statistics.median(runs)


def reference_seconds_per_person(sample: Any, policy: Any) -> float:
    """Per-person time of the plain-Python reference, row conversion included (it is part of that path)."""
    started = time.perf_counter()
    for person in people(sample):
        reference_place_one(person, policy, PERIOD)
    return (time.perf_counter() - started) / len(sample)


def bench_placement(sizes: list[int], sample_size: int, rounds: int) -> None:
    """Batch placement at each size and policy, against the reference extrapolated from a sample."""
    for policy in (PERMENPANRB_3_2020, SIMATA_2025):
        sample = synthetic_inputs(sample_size, PERIOD, seed=99)
        per_person = reference_seconds_per_person(sample, policy)
        print(f"[{policy.id}] reference: {per_person * 1e6:.1f} us/person (sample of {sample_size:,})")
        for size in sizes:
            inputs = synthetic_inputs(size, PERIOD, seed=size)
            first, median = timed(lambda inputs=inputs, policy=policy: place(inputs, policy, PERIOD), rounds)
            ratio = per_person * size / median
            verdict = "ok" if ratio >= TARGET_RATIO else f"BELOW the {TARGET_RATIO:.0f}x aim"
            print(
                f"[{policy.id}] place {size:>9,} people: {median:.3f} s median of {rounds} "
                f"(first {first:.3f} s); reference would take {per_person * size:.0f} s: {ratio:.0f}x ({verdict})"
            )
            if size == 5_600_000 and median > TARGET_SECONDS_5_6M:
                print(f"[{policy.id}]   5.6 M took {median:.2f} s, above the ~{TARGET_SECONDS_5_6M:.0f} s aim")
            del inputs


def bench_explain(rounds: int) -> None:
    """One person's explanation (the on-demand path), in milliseconds."""
    inputs = synthetic_inputs(100_000, PERIOD, seed=7)
    _, median = timed(lambda: explain(inputs, 54_321, SIMATA_2025, PERIOD), rounds)
    print(f"explain one person of 100,000: {median * 1000:.2f} ms")


def _talent(size: int, rng: np.random.Generator) -> tuple[TalentColumns, list[TalentRecord]]:
    boxes = rng.integers(1, 10, size=size).astype(np.int8)
    potential = np.round(rng.uniform(60, 100, size=size), 2)
    predikat = rng.choice(np.array([0, 1, 1, 1, 2], dtype=np.int8), size=(2, size))
    columns = TalentColumns(boxes, potential, predikat[0], predikat[1], boxes >= 7)
    names = ("sangat_baik", "baik", "butuh_perbaikan")
    records = [
        TalentRecord(int(b), float(s), names[y], names[y1], bool(b >= 7))
        for b, s, y, y1 in zip(boxes, potential, predikat[0], predikat[1], strict=True)
    ]
    return columns, records


def bench_successors(rounds: int) -> None:
    """Successors for one administrator position in a 10,000-person agency, against the reference."""
    size, as_of, target = 10_000, dt.date(2026, 3, 15), SuccessionTarget("administrator")
    inputs = synthetic_inputs(size, PERIOD, seed=3)
    columns, records = _talent(size, np.random.default_rng(3))
    _, median = timed(lambda: successors(inputs, columns, target, PERMENPANRB_3_2020, as_of, PERIOD), rounds)
    rows = people(inputs)
    started = time.perf_counter()
    reference_successors(rows, records, "administrator", None, None, PERMENPANRB_3_2020, as_of)
    reference = time.perf_counter() - started
    eligible = int((successors(inputs, columns, target, PERMENPANRB_3_2020, as_of, PERIOD).columns.failed == 0).sum())
    print(
        f"successors among {size:,} people ({eligible} eligible): {median * 1000:.1f} ms; "
        f"reference {reference * 1000:.0f} ms: {reference / median:.0f}x"
    )


def main() -> None:
    """Run the engine benches and print their figures."""
    sizes = [int(size) for size in setting("ENGINE_SIZES", "1000000,5600000").split(",")]
    sample_size = int(setting("ENGINE_SAMPLE", "20000"))
    rounds = int(setting("ROUNDS", "3"))
    bench_placement(sizes, sample_size, rounds)
    bench_explain(rounds)
    bench_successors(rounds)


if __name__ == "__main__":
    main()
