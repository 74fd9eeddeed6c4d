"""The national views, served by scoring: talent pool, 9-box across agencies, data quality (route table rows).

Each needs `national:read` for the national picture; a principal without it but with `talent:read` gets the same
route for its own agency (the services apply the agency scope of the identity the gateway sends)."""

from __future__ import annotations

from services.gateway.downstream import schemas_national as n
from services.gateway.downstream.routes import AGENCY, PAGING, Query, Route

S, NATIONAL, T_READ = "scoring", "national:read", "talent:read"
PERIOD = Query("period", "Review period Y (required)", "integer")
QUALITY = (
    PERIOD,
    Query("max_age_years", "Maximum input age in years (default: the policy's, 3 in permenpanrb-3-2020)", "integer"),
    Query("policy_id", "Policy whose maximum input age applies (default permenpanrb-3-2020)"),
)
READINESS = (
    "Readiness for `ready_for` (a position level such as `jpt_pratama`) applies the engine's succession rules of "
    "each review's policy to a position of that level with the policy's defaults for it (default competency "
    "standard and minimum rank), checked as of `as_of` (default today) on the inputs recorded with the placement: "
    "feeder level and time in it, rank, education, age, retirement margin, predikat of the review's year and the "
    "year before, discipline, employment type. Only people meeting every rule are listed; `ready_now`: every rule "
    "met and JPM against the default standard >= 80; `ready_1_2_years`: JPM 68 to < 80, or the time in level "
    "completing within 2 years; `ready_3_plus_years`: JPM < 68"
)
QUALITY_TEXT = (
    "Share of active employees (not deleted, not retired on 31 December of the period) whose scoring inputs are "
    "complete: a predikat for the period, a competency and a potential assessment dated on or before the period's "
    "end and no older than `max_age_years`, and a position; the rest broken down by what is missing"
)
NATIONAL_ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/api/v1/talent-pool",
        S,
        NATIONAL,
        "The talent pool across agencies",
        "national",
        n.TalentPoolPage,
        audit="talent_pool.list",
        also=(T_READ,),
        description="People in the talent pool (effective box 7-9, calibrations applied) of each agency's latest "
        "finalized review, sorted by box, potential score and NIP (all descending); each names its agency. "
        "National callers see every agency, others their own. " + READINESS,
        query=(
            Query("box", "Effective box 1-9", "integer"),
            Query("position_type", "jpt_utama ... pelaksana, fungsional"),
            Query("rank", 'Golongan, e.g. "IV/a" (PPPK "IX")'),
            AGENCY,
            Query("region", "The agency's province, e.g. Lampung"),
            Query("education_level", "sd, smp, sma, d1, d2, d3, d4, s1, s2, s3"),
            Query("ready_for", "A position level, e.g. jpt_pratama: only people meeting its succession rules"),
            Query("readiness", "ready_now, ready_1_2_years or ready_3_plus_years (needs ready_for)"),
            Query("as_of", "Day the readiness rules are checked on (default today)"),
            *PAGING,
        ),
    ),
    Route(
        "GET",
        "/api/v1/nine-box",
        S,
        NATIONAL,
        "The 9-box across agencies",
        "national",
        n.NationalNineBox,
        also=(T_READ,),
        description="The distribution over the nine boxes for a period: the national sum and each agency's grid, "
        "from each agency's latest review of the period finalized by its talent committee (agencies whose review "
        "awaits its decree are listed apart, not counted); by effective box",
        query=(PERIOD, Query("agency_id", "One agency (id or code)")),
    ),
    Route(
        "GET",
        "/api/v1/nine-box.svg",
        S,
        NATIONAL,
        "The 9-box across agencies as SVG",
        "national",
        None,
        also=(T_READ,),
        media_type="image/svg+xml",
        description="Small multiples for reports: the national sum, then one 3x3 grid per agency (axes in Indonesian)",
        query=(PERIOD, Query("agency_id", "One agency (id or code)")),
    ),
    Route(
        "GET",
        "/api/v1/data-quality",
        S,
        NATIONAL,
        "Data quality across agencies",
        "national",
        n.NationalQualityReport,
        also=(T_READ,),
        description=QUALITY_TEXT + ": the totals and each agency in view",
        query=QUALITY,
    ),
    Route(
        "GET",
        "/api/v1/agencies/{agency_id}/data-quality",
        S,
        T_READ,
        "Data quality of an agency",
        "national",
        n.AgencyQualityReport,
        also=(NATIONAL,),
        description=QUALITY_TEXT,
        query=QUALITY,
    ),
)
