"""Answers rendered once, by pydantic's serializer, with the ETag of single resources."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from services.common.etag import make_etag


def json_response(
    body: BaseModel, *, status_code: int = 200, version: int | None = None, headers: dict[str, str] | None = None
) -> Response:
    """`body` as JSON; with `version`, an ETag header."""
    all_headers = dict(headers or {})
    if version is not None:
        all_headers["ETag"] = make_etag(version)
    return Response(body.model_dump_json(), status_code=status_code, headers=all_headers, media_type="application/json")
