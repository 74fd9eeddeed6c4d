"""SIASN records built from the registry's deterministic demo generator, shaped as SIASN answers them.

Every value is a string (ids and numbers too), absent values are "" or null, dates dd-mm-yyyy (rw-diklat's
`tanggalSelesai` is yyyy-mm-dd, as some SIASN records are). data-utama also carries the personal fields that
Talenta must never keep (NIK, address, religion, marital status, children), so tests can look for them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from services.registry.demo import DemoDataset
from services.registry.demo.rows import Rows
from services.registry.employees.rules import PNS_RANKS, PPPK_RANKS, retirement_age

ENDPOINTS = ("data-utama", "rw-golongan", "rw-jabatan", "rw-pendidikan", "rw-diklat", "rw-skp22", "rw-hukdis")
JENIS_JABATAN = {"fungsional": "2", "pelaksana": "4"}  # every other type is structural ("1")
ESELON = {"jpt_utama": ("11", "I.a"), "jpt_madya": ("12", "I.b"), "jpt_pratama": ("21", "II.a"),
          "administrator": ("31", "III.a"), "pengawas": ("41", "IV.a")}  # fmt: skip
EDUCATION_TEXT = {"sd": "SD", "smp": "SLTP", "sma": "SLTA", "d1": "D-I", "d2": "D-II", "d3": "D-III", "d4": "D-IV",
                  "s1": "S-1", "s2": "S-2", "s3": "S-3"}  # fmt: skip
EDUCATION_ID = {"sd": "05", "smp": "10", "sma": "15", "d1": "20", "d2": "25", "d3": "30", "d4": "35", "s1": "40",
                "s2": "45", "s3": "50"}  # fmt: skip
# The SKP texts in the spellings SIASN is seen to use (any case and spacing).
EXPECTATION_TEXT = {
    "above": ("DIATAS EKSPEKTASI", "Diatas Ekspektasi", "DI ATAS  EKSPEKTASI"),
    "meets": ("SESUAI EKSPEKTASI", "Sesuai Ekspektasi", "sesuai ekspektasi"),
    "below": ("DIBAWAH EKSPEKTASI", "Dibawah Ekspektasi", "DI BAWAH EKSPEKTASI"),
}
EXPECTATION_VALUE = {"above": "3", "meets": "2", "below": "1"}
PREDIKAT_TEXT = {"sangat_baik": "SANGAT BAIK", "baik": "BAIK", "butuh_perbaikan": "BUTUH PERBAIKAN",
                 "kurang": "KURANG", "sangat_kurang": "SANGAT KURANG"}  # fmt: skip


def dmy(day: dt.date | None) -> str:
    """SIASN's date: dd-mm-yyyy ("" when absent)."""
    return day.strftime("%d-%m-%Y") if day else ""


def instansi_id(agency_code: str) -> str:
    """The stand-in's SIASN instansi id of a demo agency (32 upper-case hex digits, as SIASN's ids look)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "siasn-instansi:" + agency_code).hex.upper()


def siasn_id(kind: str, key: str) -> str:
    """A deterministic SIASN-style record id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"siasn:{kind}:{key}"))


def split_name(full: str) -> tuple[str, str, str]:
    """("Dr.", "Siti Rahma", "S.E., M.M.") from "Dr. Siti Rahma, S.E., M.M."."""
    front = "Dr." if full.startswith("Dr. ") else ""
    rest = full[4:] if front else full
    name, _, back = rest.partition(", ")
    return front, name, back


def _rows(table: Rows) -> list[dict[str, Any]]:
    names = list(table.columns)
    return [dict(zip(names, values, strict=True)) for values in table.records(names)] if len(table) else []


@dataclass
class StandinData:
    """The stand-in's people (records per endpoint by NIP), the unit reference, and the demo organisation."""

    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    agencies: dict[str, str] = field(default_factory=dict)  # agency code -> instansi id

    @classmethod
    def from_demo(cls, seed: int, people_per_agency: int) -> StandinData:
        """Every demo person of both agencies as SIASN would answer for them."""
        dataset = DemoDataset(seed=seed, people_per_agency=people_per_agency)
        data = cls()
        org = dataset.organisation()
        agencies = {a["id"]: a for a in _rows(org["agencies"])}
        units = {u["id"]: u for u in _rows(org["units"])}
        positions = {p["id"]: p for p in _rows(org["positions"])}
        data.agencies = {a["code"]: instansi_id(a["code"]) for a in agencies.values()}
        for unit in units.values():
            parent = units.get(unit["parent_id"] or "")
            data.units.append({
                "id": unit["code"], "namaUnor": unit["name"], "diatasanId": parent["code"] if parent else "",
                "instansiId": data.agencies[agencies[unit["agency_id"]]["code"]], "eselonId": "",
            })  # fmt: skip
        builder = _Builder(agencies, units, positions, data.agencies, dataset.as_of)
        for chunk in dataset.people():
            grouped = {name: _by_nip(table) for name, table in chunk.items() if name != "employees"}
            for person in _rows(chunk["employees"]):
                data.people[person["nip"]] = builder.person(
                    person, {k: v.get(person["nip"], []) for k, v in grouped.items()}
                )
        return data


