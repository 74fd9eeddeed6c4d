"""SIASN records of one NIP -> the registry's model (a `Person`), or `InvalidRecord` naming the field.

Only what scoring needs is read: NIK, address, family, religion and the like are never looked at, so they
cannot be stored. Histories become closed rows before the current one (which the employee upsert keeps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.registry.employees.rules import PNS_RANKS, InvalidNip, parse_nip
from services.registry.siasn import mapping_tables as t
from services.registry.siasn.values import Fields


@dataclass(frozen=True)
class PositionSpec:
    """A position as SIASN names it: its unit (unorId), name, and the type and level we derive."""

    unor_id: str
    name: str
    position_type: str
    functional_level: str | None


@dataclass
class Person:
    """One NIP's data in the registry's terms."""

    nip: str
    siasn_id: str | None
    name: str
    employment_type: str
    unor_id: str | None
    position: PositionSpec | None
    position_since: dt.date | None
    rank: str | None
    rank_since: dt.date | None
    education_level: str | None
    past_ranks: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    past_positions: list[tuple[PositionSpec, dt.date, dt.date]] = field(default_factory=list)
    past_education: list[tuple[str, str | None, str | None, dt.date, dt.date]] = field(default_factory=list)
    trainings: list[tuple[str, int | None, dt.date]] = field(default_factory=list)
    ratings: list[tuple[int, str, str]] = field(default_factory=list)
    sanctions: list[tuple[str, dt.date, dt.date, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Bundle:
    """What SIASN answered for one NIP: the `data` of each endpoint."""

    nip: str
    data_utama: Any
    golongan: Any = None
    jabatan: Any = None
    pendidikan: Any = None
    diklat: Any = None
    skp: Any = None
    hukdis: Any = None


def full_name(front: str | None, name: str, back: str | None) -> str:
    """The name as the registry writes it: "Dr. Siti Rahma, S.E., M.M."."""
    return f"{front + ' ' if front else ''}{name}{', ' + back if back else ''}"


def map_person(bundle: Bundle, instansi_id: str | None, unor_ids: Mapping[str, Any]) -> Person:
    """The main record (data-utama) of one NIP; InvalidRecord naming the first field that fails our validation."""
    main = Fields(bundle.data_utama, "data-utama")
    nip = _identity(main, bundle.nip)
    if instansi_id is not None and main.text("instansiKerjaId") != instansi_id:
        raise main.fail("instansiKerjaId", "the person works for another instansi than this agency")
    employment_type = _employment(main)
    rank, rank_since = _rank(main, employment_type)
    position, position_since = _position(main, unor_ids)
    for name in ("tmtCpns", "tmtPns", "tmtPensiun"):
        main.date(name)
    for name in ("bupPensiun", "mkTahun", "mkBulan"):
        main.number(name)
    unor_id = position.unor_id if position else main.text("unorId")
    if unor_id is not None and unor_id not in unor_ids:
        raise main.fail("unorId", "unknown unit: not in ref-unor of this agency's instansi")
    education = main.lookup("tkPendidikanTerakhir", t.EDUCATION_LEVELS)
    person = Person(
        nip=nip,
        siasn_id=main.text("id"),
        name=full_name(main.text("gelarDepan"), main.required("nama"), main.text("gelarBelakang")),
        employment_type=employment_type,
        unor_id=unor_id,
        position=position,
        position_since=position_since,
        rank=rank,
        rank_since=rank_since,
        education_level=education,
    )
    return person


def _identity(main: Fields, nip: str) -> str:
    if main.required("nipBaru") != nip:
        raise main.fail("nipBaru", "is not the NIP asked for")
    try:
        facts = parse_nip(nip)
    except InvalidNip as exc:
        raise main.fail("nipBaru", f"invalid NIP: {exc}") from None
    if main.required_date("tglLahir") != facts.birth_date:
        raise main.fail("tglLahir", "differs from the birth date in the NIP")
    if main.lookup("jenisKelamin", t.GENDERS, required=True) != facts.gender:
        raise main.fail("jenisKelamin", "differs from the gender digit of the NIP")
    return nip


def _employment(main: Fields) -> str:
    kind = main.lookup("jenisPegawaiNama", t.EMPLOYMENT_TYPES, required=True)
    kedudukan = t.normalise(main.required("kedudukanPnsNama"))
    if kedudukan not in t.ACTIVE_KEDUDUKAN:
        raise main.fail("kedudukanPnsNama", "not an active civil servant; not synced")
    return "cpns" if kind == "pns" and kedudukan == t.CPNS_KEDUDUKAN else str(kind)


def golongan(record: Fields, id_name: str, text_name: str, employment_type: str) -> str | None:
    """The rank of a golongan id (PNS "33" -> "III/c"; PPPK "9" -> "IX"), checked against its text."""
    code = record.text(id_name)
    if code is None:
        return None
    if employment_type == "pppk":
        rank = t.PPPK_GOLONGAN_IDS.get(code)
    else:
        rank = next((r for r, (order, _) in PNS_RANKS.items() if str(order) == code), None)
    if rank is None:
        raise record.fail(id_name, f"unknown golongan {code[:10]!r} for {employment_type}")
    text = record.text(text_name)
    if text is not None and t.normalise(text) != t.normalise(rank):
        raise record.fail(text_name, f"{text[:10]!r} differs from {id_name} ({rank})")
    return rank


def _rank(main: Fields, employment_type: str) -> tuple[str | None, dt.date | None]:
    rank = golongan(main, "golRuangAkhirId", "golRuangAkhir", employment_type)
    since = main.date("tmtGolAkhir", required=rank is not None)
    return rank, since


def position_spec(record: Fields, unor_ids: Mapping[str, Any]) -> PositionSpec | None:
    """The position a jabatan record names (None when it names none); its type from the mapping tables."""
    name = record.text("jabatanNama")
    if name is None:
        return None
    kind = record.lookup("jenisJabatanId", t.JENIS_JABATAN, required=True)
    level: str | None = None
    if kind == "struktural":
        position_type = str(record.lookup("eselonId", t.ESELON_POSITION_TYPE, required=True))
    elif kind == "fungsional":
        position_type, words = "fungsional", t.normalise(name)
        level = next((lv for word, lv in t.FUNCTIONAL_LEVEL_WORDS.items() if word in words), None)
        if level is None:
            raise record.fail("jabatanNama", "a functional position's name names no level (Ahli Pertama ... Penyelia)")
    else:
        position_type = "pelaksana"
    unor = record.required("unorId")
    if unor not in unor_ids:
        raise record.fail("unorId", "unknown unit: not in ref-unor of this agency's instansi")
    return PositionSpec(unor, name, position_type, level)


def _position(main: Fields, unor_ids: Mapping[str, Any]) -> tuple[PositionSpec | None, dt.date | None]:
    spec = position_spec(main, unor_ids)
    since = main.date("tmtJabatan", required=spec is not None)
    main.text("eselonLevel")
    return spec, since
