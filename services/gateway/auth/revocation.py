"""Revoked tokens, kept in memory on every replica and refreshed from the database every few seconds.

A request never reads the database to learn whether its token is revoked; a revocation made on one
replica is applied there at once and reaches the others within `revocation_refresh_seconds`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RevocationEntry:
    """One revocation as stored: kind `jti`, `family` or `subject`."""

    kind: str
    value: str
    revoked_at: dt.datetime
    expires_at: dt.datetime


class RevocationCache:
    """Sets of revoked token ids and refresh families, and subjects revoked as of a time."""

    def __init__(self) -> None:
        self._jti: dict[str, float] = {}  # value -> expires (epoch)
        self._family: dict[str, float] = {}
        self._subject: dict[str, tuple[float, float]] = {}  # subject -> (revoked_at, expires)
        self.last_seen: dt.datetime | None = None

    def add(self, entry: RevocationEntry) -> None:
        """Apply one revocation."""
        expires = entry.expires_at.timestamp()
        if entry.kind == "jti":
            self._jti[entry.value] = expires
        elif entry.kind == "family":
            self._family[entry.value] = expires
        elif entry.kind == "subject":
            revoked = entry.revoked_at.timestamp()
            previous = self._subject.get(entry.value)
            if previous is None or previous[0] < revoked:
                self._subject[entry.value] = (revoked, expires)
        if self.last_seen is None or entry.revoked_at > self.last_seen:
            self.last_seen = entry.revoked_at

    def is_revoked(self, jti: str, family_id: str | None, subject: str, issued_at: int) -> bool:
        """True when the token, its refresh family or its subject (as of its issue time) is revoked."""
        if jti in self._jti or (family_id is not None and family_id in self._family):
            return True
        revoked_subject = self._subject.get(subject)
        return revoked_subject is not None and issued_at <= revoked_subject[0]

    def prune(self) -> None:
        """Forget revocations whose tokens have all expired anyway."""
        now = time.time()
        self._jti = {k: v for k, v in self._jti.items() if v > now}
        self._family = {k: v for k, v in self._family.items() if v > now}
        self._subject = {k: v for k, v in self._subject.items() if v[1] > now}

    def __len__(self) -> int:
        return len(self._jti) + len(self._family) + len(self._subject)
