"""Scoring's error helpers on top of services.common.errors: stable codes for its domain conflicts."""

from __future__ import annotations

from collections.abc import Sequence

from services.common.errors import Conflict, NotFound, ValidationFailed, field_error


def invalid_field(loc: Sequence[str | int], message: str, code: str = "validation_failed") -> ValidationFailed:
    """A 422 naming one field, with a stable `code`."""
    name = ".".join(str(part) for part in loc[1:] or loc)
    return ValidationFailed(f"{name}: {message}", code=code, errors=[field_error(loc, message)])


def not_found(kind: str, key: str) -> NotFound:
    """The 404 for a missing resource, or one outside the caller's scope (the two must look alike)."""
    return NotFound(f"No {kind.replace('_', ' ')} {key!r}.", code=f"{kind}_not_found")


def review_finalized(review_id: str) -> Conflict:
    """409 for any write to a review the talent committee has finalized."""
    return Conflict(
        f"Review {review_id} is finalized (decree issued); it can no longer change.", code="review_finalized"
    )


def review_not_completed(review_id: str, status: str) -> Conflict:
    """409 for an action that needs a completed review."""
    return Conflict(f"Review {review_id} is {status}; this needs a completed review.", code="review_not_completed")
