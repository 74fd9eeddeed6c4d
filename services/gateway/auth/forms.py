"""Reading the OAuth endpoints' form bodies: anything unreadable is an RFC 6749 `invalid_request`, never a 500.

A multipart body without its boundary, or a field holding NUL (which PostgreSQL refuses in a lookup), was a
problem+json 400 or a 500 where RFC 6749 5.2 fixes the answer's format.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from services.gateway.auth.exceptions import OAuthError

NUL = "\x00"


async def read_form(request: Request) -> FormData:
    """The request's form, or OAuthError(invalid_request) when it cannot be read or holds a NUL character."""
    try:
        form = await request.form()
    except HTTPException as exc:  # Starlette's answer to a malformed multipart body
        raise OAuthError("invalid_request", f"The body is not a readable form: {exc.detail}") from None
    for name, value in form.multi_items():
        if NUL in name or (isinstance(value, str) and NUL in value):
            raise OAuthError("invalid_request", f"The form field {name.replace(NUL, '')!r} holds a NUL character.")
    return form


def refuse_nul(value: str, what: str) -> str:
    """`value` itself; OAuthError(invalid_request) when it holds a NUL character (e.g. decoded Basic credentials)."""
    if NUL in value:
        raise OAuthError("invalid_request", f"The {what} holds a NUL character.")
    return value
