"""/v1/employees/{nip}/talent: a person's latest placement and their history across reviews."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.scoring.dependencies import AccessDep
from services.scoring.placements.schemas import EmployeeTalent
from services.scoring.placements.talent import employee_talent
from services.scoring.responses import json_response

router = APIRouter(prefix="/v1/employees", tags=["talent"])


@router.get("/{nip}/talent", response_model=EmployeeTalent, responses=problem_responses(401, 404, 422))
async def get_talent(
    nip: Annotated[str, Path(pattern=r"^\d{18}$", description="18-digit NIP")], session: SessionDep, access: AccessDep
) -> Response:
    """The person's latest placement (most recently completed review) and their placements across reviews."""
    return json_response(await employee_talent(session, access, nip))
