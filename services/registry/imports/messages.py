"""Row error messages in Bahasa Indonesia and English, by stable code: what a clerk reads next to a row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# code -> (Indonesian, English); `{name}` placeholders come from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("wajib diisi", "is required"),
    "required_for_new": ("wajib diisi untuk data baru", "is required for a new record"),
    "invalid_nip": ("NIP tidak valid: {reason_id}", "invalid NIP: {reason}"),
    "invalid_date": (
        "bukan tanggal yang dikenali ({value}); gunakan YYYY-MM-DD atau DD-MM-YYYY",
        "is not a date ({value}); use YYYY-MM-DD or DD-MM-YYYY",
    ),
    "future_date": ("tanggal di masa depan", "is in the future"),
    "invalid_choice": (
        "nilai {value!r} tidak dikenal; pilihan: {choices}",
        "unknown value {value!r}; one of: {choices}",
    ),
    "invalid_number": ("bukan angka ({value})", "is not a number ({value})"),
    "out_of_range": ("harus antara {low} dan {high}", "must be between {low} and {high}"),
    "too_long": ("terlalu panjang (maksimal {max} karakter)", "is too long (at most {max} characters)"),
    "invalid_format": ("format tidak valid ({value})", "has an invalid format ({value})"),
    "invalid_rank": (
        "golongan/ruang {value!r} tidak dikenal; contoh PNS III/c, PPPK IX",
        "unknown golongan/ruang {value!r}; e.g. PNS III/c, PPPK IX",
    ),
    "rank_mismatch": (
        "golongan {rank} tidak sesuai jenis pegawai {employment_type}: PNS/CPNS I/a sampai IV/e, PPPK I sampai XVII",
        "rank {rank} does not fit employment type {employment_type}: PNS/CPNS I/a to IV/e, PPPK I to XVII",
    ),
    "birth_date_mismatch": (
        "berbeda dengan tanggal lahir pada NIP ({expected})",
        "differs from the NIP's birth date ({expected})",
    ),
    "gender_mismatch": ("berbeda dengan kode jenis kelamin pada NIP ({expected})", "differs from the NIP ({expected})"),
    "other_agency_row": (
        "baris ini untuk instansi lain ({value}), bukan instansi impor ini",
        "this row names another agency ({value}) than the import's",
    ),
    "unknown_unit": ("unit kerja {value!r} tidak ada di instansi ini", "no unit {value!r} in this agency"),
    "ambiguous_unit": (
        "ada beberapa unit kerja bernama {value!r}; gunakan kode atau id unit",
        "several units are named {value!r}; use the unit's code or id",
    ),
    "unknown_position": ("jabatan {value!r} tidak ada di instansi ini", "no position {value!r} in this agency"),
    "ambiguous_position": (
        "ada beberapa jabatan bernama {value!r}; isi Unit Kerja atau gunakan id jabatan",
        "several positions are named {value!r}; give the unit (Unit Kerja) or the position id",
    ),
    "nip_in_other_agency": (
        "NIP ini milik pegawai instansi lain; ajukan mutasi (transfer)",
        "this NIP belongs to an employee of another agency; ask for a transfer",
    ),
    "employee_deleted": ("NIP ini milik pegawai yang sudah dihapus", "this NIP belongs to a deleted employee"),
    "unknown_employee": (
        "tidak ada pegawai dengan NIP ini di instansi ini",
        "no employee with this NIP in this agency",
    ),
    "duplicate_in_file": (
        "muncul {count} kali dalam berkas (pertama di baris {first}); tidak satu pun diimpor",
        "appears {count} times in the file (first in row {first}); none of them is imported",
    ),
    "backdated": ("sebelum awal data yang berlaku ({date})", "is before the start of the current record ({date})"),
    "date_without_change": (
        "berbeda dengan TMT tercatat ({date}) padahal datanya tidak berubah; koreksi lewat API",
        "differs from the recorded start ({date}) although the value is unchanged; correct it through the API",
    ),
    "predikat_mismatch": (
        "predikat {value!r} tidak sesuai hasil kerja dan perilaku kerja (seharusnya {expected})",
        "predikat {value!r} does not follow from the two ratings (it is {expected})",
    ),
    "score_mismatch": (
        "skor {score} bukan rata-rata kedelapan aspek ({mean})",
        "score {score} is not the mean of the 8 aspects ({mean})",
    ),
    "score_or_aspects": ("isi skor atau kedelapan aspek", "give the score or all 8 aspects"),
    "aspects_incomplete": ("isi kedelapan aspek, bukan sebagian", "give all 8 aspects, not some"),
    "no_levels": ("isi minimal satu level kompetensi", "give at least one competency level"),
    "ends_before_start": ("sebelum tanggal mulai", "is before the start date"),
    "self_assessment": ("tidak boleh mencatat penilaian diri sendiri", "nobody may record their own assessment"),
    "extra_cells": (
        "baris berisi {cells} sel, header hanya {columns}",
        "the row has {cells} cells, the header {columns}",
    ),
    "unknown_field": ("kolom {value!r} tidak dikenal", "unknown field {value!r}"),
    "bad_json": ("baris bukan objek JSON yang valid", "the line is not a valid JSON object"),
    "position_in_use": (
        "jenjang jabatan tidak dapat diubah selama jabatan diduduki; buat jabatan baru",
        "the level cannot change while the position is held; create a new position",
    ),
    "unit_cycle": ("membuat unit menjadi induknya sendiri", "would make the unit its own ancestor"),
    "unknown_parent": ("unit induk {value!r} tidak ada", "no parent unit {value!r}"),
    "functional_level_required": (
        "wajib diisi untuk jabatan fungsional",
        "is required when the position type is fungsional",
    ),
    "functional_level_forbidden": (
        "hanya jabatan fungsional yang memiliki jenjang",
        "only a fungsional position has a functional level",
    ),
    "concurrent_change": (
        "data berubah bersamaan oleh proses lain; unggah ulang berkas",
        "the data changed concurrently; upload the file again",
    ),
}

# parse_nip's reasons (English, from the registry's rule) and their Indonesian wording.
_NIP_REASONS = (
    (re.compile(r"must be (\d+) characters long, not (\d+)"), "harus {0} karakter, bukan {1}"),
    (re.compile(r"must contain digits only"), "hanya boleh berisi angka"),
    (re.compile(r"characters 1-8 \((\w+)\) are not a real birth date"), "karakter 1-8 ({0}) bukan tanggal lahir"),
    (re.compile(r"characters 13-14 .* not (\w+)"), "karakter 13-14 (bulan TMT) harus 01 sampai 12, bukan {0}"),
    (re.compile(r"the TMT \(([\d-]+)\) is before"), "TMT ({0}) sebelum bulan ulang tahun ke-18"),
    (re.compile(r"character 15 .* not (\w+)"), "karakter 15 (jenis kelamin) harus 1 atau 2, bukan {0}"),
)


def nip_reason_id(reason: str) -> str:
    """The Indonesian wording of one of parse_nip's reasons."""
    for pattern, wording in _NIP_REASONS:
        match = pattern.search(reason)
        if match:
            return wording.format(*match.groups())
    return reason


@dataclass(frozen=True)
class RowError:
    """One problem found in one row: where, a stable code, and the facts its message needs."""

    row: int
    field: str
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def render(self) -> dict[str, Any]:
        """The error as the job resource answers it."""
        indonesian, english = MESSAGES[self.code]
        params = dict(self.params)
        if self.code == "invalid_nip":
            params.setdefault("reason_id", nip_reason_id(str(params.get("reason", ""))))
        message_en = english.format(**params)
        return {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "message": message_en,
            "message_id": indonesian.format(**params),
            "message_en": message_en,
        }


def row_error(row: int, field: str, code: str, **params: Any) -> RowError:
    """A RowError with its params."""
    # Row errors are stored (JSON in PostgreSQL, which refuses U+0000): a value quoted from the file is shown escaped.
    shown = {k: v.replace("\x00", "\\u0000") if isinstance(v, str) else v for k, v in params.items()}
    return RowError(row, field.replace("\x00", "\\u0000"), code, tuple(sorted(shown.items())))
