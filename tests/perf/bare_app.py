"""The benchmark baseline: a bare FastAPI endpoint answering constant JSON (no auth, no database, no middleware)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()
CONSTANT: dict[str, Any] = {
    "nip": "198609262015051001",
    "name": "Andi Pratama, S.Kom., M.T.",
    "employment_type": "pns",
    "rank": "III/c",
    "education_level": "s2",
    "birth_date": "1986-09-26",
    "gender": "male",
    "retirement_date": "2044-10-01",
}


@app.get("/v1/employees/{nip}")
async def employee(nip: str) -> dict[str, Any]:
    """Constant JSON, whatever the NIP."""
    return CONSTANT
