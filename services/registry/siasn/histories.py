"""SIASN's history endpoints of one NIP -> closed history rows, trainings, SKP ratings and sanctions.

The current rank, position and education are the main record's (the employee upsert keeps the open row);
the history endpoints give the rows before it, each closed by the start of the next one."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from services.registry.ratings.rules import predikat
from services.registry.siasn import mapping_tables as t
from services.registry.siasn.mapping import Bundle, Person, golongan, map_person, position_spec
from services.registry.siasn.values import Fields, InvalidRecord, records

T = TypeVar("T")


def map_bundle(bundle: Bundle, instansi_id: str | None, unor_ids: Mapping[str, Any]) -> Person:
    """Everything SIASN holds on one NIP, in the registry's terms; InvalidRecord naming the first bad field."""
    person = map_person(bundle, instansi_id, unor_ids)
    person.past_ranks = _past(
        records(bundle.golongan, "rw-golongan"), "tmtGolongan", person.rank, person.rank_since,
        lambda r: golongan(r, "golonganId", "golongan", person.employment_type),
    )  # fmt: skip
    jabatan = [
        r for r in records(bundle.jabatan, "rw-jabatan")
        if instansi_id is None or r.text("instansiKerjaId") in (None, instansi_id)
    ]  # fmt: skip
    person.past_positions = _past(
        jabatan, "tmtJabatan", person.position, person.position_since, lambda r: position_spec(r, unor_ids)
    )
    person.past_education = _education(bundle, person.education_level)
    person.trainings = _trainings(bundle)
    person.ratings = map_ratings(bundle)
    person.sanctions = map_sanctions(bundle)
    return person


def _past(
    entries: list[Fields], date_name: str, current: T | None, since: dt.date | None, value: Callable[[Fields], T | None]
) -> list[tuple[T, dt.date, dt.date]]:
    """Closed rows (value, from, to) of the entries before `since`; the entry at `since` must be `current`."""
    dated: dict[dt.date, tuple[T | None, Fields]] = {}
    for record in entries:
        start = record.required_date(date_name)
        if start in dated:
            raise record.fail(date_name, "two records start on the same day")
        dated[start] = (value(record), record)
    rows: list[tuple[T, dt.date, dt.date]] = []
    starts = sorted(dated)
    for start, end in zip(starts, [*starts[1:], None], strict=False):
        found, record = dated[start]
        if since is not None and start > since:
            raise record.fail(date_name, "is later than the main record's current one")
        if since is not None and start == since and found != current:
            raise record.fail(date_name, "the record at the current start differs from the main record")
        if since is not None and start < since and found is not None:
            rows.append((found, start, min(end or since, since)))
    return rows


def _education(bundle: Bundle, current: str | None) -> list[tuple[str, str | None, str | None, dt.date, dt.date]]:
    """Education attained before the current level: (level, institution, major, graduated, next graduated)."""
    entries = []
    for record in records(bundle.pendidikan, "rw-pendidikan"):
        level = str(record.lookup("tkPendidikanNama", t.EDUCATION_LEVELS, required=True))
        graduated = record.required_date("tglLulus")
        entries.append((graduated, level, record.text("namaSekolah"), record.text("pendidikanNama"), record))
    entries.sort(key=lambda e: (e[0], e[1]))
    if entries and current is not None and entries[-1][1] != current:
        raise entries[-1][4].fail("tkPendidikanNama", "the latest education differs from tkPendidikanTerakhir")
    rows = []
    for (graduated, level, school, major, _), following in itertools.pairwise(entries):
        rows.append((level, _cut(school), _cut(major), graduated, following[0]))
    return rows


def _cut(text: str | None) -> str | None:
    return text[:200] if text else None


def _trainings(bundle: Bundle) -> list[tuple[str, int | None, dt.date]]:
    """Trainings completed (diklat): name, hours, completion date; exact repeats counted once."""
    found = set()
    for record in records(bundle.diklat, "rw-diklat"):
        name = record.required("namaDiklat")
        if len(name) > 200:
            raise record.fail("namaDiklat", "is longer than 200 characters")
        found.add((name, record.number("jumlahJam"), record.required_date("tanggalSelesai")))
    keys = [(name, day) for name, _, day in found]
    if len(set(keys)) != len(keys):
        raise InvalidRecord("rw-diklat", "one training completed on one day with two different hours")
    return sorted(found, key=lambda r: (r[2], r[0]))


def map_ratings(bundle: Bundle) -> list[tuple[int, str, str]]:
    """SKP 2022+ years: (year, work result, work behaviour) from the TEXT fields; one record per year."""
    found: dict[int, tuple[int, str, str]] = {}
    for record in records(bundle.skp, "rw-skp22"):
        year = record.number("tahun", required=True)
        assert year is not None
        result = str(record.lookup("hasilKinerja", t.EXPECTATIONS, required=True))
        behavior = str(record.lookup("perilakuKerja", t.EXPECTATIONS, required=True))
        record.text("kuadranKinerja")
        predikat(result, behavior)  # every pair is in the matrix; this documents where the predikat comes from
        if year in found and found[year] != (year, result, behavior):
            raise record.fail("tahun", f"two different SKP records for {year}")
        found[year] = (year, result, behavior)
    return sorted(found.values())


def map_sanctions(bundle: Bundle) -> list[tuple[str, dt.date, dt.date, str | None]]:
    """Disciplinary sanctions: level, start, end, reason."""
    found = []
    for record in records(bundle.hukdis, "rw-hukdis"):
        level = str(record.lookup("tingkatHukumanDisiplin", t.SANCTION_LEVELS, required=True))
        starts, ends = record.required_date("tmtHukuman"), record.required_date("akhirHukuman")
        if ends < starts:
            raise record.fail("akhirHukuman", "ends before it starts (tmtHukuman)")
        reason = record.text("alasanHukumanDisiplinNama") or record.text("jenisHukumanNama")
        found.append((level, starts, ends, reason))
    if len({(lv, s) for lv, s, _, _ in found}) != len(found):
        raise InvalidRecord("rw-hukdis", "two sanctions of one level start on the same day")
    return sorted(found)
