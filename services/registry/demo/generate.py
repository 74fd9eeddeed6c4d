"""The demo dataset: deterministic for a seed, generated in chunks so that millions of people fit in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from services.registry.demo import records
from services.registry.demo.fixed import fixed_person, reserved_positions
from services.registry.demo.org import DemoAgency, build_agencies
from services.registry.demo.people import assign_positions, generate_employees, structural_holders
from services.registry.demo.rows import Rows

DEFAULT_SEED = 20250101
DEFAULT_PEOPLE_PER_AGENCY = 3000
AS_OF = dt.date(2026, 1, 2)  # the demo's "today": ratings for 2024 and 2025 exist, nobody has retired yet
RECORDED_AT = dt.datetime(2026, 1, 2, 1, 0, tzinfo=dt.UTC)
CHUNK_SIZE = 100_000
CHUNKS_PER_AGENCY = 24  # NIP sequence blocks: 2 agencies x 24 chunks x 20 sequences fit 020-999
NIP_BLOCKS = 49  # blocks of 20 NIP sequences in 020-999; a chunk of people takes one
PEOPLE_EPOCH = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
WORKING_COLUMNS = ("tmt", "level", "rank_steps")
# Tables in the order they are written (every table after the ones it references).
ORG_TABLES = ("agencies", "units", "positions")
PEOPLE_TABLES = (
    "employees",
    "rank_history",
    "position_history",
    "education_history",
    "training_history",
    "performance_ratings",
    "competency_assessments",
    "potential_assessments",
    "awards",
    "disciplinary_actions",
)


@dataclass
class DemoDataset:
    """What `seed` generates: the organisation of both agencies and their people, chunk by chunk."""

    seed: int = DEFAULT_SEED
    people_per_agency: int = DEFAULT_PEOPLE_PER_AGENCY
    as_of: dt.date = AS_OF
    recorded_at: dt.datetime = RECORDED_AT
    agency_count: int = 2
    agencies: list[DemoAgency] = field(init=False)

    def __post_init__(self) -> None:
        if not 0 <= self.people_per_agency <= CHUNK_SIZE * CHUNKS_PER_AGENCY:
            raise ValueError(f"people_per_agency must be 0 to {CHUNK_SIZE * CHUNKS_PER_AGENCY}")
        chunks = max(1, -(-self.people_per_agency // CHUNK_SIZE))
        if self.agency_count > 2 and self.agency_count * chunks > NIP_BLOCKS:
            raise ValueError(f"agency_count x chunks of {CHUNK_SIZE} people must be at most {NIP_BLOCKS}")
        self.agencies = build_agencies(self.seed, self.recorded_at, self.agency_count)
        # The two demo agencies keep the blocks they always had (their NIPs do not depend on the agency count);
        # further agencies take the blocks those leave free, in order.
        used = {index * CHUNKS_PER_AGENCY + chunk for index in range(2) for chunk in range(chunks)}
        free = [block for block in range(NIP_BLOCKS) if block not in used]
        self._nip_blocks = {
            (index, chunk): index * CHUNKS_PER_AGENCY + chunk if index < 2 else free[(index - 2) * chunks + chunk]
            for index in range(self.agency_count)
            for chunk in range(chunks)
        }

    def organisation(self) -> dict[str, Rows]:
        """Agencies, units and positions of both agencies."""
        return {
            "agencies": Rows.concat([a.agency for a in self.agencies]),
            "units": Rows.concat([a.units for a in self.agencies]),
            "positions": Rows.concat([a.positions for a in self.agencies]),
        }

    def people(self) -> Iterator[dict[str, Rows]]:
        """Employees and all their records, one chunk (of one agency) at a time."""
        for agency in self.agencies:
            for chunk, start in enumerate(range(0, self.people_per_agency, CHUNK_SIZE)):
                count = min(CHUNK_SIZE, self.people_per_agency - start)
                yield self.chunk(agency, chunk, count)
            if self.people_per_agency == 0 and agency.code == "pemkab-lampung-barat":
                yield fixed_person(agency, self.seed, self.recorded_at)

    def chunk(self, agency: DemoAgency, chunk: int, count: int) -> dict[str, Rows]:
        """One chunk of people: the first holds the structural positions (and the fixed person)."""
        rng = np.random.default_rng([self.seed, agency.index, 1, chunk])
        reserved = reserved_positions(agency)
        fixed = fixed_person(agency, self.seed, self.recorded_at) if chunk == 0 and reserved else None
        generated = count - (1 if fixed else 0)
        structural = (
            structural_holders(rng, agency, generated, reserved) if chunk == 0 else np.array([], dtype=np.int64)
        )
        positions = assign_positions(rng, agency, generated, structural)
        people = generate_employees(
            rng, agency, positions, self.as_of, self._nip_blocks[agency.index, chunk], self.recorded_at
        )
        tables = self._records(people, agency, rng, chunk)
        tables["employees"] = people.without(*WORKING_COLUMNS)
        if fixed is not None:
            tables = {name: Rows.concat([fixed[name], rows]) for name, rows in tables.items()}
        return tables

    def _records(self, people: Rows, agency: DemoAgency, rng: np.random.Generator, chunk: int) -> dict[str, Rows]:
        at = self.recorded_at
        base = PEOPLE_EPOCH + dt.timedelta(hours=2 * (agency.index * CHUNKS_PER_AGENCY + chunk))
        ids = records.Ids(np.random.default_rng([self.seed, agency.index, 2, chunk]), base)
        quality = rng.normal(0, 1, len(people))  # one latent trait, so ratings and assessments agree a little
        as_of = np.datetime64(self.as_of, "D")
        return {
            "rank_history": records.rank_history(people, ids, at),
            "position_history": records.position_history(people, agency, rng, ids, at),
            "education_history": records.education_history(people, rng, ids, at),
            "training_history": records.training_history(people, as_of, ids, at),
            "performance_ratings": records.ratings(people, quality, rng, ids, at),
            "competency_assessments": records.competency_assessments(people, quality, rng, ids, at),
            "potential_assessments": records.potential_assessments(people, quality, rng, ids, at),
            "awards": records.awards(people, as_of, rng, ids, at),
            "disciplinary_actions": records.sanctions(people, rng, ids, at),
        }
