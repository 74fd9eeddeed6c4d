"""Errors of the OAuth endpoints, answered as RFC 6749 section 5.2 JSON rather than problem+json."""

from __future__ import annotations

from typing import Any

from services.common.errors import AppError


class OAuthError(AppError):
    """An RFC 6749 error: `error` is the registered code, the detail its `error_description`."""

    status, code, title = 400, "invalid_request", "OAuth error"

    def __init__(self, error: str, description: str, status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(description, code=error, headers=headers)
        self.error = error
        self.http_status = status

    def body(self) -> dict[str, Any]:
        """The RFC 6749 5.2 JSON body."""
        return {"error": self.error, "error_description": self.detail}


def invalid_client(description: str = "Client authentication failed.", basic: bool = False) -> OAuthError:
    """401 invalid_client; a challenge is included when the client tried HTTP Basic (RFC 6749 5.2)."""
    headers = {"WWW-Authenticate": 'Basic realm="talenta"'} if basic else None
    return OAuthError("invalid_client", description, 401, headers)


def invalid_grant(description: str) -> OAuthError:
    """400 invalid_grant: a bad password, code, verifier or refresh token."""
    return OAuthError("invalid_grant", description)


def too_many_attempts(retry_after: float) -> OAuthError:
    """429 with Retry-After after too many failed attempts (the RFC 8628 `slow_down` code)."""
    seconds = max(1, int(retry_after + 0.999))
    return OAuthError(
        "slow_down", f"Too many failed attempts; retry after {seconds} s.", 429, {"Retry-After": str(seconds)}
    )
