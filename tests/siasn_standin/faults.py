"""How the stand-in misbehaves: latency, slow calls, 429 with Retry-After, 5xx, and malformed records.

Counted faults (`rate_limited`, `errors`, `slow`) hit the next N data calls; per-NIP faults last until cleared."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse, Response

DROP = "__drop__"  # a malformation value that removes the field


@dataclass
class Faults:
    """The faults in force; tests set attributes, a running stand-in takes them from JSON."""

    latency: float = 0.0  # seconds added to every data call
    slow: int = 0  # the next N calls take `slow_seconds` more
    slow_seconds: float = 0.0
    rate_limited: int = 0  # the next N calls answer 429 with Retry-After
    retry_after: str = "1"
    errors: int = 0  # the next N calls answer `error_status`
    error_status: int = 500
    failing_nips: dict[str, int] = field(default_factory=dict)  # NIP -> status of every call about it
    # NIP -> endpoint -> field -> value (DROP removes it); list endpoints apply it to every record.
    malformed: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # NIP -> endpoint -> a whole replacement of `data` (e.g. a list where an object belongs).
    replaced: dict[str, dict[str, Any]] = field(default_factory=dict)

    def configure(self, body: dict[str, Any]) -> None:
        """Set the faults named in `body` (the admin endpoint's JSON)."""
        for name in ("latency", "slow", "slow_seconds", "rate_limited", "retry_after", "errors", "error_status",
                     "failing_nips", "malformed", "replaced"):  # fmt: skip
            if name in body:
                setattr(self, name, body[name])

    def delay_for(self, path: str) -> float:
        """Seconds to wait before answering this call."""
        if self.slow > 0:
            self.slow -= 1
            return self.latency + self.slow_seconds
        return self.latency

    def failure_for(self, path: str) -> Response | None:
        """The error this call answers instead of data, if any."""
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return JSONResponse({"code": 0, "data": "Too many requests"}, 429, {"Retry-After": self.retry_after})
        if self.errors > 0:
            self.errors -= 1
            return JSONResponse({"code": 0, "data": "Internal server error"}, status_code=self.error_status)
        nip = path.rstrip("/").rsplit("/", 1)[-1]
        if nip in self.failing_nips:
            return JSONResponse({"code": 0, "data": "Internal server error"}, status_code=self.failing_nips[nip])
        return None

    def record_for(self, nip: str, endpoint: str, data: Any) -> Any:
        """The data of one endpoint for one NIP, with its malformations applied."""
        if endpoint in self.replaced.get(nip, {}):
            return self.replaced[nip][endpoint]
        changes = self.malformed.get(nip, {}).get(endpoint)
        if not changes:
            return data
        data = copy.deepcopy(data)
        for record in data if isinstance(data, list) else [data]:
            for name, value in changes.items():
                if value == DROP:
                    record.pop(name, None)
                else:
                    record[name] = value
        return data
