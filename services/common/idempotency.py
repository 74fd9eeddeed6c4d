"""`Idempotency-Key` on POST: a replay answers the first response; the same key with another body is 422.

The key, the request's fingerprint and the response are stored in the service's own database, in the
same transaction as the write they guard, so a write and its remembered answer commit together.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import orjson
from fastapi import Depends, Header, Request
from pydantic import BaseModel
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from services.common.db import SessionDep, UTCDateTime, utcnow
from services.common.errors import Conflict, ValidationFailed, field_error, invalid
from services.common.service_token import Caller

REPLAY_HEADER = "Idempotent-Replayed"
_StoredRow = tuple[str, int | None, bytes | None, str | None]  # hash, status, body, headers


def idempotency_table(metadata: MetaData) -> Table:
    """The `idempotency_keys` table, declared in each service's own metadata (and migrations)."""
    return Table(
        "idempotency_keys",
        metadata,
        Column("principal", String(200), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("response_headers", Text, nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
    )


class Idempotency:
    """The idempotency state of one POST; a no-op when the client sent no key."""

    def __init__(
        self, session: AsyncSession, table: Table | None, principal: str, key: str | None, request_hash: str
    ) -> None:
        self.session = session
        self.table = table
        self.principal = principal
        self.key = key
        self.request_hash = request_hash

    async def replay(self) -> Response | None:
        """The stored response of an earlier identical request, or None after claiming the key."""
        if self.key is None or self.table is None:
            return None
        row = await self._stored()
        if row is None:
            try:
                async with self.session.begin_nested():
                    await self.session.execute(
                        self.table.insert().values(
                            principal=self.principal,
                            key=self.key,
                            request_hash=self.request_hash,
                            created_at=utcnow(),
                        )
                    )
                return None
            except IntegrityError:
                # Another request with this key committed first (PostgreSQL made us wait for it).
                row = await self._stored()
                if row is None:
                    raise Conflict(
                        "A request with this Idempotency-Key is in progress.", code="idempotency_key_in_use"
                    ) from None
        return self._response_for(row)

    async def _stored(self) -> _StoredRow | None:
        assert self.table is not None
        t = self.table
        result = await self.session.execute(
            select(t.c.request_hash, t.c.status_code, t.c.response_body, t.c.response_headers).where(
                t.c.principal == self.principal, t.c.key == self.key
            )
        )
        row = result.first()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def _response_for(self, row: _StoredRow) -> Response:
        request_hash, status, body, headers = row
        if request_hash != self.request_hash:
            raise ValidationFailed(
                "This Idempotency-Key was used with a different request body.",
                code="idempotency_key_reused",
                errors=[field_error(["header", "Idempotency-Key"], "already used with another request")],
            )
        if status is None:
            raise Conflict("A request with this Idempotency-Key is in progress.", code="idempotency_key_in_use")
        stored_headers = orjson.loads(headers) if headers else {}
        return Response(
            body,
            status_code=status,
            headers={**stored_headers, REPLAY_HEADER: "true"},
            media_type=stored_headers.get("content-type", "application/json"),
        )

    async def respond(self, status_code: int, body: BaseModel, headers: dict[str, str] | None = None) -> Response:
        """Serialise the answer, remember it under the key (same transaction), and return it."""
        payload = body.model_dump_json().encode()
        headers = dict(headers or {})
        if self.key is not None and self.table is not None:
            t = self.table
            await self.session.execute(
                t.update()
                .where(t.c.principal == self.principal, t.c.key == self.key)
                .values(
                    status_code=status_code,
                    response_body=payload,
                    response_headers=orjson.dumps({**headers, "content-type": "application/json"}).decode(),
                )
            )
        return Response(payload, status_code=status_code, headers=headers, media_type="application/json")


async def get_idempotency(
    request: Request,
    session: SessionDep,
    caller: Caller,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Idempotency:
    """FastAPI dependency for POST routes that honour `Idempotency-Key`."""
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise invalid(["header", "Idempotency-Key"], "must be 1 to 200 characters")
    body = await request.body()
    fingerprint = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"?" + request.url.query.encode() + b"\n" + body
    ).hexdigest()
    table = getattr(request.app.state, "idempotency_table", None)
    return Idempotency(session, table, caller.subject, idempotency_key, fingerprint)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
