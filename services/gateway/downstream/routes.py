"""Every forwarded resource route of API.md: where it goes, what it needs, what it answers.

One row per route, so the table reads beside API.md. `permission` names a row of
services/gateway/permissions.py; `audit` names the action recorded for every person it touches;
`not_own` marks routes where nobody may act on their own record (API.md: 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from services.common.pagination import Page
from services.gateway.downstream import schemas_registry as r
from services.gateway.downstream import schemas_talent as t


@dataclass(frozen=True)
class Query:
    """A documented query parameter."""

    name: str
    description: str
    type: str = "string"


@dataclass(frozen=True)
class Route:
    """One forwarded route."""

    method: str
    path: str  # public path; the internal one is the same minus `/api`
    service: str  # "registry" or "scoring"
    permission: str
    summary: str
    tag: str
    response: Any = None  # a pydantic model (or Page[...]) for the success answer
    request: type[BaseModel] | None = None
    status: int = 200
    audit: str | None = None
    not_own: bool = False
    query: tuple[Query, ...] = ()
    media_type: str = "application/json"


PAGING = (Query("limit", "Items per page (default 50, max 500)", "integer"), Query("cursor", "next_cursor"))
AGENCY = Query("agency_id", "Agency id or code")
R, S = "registry", "scoring"
E_READ, E_WRITE, A_WRITE = "employees:read", "employees:write", "assessments:write"
T_READ, T_WRITE, SUCC = "talent:read", "talent:write", "succession:read"
NIP_BASE = "/api/v1/employees/{nip}"
REVIEW = "/api/v1/talent-reviews/{review_id}"

ROUTES: tuple[Route, ...] = (
    # Agencies, units, positions
    Route("GET", "/api/v1/agencies", R, E_READ, "List agencies", "agencies", Page[r.AgencyRead], query=PAGING),
    Route(
        "POST",
        "/api/v1/agencies",
        R,
        "agencies:write",
        "Create an agency",
        "agencies",
        r.AgencyRead,
        r.AgencyCreate,
        201,
    ),
    Route("GET", "/api/v1/agencies/{agency_id}", R, E_READ, "Get an agency (id or code)", "agencies", r.AgencyRead),
    Route(
        "PATCH",
        "/api/v1/agencies/{agency_id}",
        R,
        "agencies:write",
        "Change an agency",
        "agencies",
        r.AgencyRead,
        r.AgencyUpdate,
    ),
    Route(
        "GET",
        "/api/v1/agencies/{agency_id}/units",
        R,
        E_READ,
        "List an agency's units",
        "units",
        Page[r.UnitRead],
        query=PAGING,
    ),
    Route(
        "POST",
        "/api/v1/agencies/{agency_id}/units",
        R,
        E_WRITE,
        "Create a unit",
        "units",
        r.UnitRead,
        r.UnitCreate,
        201,
    ),
    Route("GET", "/api/v1/units/{unit_id}", R, E_READ, "Get a unit", "units", r.UnitRead),
    Route("PATCH", "/api/v1/units/{unit_id}", R, E_WRITE, "Change a unit", "units", r.UnitRead, r.UnitUpdate),
    Route(
        "GET",
        "/api/v1/positions",
        R,
        E_READ,
        "List positions",
        "positions",
        Page[r.PositionRead],
        query=(AGENCY, Query("is_key", "Key positions only", "boolean"), *PAGING),
    ),
    Route(
        "POST", "/api/v1/positions", R, E_WRITE, "Create a position", "positions", r.PositionRead, r.PositionCreate, 201
    ),
    Route("GET", "/api/v1/positions/{position_id}", R, E_READ, "Get a position", "positions", r.PositionRead),
    Route(
        "PATCH",
        "/api/v1/positions/{position_id}",
        R,
        E_WRITE,
        "Change a position",
        "positions",
        r.PositionRead,
        r.PositionUpdate,
    ),
    # Employees and their records
    Route(
        "GET",
        "/api/v1/employees",
        R,
        E_READ,
        "List employees",
        "employees",
        Page[r.EmployeeRead],
        audit="employees.list",
        query=(AGENCY, Query("unit_id", "Unit"), Query("q", "Name or NIP search"), *PAGING),
    ),
    Route(
        "POST",
        "/api/v1/employees",
        R,
        E_WRITE,
        "Create an employee",
        "employees",
        r.EmployeeRead,
        r.EmployeeCreate,
        201,
        audit="employees.create",
    ),
    Route("GET", NIP_BASE, R, E_READ, "Get an employee", "employees", r.EmployeeRead, audit="employees.read"),
    Route(
        "PATCH",
        NIP_BASE,
        R,
        E_WRITE,
        "Change an employee",
        "employees",
        r.EmployeeRead,
        r.EmployeeUpdate,
        audit="employees.update",
    ),
    Route(
        "DELETE",
        NIP_BASE,
        R,
        E_WRITE,
        "Delete an employee (soft)",
        "employees",
        None,
        status=204,
        audit="employees.delete",
    ),
    Route(
        "POST",
        NIP_BASE + "/transfers",
        R,
        "employees:transfer",
        "Transfer to another agency",
        "employees",
        r.EmployeeRead,
        r.TransferCreate,
        201,
        audit="employees.transfer",
    ),
    Route(
        "GET",
        NIP_BASE + "/history",
        R,
        E_READ,
        "Rank, position, education and training history",
        "employees",
        r.EmployeeHistory,
        audit="employees.history.read",
    ),
    Route(
        "PUT",
        NIP_BASE + "/performance-ratings/{year}",
        R,
        A_WRITE,
        "Record a year's performance rating",
        "assessments",
        r.PerformanceRatingRead,
        r.PerformanceRatingPut,
        audit="performance_ratings.write",
        not_own=True,
    ),
    Route(
        "GET",
        NIP_BASE + "/performance-ratings",
        R,
        E_READ,
        "List performance ratings",
        "assessments",
        Page[r.PerformanceRatingRead],
        audit="performance_ratings.read",
        query=PAGING,
    ),
    Route(
        "POST",
        NIP_BASE + "/competency-assessments",
        R,
        A_WRITE,
        "Record a competency assessment",
        "assessments",
        r.CompetencyAssessmentRead,
        r.CompetencyAssessmentCreate,
        201,
        audit="competency_assessments.create",
        not_own=True,
    ),
    Route(
        "GET",
        NIP_BASE + "/competency-assessments",
        R,
        E_READ,
        "List competency assessments",
        "assessments",
        Page[r.CompetencyAssessmentRead],
        audit="competency_assessments.read",
        query=PAGING,
    ),
    Route(
        "POST",
        NIP_BASE + "/potential-assessments",
        R,
        A_WRITE,
        "Record a potential assessment",
        "assessments",
        r.PotentialAssessmentRead,
        r.PotentialAssessmentCreate,
        201,
        audit="potential_assessments.create",
        not_own=True,
    ),
    Route(
        "GET",
        NIP_BASE + "/potential-assessments",
        R,
        E_READ,
        "List potential assessments",
        "assessments",
        Page[r.PotentialAssessmentRead],
        audit="potential_assessments.read",
        query=PAGING,
    ),
    Route(
        "POST",
        NIP_BASE + "/awards",
        R,
        A_WRITE,
        "Record an award",
        "assessments",
        r.AwardRead,
        r.AwardCreate,
        201,
        audit="awards.create",
        not_own=True,
    ),
    Route(
        "GET",
        NIP_BASE + "/awards",
        R,
        E_READ,
        "List awards",
        "assessments",
        Page[r.AwardRead],
        audit="awards.read",
        query=PAGING,
    ),
    Route(
        "POST",
        NIP_BASE + "/disciplinary-actions",
        R,
        A_WRITE,
        "Record a disciplinary sanction",
        "assessments",
        r.DisciplinaryActionRead,
        r.DisciplinaryActionCreate,
        201,
        audit="disciplinary_actions.create",
        not_own=True,
    ),
    Route(
        "GET",
        NIP_BASE + "/disciplinary-actions",
        R,
        E_READ,
        "List disciplinary sanctions",
        "assessments",
        Page[r.DisciplinaryActionRead],
        audit="disciplinary_actions.read",
        query=PAGING,
    ),
    Route(
        "GET",
        NIP_BASE + "/talent",
        S,
        T_READ,
        "Latest placement and placement history",
        "talent",
        t.EmployeeTalent,
        audit="talent.read",
    ),
    # Bulk data
    Route(
        "POST",
        "/api/v1/imports",
        R,
        E_WRITE,
        "Import a CSV or NDJSON file (202 job)",
        "imports",
        r.ImportJob,
        r.ImportUpload,
        202,
        audit="imports.create",
        media_type="multipart/form-data",
    ),
    Route("GET", "/api/v1/imports/{import_id}", R, E_WRITE, "Poll an import", "imports", r.ImportJob),
    Route(
        "POST",
        "/api/v1/siasn/syncs",
        R,
        E_WRITE,
        "Sync people from SIASN (202 job)",
        "imports",
        r.SyncJob,
        r.SyncCreate,
        202,
        audit="siasn.sync",
    ),
    Route("GET", "/api/v1/siasn/syncs/{sync_id}", R, E_WRITE, "Poll a SIASN sync", "imports", r.SyncJob),
    # Talent
    Route(
        "GET",
        "/api/v1/scoring-policies",
        S,
        T_READ,
        "List scoring policies",
        "talent",
        Page[t.ScoringPolicyRead],
        query=PAGING,
    ),
    Route(
        "POST",
        "/api/v1/scoring-policies",
        S,
        T_WRITE,
        "Derive a new policy version",
        "talent",
        t.ScoringPolicyRead,
        t.ScoringPolicyCreate,
        201,
    ),
    Route(
        "GET", "/api/v1/scoring-policies/{policy_id}", S, T_READ, "Get a scoring policy", "talent", t.ScoringPolicyRead
    ),
    Route(
        "POST",
        "/api/v1/talent-reviews",
        S,
        T_WRITE,
        "Run a talent review (202 job)",
        "talent",
        t.TalentReviewRead,
        t.TalentReviewCreate,
        202,
    ),
    Route(
        "GET",
        "/api/v1/talent-reviews",
        S,
        T_READ,
        "List talent reviews",
        "talent",
        Page[t.TalentReviewRead],
        query=(AGENCY, *PAGING),
    ),
    Route("GET", REVIEW, S, T_READ, "Get a talent review", "talent", t.TalentReviewRead),
    Route(
        "GET",
        REVIEW + "/placements",
        S,
        T_READ,
        "List a review's placements",
        "talent",
        Page[t.PlacementRead],
        audit="placements.list",
        query=(
            Query("box", "Effective box 1-9", "integer"),
            Query("status", "placed or incomplete"),
            Query("unit_id", "Unit"),
            *PAGING,
        ),
    ),
    Route(
        "GET",
        REVIEW + "/placements/{nip}",
        S,
        T_READ,
        "Get one placement",
        "talent",
        t.PlacementRead,
        audit="placements.read",
    ),
    Route("GET", REVIEW + "/nine-box", S, T_READ, "The 9-box counts", "talent", t.NineBox),
    Route("GET", REVIEW + "/nine-box.svg", S, T_READ, "The 9-box as SVG", "talent", None, media_type="image/svg+xml"),
    Route(
        "POST",
        REVIEW + "/placements/{nip}/calibrations",
        S,
        "talent:calibrate",
        "Calibrate a placement",
        "talent",
        t.PlacementRead,
        t.CalibrationCreate,
        201,
        audit="placements.calibrate",
        not_own=True,
    ),
    Route(
        "POST",
        REVIEW + "/finalize",
        S,
        T_WRITE,
        "Finalize a review (talent committee decree)",
        "talent",
        t.TalentReviewRead,
        t.FinalizeRequest,
    ),
    # Succession
    Route(
        "GET",
        "/api/v1/positions/{position_id}/successors",
        S,
        SUCC,
        "Successor shortlist",
        "succession",
        t.Successors,
        audit="successors.read",
        query=(
            Query("limit", "Shortlist size (policy default 3)", "integer"),
            Query("include_excluded", "List excluded people and their rules", "boolean"),
            Query("as_of", "Date the rules are checked on (default today)"),
        ),
    ),
    Route(
        "GET",
        "/api/v1/agencies/{agency_id}/succession-overview",
        S,
        SUCC,
        "Key positions and successors",
        "succession",
        t.SuccessionOverview,
        audit="succession_overview.read",
    ),
)
