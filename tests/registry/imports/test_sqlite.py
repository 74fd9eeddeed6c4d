"""Imports on the embedded SQLite database (`make run`): the same jobs, batched inserts instead of COPY."""

from __future__ import annotations

import asyncio
import pathlib

from services.common.migrations import upgrade_to_head
from tests.registry.conftest import REGISTRY_DIR
from tests.registry.factory import make_agency, nip, ok
from tests.registry.imports.conftest import bulk_settings, finished, run_import, running_app, upload
from tests.registry.imports.test_examples import import_examples


async def test_imports_on_sqlite(tmp_path: pathlib.Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    await asyncio.to_thread(upgrade_to_head, REGISTRY_DIR, url)
    async for app, api in running_app(bulk_settings(url, tmp_path / "imports")):
        await make_agency(api, "pemkab-contoh")
        first = await import_examples(api, "pemkab-contoh")
        assert sum(job["rows_created"] for job in first) == 5 + 7 + 6 + 7 + 4 + 3 + 2 + 3
        rina = await ok(await api.get("/v1/employees/198005122005012002"), 200)
        assert (rina["rank"], rina["education_level"], rina["source"]) == ("IV/a", "s2", "import")
        history = await ok(await api.get("/v1/employees/199203152019032004/history"), 200)
        assert [r["rank"] for r in history["ranks"]] == ["II/c", "II/d"]
        again = await import_examples(api, "pemkab-contoh", [("units", "units.csv"), ("awards", "awards.csv")])
        assert [(j["rows_created"], j["rows_updated"]) for j in again] == [(0, 0), (0, 0)]
        # Two jobs at once: SQLite has one writer, so the jobs take turns instead of failing.
        files = [
            "NIP,Nama,Jenis Pegawai\n" + "".join(f"{nip(birth=f'199001{d:02d}', seq=s)},P,pns\n" for d in range(1, 29))
            for s in ("501", "502")
        ]
        async with app.state.import_runner.turn:  # both queued before either runs
            answers = [await upload(api, "employees", "pemkab-contoh", f) for f in files]
        jobs = [await finished(api, answer) for answer in answers]
        assert [(j["status"], j["rows_created"]) for j in jobs] == [("completed", 28), ("completed", 28)]
        partial = await run_import(api, "employees", "pemkab-contoh", files[0] + "123,X,pns\n", mode="partial")
        assert (partial["rows_unchanged"], partial["error_count"]) == (28, 1)
