"""/v1/agencies: create, read by id or code, list, change with If-Match, scope."""

from __future__ import annotations

from tests.registry.conftest import Api


async def test_create_read_and_update_agency(api: Api) -> None:
    created = await api.post(
        "/v1/agencies", json={"code": "pemkab-contoh", "name": "Pemkab Contoh", "region": "Lampung"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["code"] == "pemkab-contoh"
    etag = created.headers["etag"]
    by_code = await api.get("/v1/agencies/pemkab-contoh")
    by_id = await api.get(f"/v1/agencies/{body['id']}")
    assert by_code.json() == by_id.json() == body
    changed = await api.patch(
        f"/v1/agencies/{body['id']}", json={"name": "Pemkab Contoh Baru"}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Pemkab Contoh Baru"
    assert changed.headers["etag"] != etag
