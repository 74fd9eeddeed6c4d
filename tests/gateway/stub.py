"""A minimal downstream (registry or scoring stand-in) that checks the service token and echoes the call."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response

from services.common.errors import Unauthorized
from services.common.service_token import verify_service_token

SECRET = "demo-service-token-secret-change-me-0123456789"
AGENCY_A = "0193c3b0-0000-7000-8000-00000000000a"
AGENCY_B = "0193c3b0-0000-7000-8000-00000000000b"
AGENCIES = {
    AGENCY_A: {"id": AGENCY_A, "code": "pemkab-lampung-barat", "name": "Pemkab Lampung Barat"},
    AGENCY_B: {"id": AGENCY_B, "code": "pemkab-tanggamus", "name": "Pemkab Tanggamus"},
}
NIP_A = "198609262015051001"  # of agency A
NIP_A2 = "199001012015011002"
NIP_B = "198501012010011003"  # of agency B
PEOPLE = {NIP_A: AGENCY_A, NIP_A2: AGENCY_A, NIP_B: AGENCY_B}
# A placements download as scoring writes it: BOM, header, one row a person (NIP first; A2 twice, as a
# download never repeats a person but the audit must not count one twice either), a formula-looking name.
PLACEMENTS_CSV = f"\ufeffnip,name,box\r\n{NIP_A},'=Siti,9\r\n{NIP_A2},Budi,5\r\n{NIP_A2},Budi,5\r\n".encode()


def build_stub(service: str) -> FastAPI:
    """An app answering every /v1 path; `?stub_status=` `?stub_location=` `?stub_sleep=` steer it."""
    app = FastAPI()
    app.state.calls = []

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ok"}

    @app.api_route("/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def echo(request: Request, path: str) -> Response:
        try:
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            identity = verify_service_token(token, SECRET, service)
        except Unauthorized:
            return JSONResponse({"detail": "no service token"}, status_code=401)
        body = await request.body()
        call: dict[str, Any] = {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "headers": {k: v for k, v in request.headers.items() if k != "authorization"},
            "identity": identity.model_dump(),
            "body_size": len(body),
            "body": body[:2000].decode(errors="replace"),
        }
        app.state.calls.append(call)
        q = request.query_params
        if "stub_sleep" in q:
            await asyncio.sleep(float(q["stub_sleep"]))
        parts = path.split("/")
        if parts[0] == "agencies" and len(parts) == 2 and request.method == "GET":
            agency = next((a for a in AGENCIES.values() if parts[1] in (a["id"], a["code"])), None)
            if agency is None:
                return JSONResponse({"code": "not_found"}, status_code=404)
            return JSONResponse(agency)
        if parts[0] == "employees" and len(parts) == 1 and request.method == "GET":
            items = [
                {"nip": n, "name": "x", "agency_id": a} for n, a in PEOPLE.items() if identity.agency_id in (None, a)
            ]
            return JSONResponse({"items": items, "next_cursor": None, "echo": call})
        if parts[0] == "employees" and len(parts) >= 2:
            agency = PEOPLE.get(parts[1])
            if agency is None or (identity.agency_id is not None and identity.agency_id != agency):
                return JSONResponse(
                    {"code": "employee_not_found"}, status_code=404, media_type="application/problem+json"
                )
            status = int(q.get("stub_status", "200"))
            headers = {"ETag": '"3"'}
            if "stub_location" in q:
                headers["Location"] = q["stub_location"]
            return JSONResponse(
                {"nip": parts[1], "agency_id": agency, "echo": call}, status_code=status, headers=headers
            )
        status = int(q.get("stub_status", "200"))
        headers = {"Location": q["stub_location"]} if "stub_location" in q else {}
        if path.endswith(".svg"):
            return Response(b"<svg xmlns='http://www.w3.org/2000/svg'/>", media_type="image/svg+xml")
        if path.endswith(".csv"):
            return Response(PLACEMENTS_CSV, media_type="text/csv; charset=utf-8")
        return JSONResponse({"echo": call}, status_code=status, headers=headers)

    return app


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Run `app` under uvicorn on a free port inside this event loop; yield its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