def _by_nip(table: Rows) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(table):
        grouped[row["nip"]].append(row)
    return grouped


@dataclass
class _Builder:
    agencies: dict[str, dict[str, Any]]
    units: dict[str, dict[str, Any]]
    positions: dict[str, dict[str, Any]]
    instansi: dict[str, str]
    as_of: dt.date

    def person(self, e: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        return {
            "data-utama": self.data_utama(e, rows["education_history"]),
            "rw-golongan": [self.golongan(e, r) for r in rows["rank_history"]],
            "rw-jabatan": [self.jabatan(e, r) for r in rows["position_history"]],
            "rw-pendidikan": [self.pendidikan(e, r) for r in rows["education_history"]],
            "rw-diklat": [self.diklat(e, r) for r in rows["training_history"]],
            "rw-skp22": [self.skp(e, r) for r in rows["performance_ratings"] if r["superseded_at"] is None],
            "rw-hukdis": [self.hukdis(e, r) for r in rows["disciplinary_actions"]],
        }

    def _agency(self, e: dict[str, Any]) -> tuple[str, str]:
        agency = self.agencies[e["agency_id"]]
        return self.instansi[agency["code"]], agency["name"]

    def _jabatan_fields(self, position_id: str | None, unit_id: str | None) -> dict[str, str]:
        position = self.positions.get(position_id or "")
        unit = self.units.get(unit_id or (position or {}).get("unit_id") or "")
        kind = (position or {}).get("position_type", "")
        eselon = ESELON.get(kind, ("", ""))
        return {
            "jenisJabatanId": JENIS_JABATAN.get(kind, "1") if position else "",
            "jabatanNama": position["name"] if position else "",
            "eselonId": eselon[0], "eselonLevel": eselon[1],
            "unorId": unit["code"] if unit else "", "unorNama": unit["name"] if unit else "",
        }  # fmt: skip

    def _top_unit(self, unit_id: str | None) -> dict[str, Any] | None:
        unit = self.units.get(unit_id or "")
        while unit is not None and unit["parent_id"]:
            unit = self.units[unit["parent_id"]]
        return unit

    def data_utama(self, e: dict[str, Any], education: list[dict[str, Any]]) -> dict[str, Any]:
        nip, kind = e["nip"], e["employment_type"]
        front, name, back = split_name(e["name"])
        tmt_cpns = dt.date(int(nip[8:12]), int(nip[12:14]), 1)
        months = (self.as_of.year - tmt_cpns.year) * 12 + self.as_of.month - tmt_cpns.month
        pns_rank = PNS_RANKS.get(e["rank"] or "")
        instansi, instansi_name = self._agency(e)
        top = self._top_unit(e["unit_id"])
        current_education = next((r for r in education if r["valid_to"] is None), None)
        level = self.positions[e["position_id"]]["level"] if e["position_id"] else None
        return {
            "id": siasn_id("pns", nip), "nipBaru": nip, "nipLama": "", "nama": name,
            "gelarDepan": front, "gelarBelakang": back, "tempatLahir": "Liwa", "tglLahir": dmy(e["birth_date"]),
            "jenisKelamin": "M" if e["gender"] == "male" else "F",
            "agama": "Islam", "statusPerkawinan": "Menikah", "nik": "18" + nip[2:16],
            "alamat": "Jl. Raden Intan No. " + nip[-3:], "jumlahAnak": "2",
            "email": "pribadi." + nip[-4:] + "@mail.test", "noHp": "0812" + nip[-8:],
            "jenisPegawaiNama": "PPPK" if kind == "pppk" else "PNS",
            "kedudukanPnsNama": {"cpns": "CPNS", "pppk": "PPPK Aktif"}.get(kind, "Aktif"),
            "tmtCpns": dmy(tmt_cpns) if kind != "pppk" else "",
            "tmtPns": dmy(dt.date(tmt_cpns.year + 1, tmt_cpns.month, 1)) if kind == "pns" else "",
            "golRuangAkhirId": str(pns_rank[0] if pns_rank else PPPK_RANKS.get(e["rank"] or "", "")),
            "golRuangAkhir": e["rank"] or "", "pangkatAkhir": pns_rank[1] if pns_rank else "",
            "tmtGolAkhir": dmy(e["rank_since"]),
            **self._jabatan_fields(e["position_id"], e["unit_id"]),
            "tmtJabatan": dmy(e["position_since"]),
            "unorIndukId": top["code"] if top else "", "instansiKerjaId": instansi, "instansiKerjaNama": instansi_name,
            "tkPendidikanTerakhirId": EDUCATION_ID.get(e["education_level"] or "", ""),
            "tkPendidikanTerakhir": EDUCATION_TEXT.get(e["education_level"] or "", ""),
            "pendidikanTerakhirNama": (current_education or {}).get("major") or "",
            "bupPensiun": str(retirement_age(level)), "tmtPensiun": dmy(e["retirement_date"]),
            "mkTahun": str(max(months, 0) // 12), "mkBulan": str(max(months, 0) % 12),
        }  # fmt: skip

    def golongan(self, e: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        pns = PNS_RANKS.get(r["rank"])
        return {
            "id": siasn_id("golongan", r["id"]), "idPns": siasn_id("pns", e["nip"]), "nipBaru": e["nip"],
            "golonganId": str(pns[0] if pns else PPPK_RANKS[r["rank"]]), "golongan": r["rank"],
            "pangkat": pns[1] if pns else "", "tmtGolongan": dmy(r["valid_from"]),
            "skNomor": f"800/{r['id'][-4:]}/BKD/{r['valid_from'].year}", "skTanggal": dmy(r["valid_from"]),
            "jenisKPNama": "Reguler",
        }  # fmt: skip

    def jabatan(self, e: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        instansi, instansi_name = self._agency(e)
        return {
            "id": siasn_id("jabatan", r["id"]), "nipBaru": e["nip"],
            **self._jabatan_fields(r["position_id"], r["unit_id"]),
            "tmtJabatan": dmy(r["valid_from"]), "instansiKerjaId": instansi, "instansiKerjaNama": instansi_name,
            "nomorSk": f"821/{r['id'][-4:]}/BKD", "tanggalSk": dmy(r["valid_from"]),
        }  # fmt: skip

    def pendidikan(self, e: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        graduated = r["graduated_on"]
        return {
            "id": siasn_id("pendidikan", r["id"]), "nipBaru": e["nip"],
            "tkPendidikanId": EDUCATION_ID[r["level"]], "tkPendidikanNama": EDUCATION_TEXT[r["level"]],
            "pendidikanNama": r["major"] or "", "namaSekolah": r["institution"] or "",
            "tahunLulus": str(graduated.year) if graduated else "", "tglLulus": dmy(graduated),
            "nomorIjasah": "",
        }  # fmt: skip

    def diklat(self, e: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": siasn_id("diklat", r["id"]), "nipBaru": e["nip"], "namaDiklat": r["name"],
            "jumlahJam": str(r["hours"]) if r["hours"] is not None else "",
            "tanggalMulai": "", "tanggalSelesai": r["completed_on"].isoformat(), "tahun": str(r["completed_on"].year),
        }  # fmt: skip

    def skp(self, e: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        spelling = int(e["nip"][-1]) % 3
        return {
            "id": siasn_id("skp", r["id"]), "nipBaru": e["nip"], "tahun": str(r["year"]),
            "hasilKinerja": EXPECTATION_TEXT[r["work_result"]][spelling],
            "hasilKinerjaNilai": EXPECTATION_VALUE[r["work_result"]],
            "perilakuKerja": EXPECTATION_TEXT[r["work_behavior"]][spelling],
            "perilakuKerjaNilai": EXPECTATION_VALUE[r["work_behavior"]],
            "kuadranKinerja": PREDIKAT_TEXT[r["predikat"]], "kuadranKinerjaNilai": "",
        }  # fmt: skip

    def hukdis(self, e: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": siasn_id("hukdis", r["id"]), "nipBaru": e["nip"],
            "tingkatHukumanDisiplin": r["level"].title(),
            "jenisHukumanNama": "Teguran tertulis" if r["level"] == "ringan" else "Penurunan jabatan",
            "tmtHukuman": dmy(r["starts_on"]), "akhirHukuman": dmy(r["ends_on"]),
            "alasanHukumanDisiplinNama": r["reason"] or "", "skNomor": f"862/{r['id'][-4:]}/BKD",
        }  # fmt: skip
