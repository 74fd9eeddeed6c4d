"""The operators' command line: `python -m services.registry.imports FILE --kind ... --agency ...`."""

from __future__ import annotations

import asyncio
import gc
import os
import pathlib
import sys
from typing import Any

import pytest

from services.registry.imports import cli as command
from services.registry.imports import service
from tests.registry.conftest import Api
from tests.registry.factory import nip, ok
from tests.registry.imports.conftest import EXAMPLES, bulk_settings, fresh_org

ROOT = pathlib.Path(__file__).resolve().parents[3]


async def cli(url: str, import_dir: pathlib.Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI as operators do, against the test database; (exit status, stdout, stderr)."""
    env = os.environ | {
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_IMPORT_DIR": str(import_dir),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.registry.imports", *args,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_cli_imports_with_a_progress_bar(bulk_api: Api, bulk_url: str, tmp_path: pathlib.Path) -> None:
    org = await fresh_org(bulk_api)
    status, out, err = await cli(
        bulk_url, tmp_path, str(EXAMPLES / "units.csv"), "--kind", "units", "--agency", org["code"]
    )
    assert status == 0, (out, err)
    assert "completed" in out
    assert "4 created, 0 changed, 1 unchanged" in out  # SETDA was there already
    assert "100%" in err  # tqdm's bar
    units = await ok(await bulk_api.get(f"/v1/agencies/{org['code']}/units", params={"limit": 50}), 200)
    assert {"BKPSDM", "BKPSDM-PK", "DISDIKBUD-SD"} <= {u["code"] for u in units["items"]}
    assert not await asyncio.to_thread(lambda: list(tmp_path.iterdir()))  # the copy the job read is gone


async def test_cli_exit_status_tells_what_happened(bulk_api: Api, bulk_url: str, tmp_path: pathlib.Path) -> None:
    org = await fresh_org(bulk_api)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"nip,name,employment_type\n{nip(seq='401')},A,pns\n{nip(seq='402')},B,guru\n")
    status, out, _ = await cli(bulk_url, tmp_path / "in", str(bad), "--kind", "employees", "--agency", org["code"])
    assert status == 1
    assert "row 3 employment_type" in out
    status, out, _ = await cli(
        bulk_url, tmp_path / "in", str(bad), "--kind", "employees", "--agency", org["code"], "--mode", "partial"
    )
    assert status == 3
    assert "1 written" in out
    wrong = tmp_path / "wrong.csv"
    wrong.write_bytes(b"\x89PNG\r\n\x1a\n")
    status, _, err = await cli(bulk_url, tmp_path / "in", str(wrong), "--kind", "employees", "--agency", org["code"])
    assert status == 2
    assert "PNG" in err
    status, _, err = await cli(bulk_url, tmp_path / "in", str(bad), "--kind", "employees", "--agency", "no-such-agency")
    assert status == 2
    assert "agency" in err


async def test_cli_runs_the_job_with_its_setup_out_of_the_collectors_passes(
    bulk_api: Api, bulk_url: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job's reading and checking allocate an object per row; full collections must not walk the command's
    long-lived objects meanwhile (services/common/heap.py)."""
    org = await fresh_org(bulk_api)
    settings = bulk_settings(bulk_url, tmp_path)
    run_job = service.execute_import
    seen: dict[str, bool] = {}

    async def watched(*args: Any) -> dict[str, Any]:
        seen["settings walked by the collector"] = any(o is settings for o in gc.get_objects())
        return await run_job(*args)

    monkeypatch.setattr(service, "execute_import", watched)
    status = await command.run(settings, EXAMPLES / "units.csv", "units", org["code"], "atomic")
    assert status == 0
    assert seen == {"settings walked by the collector": False}
