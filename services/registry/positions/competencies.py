"""The competency map shared by position standards and competency assessments: the 9 codes, levels 1-5."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from services.registry.schemas import InputModel

Level = Annotated[int, Field(ge=1, le=5)]


class CompetencyLevels(InputModel):
    """Levels 1-5 by competency code (PermenPANRB 38/2017); an unknown code is refused, naming it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"integritas": 4, "kerja_sama": 3, "komunikasi": 3, "perekat_bangsa": 3}]}
    )

    integritas: Level | None = None
    kerja_sama: Level | None = None
    komunikasi: Level | None = None
    orientasi_pada_hasil: Level | None = None
    pelayanan_publik: Level | None = None
    pengembangan_diri_dan_orang_lain: Level | None = None
    mengelola_perubahan: Level | None = None
    pengambilan_keputusan: Level | None = None
    perekat_bangsa: Level | None = None

    def named(self) -> dict[str, int]:
        """The levels given, by code."""
        return self.model_dump(exclude_none=True)
