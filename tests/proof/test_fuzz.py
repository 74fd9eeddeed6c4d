"""Schemathesis against the running product: the gateway's public API as a national and an agency admin, and
the registry's and scoring's internal APIs with service tokens. Every phase (examples, coverage, fuzzing,
stateful links) and every check but positive data acceptance (see tests/proof/fuzzing.py), plus API.md's error
format (fuzz_hooks.problem_details). Any failure is a finding to fix in the product; the report names it with a
curl line. The services' logs must hold no unhandled error afterwards, whatever the answers were.

CI sizes: a few thousand requests in all. `TALENTA_FUZZ_EXAMPLES=200` runs the long version.
"""

from __future__ import annotations

import pathlib

import pytest

from services.common.settings import ServiceSettings
from services.gateway.demo import DEMO_CLIENTS, DEMO_EMPLOYEE_NIP
from services.launcher.stack import Stack
from tests.e2e.harness import PASSWORDS, Api, ok
from tests.proof.fuzzing import FuzzRun, run_schemathesis
from tests.proof.logs import log_sizes, unhandled_since
from tests.proof.stack import WORKERS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


async def protected(api: Api) -> dict[str, list[str]]:
    """The demo accounts' user and client ids, and the demo person's NIP: the runs must not change them."""
    users = ok(await api.get("national.admin", "/api/v1/admin/users", params={"limit": 500}))["items"]
    return {
        "user_id": [user["id"] for user in users if user["username"] in PASSWORDS],
        "client_id": [client.client_id for client in DEMO_CLIENTS],
        "nip": [DEMO_EMPLOYEE_NIP],
    }


def check(stack: Stack, run: FuzzRun, sizes: dict[str, int], at_least: int) -> None:
    """The run passed, really ran, and left no unhandled error in any log."""
    print(f"schemathesis: {run.cases} cases in {run.seconds:.1f} s")  # shown with -rP: CI's size, at a glance
    assert run.returncode == 0, f"schemathesis found failures:\n{run.report()}"
    assert run.cases >= at_least, f"only {run.cases} cases generated:\n{run.output[-3000:]}"
    assert not unhandled_since(stack, sizes), "\n".join(unhandled_since(stack, sizes))


@pytest.mark.parametrize(
    ("account", "examples", "at_least"), [("national.admin", 10, 900), ("lampungbarat.admin", 5, 600)]
)
async def test_the_public_api(
    stack: Stack, api: Api, tmp_path: pathlib.Path, account: str, examples: int, at_least: int
) -> None:
    gateway = stack.url("gateway")
    auth = {"kind": "password", "token_url": f"{gateway}/api/v1/auth/token", "username": account,
            "password": PASSWORDS[account]}  # fmt: skip
    keep = await protected(api)
    sizes = log_sizes(stack)
    run = run_schemathesis(f"{gateway}/openapi.json", auth, tmp_path, max_examples=examples, protected=keep)
    check(stack, run, sizes, at_least)


@pytest.mark.parametrize(("service", "agency_id", "at_least"), [("registry", None, 900), ("scoring", None, 600)])
async def test_the_internal_apis(
    stack: Stack, api: Api, tmp_path: pathlib.Path, service: str, agency_id: str | None, at_least: int
) -> None:
    secret = ServiceSettings().service_token_secret.get_secret_value()
    auth = {"kind": "service", "audience": service, "secret": secret, "agency_id": agency_id}
    sizes = log_sizes(stack)
    run = run_schemathesis(f"{stack.url(service)}/openapi.json", auth, tmp_path, max_examples=10,
                           protected=await protected(api))  # fmt: skip
    check(stack, run, sizes, at_least)
    for worker in WORKERS:  # the reviews the run started did not break a worker
        assert stack.processes[worker].poll() is None, stack.log_tail(worker)
