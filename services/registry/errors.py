"""Registry-specific error helpers on top of services.common.errors."""

from __future__ import annotations

from services.common.errors import NotFound, ValidationFailed, field_error


def invalid_body_field(field: str | list[str | int], message: str, code: str = "validation_failed") -> ValidationFailed:
    """A 422 naming one field of the request body, with a stable `code`."""
    path = [field] if isinstance(field, str) else field
    name = ".".join(str(p) for p in path)
    return ValidationFailed(f"{name}: {message}", code=code, errors=[field_error(["body", *path], message)])


def not_found(kind: str, key: str) -> NotFound:
    """The 404 for a missing resource, or one outside the caller's scope (the two must look alike)."""
    return NotFound(f"No {kind.replace('_', ' ')} {key!r}.", code=f"{kind}_not_found")
