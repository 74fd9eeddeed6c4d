"""/v1/talent-reviews/{review_id}/...: placements, calibrations and the 9-box of a review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response, StreamingResponse

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.etag import make_etag
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.scoring.dependencies import AccessDep
from services.scoring.placements import export, service
from services.scoring.placements.schemas import CalibrationCreate, NineBox, PlacementRead
from services.scoring.placements.spreadsheet import csv_chunks
from services.scoring.placements.svg import nine_box_svg
from services.scoring.responses import json_response

router = APIRouter(prefix="/v1/talent-reviews/{review_id}", tags=["placements"])
Nip = Annotated[str, Path(pattern=r"^\d{18}$", description="18-digit NIP")]


@router.get("/placements", response_model=Page[PlacementRead], responses=problem_responses(401, 403, 404, 409, 422))
async def list_placements(
    review_id: str,
    session: SessionDep,
    access: AccessDep,
    page: PageDep,
    box: Annotated[int | None, Query(ge=1, le=9, description="Effective box (calibrated where calibrated)")] = None,
    status: Annotated[str | None, Query(description="placed or incomplete")] = None,
    unit_id: Annotated[str | None, Query(max_length=36)] = None,
) -> Response:
    """List a completed review's placements in NIP order, filtered by effective box, status and unit."""
    where = service.box_filter(box, status, unit_id)
    items, cursor = await service.list_placements(session, access, review_id, where, page)
    return json_response(Page[PlacementRead](items=items, next_cursor=cursor))


@router.get(
    "/placements.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The CSV, one row a person"},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def download_placements(
    request: Request,
    review_id: str,
    session: SessionDep,
    access: AccessDep,
    box: Annotated[int | None, Query(ge=1, le=9, description="Effective box (calibrated where calibrated)")] = None,
    status: Annotated[str | None, Query(description="placed or incomplete")] = None,
    unit_id: Annotated[str | None, Query(max_length=36)] = None,
) -> StreamingResponse:
    """Download a completed review's placements as CSV for the committee's spreadsheet (formulas neutralised)."""
    ready = await export.prepare_export(session, access, review_id, service.box_filter(box, status, unit_id))
    chunks = csv_chunks(export.placement_rows(request.app.state.sessionmaker, ready))
    name = f"placements-{ready.review_id}.csv"  # the stored id, never the path's text: no header injection
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/placements/{nip}", response_model=PlacementRead, responses=problem_responses(401, 404, 409, 422))
async def get_placement(review_id: str, nip: Nip, session: SessionDep, access: AccessDep) -> Response:
    """Read one person's placement with its explanation and calibrations."""
    placement, version = await service.get_placement(session, access, review_id, nip)
    return json_response(placement, version=version)


@router.post(
    "/placements/{nip}/calibrations",
    status_code=201,
    response_model=PlacementRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def calibrate(
    review_id: str, nip: Nip, data: CalibrationCreate, session: SessionDep, access: AccessDep, idem: IdempotencyDep
) -> Response:
    """Calibrate a placement to another box with a reason; the engine's box stays visible (409 once finalized)."""
    if (replay := await idem.replay()) is not None:
        return replay
    placement, version = await service.calibrate(session, access, review_id, nip, data)
    headers = {"ETag": make_etag(version), "Location": f"/v1/talent-reviews/{review_id}/placements/{nip}"}
    return await idem.respond(201, placement, headers)


@router.get("/nine-box", response_model=NineBox, responses=problem_responses(401, 403, 404, 409))
async def get_nine_box(review_id: str, session: SessionDep, access: AccessDep) -> Response:
    """The 9-box counts of a completed review (all nine boxes), with labels and recommendations."""
    grid, review = await service.nine_box(session, access, review_id)
    return json_response(grid, version=review.version)


@router.get(
    "/nine-box.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **problem_responses(401, 403, 404, 409)},
)
async def get_nine_box_svg(review_id: str, session: SessionDep, access: AccessDep) -> Response:
    """The 9-box of a completed review as an SVG picture (axes in Indonesian)."""
    grid, review = await service.nine_box(session, access, review_id)
    return Response(
        nine_box_svg(grid, review.period),
        media_type="image/svg+xml",
        headers={"ETag": make_etag(review.version), "Cache-Control": "private, max-age=60"},
    )
