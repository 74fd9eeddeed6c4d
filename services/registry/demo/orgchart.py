"""A regency's organisation as data: offices (Sekretariat Daerah, dinas, badan, kecamatan ...), their units and
positions. Every demo agency is built from these tables, so the demo reads like a real Pemkab."""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.demo.regions import MORE_AGENCIES

# (code, name, kind, sub-units). Kinds decide the positions below (see `positions_of`).
OFFICES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "SETDA",
        "Sekretariat Daerah",
        "setda",
        (
            "Bagian Pemerintahan",
            "Bagian Hukum",
            "Bagian Organisasi",
            "Bagian Perekonomian",
            "Bagian Kesejahteraan Rakyat",
            "Bagian Pengadaan Barang dan Jasa",
            "Bagian Umum",
        ),
    ),
    ("SETWAN", "Sekretariat DPRD", "badan", ("Bagian Persidangan", "Bagian Keuangan", "Bagian Umum")),
    ("ITDA", "Inspektorat", "inspektorat", ("Inspektur Pembantu Wilayah I", "Inspektur Pembantu Wilayah II")),
    (
        "DISDIKBUD",
        "Dinas Pendidikan dan Kebudayaan",
        "dinas",
        (
            "Bidang Pembinaan Sekolah Dasar",
            "Bidang Pembinaan Sekolah Menengah Pertama",
            "Bidang Kebudayaan",
        ),
    ),
    (
        "DINKES",
        "Dinas Kesehatan",
        "dinas",
        (
            "Bidang Kesehatan Masyarakat",
            "Bidang Pelayanan Kesehatan",
            "Bidang Pencegahan Penyakit",
        ),
    ),
    (
        "DPUPR",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "dinas",
        ("Bidang Bina Marga", "Bidang Sumber Daya Air", "Bidang Tata Ruang"),
    ),
    ("DINSOS", "Dinas Sosial", "dinas", ("Bidang Rehabilitasi Sosial", "Bidang Perlindungan dan Jaminan Sosial")),
    ("DISTAN", "Dinas Pertanian", "dinas", ("Bidang Tanaman Pangan", "Bidang Hortikultura", "Bidang Penyuluhan")),
    (
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "dinas",
        ("Bidang Pelayanan Pendaftaran Penduduk", "Bidang Pencatatan Sipil"),
    ),
    ("DISHUB", "Dinas Perhubungan", "dinas", ("Bidang Lalu Lintas", "Bidang Angkutan")),
    ("DLH", "Dinas Lingkungan Hidup", "dinas", ("Bidang Pengelolaan Sampah", "Bidang Penataan Lingkungan")),
    (
        "DISKOMINFO",
        "Dinas Komunikasi dan Informatika",
        "dinas",
        ("Bidang Aplikasi Informatika", "Bidang Informasi dan Komunikasi Publik"),
    ),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "dinas",
        ("Bidang Perizinan", "Bidang Penanaman Modal"),
    ),
    (
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        "badan",
        ("Bidang Perencanaan Ekonomi", "Bidang Perencanaan Sosial Budaya"),
    ),
    (
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "badan",
        ("Bidang Mutasi dan Promosi", "Bidang Pengembangan Kompetensi"),
    ),
    (
        "BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "badan",
        ("Bidang Anggaran", "Bidang Perbendaharaan", "Bidang Aset"),
    ),
    (
        "BPBD",
        "Badan Penanggulangan Bencana Daerah",
        "badan",
        ("Bidang Kedaruratan dan Logistik", "Bidang Rehabilitasi dan Rekonstruksi"),
    ),
)
KECAMATAN: dict[str, tuple[str, ...]] = {
    "pemkab-lampung-barat": (
        "Balik Bukit",
        "Sukau",
        "Lumbok Seminung",
        "Belalau",
        "Sekincau",
        "Suoh",
        "Batu Brak",
        "Pagar Dewa",
        "Batu Ketulis",
        "Bandar Negeri Suoh",
        "Sumber Jaya",
        "Way Tenong",
        "Gedung Surian",
        "Kebun Tebu",
        "Air Hitam",
    ),
    "pemkab-tanggamus": (
        "Kota Agung",
        "Kota Agung Barat",
        "Kota Agung Timur",
        "Wonosobo",
        "Semaka",
        "Bandar Negeri Semuong",
        "Cukuh Balak",
        "Kelumbayan",
        "Kelumbayan Barat",
        "Limau",
        "Pulau Panggung",
        "Talang Padang",
        "Gisting",
        "Pugung",
        "Sumberejo",
        "Ulu Belu",
        "Air Naningan",
        "Pematang Sawa",
        "Bulok",
        "Gunung Alip",
    ),
}
AGENCIES: tuple[tuple[str, str, str, str], ...] = (
    # (code, name, region, e-mail domain)
    ("pemkab-lampung-barat", "Pemerintah Kabupaten Lampung Barat", "Lampung", "lampungbaratkab.go.id"),
    ("pemkab-tanggamus", "Pemerintah Kabupaten Tanggamus", "Lampung", "tanggamus.go.id"),
)
# Datasets of more agencies (benchmarks, scale-out tests) continue with the regencies of `regions`.
ALL_AGENCIES = AGENCIES + tuple((code, name, region, domain) for code, name, region, domain, _ in MORE_AGENCIES)
KECAMATAN.update({code: kecamatan for code, _name, _region, _domain, kecamatan in MORE_AGENCIES})

