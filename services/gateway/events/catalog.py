"""Which service emits each event type, and which permission (API.md's table) lets a principal see it."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.auth.principal import Principal
from services.gateway.permissions import Reach, decide

SOURCES = ("registry", "scoring")
EVENT_TYPES: dict[str, tuple[str, str]] = {  # type -> (source service, permission)
    "employee.changed": ("registry", "employees:read"),
    "review.completed": ("scoring", "talent:read"),
    "review.finalized": ("scoring", "talent:read"),
    "placement.calibrated": ("scoring", "talent:read"),
    "succession.changed": ("scoring", "succession:read"),
}


@dataclass(frozen=True)
class EventAccess:
    """The event types a principal may see, and the agency they are limited to (None: every agency)."""

    types: tuple[str, ...]
    agency_id: str | None

    def types_of(self, source: str) -> tuple[str, ...]:
        """The visible types one service emits."""
        return tuple(name for name in self.types if EVENT_TYPES[name][0] == source)


def event_access(principal: Principal) -> EventAccess:
    """Types whose permission reaches all agencies or the principal's own (an employee's own records: none)."""
    grants = {name: decide(principal, permission) for name, (_, permission) in EVENT_TYPES.items()}
    visible = {name: grant for name, grant in grants.items() if grant is not None and grant.reach is not Reach.SELF}
    national = bool(visible) and all(grant.reach is Reach.ALL for grant in visible.values())
    return EventAccess(types=tuple(visible), agency_id=None if national else principal.agency_id)
