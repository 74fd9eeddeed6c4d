"""The demo accounts of API.md's "Demo mode" table: seeded in local mode, refused everywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoUser:
    """A demo person account."""

    username: str
    password: str
    roles: tuple[str, ...]
    agency_code: str | None
    nip: str | None = None


@dataclass(frozen=True)
class DemoClient:
    """A demo OAuth client (secret None: a public app using PKCE)."""

    client_id: str
    name: str
    secret: str | None
    scopes: tuple[str, ...]
    agency_code: str | None
    redirect_uris: tuple[str, ...] = field(default=())


LAMPUNG_BARAT, TANGGAMUS = "pemkab-lampung-barat", "pemkab-tanggamus"
DEMO_EMPLOYEE_NIP = "198609262015051001"
DEMO_USERS = (
    DemoUser("national.admin", "demo-national-admin", ("national_admin",), None),
    DemoUser("lampungbarat.admin", "demo-agency-admin", ("agency_admin",), LAMPUNG_BARAT),
    DemoUser("tanggamus.admin", "demo-agency-admin", ("agency_admin",), TANGGAMUS),
    DemoUser("asesor.lampungbarat", "demo-assessor", ("assessor",), LAMPUNG_BARAT),
    DemoUser("viewer.lampungbarat", "demo-viewer", ("viewer",), LAMPUNG_BARAT),
    DemoUser("pegawai.lampungbarat", "demo-employee", ("employee",), LAMPUNG_BARAT, DEMO_EMPLOYEE_NIP),
)
DEMO_CLIENTS = (
    DemoClient(
        "demo-integration",
        "Demo integration (SIMPEG Lampung Barat)",
        "demo-integration-secret",
        ("employees:read", "talent:read", "succession:read"),
        LAMPUNG_BARAT,
    ),
    # A public app for trying the authorization-code flow with PKCE from a local tool.
    DemoClient("demo-mobile", "Talenta demo app", None, (), None, ("http://127.0.0.1:8765/callback",)),
)
DEMO_SECRETS = frozenset({u.password for u in DEMO_USERS} | {c.secret for c in DEMO_CLIENTS if c.secret})
