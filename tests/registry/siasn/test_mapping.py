"""Mapping SIASN records into the registry's model: every main record field, the histories, and refusals."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from services.registry.siasn.histories import map_bundle
from services.registry.siasn.mapping import Bundle, Person
from services.registry.siasn.values import InvalidRecord, parse_date
from tests.siasn_standin.data import StandinData

NIP = "198609262015051001"  # the demo's fixed person (pemkab-lampung-barat)


@pytest.fixture(scope="module")
def data() -> StandinData:
    return StandinData.from_demo(20250101, 0)


def bundle(records: dict[str, Any]) -> Bundle:
    return Bundle(NIP, records["data-utama"], *(records[k] for k in
                  ("rw-golongan", "rw-jabatan", "rw-pendidikan", "rw-diklat", "rw-skp22", "rw-hukdis")))  # fmt: skip


def mapped(data: StandinData, change: dict[str, dict[str, Any]] | None = None) -> Person:
    records = copy.deepcopy(data.people[NIP])
    for endpoint, fields in (change or {}).items():
        for record in records[endpoint] if isinstance(records[endpoint], list) else [records[endpoint]]:
            record.update(fields)
    instansi = data.people[NIP]["data-utama"]["instansiKerjaId"]
    return map_bundle(bundle(records), instansi, {u["id"]: u for u in data.units if u["instansiId"] == instansi})


def test_main_record_fields_map_to_the_registry(data: StandinData) -> None:
    person = mapped(data)
    main = data.people[NIP]["data-utama"]
    assert person.nip == main["nipBaru"]
    assert person.siasn_id == main["id"]
    assert person.name == "Andi Pratama, S.Kom., M.T."  # gelarDepan + nama + gelarBelakang
    assert (person.employment_type, person.rank, person.rank_since) == ("pns", "III/c", dt.date(2023, 4, 1))
    assert person.position is not None
    assert person.position.name == main["jabatanNama"]
    assert (person.position.position_type, person.position.functional_level) == ("administrator", None)  # eselon 31
    assert (person.unor_id, person.position_since) == (main["unorId"], dt.date(2022, 1, 3))
    assert person.education_level == "s2"  # tkPendidikanTerakhir "S-2"
    assert [r[0] for r in person.past_ranks] == ["III/a", "III/b"]  # rw-golongan before the current one
    assert person.past_ranks[-1][2] == person.rank_since
    assert person.ratings
    assert all(len(r) == 3 for r in person.ratings)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("nipBaru", "198609262015051002", "not the NIP asked for"),
        ("nama", "", "missing"),
        ("gelarDepan", 5, "must be a string"),
        ("tglLahir", "27-09-1986", "birth date in the NIP"),
        ("tglLahir", "1986/09/26", "not a date"),
        ("jenisKelamin", "F", "gender digit"),
        ("jenisPegawaiNama", "HONORER", "unknown value"),
        ("kedudukanPnsNama", "Pensiun", "not an active civil servant"),
        ("tmtCpns", "2015-13-01", "not a real date"),
        ("tmtPns", "31-02-2016", "not a real date"),
        ("golRuangAkhirId", "39", "unknown golongan"),
        ("golRuangAkhir", "III/d", "differs from golRuangAkhirId"),
        ("tmtGolAkhir", "", "missing"),
        ("jenisJabatanId", "9", "unknown value"),
        ("eselonId", "99", "unknown value"),
        ("tmtJabatan", "03/01/2022", "not a date"),
        ("unorId", "NOWHERE", "unknown unit"),
        ("instansiKerjaId", "ANOTHER", "another instansi"),
        ("tkPendidikanTerakhir", "S-4", "unknown value"),
        ("bupPensiun", "58 tahun", "not a whole number"),
        ("tmtPensiun", "01-10-44", "not a date"),
        ("mkTahun", 10, "must be a string"),
        ("mkBulan", "-1", "not a whole number"),
        ("nama", "Budi\x00", "NUL character"),  # PostgreSQL cannot store it: the record, not the sync, fails
        ("tmtPensiun", "0003-01-01", "must be between"),  # no career's day: date arithmetic would fail later
    ],
)
def test_a_bad_main_record_field_is_refused_by_name(data: StandinData, field: str, value: Any, reason: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        mapped(data, {"data-utama": {field: value}})
    assert caught.value.field == f"data-utama.{field}"
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("endpoint", "field", "value", "where"),
    [
        ("rw-golongan", "golonganId", "77", "rw-golongan[0].golonganId"),
        ("rw-golongan", "tmtGolongan", "1-5-2015", "rw-golongan[0].tmtGolongan"),
        ("rw-jabatan", "tmtJabatan", "", "rw-jabatan[0].tmtJabatan"),
        ("rw-pendidikan", "tkPendidikanNama", "S-9", "rw-pendidikan[0].tkPendidikanNama"),
        ("rw-diklat", "tanggalSelesai", "kemarin", "rw-diklat[0].tanggalSelesai"),
        ("rw-diklat", "jumlahJam", 300, "rw-diklat[0].jumlahJam"),
        ("rw-skp22", "hasilKinerja", "LUAR BIASA", "rw-skp22[0].hasilKinerja"),
        ("rw-skp22", "tahun", "2024.0", "rw-skp22[0].tahun"),
    ],
)
def test_a_bad_history_field_is_refused_by_name(
    data: StandinData, endpoint: str, field: str, value: Any, where: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        mapped(data, {endpoint: {field: value}})
    assert caught.value.field == where


@pytest.mark.parametrize(
    ("result", "behavior", "expected"),
    [
        ("DIATAS EKSPEKTASI", "diatas ekspektasi", ("above", "above")),
        ("Sesuai  Ekspektasi", "DI BAWAH EKSPEKTASI", ("meets", "below")),
        (" dibawah ekspektasi ", "Sesuai-Ekspektasi", ("below", "meets")),
    ],
)
def test_skp_texts_in_any_case_and_spacing(
    data: StandinData, result: str, behavior: str, expected: tuple[str, str]
) -> None:
    person = mapped(data, {"rw-skp22": {"hasilKinerja": result, "perilakuKerja": behavior}})
    assert {(r[1], r[2]) for r in person.ratings} == {expected}


def test_sanctions_with_level_and_dates(data: StandinData) -> None:
    records = copy.deepcopy(data.people[NIP])
    sanction = {"tingkatHukumanDisiplin": "SEDANG", "tmtHukuman": "01-02-2024", "akhirHukuman": "2024-11-01"}
    sanction |= {"alasanHukumanDisiplinNama": "Tidak masuk kerja", "jenisHukumanNama": "Penurunan jabatan"}
    records["rw-hukdis"] = [sanction]
    person = map_bundle(bundle(records), None, {u["id"]: u for u in data.units})
    assert person.sanctions == [("sedang", dt.date(2024, 2, 1), dt.date(2024, 11, 1), "Tidak masuk kerja")]


def test_functional_level_comes_from_the_position_name(data: StandinData) -> None:
    with pytest.raises(InvalidRecord, match="current start differs from the main record"):
        mapped(data, {"data-utama": {"jenisJabatanId": "2", "jabatanNama": "Pranata Komputer Ahli Muda"}})
    records = copy.deepcopy(data.people[NIP])
    records["data-utama"].update(jenisJabatanId="2", jabatanNama="Pranata Komputer Ahli Muda", eselonId="")
    records["rw-jabatan"] = []
    units = {u["id"]: u for u in data.units}
    person = map_bundle(bundle(records), None, units)
    assert person.position is not None
    assert (person.position.position_type, person.position.functional_level) == ("fungsional", "ahli_muda")
    records["data-utama"]["jabatanNama"] = "Pranata Komputer"
    with pytest.raises(InvalidRecord, match="names no level"):
        map_bundle(bundle(records), None, units)


def test_pppk_rank_from_its_golongan(data: StandinData) -> None:
    change = {
        "jenisPegawaiNama": "PPPK",
        "kedudukanPnsNama": "PPPK Aktif",
        "golRuangAkhirId": "9",
        "golRuangAkhir": "IX",
    }
    records = copy.deepcopy(data.people[NIP])
    records["data-utama"].update(change)
    records["rw-golongan"] = [
        {"golonganId": "9", "golongan": "IX", "tmtGolongan": records["data-utama"]["tmtGolAkhir"]}
    ]
    person = map_bundle(bundle(records), None, {u["id"]: u for u in data.units})
    assert (person.employment_type, person.rank) == ("pppk", "IX")


def test_dates_are_dmy_or_ymd_and_nothing_else() -> None:
    assert parse_date("26-09-1986") == parse_date("1986-09-26") == dt.date(1986, 9, 26)
    for bad in ("26/09/1986", "1986-9-26", "26-09-86", "", "2024-02-30"):
        with pytest.raises(ValueError):
            parse_date(bad)
