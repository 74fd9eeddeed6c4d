"""The product started for the proof suites: the launcher's `Stack` on databases of their own.

As the e2e session does (same launcher, migrations, demo seeds, local mode), but on `talenta_proof_*`
databases: the drills make PostgreSQL refuse connections to them, and the fuzzers write junk into them.
"""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import Mapping

from services.launcher.stack import SERVICES, Stack
from tests.conftest import recreate_database
from tests.e2e.harness import start_demo

# Uploads over this are refused by the gateway (the hostile suite sends one; 200 MiB would only be slower).
UPLOAD_LIMIT = 4 * 1024 * 1024
# The fuzzers fire requests back to back as one principal: no person does that, so the limits are lifted.
# Reviews run in worker processes apart from the scoring API (as in production), with a short lease so a killed
# worker's review is taken over within seconds. Webhooks are not sent: fuzzed URLs name hosts on the internet.
BASE_ENV = {
    "GATEWAY_RATE_LIMIT_PER_SECOND": "100000",
    "GATEWAY_RATE_LIMIT_BURST": "100000",
    "GATEWAY_TOKEN_FAILURES_PER_MINUTE": "100000",
    "GATEWAY_LOCKOUT_THRESHOLD": "100000",
    "GATEWAY_RUN_DISPATCHER": "false",
    "GATEWAY_MAX_IMPORT_BYTES": str(UPLOAD_LIMIT),
    "SCORING_RUN_WORKER": "false",
    "SCORING_WORKER_POLL_SECONDS": "0.2",
    "SCORING_LEASE_SECONDS": "6",
    "SCORING_HEARTBEAT_SECONDS": "1",
    "SCORING_RETRY_BACKOFF_SECONDS": "1",
    "SCORING_SHUTDOWN_GRACE_SECONDS": "1",
    **{f"{name.upper()}_LOG_LEVEL": "WARNING" for name in SERVICES},
}
WORKERS = ("worker-1", "worker-2")


def database_name(tag: str, service: str) -> str:
    """The database of one service of a proof stack (always `talenta_proof_...`)."""
    return f"talenta_proof_{tag}_{service}"


def start_stack(
    tag: str,
    log_dir: pathlib.Path,
    *,
    agencies: int = 2,
    people_per_agency: int = 60,
    env: Mapping[str, str] | None = None,
) -> Stack:
    """Fresh databases, migrations, demo data and accounts, and the three services running."""
    urls = {name: asyncio.run(recreate_database(database_name(tag, name))) for name in SERVICES}
    # Uploads wait in a folder of this stack's own, so a suite can see what was written there (and by what name).
    uploads = {"REGISTRY_IMPORT_DIR": str((log_dir / "imports").resolve())}
    extra_env = {**BASE_ENV, **uploads, **(env or {})}
    stack = Stack(database_urls=urls, environment="local", extra_env=extra_env, log_dir=log_dir)
    try:
        start_demo(stack, agencies=agencies, people_per_agency=people_per_agency, workers=WORKERS)
    except BaseException:
        stack.stop()
        raise
    return stack
