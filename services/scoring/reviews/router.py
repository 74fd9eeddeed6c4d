"""/v1/talent-reviews: start a review (a job), poll it, list them, finalize one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.background import BackgroundTask
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.etag import make_etag
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.scoring.dependencies import AccessDep, RegistryDep, wake_workers
from services.scoring.responses import json_response
from services.scoring.reviews import service
from services.scoring.reviews.schemas import FinalizeRequest, ReviewCreate, ReviewRead

router = APIRouter(prefix="/v1/talent-reviews", tags=["talent reviews"])


@router.post("", status_code=202, response_model=ReviewRead, responses=problem_responses(401, 403, 422))
async def start_review(
    data: ReviewCreate,
    request: Request,
    session: SessionDep,
    access: AccessDep,
    registry: RegistryDep,
    idem: IdempotencyDep,
) -> Response:
    """Start a talent review of an agency for a period: 202 with the job; poll its Location until completed."""
    if (replay := await idem.replay()) is not None:
        return replay
    review = await service.start_review(session, access, registry, data)
    headers = {"Location": f"/v1/talent-reviews/{review.id}", "ETag": make_etag(review.version)}
    response = await idem.respond(202, ReviewRead.of(review), headers)
    response.background = BackgroundTask(wake_workers, request)  # after the commit, so the worker sees it
    return response


@router.get("", response_model=Page[ReviewRead], responses=problem_responses(401, 403, 404, 422))
async def list_reviews(
    session: SessionDep,
    access: AccessDep,
    registry: RegistryDep,
    page: PageDep,
    agency_id: Annotated[str | None, Query(max_length=100, description="Agency id or code")] = None,
    status: Annotated[str | None, Query(description="queued, running, completed or failed")] = None,
) -> Response:
    """List reviews the caller may see, newest first."""
    rows, cursor = await service.list_reviews(session, access, registry, page, agency_id, status)
    return json_response(Page[ReviewRead](items=[ReviewRead.of(r) for r in rows], next_cursor=cursor))


@router.get("/{review_id}", response_model=ReviewRead, responses=problem_responses(401, 403, 404))
async def get_review(review_id: str, session: SessionDep, access: AccessDep) -> Response:
    """Read a review: status, progress, policy version, and its summary once completed."""
    access.require_staff()
    review = await service.get_visible_review(session, access, review_id)
    return json_response(ReviewRead.of(review), version=review.version)


@router.post("/{review_id}/finalize", response_model=ReviewRead, responses=problem_responses(401, 403, 404, 409, 422))
async def finalize_review(
    review_id: str, data: FinalizeRequest, session: SessionDep, access: AccessDep, idem: IdempotencyDep
) -> Response:
    """Finalize a completed review with the committee's decree number; it is read-only from then on."""
    if (replay := await idem.replay()) is not None:
        return replay
    review = await service.finalize_review(session, access, review_id, data)
    return await idem.respond(200, ReviewRead.of(review), {"ETag": make_etag(review.version)})
