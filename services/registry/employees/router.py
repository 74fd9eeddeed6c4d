"""/v1/employees: civil servants keyed by NIP, their transfers and dated history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.idempotency import IdempotencyDep
from services.common.pagination import Page, PageDep
from services.registry.access import Scope
from services.registry.dependencies import IfMatch, ReadSessionDep, ScopeDep, get_employee_reader, get_scope
from services.registry.employees import service, transfers
from services.registry.employees.models import Employee
from services.registry.employees.schemas import (
    EmployeeCreate,
    EmployeeHistory,
    EmployeeRead,
    EmployeeReadMinimised,
    EmployeeUpdate,
    TransferCreate,
    TransferRead,
)
from services.registry.responses import etag_headers, json_response

router = APIRouter(prefix="/v1/employees", tags=["employees"])
Nip = Annotated[str, Path(max_length=32, description="The 18-digit NIP")]


def render(employee: Employee | Mapping[Any, Any], scope: Scope) -> EmployeeRead | EmployeeReadMinimised:
    """The employee as the caller may see them: minimised (no e-mail, phone) without personal-data rights."""
    model = EmployeeRead if scope.personal_data else EmployeeReadMinimised
    return model.model_validate(employee if isinstance(employee, Employee) else dict(employee))


@router.get("", response_model=Page[EmployeeRead], responses=problem_responses(401, 404, 422))
async def list_employees(
    session: ReadSessionDep,
    scope: ScopeDep,
    page: PageDep,
    agency_id: Annotated[str | None, Query(max_length=100, description="Agency id or code")] = None,
    unit_id: Annotated[str | None, Query(max_length=36)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Name part or NIP prefix")] = None,
) -> Response:
    """List employees the caller may see, in NIP order; filter by agency, unit, or a name part / NIP prefix."""
    items, cursor = await service.list_employees(session, scope, page, agency_id, unit_id, q)
    model = EmployeeRead if scope.personal_data else EmployeeReadMinimised
    return json_response(Page[model](items=[model.model_validate(e) for e in items], next_cursor=cursor))  # type: ignore[valid-type]


@router.post("", status_code=201, response_model=EmployeeRead, responses=problem_responses(401, 404, 409, 422))
async def create_employee(data: EmployeeCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep) -> Response:
    """Register an employee. A NIP held by another agency is a 409: ask for a transfer."""
    if (replay := await idem.replay()) is not None:
        return replay
    employee = await service.create_employee(session, scope, data)
    return await idem.respond(201, render(employee, scope), etag_headers(employee.version))


@router.get("/{nip}", response_model=EmployeeRead, responses=problem_responses(401, 404))
async def get_employee(nip: Nip, request: Request) -> Response:
    """Read one employee by NIP."""
    # The busiest route: its two dependencies are called directly, as FastAPI's solving of each costs more
    # than the dependency itself (python -m tests.perf registry).
    scope, reader = await get_scope(request), await get_employee_reader(request)
    row = await service.read_visible_employee(reader, scope, nip)
    return json_response(render(row, scope), version=row["version"])


@router.patch("/{nip}", response_model=EmployeeRead, responses=problem_responses(401, 404, 409, 412, 422, 428))
async def update_employee(
    nip: Nip, data: EmployeeUpdate, session: SessionDep, scope: ScopeDep, if_match: IfMatch = None
) -> Response:
    """Change an employee (only the fields sent); send If-Match with their ETag."""
    employee = await service.update_employee(session, scope, nip, data, if_match)
    return json_response(render(employee, scope), version=employee.version)


@router.delete("/{nip}", status_code=204, responses=problem_responses(401, 404, 412, 428))
async def delete_employee(nip: Nip, session: SessionDep, scope: ScopeDep, if_match: IfMatch = None) -> Response:
    """Delete an employee softly: gone from reads and lists, their history kept; send If-Match."""
    await service.delete_employee(session, scope, nip, if_match)
    return Response(status_code=204)


@router.post(
    "/{nip}/transfers",
    status_code=201,
    response_model=TransferRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def transfer_employee(
    nip: Nip, data: TransferCreate, session: SessionDep, scope: ScopeDep, idem: IdempotencyDep
) -> Response:
    """Move a person to a position of another agency from `effective_on` (national callers only)."""
    if (replay := await idem.replay()) is not None:
        return replay
    done = await transfers.transfer_employee(session, scope, nip, data)
    body = TransferRead(
        nip=nip,
        from_agency_id=done.from_agency_id,
        agency_id=done.employee.agency_id,
        effective_on=data.effective_on,
        employee=render(done.employee, scope),
    )
    return await idem.respond(201, body, etag_headers(done.employee.version))


@router.get("/{nip}/history", response_model=EmployeeHistory, responses=problem_responses(401, 404))
async def employee_history(nip: Nip, session: ReadSessionDep, scope: ScopeDep) -> Response:
    """A person's rank, position, education and training history, dated, oldest first."""
    history = await service.employee_history(session, scope, nip)
    return json_response(EmployeeHistory.model_validate(history))
