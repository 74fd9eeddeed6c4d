"""The registry's calendar: Asia/Jakarta (WIB), as DOMAIN.md fixes it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def today() -> dt.date:
    """Today's date in Jakarta."""
    return dt.datetime.now(JAKARTA).date()
