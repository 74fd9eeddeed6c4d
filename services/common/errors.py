"""One error hierarchy for every service, rendered as RFC 9457 problem+json with a stable `code`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from services.common.db_errors import DATABASE_ERRORS, is_database_unavailable
from services.common.logging import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://talenta.go.id/problems/"

logger = logging.getLogger("talenta.errors")


class FieldError(BaseModel):
    """One invalid input: where it is (`loc`) and what is wrong with it."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is answered."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    errors: list[FieldError] | None = None


class AppError(Exception):
    """Base of every error a service raises on purpose; subclasses fix status, code and title."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.title
        self.instance_code = code or self.code
        self.errors = list(errors) if errors else None
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.detail)

    def to_problem(self) -> dict[str, Any]:
        """The problem+json body of this error."""
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.instance_code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.instance_code,
        }
        if self.errors is not None:
            body["errors"] = [e.model_dump(exclude_none=True) for e in self.errors]
        body.update(self.extra)
        return body


class BadRequest(AppError):
    status, code, title = 400, "bad_request", "Bad request"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer error="invalid_token"')


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"


class MethodNotAllowed(AppError):
    status, code, title = 405, "method_not_allowed", "Method not allowed"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "Payload too large"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class ValidationFailed(AppError):
    status, code, title = 422, "validation_failed", "Invalid input"

    def __init__(self, detail: str | None = None, *, errors: Sequence[FieldError] | None = None, **kw: Any) -> None:
        super().__init__(detail, errors=errors or [], **kw)


class PreconditionRequired(AppError):
    status, code, title = 428, "precondition_required", "Precondition required"


class TooManyRequests(AppError):
    status, code, title = 429, "rate_limited", "Too many requests"

    def __init__(self, retry_after_seconds: int, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail or f"Too many requests; retry after {retry_after_seconds} s", **kwargs)
        self.headers["Retry-After"] = str(max(1, retry_after_seconds))


class BadGateway(AppError):
    status, code, title = 502, "bad_gateway", "Bad gateway"


class ServiceUnavailable(AppError):
    status, code, title = 503, "service_unavailable", "Service unavailable"


class GatewayTimeout(AppError):
    status, code, title = 504, "gateway_timeout", "Upstream timeout"


def field_error(loc: Sequence[str | int], message: str) -> FieldError:
    """A FieldError for `loc`, e.g. field_error(["body", "nip"], "must be 18 digits")."""
    return FieldError(loc=list(loc), message=message)


def invalid(loc: Sequence[str | int], message: str, detail: str | None = None) -> ValidationFailed:
    """A 422 naming one field: the common case of a domain rule rejecting an input."""
    return ValidationFailed(
        detail or f"{'.'.join(str(p) for p in loc[1:] or loc)}: {message}", errors=[field_error(loc, message)]
    )


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """Render a problem body with the request id and the problem+json media type."""
    request_id = current_request_id()
    if request_id and "request_id" not in body:
        body = {**body, "request_id": request_id}
    return Response(orjson.dumps(body), status_code=int(body["status"]), media_type=PROBLEM_MEDIA_TYPE, headers=headers)


_HTTP_STATUS_ERRORS: dict[int, type[AppError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationFailed,
    428: PreconditionRequired,
    502: BadGateway,
    503: ServiceUnavailable,
    504: GatewayTimeout,
}


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            errors.append(_malformed_json(err))
            continue
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        errors.append(FieldError(loc=loc, message=str(err.get("msg", "invalid value")), type=err.get("type")))
    return errors


def _malformed_json(err: Any) -> FieldError:
    # FastAPI puts the character offset where a field name goes (["body", 15]): a client read "15" as a field.
    position = next((p for p in err.get("loc", ())[1:] if isinstance(p, int)), None)
    reason = str((err.get("ctx") or {}).get("error") or "malformed")
    where = f" at character {position}" if position is not None else ""
    return FieldError(loc=["body"], message=f"not valid JSON{where}: {reason}", type="json_invalid")


async def _app_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return problem_response(exc.to_problem(), exc.headers)


async def _request_validation_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    fields = ", ".join(".".join(str(p) for p in e.loc[1:] or e.loc) for e in errors[:5])
    err = ValidationFailed(f"Invalid input: {fields}" if fields else "Invalid input", errors=errors)
    return problem_response(err.to_problem())


# FastAPI's answer when a body cannot be read as JSON at all (not UTF-8, nested past the parser's depth ...).
_UNREADABLE_BODY = "There was an error parsing the body"
# python-multipart's most common refusal of a well-meant upload: a part header over its 4 KiB line limit.
_FORM_HINTS = {"Invalid multipart data.": " (a part's headers, its file name included, fit in 4 KiB)"}


def _unreadable_body(detail: str) -> AppError:
    if detail == _UNREADABLE_BODY:
        return invalid(["body"], "not readable as JSON: UTF-8, nested at most a few hundred levels deep")
    hint = _FORM_HINTS.get(detail, "")
    return invalid(["body"], f"not readable as a form: {detail}{hint}")


def _allowed_methods(request: Request) -> str:
    # Starlette's 405 names the methods of the first route matching the path only; the path may have several.
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(route.methods or ())
    return ", ".join(sorted(methods))


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # Only Starlette and FastAPI raise a 400 (a body they cannot read: JSON past the parser, or a form whose
        # framing is broken, e.g. a file name longer than a part's header may be). Bad input is a 422 naming
        # the field, as for malformed JSON; here the field is the whole body.
        return problem_response(_unreadable_body(str(exc.detail)).to_problem())
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
    cls = _HTTP_STATUS_ERRORS.get(exc.status_code)
    if cls is None:
        body = {
            "type": PROBLEM_TYPE_BASE + "http_error",
            "title": "HTTP error",
            "status": exc.status_code,
            "detail": str(exc.detail),
            "code": "http_error",
        }
        return problem_response(body, dict(exc.headers or {}))
    detail = str(exc.detail) if exc.detail else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such resource or route"
    err = cls(detail) if cls is not TooManyRequests else TooManyRequests(1)
    return problem_response(err.to_problem(), {**err.headers, **dict(exc.headers or {})})


async def _database_error_handler(request: Request, exc: Exception) -> Response:
    if is_database_unavailable(exc):
        # The database is restarting, refusing connections or out of them: the request may be retried.
        logger.warning("database unavailable", extra={"error": type(exc).__name__})
        err = ServiceUnavailable(
            "The database is unavailable; retry shortly.", code="database_unavailable", headers={"Retry-After": "2"}
        )
        return problem_response(err.to_problem(), err.headers)
    return await _unhandled_handler(request, exc)


async def _unhandled_handler(_: Request, exc: Exception) -> Response:
    # The stack trace goes to the log (with the request id), never to the client.
    logger.exception("unhandled error", exc_info=exc)
    return problem_response(AppError("An unexpected error occurred; quote the request id to support.").to_problem())


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception an app can raise to problem+json."""
    app.add_exception_handler(AppError, _app_error_handler)
    app.add_exception_handler(RequestValidationError, _request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    for error in DATABASE_ERRORS:
        app.add_exception_handler(error, _database_error_handler)
    app.add_exception_handler(Exception, _unhandled_handler)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring problem+json answers for the given statuses."""
    descriptions = {s: cls.title for s, cls in _HTTP_STATUS_ERRORS.items()}
    descriptions.update({429: TooManyRequests.title, 500: AppError.title})
    return {
        status: {
            "description": descriptions.get(status, "Error"),
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
