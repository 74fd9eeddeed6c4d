"""Deriving an agency's policy from another, serialising policies, and what a policy asks of the export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .policy import Policy, WeightedPerformance

# The registry's default look-back for awards when a policy does not score recognition (API contract).
_EXPORT_DEFAULT_AWARD_LOOKBACK = 5


def _merge(base: Any, override: Any) -> Any:
    """Deep-merge JSON-shaped `override` into `base`; a part whose `kind` changes is replaced whole."""
    if not isinstance(base, dict) or not isinstance(override, Mapping):
        return override
    if "kind" in override and override["kind"] != base.get("kind"):
        return dict(override)
    merged = dict(base)
    for key, value in override.items():
        merged[str(key)] = _merge(base.get(str(key)), value)
    return merged


def derive(
    base: Policy, overrides: Mapping[str, Any], new_id: str, *, version: int = 1, name: str | None = None
) -> Policy:
    """A new policy: `base` with `overrides` deep-merged in, validated whole (pydantic.ValidationError if not)."""
    for key in ("id", "version", "based_on"):
        if key in overrides:
            raise ValueError(f"{key} is set by derive, not by an override")
    document = _merge(base.model_dump(mode="json"), overrides)
    document.update(id=new_id, version=version, based_on=base.ref, name=name or overrides.get("name") or new_id)
    return Policy.model_validate(document)


def policy_to_json(policy: Policy) -> str:
    """The policy as a JSON document (what the scoring service stores and serves)."""
    return policy.model_dump_json()


def policy_from_json(document: str | bytes) -> Policy:
    """A policy read back from `policy_to_json`'s output, validated."""
    return Policy.model_validate_json(document)


def export_parameters(policy: Policy) -> dict[str, int]:
    """The look-backs to request from the registry's scoring-inputs export so its counts match this policy."""
    performance = policy.performance
    awards = (
        performance.award_lookback_years
        if isinstance(performance, WeightedPerformance)
        else _EXPORT_DEFAULT_AWARD_LOOKBACK
    )
    return {"sanction_lookback_years": policy.integrity.lookback_years, "award_lookback_years": awards}
