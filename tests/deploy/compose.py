"""deploy/compose.yml: the Compose Specification schema, then our own rules for a single-host deployment."""

from __future__ import annotations

import functools
import importlib.resources
import json
import pathlib
import re
from typing import Any

import jsonschema

from tests.deploy.app_facts import env_status, operational_paths
from tests.deploy.common import ENV_PREFIX, SERVICES, Problem, YamlError, image_pinned, load_yaml_documents
from tests.deploy.dockerfile import DockerFacts, parse, stages_of

COMPOSE = pathlib.Path("deploy/compose.yml")
ENV_EXAMPLE = pathlib.Path("deploy/compose.env.example")
CONDITIONS = frozenset({"service_healthy", "service_completed_successfully"})
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|CREDENTIAL|CREDENTIALS|_KEY|_AUTH)$")
REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}$")
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+][^}]*)?\}")
URL_PASSWORD = re.compile(r"://[^/@\s:]*:(\$\{[^}]*\}|[^@\s]+)@")
FLAG_SECRET = re.compile(r"--(?:requirepass|password)[ =](\S+)")


@functools.cache
def compose_schema() -> jsonschema.Draft202012Validator:
    """The Compose Specification's JSON schema, as vendored by check-jsonschema (offline)."""
    text = (importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def check(root: pathlib.Path, facts: DockerFacts) -> list[Problem]:
    """Every problem of deploy/compose.yml (and its env template)."""
    path = root / COMPOSE
    shown = str(COMPOSE)
    try:
        docs = load_yaml_documents(path)
    except YamlError as exc:
        return [Problem(shown, str(exc))]
    if len(docs) != 1 or not isinstance(docs[0], dict):
        return [Problem(shown, "must hold one mapping")]
    doc: dict[str, Any] = docs[0]
    errors = [
        f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message[:300]} (Compose Specification)"
        for e in sorted(compose_schema().iter_errors(doc), key=lambda e: list(map(str, e.path)))
    ]
    services: dict[str, Any] = doc.get("services") if isinstance(doc.get("services"), dict) else {}
    problems = [Problem(shown, e) for e in errors]
    rules = _Rules(root, path.parent, doc, services, facts)
    rules.run()
    problems += [Problem(shown, m, warning=w) for m, w in rules.messages]
    problems += _check_env_example(root, doc)
    return problems


