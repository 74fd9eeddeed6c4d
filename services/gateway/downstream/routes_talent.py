"""The forwarded routes served by scoring (rows of the route table)."""

from __future__ import annotations

from services.common.pagination import Page
from services.gateway.downstream import schemas_talent as t
from services.gateway.downstream.routes import AGENCY, PAGING, Query, Route

S = "scoring"
T_READ, T_WRITE, SUCC = "talent:read", "talent:write", "succession:read"
REVIEW = "/api/v1/talent-reviews/{review_id}"
NOT_COMPLETED = (409,)  # the review is queued, running or failed: nothing to read yet

TALENT_ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/api/v1/employees/{nip}/talent",
        S,
        T_READ,
        "Latest placement and placement history",
        "talent",
        t.EmployeeTalent,
        audit="talent.read",
    ),
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
        also_answers=NOT_COMPLETED,
        query=(
            Query("box", "Effective box 1-9", "integer"),
            Query("status", "placed or incomplete"),
            Query("unit_id", "Unit"),
            *PAGING,
        ),
    ),
    Route(
        "GET",
        REVIEW + "/placements.csv",
        S,
        T_READ,
        "Download a review's placements as CSV",
        "talent",
        None,
        audit="placements.export",
        also_answers=NOT_COMPLETED,
        query=(
            Query("box", "Effective box 1-9", "integer"),
            Query("status", "placed or incomplete"),
            Query("unit_id", "Unit"),
        ),
        media_type="text/csv",
        description="Download a completed review's placements as CSV for the talent committee's spreadsheet: UTF-8 "
        "with a BOM, one row a person, the same filters as the list. A text cell that a spreadsheet would run as a "
        "formula (starting with =, +, -, @, tab or carriage return) is prefixed with an apostrophe, so imported "
        "names and reasons are shown, never run",
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
        also_answers=NOT_COMPLETED,
    ),
    Route("GET", REVIEW + "/nine-box", S, T_READ, "The 9-box counts", "talent", t.NineBox, also_answers=NOT_COMPLETED),
    Route(
        "GET",
        REVIEW + "/nine-box.svg",
        S,
        T_READ,
        "The 9-box as SVG",
        "talent",
        None,
        media_type="image/svg+xml",
        also_answers=NOT_COMPLETED,
    ),
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
        also_answers=NOT_COMPLETED,  # no completed review to draw successors from yet
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
