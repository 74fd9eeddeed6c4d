"""The gateway's declarative base and the import point of every table its migrations manage."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import make_metadata


class Base(DeclarativeBase):
    """Base of the gateway's tables (users, clients, keys, tokens, revocations, audit events)."""

    metadata = make_metadata()


def load_all_models() -> None:
    """Import every model module so that `Base.metadata` knows all tables (migrations, checks)."""
    from services.gateway.audit import models as _audit  # noqa: F401
    from services.gateway.auth import models as _auth  # noqa: F401
    from services.gateway.webhooks import models as _webhooks  # noqa: F401
