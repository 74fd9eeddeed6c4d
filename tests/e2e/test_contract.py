"""The live gateway's /openapi.json against the public contract, with the checker kept beside the repository.

The checker and its `api_contract.json` live in `shared/tools/` beside this repository; a clone elsewhere (CI)
uses the copy in `tests/e2e/contract/`. A gap the checker reports fails the test.
"""

from __future__ import annotations

import filecmp
import json
import pathlib
import subprocess
import sys
import urllib.request

import pytest

from services.launcher.stack import Stack
from tests.contract_checker import COPY, FILES, SHARED, checker

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a hung process fails the test, not CI


def check(source: str) -> subprocess.CompletedProcess[str]:
    """Run the checker on a URL or a saved document."""
    return subprocess.run(
        [sys.executable, str(checker()), source], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_live_openapi_document_covers_the_contract(stack: Stack, tmp_path: pathlib.Path) -> None:
    result = check(stack.url("gateway") + "/openapi.json")
    assert result.returncode == 0, f"the contract checker reports gaps:\n{result.stdout}{result.stderr}"
    assert " routes, " in result.stdout  # it really checked: "64/64 routes, 44/44 fields"
    # The checker does catch a gap: the same document without one contract route fails it.
    with urllib.request.urlopen(stack.url("gateway") + "/openapi.json", timeout=30) as response:
        document = json.load(response)
    del document["paths"]["/api/v1/talent-reviews/{review_id}/nine-box"]
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    broken = check(str(tmp_path / "openapi.json"))
    assert broken.returncode == 1
    assert "route not documented: GET /api/v1/talent-reviews/{review_id}/nine-box" in broken.stdout


def test_the_copy_is_the_shared_contract() -> None:
    if checker().parent == COPY:
        pytest.skip("no shared/tools beside the repository: the copy is all there is")
    stale = [name for name in FILES if not filecmp.cmp(SHARED / name, COPY / name, shallow=False)]
    assert not stale, f"refresh tests/e2e/contract/ from {SHARED}: {stale} changed"
