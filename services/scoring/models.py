"""Every scoring model, imported in one place so the metadata (and the migrations) see all tables."""

from __future__ import annotations

from services.scoring.base import Base, idempotency_keys
from services.scoring.placements.models import Calibration, Placement
from services.scoring.policies.models import ScoringPolicy
from services.scoring.reviews.models import TalentReview
from services.scoring.succession.models import SuccessionShortlist

metadata = Base.metadata

__all__ = [
    "Base",
    "Calibration",
    "Placement",
    "ScoringPolicy",
    "SuccessionShortlist",
    "TalentReview",
    "idempotency_keys",
    "metadata",
]
