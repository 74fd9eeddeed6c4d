"""The fixed demo person: NIP 198609262015051001 of pemkab-lampung-barat, with complete data.

The gateway links the demo `employee` account `pegawai.lampungbarat` to this NIP, so their record, history,
ratings and assessments must always exist, whatever seed or size the demo is generated with."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from services.registry.demo.org import ACTOR, DemoAgency
from services.registry.demo.rows import Rows, demo_ids

FIXED_NIP = "198609262015051001"
FIXED_AGENCY = "pemkab-lampung-barat"
FIXED_POSITION = "Kepala Bidang Aplikasi Informatika"  # administrator, key, with a competency standard
EARLIER_POSITIONS = ("Kepala Seksi 1 Bidang Aplikasi Informatika", "Pengolah Data")
D = dt.date


def position_index(agency: DemoAgency, name: str, unit_code: str) -> int:
    """The row index of the position `name` in the unit with `unit_code`."""
    unit_id = agency.units.columns["id"][list(agency.units.columns["code"]).index(unit_code)]
    matches = np.flatnonzero(
        (agency.positions.columns["name"] == name) & (agency.positions.columns["unit_id"] == unit_id)
    )
    return int(matches[0])


def reserved_positions(agency: DemoAgency) -> set[int]:
    """Positions no generated person may take (the fixed person holds them)."""
    return {position_index(agency, FIXED_POSITION, "DISKOMINFO-1")} if agency.code == FIXED_AGENCY else set()


def fixed_person(agency: DemoAgency, seed: int, recorded_at: dt.datetime) -> dict[str, Rows]:
    """Every row of the fixed person, by table."""
    positions = agency.positions.columns
    current = position_index(agency, FIXED_POSITION, "DISKOMINFO-1")
    seksi = position_index(agency, EARLIER_POSITIONS[0], "DISKOMINFO-1")
    data = position_index(agency, EARLIER_POSITIONS[1], "DISKOMINFO")
    ids = iter(demo_ids(np.random.default_rng([seed, 99]), 40, dt.datetime(2025, 3, 1, tzinfo=dt.UTC)).tolist())
    audit = {
        "created_at": recorded_at,
        "created_by": ACTOR,
        "updated_at": recorded_at,
        "updated_by": ACTOR,
        "version": 1,
    }

    def row(**values: Any) -> dict[str, Any]:
        return {"id": next(ids), "nip": FIXED_NIP, "source": "import", "source_fetched_at": None, **values, **audit}

    def held(index: int, start: D, end: D | None, level: str) -> dict[str, Any]:
        return row(
            agency_id=positions["agency_id"][index],
            unit_id=positions["unit_id"][index],
            position_id=positions["id"][index],
            level=level,
            valid_from=start,
            valid_to=end,
        )

    employee = {
        "nip": FIXED_NIP,
        "name": "Andi Pratama, S.Kom., M.T.",
        "employment_type": "pns",
        "agency_id": positions["agency_id"][current],
        "unit_id": positions["unit_id"][current],
        "position_id": positions["id"][current],
        "position_since": D(2022, 1, 3),
        "level_since": D(2022, 1, 3),
        "rank": "III/c",
        "rank_order": 33,
        "rank_since": D(2023, 4, 1),
        "education_level": "s2",
        "email": "andi.pratama@lampungbaratkab.go.id",
        "phone": "081234567890",
        "birth_date": D(1986, 9, 26),
        "gender": "male",
        "retirement_date": D(2044, 10, 1),
        "source": "import",
        "source_fetched_at": None,
        "deleted_at": None,
        "deleted_by": None,
        **audit,
    }
    levels = dict(
        zip(
            [
                "integritas",
                "kerja_sama",
                "komunikasi",
                "orientasi_pada_hasil",
                "pelayanan_publik",
                "pengembangan_diri_dan_orang_lain",
                "mengelola_perubahan",
                "pengambilan_keputusan",
                "perekat_bangsa",
            ],
            [4, 4, 3, 4, 3, 3, 4, 3, 3],
            strict=True,
        )
    )
    aspects = {
        "intellectual": 85.0,
        "interpersonal": 80.0,
        "self_awareness": 82.0,
        "critical_strategic_thinking": 88.0,
        "problem_solving": 84.0,
        "emotional_intelligence": 78.0,
        "growth_mindset": 90.0,
        "grit": 86.0,
    }
    rating = {"superseded_at": None, "superseded_by": None}
    return {
        "employees": Rows.from_dicts([employee]),
        "rank_history": Rows.from_dicts(
            [
                row(rank="III/a", rank_order=31, valid_from=D(2015, 5, 1), valid_to=D(2019, 4, 1)),
                row(rank="III/b", rank_order=32, valid_from=D(2019, 4, 1), valid_to=D(2023, 4, 1)),
                row(rank="III/c", rank_order=33, valid_from=D(2023, 4, 1), valid_to=None),
            ]
        ),
        "position_history": Rows.from_dicts(
            [
                held(data, D(2016, 5, 2), D(2018, 7, 2), "pelaksana"),
                held(seksi, D(2018, 7, 2), D(2022, 1, 3), "pengawas"),
                held(current, D(2022, 1, 3), None, "administrator"),
            ]
        ),
        "education_history": Rows.from_dicts(
            [
                row(
                    level="s1",
                    institution="Universitas Lampung",
                    major="Ilmu Komputer",
                    graduated_on=D(2009, 8, 29),
                    valid_from=D(2009, 8, 29),
                    valid_to=D(2020, 9, 12),
                ),
                row(
                    level="s2",
                    institution="Institut Teknologi Sumatera",
                    major="Teknik Informatika",
                    graduated_on=D(2020, 9, 12),
                    valid_from=D(2020, 9, 12),
                    valid_to=None,
                ),
            ]
        ),
        "training_history": Rows.from_dicts(
            [
                row(
                    name="Pelatihan Dasar CPNS",
                    hours=300,
                    completed_on=D(2016, 4, 29),
                    valid_from=D(2016, 4, 29),
                    valid_to=None,
                ),
                row(
                    name="Pelatihan Kepemimpinan Pengawas",
                    hours=380,
                    completed_on=D(2019, 6, 14),
                    valid_from=D(2019, 6, 14),
                    valid_to=None,
                ),
                row(
                    name="Pelatihan Kepemimpinan Administrator",
                    hours=420,
                    completed_on=D(2022, 11, 25),
                    valid_from=D(2022, 11, 25),
                    valid_to=None,
                ),
            ]
        ),
        "performance_ratings": Rows.from_dicts(
            [
                row(year=2024, work_result="above", work_behavior="meets", predikat="baik", **rating),
                row(year=2025, work_result="above", work_behavior="above", predikat="sangat_baik", **rating),
            ]
        ),
        "competency_assessments": Rows.from_dicts(
            [
                row(assessed_on=D(2025, 3, 12), **{"lvl_" + k: v for k, v in levels.items()}),
            ]
        ),
        "potential_assessments": Rows.from_dicts(
            [
                row(
                    assessed_on=D(2025, 3, 12),
                    score=sum(aspects.values()) / 8,
                    **{"aspect_" + k: v for k, v in aspects.items()},
                ),
            ]
        ),
        "awards": Rows.from_dicts(
            [
                row(awarded_on=D(2025, 8, 17), name="Satyalancana Karya Satya X Tahun", level="national"),
            ]
        ),
        "disciplinary_actions": Rows(),
    }
