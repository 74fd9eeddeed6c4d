"""The predikat kinerja of PermenPANRB 6/2022, as the table of DOMAIN.md."""

from __future__ import annotations

from typing import Literal

Expectation = Literal["above", "meets", "below"]
Predikat = Literal["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]

# PermenPANRB 6/2022: (hasil kerja, perilaku kerja) -> predikat kinerja.
PREDIKAT_MATRIX: dict[tuple[str, str], str] = {
    ("above", "below"): "kurang",
    ("above", "meets"): "baik",
    ("above", "above"): "sangat_baik",
    ("meets", "below"): "kurang",
    ("meets", "meets"): "baik",
    ("meets", "above"): "baik",
    ("below", "below"): "sangat_kurang",
    ("below", "meets"): "butuh_perbaikan",
    ("below", "above"): "butuh_perbaikan",
}
PREDIKAT_LABELS_ID: dict[str, str] = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang": "Kurang/Misconduct",
    "sangat_kurang": "Sangat Kurang",
}


def predikat(work_result: str, work_behavior: str) -> str:
    """The predikat kinerja for a year's work result and work behaviour ratings."""
    return PREDIKAT_MATRIX[(work_result, work_behavior)]
