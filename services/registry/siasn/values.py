"""Reading SIASN values: every value is a string ("" or null when absent), dates dd-mm-yyyy (or yyyy-mm-dd).

A value that breaks these rules raises `InvalidRecord` naming the field, e.g. `data-utama.tglLahir`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from services.common.dates import in_range
from services.registry.siasn.mapping_tables import normalise

_DMY = re.compile(r"(\d{2})-(\d{2})-(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class InvalidRecord(Exception):
    """A SIASN record that fails our validation: the field (endpoint and name) and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def parse_date(text: str) -> dt.date:
    """A SIASN date: dd-mm-yyyy, or yyyy-mm-dd; ValueError for anything else."""
    if match := _DMY.fullmatch(text):
        day, month, year = match.groups()
    elif match := _YMD.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise ValueError(f"{text[:40]!r} is not a date; SIASN sends dd-mm-yyyy")
    try:
        day_read = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a real date") from None
    return in_range(day_read)  # the API's bounds: later date arithmetic stays within Python's years


class Fields:
    """The values of one SIASN record, read by name; errors name `where.name`."""

    def __init__(self, record: Any, where: str) -> None:
        if not isinstance(record, Mapping):
            raise InvalidRecord(where, "is not a JSON object")
        self.record = record
        self.where = where

    def field(self, name: str) -> str:
        """The full name of a field of this record, as errors report it."""
        return f"{self.where}.{name}"

    def fail(self, name: str, reason: str) -> InvalidRecord:
        """The error for field `name`."""
        return InvalidRecord(self.field(name), reason)

    def text(self, name: str, *, required: bool = False) -> str | None:
        """A string value, stripped; None when absent or empty."""
        value = self.record.get(name)
        if value is not None and not isinstance(value, str):
            raise self.fail(name, f"must be a string, not {type(value).__name__}")
        value = (value or "").strip()
        if "\x00" in value:  # PostgreSQL cannot store U+0000: refuse the record, not the whole sync
            raise self.fail(name, "holds a NUL character")
        if not value:
            if required:
                raise self.fail(name, "is missing")
            return None
        return value

    def required(self, name: str) -> str:
        """A string value that must be present."""
        value = self.text(name, required=True)
        assert value is not None
        return value

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        """A dd-mm-yyyy (or yyyy-mm-dd) date; None when absent."""
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None

    def required_date(self, name: str) -> dt.date:
        """A date that must be present."""
        value = self.date(name, required=True)
        assert value is not None
        return value

    def number(self, name: str, *, required: bool = False) -> int | None:
        """A whole number written as a string ("12"); None when absent."""
        value = self.text(name, required=required)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit():
            raise self.fail(name, f"{value[:20]!r} is not a whole number")
        return int(value)

    def lookup(self, name: str, table: Mapping[str, str], *, required: bool = False) -> str | None:
        """A code or text translated through a mapping table; unknown values are refused."""
        value = self.text(name, required=required)
        if value is None:
            return None
        found = table.get(normalise(value))
        if found is None:
            raise self.fail(name, f"unknown value {value[:40]!r}")
        return found


def records(data: Any, where: str) -> list[Fields]:
    """The records of a list endpoint's `data` (null or "" = none)."""
    if data is None or data == "":
        return []
    if not isinstance(data, list):
        raise InvalidRecord(where, "is not a list")
    return [Fields(item, f"{where}[{index}]") for index, item in enumerate(data)]
