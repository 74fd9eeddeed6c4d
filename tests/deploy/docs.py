"""docs/PRODUCTION.md: present, complete, and naming only files that exist."""

from __future__ import annotations

import pathlib
import re

from tests.deploy.common import Problem

PRODUCTION = pathlib.Path("docs/PRODUCTION.md")
# The topics the production guide must cover (matched against its headings, case-insensitively).
REQUIRED_HEADINGS = (
    "running in production",
    "shape of a deployment",
    "sizing",
    "postgresql settings",
    "connection pooling",
    "read replicas",
    "partitioning",
    "citus",
    "backups",
    "key rotation",
    "observability",
    "secrets",
    "migrations",
)
# Files the guide names that an operator creates and git ignores.
CREATED_BY_OPERATOR = frozenset({"deploy/.env"})


def check(root: pathlib.Path, external_secrets: list[str]) -> list[Problem]:
    """Every problem of the production guide."""
    path = root / PRODUCTION
    if not path.is_file():
        return [Problem(str(PRODUCTION), "missing")]
    text = path.read_text(encoding="utf-8")
    headings = " | ".join(line.lstrip("#").strip().lower() for line in text.splitlines() if line.startswith("#"))
    problems = [
        Problem(str(PRODUCTION), f"no section on {topic!r}") for topic in REQUIRED_HEADINGS if topic not in headings
    ]
    for name in external_secrets:
        if f"`{name}`" not in text:
            problems.append(Problem(str(PRODUCTION), f"the out-of-band Secret `{name}` is not documented"))
    for ref in sorted(set(re.findall(r"`((?:deploy|tests/deploy|docs)/[^`\s<>*]+)`", text))):
        if ref not in CREATED_BY_OPERATOR and not (root / ref.rstrip("/")).exists():
            problems.append(Problem(str(PRODUCTION), f"names {ref}, which does not exist"))
    return problems