# Functional positions (jabatan fungsional) per office code: (name, levels, weight of people per level).
# Offices not listed get the general ones. Teachers dominate a regency's workforce, then health staff.
GENERAL_FUNCTIONAL = (
    ("Analis Kebijakan", ("ahli_pertama", "ahli_muda", "ahli_madya"), 1.0),
    ("Pranata Komputer", ("terampil", "ahli_pertama"), 0.6),
    ("Arsiparis", ("terampil", "mahir"), 0.4),
)
FUNCTIONAL: dict[str, tuple[tuple[str, tuple[str, ...], float], ...]] = {
    "DISDIKBUD": (
        ("Guru", ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama"), 60.0),
        ("Pengawas Sekolah", ("ahli_muda", "ahli_madya"), 2.0),
        ("Pamong Budaya", ("ahli_pertama",), 0.5),
    ),
    "DINKES": (
        ("Dokter", ("ahli_pertama", "ahli_muda", "ahli_madya"), 4.0),
        ("Perawat", ("terampil", "mahir", "penyelia", "ahli_pertama", "ahli_muda"), 12.0),
        ("Bidan", ("terampil", "mahir", "penyelia", "ahli_pertama"), 8.0),
        ("Apoteker", ("ahli_pertama", "ahli_muda"), 1.0),
    ),
    "ITDA": (("Auditor", ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama"), 3.0),),
    "DISTAN": (("Penyuluh Pertanian", ("pemula", "terampil", "mahir", "penyelia", "ahli_pertama", "ahli_muda"), 6.0),),
    "BKPSDM": (("Analis Sumber Daya Manusia Aparatur", ("ahli_pertama", "ahli_muda", "ahli_madya"), 1.5),),
    "BAPPEDA": (("Perencana", ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama"), 1.5),),
}
PELAKSANA = ("Pengadministrasi Umum", "Pengelola Keuangan", "Pengolah Data", "Pengemudi", "Petugas Keamanan")
LEVEL_TITLES = {
    "ahli_pertama": "Ahli Pertama",
    "ahli_muda": "Ahli Muda",
    "ahli_madya": "Ahli Madya",
    "ahli_utama": "Ahli Utama",
    "pemula": "Pemula",
    "terampil": "Terampil",
    "mahir": "Mahir",
    "penyelia": "Penyelia",
}


@dataclass(frozen=True)
class UnitSpec:
    """A unit to create: its code, name and parent's code (None: a top unit)."""

    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class PositionSpec:
    """A position to create; `weight` > 0 marks a position many people share (pelaksana, fungsional)."""

    unit: str
    name: str
    position_type: str
    functional_level: str | None = None
    is_key: bool = False
    with_standard: bool = False
    weight: float = 0.0


def units_of(agency_code: str) -> list[UnitSpec]:
    """Every unit of a demo agency, parents before children."""
    units: list[UnitSpec] = []
    for code, name, _kind, children in OFFICES:
        units.append(UnitSpec(code, name, None))
        units.extend(UnitSpec(f"{code}-{i + 1}", child, code) for i, child in enumerate(children))
    for i, name in enumerate(KECAMATAN[agency_code]):
        units.append(UnitSpec(f"KEC-{i + 1:02d}", f"Kecamatan {name}", None))
    return units


def positions_of(agency_code: str) -> list[PositionSpec]:
    """Every position of a demo agency: structural ones held by one person, shared ones with a weight."""
    specs: list[PositionSpec] = []
    for code, name, kind, children in OFFICES:
        specs.extend(_heads(code, name, kind))
        for i, child in enumerate(children):
            specs.extend(_sub_unit(f"{code}-{i + 1}", child, first=i == 0))
        specs.extend(_shared(code))
    for i, name in enumerate(KECAMATAN[agency_code]):
        unit = f"KEC-{i + 1:02d}"
        # Camat positions are key but carry no standard of their own: JPM uses the default table there.
        specs.append(PositionSpec(unit, f"Camat {name}", "administrator", is_key=True))
        specs.append(PositionSpec(unit, f"Sekretaris Kecamatan {name}", "administrator"))
        for section in ("Pemerintahan", "Pemberdayaan Masyarakat", "Ketenteraman dan Ketertiban"):
            specs.append(PositionSpec(unit, f"Kepala Seksi {section}", "pengawas"))
        specs.append(PositionSpec(unit, "Pengadministrasi Umum", "pelaksana", weight=1.0))
    return specs


def _heads(code: str, name: str, kind: str) -> list[PositionSpec]:
    if kind == "setda":
        heads = [PositionSpec(code, "Sekretaris Daerah", "jpt_pratama", is_key=True, with_standard=True)]
        for title in ("Pemerintahan dan Kesejahteraan Rakyat", "Perekonomian dan Pembangunan", "Administrasi Umum"):
            heads.append(PositionSpec(code, f"Asisten {title}", "jpt_pratama", is_key=True, with_standard=True))
        return heads
    head = {"inspektorat": "Inspektur", "badan": "Kepala"}.get(kind, "Kepala")
    title = head if kind == "inspektorat" else f"{head} {name}"
    if code == "SETWAN":
        title = "Sekretaris DPRD"
    return [
        PositionSpec(code, title, "jpt_pratama", is_key=True, with_standard=True),
        PositionSpec(code, f"Sekretaris {name}", "administrator", is_key=True, with_standard=True),
    ]


def _sub_unit(unit: str, name: str, *, first: bool) -> list[PositionSpec]:
    head = "Inspektur Pembantu" if name.startswith("Inspektur") else "Kepala"
    title = name if head == "Inspektur Pembantu" else f"{head} {name}"
    # The first bidang/bagian of each office is a key position with a standard; the others alternate.
    specs = [PositionSpec(unit, title, "administrator", is_key=first, with_standard=first or len(name) % 2 == 0)]
    section = "Subbagian" if name.startswith("Bagian") else "Seksi"
    for i in range(2):
        specs.append(PositionSpec(unit, f"Kepala {section} {i + 1} {name}", "pengawas", with_standard=i == 0))
    return specs


def _shared(code: str) -> list[PositionSpec]:
    specs = [PositionSpec(code, name, "pelaksana", weight=2.0 if i == 0 else 1.0) for i, name in enumerate(PELAKSANA)]
    for name, levels, weight in FUNCTIONAL.get(code, GENERAL_FUNCTIONAL):
        for level in levels:
            specs.append(
                PositionSpec(
                    code,
                    f"{name} {LEVEL_TITLES[level]}",
                    "fungsional",
                    functional_level=level,
                    weight=weight / len(levels),
                )
            )
    return specs
