"""Validate the deployment files offline: `python -m tests.deploy.validate [repository root]`.

- Kubernetes: every overlay under deploy/k8s/overlays (and its migrations) is rendered by a small
  kustomize in Python, each object is validated against the official JSON schemas in strict mode
  (unknown fields fail) for the oldest supported and the newest bundled Kubernetes, then cross-checked:
  selectors, ports, probes, ConfigMaps and Secrets, security contexts, resources, autoscalers,
  disruption budgets, the Ingress, and the NetworkPolicies against the intended traffic matrix.
- Compose: deploy/compose.yml against the Compose Specification schema and our rules (health-gated
  start, one-shot migrations, only the gateway published, no literal secrets).
- Dockerfile and .dockerignore; docs/PRODUCTION.md.
Exit status 1 when anything is wrong; warnings (settings not written yet) are printed, not fatal.
"""

from __future__ import annotations

import pathlib
import sys

from tests.deploy import compose, dockerfile, docs, kube
from tests.deploy.common import REPO_ROOT, Problem


def validate(root: pathlib.Path = REPO_ROOT) -> list[Problem]:
    """Every problem (and warning) of the deployment files under `root`, sorted."""
    problems, facts = dockerfile.check(root)
    problems += compose.check(root, facts)
    problems += kube.check(root, facts)
    problems += docs.check(root, sorted(kube.EXTERNAL_SECRETS))
    return sorted(set(problems), key=lambda p: (p.warning, p.file, p.message))


def main(argv: list[str]) -> int:
    """Print every problem; exit 1 when there is one that is not a warning."""
    root = pathlib.Path(argv[0]).resolve() if argv else REPO_ROOT
    found = validate(root)
    for problem in found:
        print(problem, file=sys.stderr)
    errors = [p for p in found if not p.warning]
    if errors:
        print(f"deploy validation: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"deploy validation: ok ({len(found)} warning(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