class _Rules:
    def __init__(
        self, root: pathlib.Path, base: pathlib.Path, doc: dict[str, Any], services: dict[str, Any], facts: DockerFacts
    ) -> None:
        self.root, self.base, self.doc, self.services, self.facts = root, base, doc, services, facts
        self.messages: list[tuple[str, bool]] = []

    def fail(self, message: str) -> None:
        self.messages.append((message, False))

    def warn(self, message: str) -> None:
        self.messages.append((message, True))

    def run(self) -> None:
        for name, svc in self.services.items():
            if not isinstance(svc, dict):
                continue
            self._image(name, svc)
            self._depends(name, svc)
            self._references(name, svc)
            if "ports" in svc and name != "gateway":
                self.fail(f"services.{name} publishes ports: only the gateway may")
            if svc.get("privileged") or svc.get("network_mode") == "host":
                self.fail(f"services.{name}: privileged or host networking is not allowed")
            service = self._service_of(svc)
            if service:
                self._talenta(name, svc, service)
        if "ports" not in self.services.get("gateway", {}):
            self.fail("services.gateway must publish its port")
        self._shape()
        self._secrets(self.doc, [])

    def _service_of(self, svc: dict[str, Any]) -> str | None:
        build = svc.get("build")
        if isinstance(build, dict) and build.get("target") in SERVICES:
            return str(build["target"])
        image = str(svc.get("image", ""))
        return next((s for s in SERVICES if image.startswith(f"talenta-{s}:") or image == f"talenta-{s}"), None)

    def _image(self, name: str, svc: dict[str, Any]) -> None:
        build = svc.get("build")
        if build is None:
            if "image" not in svc:
                self.fail(f"services.{name} has neither image nor build")
                return
            reason = image_pinned(str(svc["image"]))
            if reason:
                self.fail(f"services.{name}: image {svc['image']} {reason}")
            return
        if not isinstance(build, dict):
            self.fail(f"services.{name}.build must be a mapping with context, dockerfile and target")
            return
        context = (self.base / str(build.get("context", "."))).resolve()
        dockerfile = context / str(build.get("dockerfile", "Dockerfile"))
        if not dockerfile.is_file():
            self.fail(f"services.{name}.build: {dockerfile} does not exist")
            return
        stages, _ = stages_of(parse(dockerfile.read_text(encoding="utf-8"))[0])
        if build.get("target") not in {s.name for s in stages}:
            self.fail(f"services.{name}.build.target {build.get('target')!r} is not a stage of the Dockerfile")

    def _has_healthcheck(self, svc: dict[str, Any]) -> bool:
        check = svc.get("healthcheck")
        if isinstance(check, dict):
            return not check.get("disable") and bool(check.get("test"))
        service = self._service_of(svc)
        target = self.facts.targets.get(service or "")
        return bool(target and target.healthcheck)

    def _depends(self, name: str, svc: dict[str, Any]) -> None:
        depends = svc.get("depends_on") or {}
        if isinstance(depends, list):
            self.fail(f"services.{name}.depends_on: use the long form with a condition (health-gated start)")
            return
        for other, spec in depends.items():
            condition = (spec or {}).get("condition")
            target = self.services.get(other)
            if target is None:
                self.fail(f"services.{name} depends on {other!r}, which is not a service")
            elif condition not in CONDITIONS:
                self.fail(f"services.{name} -> {other}: condition {condition!r} (use one of {sorted(CONDITIONS)})")
            elif condition == "service_healthy" and not self._has_healthcheck(target):
                self.fail(f"services.{name} waits for {other} to be healthy, but {other} has no healthcheck")
            elif condition == "service_completed_successfully" and str(target.get("restart", "no")) != "no":
                self.fail(
                    f"services.{name} waits for {other} to complete, but {other} is not a one-shot job (restart: no)"
                )

    def _references(self, name: str, svc: dict[str, Any]) -> None:
        for net in svc.get("networks") or []:
            if net not in (self.doc.get("networks") or {}):
                self.fail(f"services.{name} uses network {net!r}, which is not defined")
        for volume in svc.get("volumes") or []:
            source = str(volume).split(":", 1)[0] if isinstance(volume, str) else str(volume.get("source"))
            if source.startswith((".", "/")):
                if not (self.base / source).exists():
                    self.fail(f"services.{name} mounts {source}, which does not exist")
            elif source not in (self.doc.get("volumes") or {}):
                self.fail(f"services.{name} uses volume {source!r}, which is not defined")

    def _talenta(self, name: str, svc: dict[str, Any], service: str) -> None:
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
        for key in env:
            owner = next((s for s, p in ENV_PREFIX.items() if key.startswith(p)), None)
            if owner and owner != service:
                self.fail(f"services.{name}: {key} is a {owner} setting in a {service} container")
            elif owner:
                status, source = env_status(service, key)
                if status == "unknown":
                    self.fail(f"services.{name}: {key} is read by no setting of {source}")
                elif status == "pending":
                    self.warn(f"services.{name}: {key} is documented but {source} does not read it yet")
        if env.get(f"{ENV_PREFIX[service]}ENVIRONMENT") != "production":
            self.fail(f"services.{name}: {ENV_PREFIX[service]}ENVIRONMENT must be production")
        check = svc.get("healthcheck")
        if isinstance(check, dict) and not check.get("disable"):
            text = " ".join(map(str, check.get("test") or []))
            paths = re.findall(r"https?://[^/'\"\s]+(/[^'\"\s)]*)", text)
            if not paths or any(p not in operational_paths() for p in paths):
                self.fail(
                    f"services.{name}.healthcheck calls {paths or 'no URL'}; known paths {sorted(operational_paths())}"
                )
            if re.search(r"\b(curl|wget)\b", text):
                self.fail(f"services.{name}.healthcheck uses curl/wget, which the image does not have")

    def _shape(self) -> None:
        """The brief's shape: the services, a migration job before each, PostgreSQL and Redis."""
        for needed in ("postgres", "redis", "scoring-worker", *SERVICES):
            if needed not in self.services:
                self.fail(f"no service {needed!r}")
        for service in SERVICES:
            command = ["alembic", "-c", f"services/{service}/alembic.ini", "upgrade", "head"]
            jobs = [n for n, s in self.services.items() if isinstance(s, dict) and s.get("command") == command]
            if len(jobs) != 1:
                self.fail(f"{len(jobs)} migration jobs for {service} (command {' '.join(command)}), not 1")
                continue
            for user in (service, "scoring-worker") if service == "scoring" else (service,):
                spec = ((self.services.get(user) or {}).get("depends_on") or {}).get(jobs[0]) or {}
                if spec.get("condition") != "service_completed_successfully":
                    self.fail(f"services.{user} must wait for {jobs[0]} (service_completed_successfully)")
        worker = self.services.get("scoring-worker") or {}
        if worker.get("command") != ["python", "-m", "services.scoring.worker"]:
            self.fail("services.scoring-worker must run python -m services.scoring.worker")
        scoring_env = (self.services.get("scoring") or {}).get("environment") or {}
        if str(scoring_env.get("SCORING_RUN_WORKER", "")).lower() != "false":
            self.fail('services.scoring: SCORING_RUN_WORKER must be "false" (the workers run apart)')

    def _secrets(self, node: Any, path: list[str]) -> None:
        """Secrets only as ${VAR} references: by key name, in URLs, and in command-line flags."""
        if isinstance(node, dict):
            for key, value in node.items():
                where = path + [str(key)]
                if (
                    isinstance(value, str)
                    and SECRET_NAME.search(str(key).upper())
                    and not REFERENCE.match(value.strip())
                ):
                    self.fail(f"{'.'.join(where)}: a literal secret; use a ${{VAR}} reference to deploy/.env")
                self._secrets(value, where)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self._secrets(value, path + [str(i)])
        elif isinstance(node, str):
            for secret in URL_PASSWORD.findall(node) + FLAG_SECRET.findall(node):
                if not re.fullmatch(r"\"?\$\$?\{?[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}?\"?", secret):
                    self.fail(f"{'.'.join(path)}: a literal password in {node[:60]!r}; use a ${{VAR}} reference")
            if "change-me" in node:
                self.fail(f"{'.'.join(path)}: a published demo secret")


def _check_env_example(root: pathlib.Path, doc: dict[str, Any]) -> list[Problem]:
    """Every variable compose.yml needs is in the template, and the template holds no secret value."""
    path = root / ENV_EXAMPLE
    if not path.is_file():
        return [Problem(str(ENV_EXAMPLE), "missing: operators need the list of variables to set")]
    listed: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            listed[key.strip()] = value.strip()
    problems = []
    needed = set(VARIABLE.findall(json.dumps(doc)))
    for name, modifier in sorted(needed):
        if name not in listed and not modifier.lstrip(":").startswith("-"):
            problems.append(Problem(str(ENV_EXAMPLE), f"{name} is required by compose.yml but not listed"))
    for key, value in listed.items():
        if SECRET_NAME.search(key) and value:
            problems.append(Problem(str(ENV_EXAMPLE), f"{key} has a value: the template must not hold secrets"))
    return problems
