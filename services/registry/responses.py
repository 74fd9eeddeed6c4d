"""Answers rendered once, by pydantic's serializer, with the ETag of single resources."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from services.common.etag import make_etag


def json_response(body: BaseModel, *, status_code: int = 200, version: int | None = None) -> Response:
    """`body` as JSON; with `version`, an ETag header for If-Match on the next write."""
    headers = {"ETag": make_etag(version)} if version is not None else None
    return Response(body.model_dump_json(), status_code=status_code, headers=headers, media_type="application/json")


def etag_headers(version: int) -> dict[str, str]:
    """Headers of a created resource answered through the idempotency store."""
    return {"ETag": make_etag(version)}
