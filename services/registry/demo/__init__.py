"""Deterministic demo data: two Lampung regencies with realistic organisations and generated civil servants.

Reuse: `DemoDataset(seed, people_per_agency)` yields the rows (columnar, by table) for seeding, benchmarks
(`write_employees_csv`) or a SIASN stand-in; `seed(engine, dataset)` writes them in bulk."""

from services.registry.demo.csvfile import EMPLOYEE_CSV_COLUMNS, write_employees_csv
from services.registry.demo.fixed import FIXED_AGENCY, FIXED_NIP
from services.registry.demo.generate import DEFAULT_PEOPLE_PER_AGENCY, DEFAULT_SEED, DemoDataset
from services.registry.demo.seed import is_empty, seed

__all__ = [
    "DEFAULT_PEOPLE_PER_AGENCY",
    "DEFAULT_SEED",
    "EMPLOYEE_CSV_COLUMNS",
    "FIXED_AGENCY",
    "FIXED_NIP",
    "DemoDataset",
    "is_empty",
    "seed",
    "write_employees_csv",
]
