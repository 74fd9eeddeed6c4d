"""An agency's units and positions, for naming them in a spreadsheet by id, code or name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.registry.imports.cells import CellError


def name_key(name: str) -> str:
    """Names compare ignoring case and repeated spaces."""
    return " ".join(name.lower().split())


@dataclass
class Catalog:
    """Lookups of one agency's units (id, code, name) and positions (id, unit + name, name)."""

    agency_id: str
    agency_code: str
    unit_ids: set[str] = field(default_factory=set)
    unit_codes: dict[str, str] = field(default_factory=dict)
    unit_names: dict[str, list[str]] = field(default_factory=dict)
    position_units: dict[str, str] = field(default_factory=dict)
    position_names: dict[str, list[str]] = field(default_factory=dict)
    position_unit_names: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    named: dict[str, bool] = field(default_factory=dict)  # spellings of the agency met so far (one, mostly)

    @staticmethod
    def build(
        agency_id: str,
        agency_code: str,
        units: Iterable[tuple[str, str | None, str]],
        positions: Iterable[tuple[str, str, str]],
    ) -> Catalog:
        """From (id, code, name) units and (id, unit_id, name) positions."""
        catalog = Catalog(agency_id, agency_code)
        for unit_id, code, name in units:
            catalog.unit_ids.add(unit_id)
            if code:
                catalog.unit_codes[code.lower()] = unit_id
            catalog.unit_names.setdefault(name_key(name), []).append(unit_id)
        for position_id, unit_id, name in positions:
            catalog.position_units[position_id] = unit_id
            catalog.position_names.setdefault(name_key(name), []).append(position_id)
            catalog.position_unit_names.setdefault((unit_id, name_key(name)), []).append(position_id)
        return catalog

    def names_agency(self, value: str) -> bool:
        """Whether `value` is this agency's id or code."""
        found = self.named.get(value)
        if found is None:
            found = value == self.agency_id or value.lower() == self.agency_code.lower()
            if len(self.named) < 1_000:
                self.named[value] = found
        return found

    def unit(self, value: str) -> str:
        """The id of the unit named by id, code or (unique) name; CellError otherwise."""
        if value in self.unit_ids:
            return value
        by_code = self.unit_codes.get(value.lower())
        if by_code is not None:
            return by_code
        return _one(self.unit_names.get(name_key(value), []), "unit", value)

    def position(self, value: str, unit_id: str | None) -> str:
        """The id of the position named by id, or by name (within `unit_id` when given, else agency-wide)."""
        if value in self.position_units:
            return value
        key = name_key(value)
        if unit_id is not None:
            within = self.position_unit_names.get((unit_id, key), [])
            if within:
                return _one(within, "position", value)
        return _one(self.position_names.get(key, []), "position", value)


def _one(found: list[str], what: str, value: str) -> str:
    if not found:
        raise CellError(f"unknown_{what}", value=value[:100])
    if len(found) > 1:
        raise CellError(f"ambiguous_{what}", value=value[:100])
    return found[0]
