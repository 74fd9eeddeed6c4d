"""The proof suites' session: one running product on `talenta_proof_stack_*` databases, and its public API.

Fuzzing, hostile payloads, concurrency and the fault drill all use it (tests run one after another); the drill
leaves it as it found it, and asserts so. TALENTA_PROOF_LOG_DIR keeps the services' logs somewhere to read.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import AsyncIterator, Iterator

import pytest

from services.launcher.stack import Stack
from tests.e2e.harness import Api
from tests.proof.stack import start_stack

AGENCIES = 3
PEOPLE_PER_AGENCY = 80


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Registry, scoring API, two review workers and the gateway, as real processes on free ports."""
    log_dir = pathlib.Path(os.environ.get("TALENTA_PROOF_LOG_DIR") or tmp_path_factory.mktemp("proof-logs"))
    running = start_stack("stack", log_dir, agencies=AGENCIES, people_per_agency=PEOPLE_PER_AGENCY)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
async def api(stack: Stack) -> AsyncIterator[Api]:
    """The gateway's public API over TCP, signed in as the demo accounts on demand."""
    async with Api(stack.url("gateway")) as client:
        yield client
