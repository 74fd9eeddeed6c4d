"""/v1/agencies: create, read by id or code, list, change with If-Match, scope."""

from __future__ import annotations

from tests.registry.conftest import Api, agency_admin


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


async def test_agency_code_rules_and_conflicts(api: Api) -> None:
    await api.post("/v1/agencies", json={"code": "pemkab-satu", "name": "Satu"})
    duplicate = await api.post("/v1/agencies", json={"code": "pemkab-satu", "name": "Lagi"})
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "agency_exists")
    for code in ("Pemkab-Satu", "pemkab_satu", "-x", "0196b5f0-7c1e-7a4b-9c1d-2f3e4a5b6c7d"):
        response = await api.post("/v1/agencies", json={"code": code, "name": "X"})
        assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "code"]), code
    unknown = await api.post("/v1/agencies", json={"code": "pemkab-dua", "name": "Dua", "province": "Lampung"})
    assert (unknown.status_code, unknown.json()["errors"][0]["loc"]) == (422, ["body", "province"])


async def test_agency_patch_preconditions_and_permanent_code(api: Api) -> None:
    created = (await api.post("/v1/agencies", json={"code": "pemkab-tiga", "name": "Tiga"})).json()
    path = f"/v1/agencies/{created['id']}"
    assert (await api.patch(path, json={"name": "X"})).status_code == 428
    assert (await api.patch(path, json={"name": "X"}, headers={"If-Match": '"9"'})).status_code == 412
    code_change = await api.patch(path, json={"code": "pemkab-empat"}, headers={"If-Match": '"1"'})
    assert code_change.status_code == 422
    assert (await api.get("/v1/agencies/pemkab-empat")).status_code == 404
    agency_admin_b = api.as_(agency_admin(created["id"]))
    assert (
        await agency_admin_b.patch(path, json={"region": "Bengkulu"}, headers={"If-Match": '"1"'})
    ).status_code == 200


async def test_a_name_over_its_documented_length_is_refused_as_sent_even_if_trimming_would_fit(api: Api) -> None:
    """The schema says maxLength 200 of the value sent; trimming must not let 201 characters through (found by
    the schema fuzzing: a leading U+0085, which str.strip() removes)."""
    too_long = await api.post("/v1/agencies", json={"code": "pemkab-trim-a", "name": "\u0085" + "N" * 200})
    assert too_long.status_code == 422, too_long.text
    [error] = too_long.json()["errors"]
    assert error["loc"] == ["body", "name"]
    assert "200" in error["message"]
    fits = await api.post("/v1/agencies", json={"code": "pemkab-trim-b", "name": " " + "N" * 199})
    assert fits.status_code == 201, fits.text
    assert fits.json()["name"] == "N" * 199  # still trimmed
    patched = await api.patch(
        f"/v1/agencies/{fits.json()['id']}", json={"region": " " + "R" * 100}, headers={"If-Match": "*"}
    )
    assert patched.status_code == 422, patched.text  # an optional field (anyOf string/null) alike
