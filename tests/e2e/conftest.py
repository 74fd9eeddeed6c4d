"""The e2e session: the three services as real processes on PostgreSQL and free ports, started once.

As `make run` does (through the same launcher), but on PostgreSQL: migrations, the registry's demo data (small,
and eight agencies so that scale-out has many), the gateway's demo accounts, environment `local`. Every
service exports its spans to an OTLP receiver in this process and logs JSON to its own file (in pytest's
temporary directory, or in TALENTA_E2E_LOG_DIR when set).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
from collections.abc import AsyncIterator, Iterator

import pytest

from services.launcher.stack import SERVICES, Stack
from tests.conftest import recreate_database
from tests.e2e.harness import Api, start_demo
from tests.e2e.otlp import Receiver

AGENCIES = 8  # the two demo agencies and six more regencies
PEOPLE_PER_AGENCY = 150
# A test client is not a person: the story fires requests back to back. Limits are tested on replicas
# started with small ones (test_faults, test_scaleout).
STACK_ENV = {
    "GATEWAY_RATE_LIMIT_PER_SECOND": "1000",
    "GATEWAY_RATE_LIMIT_BURST": "2000",
    "SCORING_WORKER_POLL_SECONDS": "0.2",
    "OTEL_BSP_SCHEDULE_DELAY": "100",  # export spans every 0.1 s instead of 5 s
}


@pytest.fixture(scope="session")
def otlp() -> Iterator[Receiver]:
    """The OTLP/HTTP receiver every service of the session exports its spans to."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def stack(otlp: Receiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The running product: registry, scoring (with its in-process worker) and gateway."""
    urls = {name: asyncio.run(recreate_database(f"talenta_e2e_{name}")) for name in SERVICES}
    tracing = {f"{name.upper()}_OTEL_ENDPOINT": otlp.url for name in SERVICES}
    log_dir = pathlib.Path(os.environ.get("TALENTA_E2E_LOG_DIR") or tmp_path_factory.mktemp("e2e-logs"))
    stack = Stack(database_urls=urls, environment="local", extra_env={**STACK_ENV, **tracing}, log_dir=log_dir)
    try:
        start_demo(stack, agencies=AGENCIES, people_per_agency=PEOPLE_PER_AGENCY)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
async def api(stack: Stack) -> AsyncIterator[Api]:
    """The public API of the session's gateway, over TCP, signed in as the demo accounts on demand."""
    async with Api(stack.url("gateway")) as client:
        yield client
