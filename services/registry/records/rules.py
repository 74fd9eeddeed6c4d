"""Codes of awards and disciplinary sanctions (PP 94/2021)."""

from __future__ import annotations

from typing import Literal

AwardLevel = Literal["agency", "regional", "national"]
SanctionLevel = Literal["ringan", "sedang", "berat"]
