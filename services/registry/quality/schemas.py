"""Response bodies of the data-quality index."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from services.registry.quality.repository import COUNTS


class Share(BaseModel):
    """How many active people, and which share of them (null when the agency has nobody active)."""

    count: int
    share: float | None


class Breakdown(BaseModel):
    """What is missing, each counted once per person (a person can lack several things)."""

    no_predikat: Share = Field(description="No current SKP predikat for the period")
    no_competency_assessment: Share = Field(description="No competency assessment dated on or before the period end")
    no_potential_assessment: Share = Field(description="No potential assessment dated on or before the period end")
    stale_assessment: Share = Field(description="The latest competency or potential assessment is too old")
    stale_competency_assessment: Share
    stale_potential_assessment: Share
    no_position: Share = Field(description="No position held at the period end")
    position_without_standard: Share = Field(
        description="The position has no competency standard of its own (scored with the default table: a warning)"
    )


class QualityCounts(BaseModel):
    """Active people, the complete ones (predikat, both assessments fresh, a position), and what the rest lack."""

    active: int
    complete: int
    complete_share: float | None = Field(description="complete / active, null without active people")
    missing: Breakdown


class AgencyQuality(QualityCounts):
    """One agency's data quality."""

    agency_id: str
    code: str
    name: str
    region: str | None


class QualityBasis(BaseModel):
    """What the figures were computed on."""

    period: int
    as_of: dt.date = Field(description="31 December of the period: active people, positions and assessments then")
    max_age_years: int = Field(description="An assessment dated before `stale_before` is stale")
    stale_before: dt.date


class AgencyQualityReport(QualityBasis, AgencyQuality):
    """`GET /v1/agencies/{agency_id}/data-quality`."""


class NationalQualityReport(QualityBasis):
    """`GET /v1/data-quality`: totals over the agencies the caller sees, and each of them."""

    totals: QualityCounts
    agencies: list[AgencyQuality]


def quality_counts(counts: dict[str, int]) -> QualityCounts:
    """Counts with their shares of the active people."""
    active = counts["active"]

    def share(name: str) -> Share:
        return Share(count=counts[name], share=round(counts[name] / active, 4) if active else None)

    breakdown = Breakdown(**{name: share(name) for name in COUNTS if name not in ("active", "complete")})
    return QualityCounts(
        active=active,
        complete=counts["complete"],
        complete_share=share("complete").share,
        missing=breakdown,
    )
