"""Builders of test data through the registry API (so every test exercises the real write path)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.registry.conftest import Api

STANDARD = {"integritas": 4, "kerja_sama": 4, "komunikasi": 4, "orientasi_pada_hasil": 4, "perekat_bangsa": 4}


def nip(birth: str = "19860926", tmt: str = "201505", gender: str = "1", seq: str = "001") -> str:
    """A NIP from its parts (valid unless the parts are not)."""
    return birth + tmt + gender + seq


async def ok(response: Any, status: int = 201) -> dict[str, Any]:
    """The JSON body of a response that must have `status`."""
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


async def make_agency(api: Api, code: str, region: str = "Lampung") -> dict[str, Any]:
    return await ok(
        await api.post("/v1/agencies", json={"code": code, "name": code.replace("-", " ").title(), "region": region})
    )


async def make_unit(
    api: Api, agency: str, name: str, parent_id: str | None = None, code: str | None = None
) -> dict[str, Any]:
    body = {"name": name, "parent_id": parent_id, "code": code}
    return await ok(await api.post(f"/v1/agencies/{agency}/units", json=body))


async def make_position(api: Api, agency: str, unit_id: str, position_type: str, **fields: Any) -> dict[str, Any]:
    body = {"agency_id": agency, "unit_id": unit_id, "name": f"Jabatan {position_type}", "position_type": position_type}
    return await ok(await api.post("/v1/positions", json={**body, **fields}))


async def make_employee(api: Api, nip_: str, agency: str, **fields: Any) -> dict[str, Any]:
    body = {"nip": nip_, "name": f"Pegawai {nip_[-3:]}", "employment_type": "pns", "agency_id": agency}
    return await ok(await api.post("/v1/employees", json={**body, **fields}))


@dataclass
class Org:
    """Two agencies: `a` with a small tree and positions of several levels, `b` with one unit and position."""

    a: dict[str, Any]
    b: dict[str, Any]
    setda: dict[str, Any]
    dinas: dict[str, Any]
    b_unit: dict[str, Any]
    jpt: dict[str, Any]  # jpt_pratama with a standard, key
    admin: dict[str, Any]  # administrator without a standard
    pelaksana: dict[str, Any]
    ahli_madya: dict[str, Any]
    ahli_utama: dict[str, Any]
    b_position: dict[str, Any]  # administrator in agency b


async def make_org(api: Api) -> Org:
    """The standard test organisation."""
    a = await make_agency(api, "pemkab-uji-a")
    b = await make_agency(api, "pemkab-uji-b")
    setda = await make_unit(api, a["id"], "Sekretariat Daerah", code="SETDA")
    dinas = await make_unit(api, a["id"], "Dinas Pendidikan", parent_id=None, code="DISDIK")
    b_unit = await make_unit(api, b["id"], "Sekretariat Daerah", code="SETDA")
    return Org(
        a=a,
        b=b,
        setda=setda,
        dinas=dinas,
        b_unit=b_unit,
        jpt=await make_position(api, a["id"], setda["id"], "jpt_pratama", is_key=True, competency_standard=STANDARD),
        admin=await make_position(api, a["id"], dinas["id"], "administrator"),
        pelaksana=await make_position(api, a["id"], dinas["id"], "pelaksana"),
        ahli_madya=await make_position(api, a["id"], dinas["id"], "fungsional", functional_level="ahli_madya"),
        ahli_utama=await make_position(api, a["id"], dinas["id"], "fungsional", functional_level="ahli_utama"),
        b_position=await make_position(api, b["id"], b_unit["id"], "administrator"),
    )
