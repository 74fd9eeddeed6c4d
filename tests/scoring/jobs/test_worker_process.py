"""`python -m services.scoring.worker` as a real process: probes and metrics on its port, no API routes,
a review run against the registry over HTTP, and a graceful exit on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import subprocess
import sys

import httpx
from fastapi import FastAPI

from tests.gateway.stub import free_port, serve
from tests.scoring.conftest import ROOT, SECRET, Api, wait_for_status


async def _until_ready(base: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            assert process.returncode is None, "the worker process exited"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the worker process never became ready")


async def test_worker_process(api: Api, scoring_app: FastAPI, registry_app: FastAPI, tmp_path: pathlib.Path) -> None:
    port = free_port()
    async with serve(registry_app) as registry_url:
        env = {
            **os.environ,
            "SCORING_DATABASE_URL": scoring_app.state.settings.database_url,
            "SCORING_REGISTRY_URL": registry_url,
            "SCORING_SERVICE_TOKEN_SECRET": SECRET,
            "SCORING_ENVIRONMENT": "test",
            "SCORING_WORKER_HOST": "127.0.0.1",
            "SCORING_WORKER_PORT": str(port),
            "SCORING_WORKER_POLL_SECONDS": "0.1",
            "SCORING_SHUTDOWN_GRACE_SECONDS": "5",
        }
        log = (tmp_path / "worker.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.scoring.worker", cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            await _until_ready(base, process)
            async with httpx.AsyncClient(base_url=base) as client:
                assert (await client.get("/healthz")).status_code == 200
                assert (await client.get("/v1/scoring-policies")).status_code == 404
                started = await api.post("/v1/talent-reviews", json={"agency_id": "pemkab-tanggamus", "period": 2025})
                review = await wait_for_status(api, started.json()["id"], {"completed", "failed"}, seconds=120)
                assert review["status"] == "completed", review
                metrics = (await client.get("/metrics")).text
                assert 'scoring_review_jobs_total{outcome="completed"} 1.0' in metrics
                assert "scoring_review_queue_depth" in metrics
            process.send_signal(signal.SIGTERM)
            # uvicorn shuts down gracefully, then re-raises the signal so that a supervisor sees it.
            assert await asyncio.wait_for(process.wait(), 20) in (0, -signal.SIGTERM)
            assert "Application shutdown complete" in (tmp_path / "worker.log").read_text()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            log.close()
