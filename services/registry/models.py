"""Every registry model, imported in one place so the metadata (and the migrations) see all tables."""

from __future__ import annotations

from services.registry.agencies.models import Agency
from services.registry.assessments.models import CompetencyAssessment, PotentialAssessment
from services.registry.base import Base, idempotency_keys
from services.registry.employees.models import (
    EducationHistory,
    Employee,
    PositionHistory,
    RankHistory,
    TrainingHistory,
)
from services.registry.imports.models import ImportJob
from services.registry.positions.models import Position
from services.registry.ratings.models import PerformanceRating
from services.registry.records.models import Award, DisciplinaryAction
from services.registry.siasn.models import SiasnCredentials, SiasnSync, SiasnSyncItem
from services.registry.units.models import Unit

metadata = Base.metadata

__all__ = [
    "Agency",
    "Award",
    "Base",
    "CompetencyAssessment",
    "DisciplinaryAction",
    "EducationHistory",
    "Employee",
    "ImportJob",
    "PerformanceRating",
    "Position",
    "PositionHistory",
    "PotentialAssessment",
    "RankHistory",
    "SiasnCredentials",
    "SiasnSync",
    "SiasnSyncItem",
    "TrainingHistory",
    "Unit",
    "idempotency_keys",
    "metadata",
]
