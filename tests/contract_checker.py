"""Where API.md's contract checker is: `shared/tools/` beside the repository, or the copy in `tests/e2e/contract/`.

A clone elsewhere (CI clones `main` wherever it likes) has no `shared/` beside it; the copy is kept equal to the
shared checker by tests/e2e/test_contract.py whenever both are present.
"""

from __future__ import annotations

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("TALENTA_SHARED_DIR", ROOT.parent / "shared")) / "tools"
COPY = pathlib.Path(__file__).parent / "e2e" / "contract"
FILES = ("check_api_contract.py", "api_contract.json")


def checker_dir() -> pathlib.Path:
    """The shared checker when it sits beside the repository, else the copy."""
    return SHARED if all((SHARED / name).is_file() for name in FILES) else COPY


def checker() -> pathlib.Path:
    """The checker script to run."""
    return checker_dir() / "check_api_contract.py"
