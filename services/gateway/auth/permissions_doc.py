"""Human descriptions of the OAuth scopes, for the OpenAPI security schemes."""

from __future__ import annotations

SCOPE_DESCRIPTIONS = {
    "employees:read": "Read agencies, units, positions and employees",
    "employees:write": "Write units, positions, employees, imports and SIASN syncs",
    "assessments:write": "Record ratings, assessments, sanctions and awards",
    "talent:read": "Read reviews, placements and talent",
    "talent:write": "Run reviews, calibrate, finalize, derive policies",
    "succession:read": "Read successor shortlists and succession overviews",
    "audit:read": "Read audit events",
    "national:read": "Read the national views: talent pool, 9-box and data quality across every agency",
    "admin": "Manage users and clients (gateway extension)",
}
