"""Request and response bodies of /v1/scoring-policies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from pydantic import ConfigDict, Field

from services.scoring.policies.models import ScoringPolicy
from services.scoring.schemas import InputModel, ReadModel

PolicyId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", examples=["lampung-barat-2026"])]
PolicyRef = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,62}(@[1-9][0-9]{0,8})?$",
        examples=["permenpanrb-3-2020", "lampung-barat-2026@2"],
        description="A policy id (its latest version) or id@version",
    ),
]


class PolicyCreate(InputModel):
    """Derive a policy from another: a new policy, or a new version of the agency's own when the id exists."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "derive_from": "permenpanrb-3-2020",
                    "name": "Lampung Barat 2026",
                    "id": "lampung-barat-2026",
                    "overrides": {"potential_bands": {"medium_from": 75, "high_from": 88}},
                }
            ]
        }
    )

    derive_from: PolicyRef
    name: str = Field(min_length=1, max_length=200)
    overrides: dict[str, Any] = Field(default_factory=dict, description="Policy values to change (deep-merged)")
    id: PolicyId | None = Field(
        default=None,
        description="The new policy's id; default: the base's id when the base is your own policy "
        "(a new version of it), else one made from the name",
    )
    agency_id: str | None = Field(
        default=None,
        max_length=100,
        description="Owning agency (id or code); default the caller's own. National callers may omit it "
        "for a national policy.",
    )


class PolicyRead(ReadModel):
    """A policy version: its document holds every weight, band, table and label the engine uses."""

    id: str
    version: int
    name: str
    derived_from: str | None = Field(description="id@version of the policy it was derived from")
    owner_agency_id: str | None = Field(description="null for built-in and national policies")
    builtin: bool
    created_at: dt.datetime
    created_by: str
    document: dict[str, Any]

    @classmethod
    def of(cls, row: ScoringPolicy) -> PolicyRead:
        """The answer for a stored policy row."""
        return cls(
            id=row.id,
            version=row.version,
            name=row.name,
            derived_from=row.based_on,
            owner_agency_id=row.owner_agency_id,
            builtin=row.builtin,
            created_at=row.created_at,
            created_by=row.created_by,
            document=orjson.loads(row.document),
        )
