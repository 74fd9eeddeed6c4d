"""ETags and If-Match: a change to an existing resource must name the version it changes (428 / 412)."""

from __future__ import annotations

from services.common.errors import PreconditionFailed, PreconditionRequired


def make_etag(version: int) -> str:
    """The strong ETag of a resource at `version`."""
    return f'"{version}"'


def require_if_match(if_match: str | None, current_version: int) -> None:
    """Raise 428 without If-Match and 412 when it does not name the current version (`*` matches any)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Send If-Match with the ETag you last read, so a concurrent change is not lost.",
            code="if_match_required",
        )
    current = make_etag(current_version)
    candidates = {tag.strip() for tag in if_match.split(",")}
    if "*" in candidates or current in candidates:
        return
    raise PreconditionFailed(
        f"The resource changed since you read it (current ETag {current}); read it again and retry.",
        code="etag_mismatch",
    )
