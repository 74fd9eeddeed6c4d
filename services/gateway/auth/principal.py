"""The authenticated principal of a public request, as read from its verified access token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (through a client) or a machine client."""

    subject: str  # "user:<id>" or "client:<client_id>"
    kind: Literal["user", "client"]
    client_id: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    agency_id: str | None
    jti: str
    expires_at: int
    issued_at: int = 0
    username: str | None = None
    user_id: str | None = None
    nip: str | None = None
    family_id: str | None = None  # refresh-token family the token came from

    @property
    def display_name(self) -> str:
        """The username of a person, or the client id of a machine."""
        return self.username or self.client_id
