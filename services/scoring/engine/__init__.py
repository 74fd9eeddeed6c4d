"""The scoring engine: pure Python + NumPy, no web framework, database or I/O.

DOMAIN.md's 9-box, potential, policies and succession made executable. Every number comes from a `Policy`.

Policies (`policy.py`, `builtin_policies.py`, `derive.py`)
    `Policy`: frozen pydantic document with `id`, `version`, `based_on`; `policy.ref` is "id@version".
    `builtin_policy(id="permenpanrb-3-2020")`, `BUILTIN_POLICIES`, `DEFAULT_POLICY_ID`, `SIMATA_POLICY_ID`.
    `derive(base, overrides: Mapping, new_id, *, version=1, name=None) -> Policy`: deep-merges JSON-shaped
    overrides (a part whose `kind` changes is replaced whole); raises pydantic.ValidationError (a ValueError)
    when the result is invalid (weights not summing to 1, bands out of order, a box missing or repeated ...).
    `policy_to_json(policy) -> str`, `policy_from_json(str | bytes) -> Policy` round-trip exactly.
    `export_parameters(policy) -> {"sanction_lookback_years": .., "award_lookback_years": ..}`: pass these
    to the registry's scoring-inputs export so its `*_recent` counts match the policy.

Inputs (`inputs.py`, `arrow.py`)
    `ScoringInputs`: one array per export column (encodings in `inputs.py`'s docstring): codes int8 (-1
    missing) indexing the tuples of `codes.py`, dates datetime64[D] (NaT), `rank_order` int16 (-1),
    competency levels / standards uint8 n x 9 (0 = none), `potential_score` float64 (NaN), counts int32.
    `inputs_from_columns(mapping of export column name -> array-like)`: strings or int codes; InputError
    (a ValueError with `.column`) on an absent column or a value outside its domain.
    `arrow.inputs_from_arrow(pyarrow.Table)` and `arrow.csv_column_types()` for the CSV reader (import
    `services.scoring.engine.arrow` explicitly; it is the only module that needs pyarrow).
    `ScoringInputs.take(rows)` selects rows.

Placement (`placement.py`): `place(inputs, policy, period: int) -> PlacementColumns`, row-aligned:
    performance_level int8 (index of codes.PERFORMANCE_LEVELS below/meets/above, -1 none),
    performance_score float64 (weighted policies; NaN otherwise), jpm float64 (NaN without a usable
    assessment), jpm_default_standard bool (data-quality warning), potential_score float64 (NaN unless all
    potential inputs are present and fresh), potential_level int8 (codes.POTENTIAL_LEVELS low/medium/high,
    -1), box int8 (1..9, 0 = none), in_talent_pool bool, placed bool (`status()` -> "placed"/"incomplete"),
    missing uint16 bitmask over MISSING_CODES (`missing_codes(mask)`, `decode_missing(masks)`).
    Scores are plain floats held to 9 decimals (`snap`); round only for display.

Explanation (`explain.py`): `explain(inputs, index, policy, period) -> dict` (JSON-ready): policy, period
    end, oldest input allowed, status, missing, inputs with dates, performance and potential terms
    (value, weight, weighted), band edges reached, the box cell with labels and recommendations, warnings.

Succession (`succession.py`, `shortlist.py`)
    `successors(candidates: ScoringInputs (export at as_of, feeder levels), talent: TalentColumns,
    target: SuccessionTarget(level, competency_standard | None, min_rank | None), policy, as_of: date,
    review_period: int, limit: int | None = None) -> SuccessionResult` with `.candidates` (list of dicts:
    rank, index, nip, score, readiness, target_jpm, target_jpm_band, box, time_in_level_met,
    time_in_level_completes_on, terms, reasons), `.excluded()` (index, nip, rules, reasons), `.columns`
    (SuccessionColumns, row-aligned: failed bitmask over RULE_CODES, target_jpm, score, readiness int8
    index of codes.READINESS, order) and `.criteria` (the rule values applied).
    `UnsupportedTarget` (a ValueError) when the policy has no rule for the target's level.
    `feeder_levels(target_level, policy)`: the levels to ask the export for (`levels=`); pass only those
    people, since anyone else is excluded with `feeder_level` and would crowd `excluded()`.
    `evaluate(...)` is the vectorised core without the JSON.

Reference (`reference.py`, `reference_succession.py`): per-person Python of the same rules, for tests.

Edge conventions (tested): band edges belong to the upper band; ages and time in level are completed
years (29 Feb anniversaries fall on 1 Mar); "within N years" includes the N-th anniversary; an input dated
exactly `max_input_age_years` before 31 Dec Y is fresh; a missing input fails the rule it feeds.
"""

from .builtin_policies import BUILTIN_POLICIES, DEFAULT_POLICY_ID, SIMATA_POLICY_ID, builtin_policy
from .derive import derive, export_parameters, policy_from_json, policy_to_json
from .explain import explain
from .inputs import InputError, ScoringInputs, inputs_from_columns
from .placement import MISSING_CODES, PlacementColumns, decode_missing, missing_codes, place
from .policy import Policy
from .shortlist import SuccessionResult, successors
from .succession import (
    RULE_CODES,
    SuccessionColumns,
    SuccessionTarget,
    TalentColumns,
    UnsupportedTarget,
    evaluate,
    feeder_levels,
)

__all__ = [
    "BUILTIN_POLICIES",
    "DEFAULT_POLICY_ID",
    "MISSING_CODES",
    "RULE_CODES",
    "SIMATA_POLICY_ID",
    "InputError",
    "PlacementColumns",
    "Policy",
    "ScoringInputs",
    "SuccessionColumns",
    "SuccessionResult",
    "SuccessionTarget",
    "TalentColumns",
    "UnsupportedTarget",
    "builtin_policy",
    "decode_missing",
    "derive",
    "evaluate",
    "explain",
    "export_parameters",
    "feeder_levels",
    "inputs_from_columns",
    "missing_codes",
    "place",
    "policy_from_json",
    "policy_to_json",
    "successors",
]
