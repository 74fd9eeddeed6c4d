"""The columns of each import kind: our snake_case names and the headers of Indonesian spreadsheets.

Headers match case-, space- and punctuation-insensitively ("Gol/Ruang", "gol ruang" and "GOL_RUANG" alike)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.registry.assessments.rules import POTENTIAL_ASPECTS
from services.registry.positions.rules import COMPETENCIES

KINDS = (
    "employees", "units", "positions", "performance-ratings", "competency-assessments",
    "potential-assessments", "disciplinary-actions", "awards",
)  # fmt: skip


def normalise(header: str) -> str:
    """A header reduced to lowercase words joined by `_`: "TMT Golongan" -> "tmt_golongan"."""
    return re.sub(r"[^0-9a-z]+", "_", header.replace("\ufeff", "").strip().lower()).strip("_")


@dataclass(frozen=True)
class Column:
    """One column of a kind: its name, the other headers accepted for it, and whether a file must have it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


def col(name: str, *aliases: str, required: bool = False) -> Column:
    """A Column whose aliases are normalised."""
    return Column(name, tuple(normalise(a) for a in aliases), required)


NIP = col("nip", "NIP", "NIP Baru", "nipBaru", "NIP Pegawai", required=True)
_COMPETENCY_ALIASES = {
    "integritas": ("Integritas",),
    "kerja_sama": ("Kerja Sama", "Kerjasama"),
    "komunikasi": ("Komunikasi",),
    "orientasi_pada_hasil": ("Orientasi pada Hasil", "Orientasi Hasil"),
    "pelayanan_publik": ("Pelayanan Publik",),
    "pengembangan_diri_dan_orang_lain": ("Pengembangan Diri dan Orang Lain",),
    "mengelola_perubahan": ("Mengelola Perubahan",),
    "pengambilan_keputusan": ("Pengambilan Keputusan",),
    "perekat_bangsa": ("Perekat Bangsa",),
}
_ASPECT_ALIASES = {
    "intellectual": ("Kemampuan Intelektual", "Intelektual"),
    "interpersonal": ("Kemampuan Interpersonal",),
    "self_awareness": ("Kesadaran Diri",),
    "critical_strategic_thinking": ("Berpikir Kritis dan Strategis", "Berpikir Kritis Strategis"),
    "problem_solving": ("Penyelesaian Masalah", "Kemampuan Menyelesaikan Masalah"),
    "emotional_intelligence": ("Kecerdasan Emosional",),
    "growth_mindset": ("Pola Pikir Bertumbuh", "Kemauan Belajar"),
    "grit": ("Motivasi dan Komitmen", "Komitmen"),
}
LEVEL_COLUMNS = tuple(col(c, "lvl_" + c, *_COMPETENCY_ALIASES[c]) for c in COMPETENCIES)
STANDARD_COLUMNS = tuple(col("std_" + c, *(f"Standar {a}" for a in (*_COMPETENCY_ALIASES[c], c))) for c in COMPETENCIES)
ASPECT_COLUMNS = tuple(col(a, "aspect_" + a, *_ASPECT_ALIASES[a]) for a in POTENTIAL_ASPECTS)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "employees": (
        NIP,
        col("name", "Nama", "Nama Lengkap", "Nama Pegawai"),
        col("employment_type", "Jenis Pegawai", "Status Pegawai", "Jenis ASN", "Status Kepegawaian"),
        col("agency_id", "agency", "Instansi", "Kode Instansi"),
        col("unit_id", "unit", "unit_code", "Unit Kerja", "Unit Organisasi", "Unor", "Kode Unit"),
        col("position_id", "position", "Jabatan", "Nama Jabatan"),
        col("position_since", "TMT Jabatan"),
        col("level_since", "TMT Jenjang", "TMT Jenjang Jabatan"),
        col("rank", "Gol/Ruang", "Golongan", "Golongan Ruang", "Gol", "Pangkat Golongan"),
        col("rank_since", "TMT Golongan", "TMT Gol", "TMT Pangkat"),
        col("education_level", "Pendidikan Terakhir", "Pendidikan", "Tingkat Pendidikan"),
        col("email", "E-mail", "Email Kantor", "Surel"),
        col("phone", "Telepon", "No HP", "Nomor HP", "No Telp", "Nomor Telepon"),
        col("birth_date", "Tanggal Lahir", "Tgl Lahir"),
        col("gender", "Jenis Kelamin"),
    ),
    "units": (
        col("code", "Kode", "Kode Unit", "Kode Unit Kerja", required=True),
        col("name", "Nama", "Nama Unit", "Unit Kerja", "Nama Unit Kerja", required=True),
        col("parent", "parent_id", "parent_code", "Induk", "Kode Induk", "Unit Induk", "Kode Unit Induk"),
    ),
    "positions": (
        col("unit_id", "unit", "unit_code", "Unit Kerja", "Kode Unit", required=True),
        col("name", "Nama Jabatan", "Jabatan", required=True),
        col("position_type", "Jenis Jabatan", "Tipe Jabatan"),
        col("functional_level", "Jenjang", "Jenjang Jabatan", "Jenjang Fungsional"),
        col("is_key", "Jabatan Kunci", "Kunci"),
        col("national", "Nasional", "Jabatan Nasional"),
        col("min_rank", "Golongan Minimal", "Pangkat Minimal", "Gol Minimal"),
        *STANDARD_COLUMNS,
    ),
    "performance-ratings": (
        NIP,
        col("year", "Tahun", "Tahun Penilaian", required=True),
        col("work_result", "Hasil Kerja", "Rating Hasil Kerja", "hasilKinerja", required=True),
        col("work_behavior", "Perilaku Kerja", "Rating Perilaku Kerja", "perilakuKerja", required=True),
        col("predikat", "Predikat", "Predikat Kinerja"),
    ),
    "competency-assessments": (
        NIP,
        col("assessed_on", "Tanggal Asesmen", "Tgl Asesmen", "Tanggal Penilaian", required=True),
        *LEVEL_COLUMNS,
    ),
    "potential-assessments": (
        NIP,
        col("assessed_on", "Tanggal Asesmen", "Tgl Asesmen", "Tanggal Tes", required=True),
        col("score", "Skor", "Nilai", "Skor Potensi", "Nilai Potensi"),
        *ASPECT_COLUMNS,
    ),
    "disciplinary-actions": (
        NIP,
        col("level", "Tingkat Hukuman", "Jenis Hukuman", "Tingkat", required=True),
        col("starts_on", "TMT Hukuman", "Tanggal Mulai", "Mulai", required=True),
        col("ends_on", "Akhir Hukuman", "Tanggal Selesai", "Selesai", required=True),
        col("reason", "Alasan", "Keterangan"),
    ),
    "awards": (
        NIP,
        col("awarded_on", "Tanggal", "Tanggal Penghargaan", "Tgl Penghargaan", required=True),
        col("name", "Nama Penghargaan", "Penghargaan", required=True),
        col("level", "Tingkat", "Tingkat Penghargaan", required=True),
    ),
}
# NDJSON lines may use the API's nested objects; their keys become these columns.
NESTED: dict[str, dict[str, str]] = {
    "levels": {c: c for c in COMPETENCIES},
    "competency_standard": {c: "std_" + c for c in COMPETENCIES},
    "aspects": {a: a for a in POTENTIAL_ASPECTS},
}


@dataclass
class HeaderProblem(Exception):
    """Headers that cannot be used: unknown, missing required ones, or the same column twice."""

    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)


def lookup(kind: str) -> dict[str, str]:
    """Normalised header -> column name, for every name and alias of a kind."""
    table: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for header in (column.name, *column.aliases):
            table.setdefault(normalise(header), column.name)
    return table


def map_headers(kind: str, headers: list[str]) -> list[str | None]:
    """The column name of each header (None for an empty trailing header); HeaderProblem when unusable."""
    table = lookup(kind)
    names: list[str | None] = []
    problem = HeaderProblem()
    for header in headers:
        key = normalise(header)
        name = table.get(key)
        if not key:
            names.append(None)
        elif name is None:
            problem.unknown.append(header.strip())
            names.append(None)
        elif name in names:
            problem.duplicated.append(header.strip())
            names.append(None)
        else:
            names.append(name)
    present = set(names)
    problem.missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in present]
    if problem.unknown or problem.missing or problem.duplicated:
        raise problem
    return names
