"""SIASN codes and texts we could not confirm from public sources (DOMAIN.md): data, kept here to be corrected.

Every key is compared after `normalise` (upper case, no spaces, dots, dashes or slashes), so "S-1", "s1" and
"S 1" are one key. Field names of records whose layout is unpublished (rw-jabatan, rw-hukdis, rw-pendidikan,
rw-diklat, ref-unor) are fixed by the stand-in (tests/siasn_standin) until confirmed against BKN."""

from __future__ import annotations

import re

_NOISE = re.compile(r"[\s.\-/_]+")


def normalise(text: str) -> str:
    """The lookup form of a SIASN text: upper case without spaces, dots, dashes, slashes or underscores."""
    return _NOISE.sub("", text).upper()


# jenisJabatanId: "1" structural (level from eselonId), "2" functional (level from the name), "4" pelaksana.
JENIS_JABATAN = {"1": "struktural", "2": "fungsional", "4": "pelaksana"}
# eselonId (I.a = 11 ... IV.b = 42) -> the structural position type (UU 20/2023).
ESELON_POSITION_TYPE = {
    "11": "jpt_madya",
    "12": "jpt_madya",
    "21": "jpt_pratama",
    "22": "jpt_pratama",
    "31": "administrator",
    "32": "administrator",
    "41": "pengawas",
    "42": "pengawas",
}
# Functional level from words in the position name ("Analis Kebijakan Ahli Muda"); longest match first.
FUNCTIONAL_LEVEL_WORDS = {
    "AHLIPERTAMA": "ahli_pertama",
    "AHLIMUDA": "ahli_muda",
    "AHLIMADYA": "ahli_madya",
    "AHLIUTAMA": "ahli_utama",
    "PEMULA": "pemula",
    "TERAMPIL": "terampil",
    "MAHIR": "mahir",
    "PENYELIA": "penyelia",
}
# tkPendidikanTerakhir / tkPendidikanNama text -> education level.
EDUCATION_LEVELS = {
    "SD": "sd",
    "SLTP": "smp",
    "SMP": "smp",
    "SLTA": "sma",
    "SMA": "sma",
    "SMK": "sma",
    "DI": "d1",
    "DII": "d2",
    "DIII": "d3",
    "DIV": "d4",
    "S1": "s1",
    "S2": "s2",
    "S3": "s3",
}
# jenisPegawaiNama -> employment type; kedudukanPnsNama "CPNS" makes a PNS a cpns.
EMPLOYMENT_TYPES = {"PNS": "pns", "CPNS": "cpns", "PPPK": "pppk"}
# kedudukanPnsNama of people still in service (anyone else is not synced: reported invalid).
ACTIVE_KEDUDUKAN = frozenset({"AKTIF", "CPNS", "PPPKAKTIF", "TUGASBELAJAR", "PENUGASAN", "PERPANJANGANBUP"})
CPNS_KEDUDUKAN = "CPNS"
# PPPK golongan: golRuangAkhirId "1".."17" (unconfirmed; the text golRuangAkhir "IX" is checked against it).
PPPK_GOLONGAN_IDS = {
    str(order): numeral
    for order, numeral in enumerate(
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII"],
        start=1,
    )
}
# jenisKelamin -> gender (checked against the NIP's gender digit).
GENDERS = {"M": "male", "L": "male", "PRIA": "male", "LAKILAKI": "male", "F": "female", "P": "female",
           "WANITA": "female", "PEREMPUAN": "female"}  # fmt: skip
# SKP 2022+ hasilKinerja / perilakuKerja text -> expectation (the predikat matrix does the rest).
EXPECTATIONS = {"DIATASEKSPEKTASI": "above", "SESUAIEKSPEKTASI": "meets", "DIBAWAHEKSPEKTASI": "below"}
# rw-hukdis tingkatHukumanDisiplin -> sanction level (PP 94/2021).
SANCTION_LEVELS = {"RINGAN": "ringan", "R": "ringan", "SEDANG": "sedang", "S": "sedang", "BERAT": "berat", "B": "berat"}
