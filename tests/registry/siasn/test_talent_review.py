"""A full agency sync from SIASN, then a talent review by the real scoring app over the synced people."""

from __future__ import annotations

import asyncio

import httpx

from services.common.migrations import upgrade_to_head
from services.scoring.app import create_app as create_scoring_app
from tests.conftest import recreate_database
from tests.registry.factory import ok
from tests.registry.siasn.conftest import OTHER, Registry, nips_of
from tests.scoring.conftest import ROOT, Api, RegistryTransport, scoring_settings, worker_for
from tests.scoring.conftest import running as running_app

LEVEL_OF_PREDIKAT = {"SANGAT BAIK": "above", "BAIK": "meets"}  # anything lower is below expectations
LEVELS = dict.fromkeys(
    ("integritas", "kerja_sama", "komunikasi", "orientasi_pada_hasil", "pelayanan_publik",
     "pengembangan_diri_dan_orang_lain", "mengelola_perubahan", "pengambilan_keputusan", "perekat_bangsa"), 4,
)  # fmt: skip


async def test_agency_sync_then_a_talent_review_over_the_synced_people(registry: Registry) -> None:
    nips = nips_of(registry.standin, OTHER)[12:32]
    first = await registry.sync({"nips": nips, "agency_id": OTHER})
    assert first["status"] == "completed"
    assert first["counts"]["created"] + first["counts"]["unchanged"] == len(nips)
    assessed = nips[:8]  # SIASN holds no assessments: the agency records them in Talenta
    for nip in assessed:
        body = {"assessed_on": "2025-06-02", "levels": LEVELS}
        await ok(await registry.api.post(f"/v1/employees/{nip}/competency-assessments", json=body))
        await ok(await registry.api.post(f"/v1/employees/{nip}/potential-assessments",
                                         json={"assessed_on": "2025-06-02", "score": 88}))  # fmt: skip
    agency = await registry.sync({"agency_id": OTHER})
    assert agency["status"] == "completed"
    assert agency["counts"]["created"] == 0
    assert agency["counts"]["failed"] == 0

    url = await recreate_database("talenta_test_siasn_scoring")
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "scoring", url)
    app = create_scoring_app(scoring_settings(url), registry_transport=RegistryTransport(registry.app))
    async with (
        running_app(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app, raise_app_exceptions=False), base_url="http://scoring"
        ) as client,
    ):
        api = Api(client, "scoring")
        review = await ok(await api.post("/v1/talent-reviews", json={"agency_id": OTHER, "period": 2025}), 202)
        assert await worker_for(app, "siasn-test").run_once()
        done = await ok(await api.get(f"/v1/talent-reviews/{review['id']}"), 200)
        assert done["status"] == "completed", done
        placements = (await ok(await api.get(f"/v1/talent-reviews/{review['id']}/placements?limit=500"), 200))["items"]
    by_nip = {p["nip"]: p for p in placements}
    assert set(nips) <= set(by_nip)
    assert sum(by_nip[nip]["status"] == "placed" for nip in assessed) >= 5
    for nip in nips:
        skp = {r["tahun"]: r["kuadranKinerja"] for r in registry.standin.data.people[nip]["rw-skp22"]}
        placement = by_nip[nip]
        if nip in assessed and "2025" in skp:
            assert placement["status"] == "placed", placement
            assert placement["performance_level"] == LEVEL_OF_PREDIKAT.get(skp["2025"], "below")
            assert placement["box"] in range(1, 10)
        elif nip not in assessed:
            assert placement["status"] == "incomplete"
            assert {"competency_assessment", "potential_assessment"} <= set(placement["missing"])
