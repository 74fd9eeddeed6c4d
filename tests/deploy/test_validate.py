"""The deployment validation passes on the real files and fails on each kind of mistake."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from tests.deploy import validate
from tests.deploy.common import REPO_ROOT
from tests.deploy.dockerfile import _ignore_patterns, is_ignored
from tests.deploy.kustomize import strategic_merge
from tests.deploy.netpol import Network, Pod, selector_matches

COPIED = ("deploy", "docs/PRODUCTION.md", ".dockerignore", "Makefile", "tests/deploy")


def block(*lines: str, end: bool = False) -> str:
    """YAML or Dockerfile lines joined with newlines (and one at the end when `end`)."""
    return "\n".join(lines) + ("\n" if end else "")


def errors(root: pathlib.Path) -> list[str]:
    """The failing problems (not the warnings) the validator finds under `root`."""
    return [str(p) for p in validate.validate(root) if not p.warning]


@pytest.fixture
def tree(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the deployment files to break."""
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".env"))
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    return tmp_path


def edit(root: pathlib.Path, relative: str, old: str, new: str) -> None:
    """Replace the first occurrence of `old` in a copied file (which must contain it)."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_real_files_pass() -> None:
    assert errors(REPO_ROOT) == []


def test_an_untouched_copy_passes(tree: pathlib.Path) -> None:
    assert errors(tree) == []


REGISTRY = "deploy/k8s/base/registry.yaml"
SCORING = "deploy/k8s/base/scoring.yaml"
GATEWAY = "deploy/k8s/base/gateway.yaml"
REDIS = "deploy/k8s/base/redis.yaml"
COMPOSE = "deploy/compose.yml"
DOCKERFILE = "deploy/docker/Dockerfile"
SERVICE_SELECTOR = "  selector:\n    app.kubernetes.io/name: registry\n    app.kubernetes.io/component: api\n  ports:"
GATEWAY_EGRESS = block(
    "  egress:",
    "    - to:",
    "        - podSelector:",
    "            matchLabels:",
    "              app.kubernetes.io/name: registry",
)

# (file, text, replacement, a fragment of the expected problem)
BROKEN = {
    "unknown field in a Deployment": (
        REGISTRY,
        "revisionHistoryLimit: 5",
        "revisionHistoryLimt: 5",
        "'revisionHistoryLimt' was unexpected",
    ),
    "wrong type in a probe": (
        REGISTRY,
        "failureThreshold: 30",
        "failureThreshold: thirty",
        "'thirty' is not of type 'integer'",
    ),
    "wrong type in an HPA": (SCORING, "minReplicas: 2", 'minReplicas: "two"', "'two' is not of type 'integer'"),
    "misspelt kind": (REDIS, "kind: Service\n", "kind: Servce\n", "no schema for kind 'Servce'"),
    "missing readiness probe": (
        GATEWAY,
        block(
            "          readinessProbe:",
            "            httpGet:",
            "              path: /readyz",
            "              port: http",
            "            periodSeconds: 10",
            "            timeoutSeconds: 5",
            "            failureThreshold: 3",
            end=True,
        ),
        "",
        "container gateway: no readinessProbe",
    ),
    "probe on a path nobody serves": (SCORING, "path: /readyz", "path: /ready", "path '/ready' is not served"),
    "probe on a port that does not exist": (
        REGISTRY,
        "            httpGet:\n              path: /healthz\n              port: http\n            periodSeconds: 10",
        "            httpGet:\n              path: /healthz\n              port: htp\n            periodSeconds: 10",
        "livenessProbe port is not one of the container's ports",
    ),
    "third-party container without liveness probe": (
        "deploy/k8s/base/pgbouncer-scoring.yaml",
        block(
            "          livenessProbe:",
            "            tcpSocket:",
            "              port: pgbouncer",
            "            periodSeconds: 15",
            "            failureThreshold: 4",
            end=True,
        ),
        "",
        "container pgbouncer: no livenessProbe",
    ),
    "Service selector matching nothing": (
        REGISTRY,
        SERVICE_SELECTOR,
        SERVICE_SELECTOR.replace("component: api", "component: apii"),
        "matches no Deployment's pods",
    ),
    "Service targetPort that does not exist": (
        REDIS,
        "      targetPort: redis",
        "      targetPort: rediss",
        "targetPort 'rediss' is not a container port",
    ),
    "NetworkPolicy selecting no pod": (
        REDIS,
        "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: redis\n  policyTypes",
        "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: rediss\n  policyTypes",
        "selects no pod",
    ),
    "NetworkPolicy blocking a needed flow": (
        GATEWAY,
        "app.kubernetes.io/instance: gateway\n      ports:",
        "app.kubernetes.io/instance: registry\n      ports:",
        "block gateway -> pgbouncer-gateway:pgbouncer",
    ),
    "NetworkPolicy opening the internet": (
        GATEWAY,
        GATEWAY_EGRESS,
        GATEWAY_EGRESS.replace(
            "  egress:\n",
            block(
                "  egress:",
                "    - to:",
                "        - ipBlock:",
                "            cidr: 0.0.0.0/0",
                "      ports:",
                "        - port: 443",
                "          protocol: TCP",
                end=True,
            ),
        ),
        "gateway may reach outside addresses on ['443']",
    ),
    "NetworkPolicy with a misspelt named port": (
        REGISTRY,
        "        - port: pgbouncer",
        "        - port: pgbouncr",
        "port 'pgbouncr' is not a named port",
    ),
    "Secret neither defined nor documented": (
        REGISTRY,
        "name: registry-db",
        "name: registry-dbb",
        "Secret 'registry-dbb' is neither defined nor listed",
    ),
    "ConfigMap that does not exist": (
        SCORING,
        "name: scoring-config\n          env:\n            # Reviews",
        "name: scoring-confg\n          env:\n            # Reviews",
        "ConfigMap 'scoring-confg' is not defined",
    ),
    "variable used before it is defined": (
        REGISTRY,
        "registry:$(DB_PASSWORD)@",
        "registry:$(DB_PASWORD)@",
        "uses $(DB_PASWORD) before it is defined",
    ),
    "setting name nobody reads": (
        REGISTRY,
        "REGISTRY_DB_POOL_SIZE:",
        "REGISTRY_DB_POOL_SIZ:",
        "REGISTRY_DB_POOL_SIZ is read by no setting",
    ),
    "another service's setting": (
        SCORING,
        "  SCORING_LOG_LEVEL: INFO",
        "  GATEWAY_LOG_LEVEL: INFO",
        "GATEWAY_LOG_LEVEL is a gateway setting in a scoring container",
    ),
    "URL naming a missing Service": (
        SCORING,
        "SCORING_REGISTRY_URL: http://registry",
        "SCORING_REGISTRY_URL: http://registy",
        "points at registy, which is no Service here",
    ),
    "Ingress exposing /metrics": (
        GATEWAY,
        "          - path: /api\n",
        "          - path: /\n",
        "exposes /metrics publicly",
    ),
    "writable root filesystem": (
        GATEWAY,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
        "readOnlyRootFilesystem must be true",
    ),
    "capabilities not dropped": (REDIS, "drop: [ALL]", "drop: [NET_RAW]", "capabilities must drop ALL"),
    "container port the image does not listen on": (
        SCORING,
        "              containerPort: 8000",
        "              containerPort: 8080",
        "declares ports [8080] but the image listens on 8000",
    ),
    "user differing from the image": (
        REGISTRY,
        "runAsUser: 10001",
        "runAsUser: 1000",
        "runAsUser 1000 is not the image's USER 10001",
    ),
    "missing memory limit": (
        SCORING,
        '            limits:\n              cpu: "2"\n              memory: 2Gi\n',
        '            limits:\n              cpu: "2"\n',
        "needs a memory request and limit",
    ),
    "request above limit": (
        GATEWAY,
        "              memory: 256Mi",
        "              memory: 2Gi",
        "memory request exceeds its limit",
    ),
    "unpinned third-party image": (
        REDIS,
        "image: redis:7.4.11-alpine",
        "image: redis:latest",
        "tag 'latest' is not a version",
    ),
    "replicas fighting the HPA": (
        REGISTRY,
        "  revisionHistoryLimit: 5",
        "  replicas: 3\n  revisionHistoryLimit: 5",
        "sets spec.replicas although an HPA scales it",
    ),
    "grace period shorter than the drain": (
        GATEWAY,
        "terminationGracePeriodSeconds: 45",
        "terminationGracePeriodSeconds: 20",
        "terminationGracePeriodSeconds 20 <= preStop 10s + graceful shutdown 30s",
    ),
    "kustomization naming a missing file": (
        "deploy/k8s/base/kustomization.yaml",
        "  - redis.yaml",
        "  - redis.yml",
        "resource redis.yml does not exist",
    ),
    "kustomize feature the renderer does not know": (
        "deploy/k8s/overlays/agency/kustomization.yaml",
        "patches:",
        "commonLabels:\n  team: talenta\npatches:",
        "unsupported kustomization fields ['commonLabels']",
    ),
    "patch targeting nothing": (
        "deploy/k8s/overlays/national/autoscaling.yaml",
        "  name: scoring-worker",
        "  name: scoring-workers",
        "matches 0 resources",
    ),
    "image override matching no container": (
        "deploy/k8s/overlays/agency/kustomization.yaml",
        "  - name: talenta-gateway",
        "  - name: talenta-gatewy",
        "image 'talenta-gatewy' is used by no container",
    ),
    "migrations on another version": (
        "deploy/k8s/overlays/national/migrations/kustomization.yaml",
        'newTag: "0.1.0"',
        'newTag: "0.2.0"',
        "migrates with",
    ),
    "migration Job running the wrong command": (
        "deploy/k8s/migrations/jobs.yaml",
        '"services/scoring/alembic.ini", "upgrade"',
        '"services/scoring/alembic.ini", "upgrades"',
        "a migration Job must run alembic -c services/scoring/alembic.ini upgrade head",
    ),
    "compose: a service publishing a port": (
        COMPOSE,
        "    environment: *registry-env\n    # `egress`",
        '    environment: *registry-env\n    ports:\n      - "8001:8000"\n    # `egress`',
        "services.registry publishes ports: only the gateway may",
    ),
    "compose: a literal secret": (
        COMPOSE,
        "REGISTRY_SIASN_CREDENTIALS_KEY: ${REGISTRY_SIASN_CREDENTIALS_KEY:?set it in deploy/.env}",
        "REGISTRY_SIASN_CREDENTIALS_KEY: hunter2hunter2hunter2",
        "REGISTRY_SIASN_CREDENTIALS_KEY: a literal secret",
    ),
    "compose: a literal password in a URL": (
        COMPOSE,
        "registry:${REGISTRY_DB_PASSWORD:?set it in deploy/.env}@postgres",
        "registry:s3cretpassword@postgres",
        "a literal password in",
    ),
    "compose: a demo secret": (
        COMPOSE,
        "TALENTA_OTEL_ENDPOINT:-}\n\nx-scoring-env",
        block(
            "TALENTA_OTEL_ENDPOINT:-}",
            "  REGISTRY_LOG_LEVEL: demo-service-token-secret-change-me-0123456789",
            "",
            "x-scoring-env",
        ),
        "a published demo secret",
    ),
    "compose: misspelt key": (
        COMPOSE,
        "  restart: unless-stopped\n  # uvicorn",
        "  restrat: unless-stopped\n  # uvicorn",
        "Compose Specification",
    ),
    "compose: misspelt condition": (
        COMPOSE,
        "      registry-migrate:\n        condition: service_completed_successfully",
        "      registry-migrate:\n        condition: service_completed",
        "Compose Specification",
    ),
    "compose: waiting for health of a job without one": (
        COMPOSE,
        "      gateway-migrate:\n        condition: service_completed_successfully",
        "      gateway-migrate:\n        condition: service_healthy",
        "waits for gateway-migrate to be healthy, but gateway-migrate has no healthcheck",
    ),
    "compose: depending on a missing service": (
        COMPOSE,
        "      redis:\n        condition: service_healthy",
        "      rediss:\n        condition: service_healthy",
        "depends on 'rediss', which is not a service",
    ),
    "compose: repeated key": (
        COMPOSE,
        block(
            "    restart: unless-stopped",
            "    security_opt:",
            "      - no-new-privileges:true",
            "    environment:",
            "      POSTGRES_USER",
        ),
        block(
            "    restart: unless-stopped",
            "    restart: always",
            "    security_opt:",
            "      - no-new-privileges:true",
            "    environment:",
            "      POSTGRES_USER",
        ),
        "key 'restart' repeated",
    ),
    "compose: unpinned image": (COMPOSE, "image: postgres:15.17-bookworm", "image: postgres", "has no tag"),
    "compose: workers in the API": (
        COMPOSE,
        'SCORING_RUN_WORKER: "false"',
        'SCORING_RUN_WORKER: "true"',
        "SCORING_RUN_WORKER must be",
    ),
    "compose: variable missing from the template": (
        "deploy/compose.env.example",
        "REDIS_PASSWORD=\n",
        "",
        "REDIS_PASSWORD is required by compose.yml but not listed",
    ),
    "dockerfile: unpinned FROM": (
        DOCKERFILE,
        "FROM python:3.11.15-slim-bookworm AS build",
        "FROM python:3.11-slim AS build",
        "is not an exact python:3.11.X-slim-bookworm",
    ),
    "dockerfile: latest FROM": (
        DOCKERFILE,
        "FROM python:3.11.15-slim-bookworm AS runtime",
        "FROM python:latest AS runtime",
        "tag 'latest' is not a version",
    ),
    "dockerfile: no USER": (DOCKERFILE, "USER 10001:10001\n", "", "no USER, the image would run as root"),
    "dockerfile: root USER": (DOCKERFILE, "USER 10001:10001\n", "USER root\n", "must be a numeric non-root uid"),
    "dockerfile: no HEALTHCHECK": (DOCKERFILE, "HEALTHCHECK --interval", "# HEALTHCHECK --interval", "no HEALTHCHECK"),
    "dockerfile: curl in the HEALTHCHECK": (
        DOCKERFILE,
        'CMD ["python", "-c", "import urllib.request;',
        'CMD ["curl", "-f", "import urllib.request;',
        "HEALTHCHECK must use Python's standard library",
    ),
    "dockerfile: misspelt instruction": (
        DOCKERFILE,
        "WORKDIR /app\nCOPY pyproject.toml",
        "WORKDIRR /app\nCOPY pyproject.toml",
        "unknown instruction 'WORKDIRR'",
    ),
    "dockerfile: lock not obeyed": (
        DOCKERFILE,
        "uv sync --frozen --no-dev",
        "uv sync --no-dev",
        "without --frozen/--locked",
    ),
    "dockerfile: another uv": (
        DOCKERFILE,
        "pip install uv==0.13.8",
        "pip install uv==0.9.0",
        "uv is not installed pinned as uv==0.13.8",
    ),
    "dockerignore: sending the checkout": (".dockerignore", "**\n", "", "lets .git/HEAD into the build context"),
    "dockerignore: hiding the lock": (".dockerignore", "!uv.lock\n", "", "excludes uv.lock"),
    "docs: an undocumented Secret": (
        "docs/PRODUCTION.md",
        "| `redis-auth` |",
        "| redis-auth |",
        "`redis-auth` is not documented",
    ),
    "docs: a missing section": ("docs/PRODUCTION.md", "## Key rotation", "## Keys", "no section on 'key rotation'"),
    "docs: naming a file that does not exist": (
        "docs/PRODUCTION.md",
        "`deploy/postgres/init-databases.sh`",
        "`deploy/postgres/init.sh`",
        "names deploy/postgres/init.sh, which does not exist",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_copy_fails(tree: pathlib.Path, case: str) -> None:
    relative, old, new, expected = BROKEN[case]
    edit(tree, relative, old, new)
    found = errors(tree)
    assert any(expected in problem for problem in found), f"{case}: expected {expected!r} in {found}"


def test_the_network_policies_must_forbid_what_the_design_forbids(tree: pathlib.Path) -> None:
    # scoring may open any pod, and Redis accepts anyone: scoring -> redis becomes possible.
    edit(
        tree,
        SCORING,
        block(
            "    - to:",
            "        - podSelector:",
            "            matchLabels:",
            "              app.kubernetes.io/name: registry",
            "              app.kubernetes.io/component: api",
            "      ports:",
        ),
        block(
            "    - to:",
            "        - podSelector: {}",
            "      ports:",
            "        - port: redis",
            "          protocol: TCP",
            "    - to:",
            "        - podSelector:",
            "            matchLabels:",
            "              app.kubernetes.io/name: registry",
            "              app.kubernetes.io/component: api",
            "      ports:",
        ),
    )
    edit(
        tree,
        REDIS,
        block(
            "    - from:",
            "        - podSelector:",
            "            matchLabels:",
            "              app.kubernetes.io/name: gateway",
            "              app.kubernetes.io/component: api",
        ),
        "    - from:\n        - podSelector: {}",
    )
    found = errors(tree)
    assert any("let scoring reach redis:redis, which the design forbids" in p for p in found), found


def test_the_default_deny_is_required(tree: pathlib.Path) -> None:
    edit(
        tree,
        "deploy/k8s/base/network-policies.yaml",
        "  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress\n",
        "  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n",
    )
    assert any("no default-deny NetworkPolicy" in p for p in errors(tree))


def test_an_unused_manifest_fails(tree: pathlib.Path) -> None:
    (tree / "deploy/k8s/base/extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")
    assert any("extra.yaml: not used by any overlay" in p for p in errors(tree))


def test_strategic_merge_merges_containers_by_name_and_replaces_plain_lists() -> None:
    base = {"spec": {"containers": [{"name": "a", "image": "x", "args": ["1", "2"]}, {"name": "b", "image": "y"}]}}
    patch = {"spec": {"containers": [{"name": "b", "args": ["3"]}, {"name": "c", "image": "z"}]}}
    merged = strategic_merge(base, patch)
    assert merged["spec"]["containers"] == [
        {"name": "a", "image": "x", "args": ["1", "2"]},
        {"name": "b", "image": "y", "args": ["3"]},
        {"name": "c", "image": "z"},
    ]
    assert strategic_merge({"args": ["1", "2"]}, {"args": ["3"]}) == {"args": ["3"]}
    assert strategic_merge({"a": 1, "b": 2}, {"b": None}) == {"a": 1}


def test_dockerignore_follows_dockers_last_match_rule() -> None:
    patterns = _ignore_patterns("**\n!services/\n**/__pycache__\n")
    assert is_ignored(".git/HEAD", patterns)
    assert not is_ignored("services/common/app.py", patterns)
    assert is_ignored("services/common/__pycache__/app.cpython-311.pyc", patterns)


def test_selectors_and_policy_evaluation() -> None:
    labels = {"app": "a", "tier": "api"}
    assert selector_matches({}, labels)
    assert selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["api"]}]}, labels)
    assert not selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["api"]}]}, labels)
    a = Pod("a", "ns", (("app", "a"),), (("http", 8000, "TCP"),))
    b = Pod("b", "ns", (("app", "b"),), (("http", 8000, "TCP"),))
    deny = {"metadata": {"namespace": "ns"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
    allow_b_from_a = {
        "metadata": {"namespace": "ns"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "b"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}], "ports": [{"port": "http"}]}],
        },
    }
    allow_a_out = {
        "metadata": {"namespace": "ns"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "a"}},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {}}]}],
        },
    }
    assert Network([], {}).allowed(a, b, 8000)
    assert not Network([deny, allow_b_from_a], {}).allowed(a, b, 8000)  # a's egress is still denied
    assert Network([deny, allow_b_from_a, allow_a_out], {}).allowed(a, b, 8000)
    assert not Network([deny, allow_b_from_a, allow_a_out], {}).allowed(b, a, 8000)
