"""Run schemathesis (`st run`, every phase and check) against a live service's /openapi.json.

The CLI runs in its own process with `tests.proof.fuzz_hooks` loaded (authentication, the problem+json check,
protected demo accounts), so a failure prints the same report, with its `curl` reproductions, that a developer
gets running `st run` by hand. `positive_data_acceptance` is off: it expects every schema-valid request to
succeed, and this API's rules (a NIP whose digits agree with the birth date, references that exist, an
If-Match naming the current version) are more than a JSON Schema can say. Everything else is on.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from services.launcher.stack import ROOT

CONFIG = """
[checks.positive_data_acceptance]
enabled = false
"""
# CI runs a few thousand requests in all; TALENTA_FUZZ_EXAMPLES (e.g. 200) makes a long run.
MAX_EXAMPLES = int(os.environ.get("TALENTA_FUZZ_EXAMPLES", "0") or 0)


@dataclass(frozen=True)
class FuzzRun:
    """What one `st run` did: its exit code, output and the number of generated cases."""

    returncode: int
    output: str

    @property
    def cases(self) -> int:
        """Test cases generated, from the summary line (`1274 generated, ...`)."""
        found = re.search(r"(\d+) generated", self.output)
        return int(found[1]) if found else 0

    @property
    def seconds(self) -> float:
        """The run's own time, from the last line (`... in 42.77s`)."""
        found = re.search(r" in ([\d.]+)s =+\s*$", self.output)
        return float(found[1]) if found else 0.0

    def report(self) -> str:
        """The failures section and summary, for an assertion message."""
        start = self.output.find("FAILURES")
        return self.output[start - 40 :] if start >= 0 else self.output[-6000:]


def run_schemathesis(
    schema_url: str,
    auth: dict[str, Any],
    workdir: pathlib.Path,
    *,
    max_examples: int,
    phases: str = "examples,coverage,fuzzing,stateful",
    protected: dict[str, list[str]] | None = None,
    extra: tuple[str, ...] = (),
    timeout: float = 900,
) -> FuzzRun:
    """`st run` against `schema_url` as `auth` (see fuzz_hooks); answers its exit code and output."""
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.proof.fuzz_hooks",
        "TALENTA_FUZZ_AUTH": json.dumps(auth),
        "TALENTA_FUZZ_PROTECTED": json.dumps(protected or {}),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", schema_url,
        "--phases", phases, "--max-examples", str(MAX_EXAMPLES or max_examples), "--workers", "1",
        "--no-shrink", "--max-failures", "100", "--request-timeout", "60", "--warnings", "off",
        *(["--seed", os.environ["TALENTA_FUZZ_SEED"]] if os.environ.get("TALENTA_FUZZ_SEED") else []), *extra,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return FuzzRun(result.returncode, result.stdout + result.stderr)
