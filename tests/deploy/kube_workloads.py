"""Pods of Deployments and Jobs: security, resources, probes, shutdown, config and secret references."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.deploy.app_facts import LIVENESS_PATH, READINESS_PATH, env_status, operational_paths
from tests.deploy.common import ENV_PREFIX, Problem, image_pinned, relative, service_of_image
from tests.deploy.kustomize import Resource, pod_spec

if TYPE_CHECKING:
    from tests.deploy.kube import Context

VAR_REF = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
QUANTITY = re.compile(r"^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
FACTORS = {
    None: 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
}
WORKER_COMMAND = ["python", "-m", "services.scoring.worker"]


def pod_labels(workload: Resource) -> dict[str, str]:
    """The labels of a workload's pod template."""
    doc = workload.doc
    template = (doc.get("spec") or {}).get("template") or {}
    return dict((template.get("metadata") or {}).get("labels") or {})


def role(workload: Resource) -> str | None:
    """The component label of a workload's pods (api, worker, migration, pooler, cache)."""
    return pod_labels(workload).get("app.kubernetes.io/component")


def containers(workload: Resource) -> list[dict[str, Any]]:
    """The containers and init containers of a workload."""
    spec = pod_spec(workload.doc) or {}
    return list(spec.get("initContainers") or []) + list(spec.get("containers") or [])


def service_of(workload: Resource) -> str | None:
    """The Talenta service whose image the workload runs, if any."""
    return next((s for c in containers(workload) if (s := service_of_image(str(c.get("image"))))), None)


def has_port(workload: Resource, port: Any) -> bool:
    """Whether a container of the workload declares `port` (a number or a port name)."""
    for container in containers(workload):
        for p in container.get("ports") or []:
            if port in (p.get("name"), p.get("containerPort")):
                return True
    return False


def note_secret(ctx: Context, res: Resource, name: str, key: str | None) -> None:
    """Record a use of a Secret; a problem unless it is defined here or documented as external."""
    from tests.deploy.kube import EXTERNAL_SECRETS

    ctx.secret_refs.add(name)
    defined = ctx.find("Secret", name)
    if defined is not None:
        keys = set(defined.doc.get("data") or {}) | set(defined.doc.get("stringData") or {})
        if key and keys and key not in keys:
            ctx.add(res, f"Secret {name} has no key {key!r}")
        return
    if name not in EXTERNAL_SECRETS:
        ctx.add(res, f"Secret {name!r} is neither defined nor listed as created out-of-band (EXTERNAL_SECRETS)")
    elif key and key not in EXTERNAL_SECRETS[name]:
        ctx.add(res, f"Secret {name} is documented with keys {sorted(EXTERNAL_SECRETS[name])}, not {key!r}")


def _config_map(ctx: Context, res: Resource, name: str, key: str | None, optional: bool = False) -> dict[str, Any]:
    cm = ctx.find("ConfigMap", name)
    if cm is None:
        if not optional:
            ctx.add(res, f"ConfigMap {name!r} is not defined")
        return {}
    data = dict(cm.doc.get("data") or {})
    if key and key not in data and not optional:
        ctx.add(res, f"ConfigMap {name} has no key {key!r}")
    return data


def config_maps_used(ctx: Context) -> set[str]:
    """Names of the ConfigMaps some workload reads."""
    used: set[str] = set()
    for w in ctx.workloads():
        for container in containers(w):
            for source in container.get("envFrom") or []:
                used.add(str((source.get("configMapRef") or {}).get("name")))
            for env in container.get("env") or []:
                used.add(str(((env.get("valueFrom") or {}).get("configMapKeyRef") or {}).get("name")))
        for volume in (pod_spec(w.doc) or {}).get("volumes") or []:
            used.add(str((volume.get("configMap") or {}).get("name")))
            for source in (volume.get("projected") or {}).get("sources") or []:
                used.add(str((source.get("configMap") or {}).get("name")))
    return used


def env_values(ctx: Context, workload: Resource, container: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, literal value) of a container's environment, ConfigMap values included."""
    values: list[tuple[str, str]] = []
    for source in container.get("envFrom") or []:
        ref = source.get("configMapRef")
        if ref:
            cm = ctx.find("ConfigMap", str(ref.get("name")))
            values += [(k, str(v)) for k, v in ((cm.doc.get("data") or {}) if cm else {}).items()]
    values += [(str(e.get("name")), str(e["value"])) for e in container.get("env") or [] if "value" in e]
    return values


def quantity(value: Any) -> float | None:
    """A Kubernetes quantity (250m, 1, 512Mi) as a number, None when malformed."""
    match = QUANTITY.match(str(value))
    return float(match[1]) * FACTORS[match[2]] if match else None


def check_workloads(ctx: Context) -> None:
    """Every pod template of a Deployment or a Job."""
    for w in ctx.workloads():
        spec = pod_spec(w.doc) or {}
        _check_pod(ctx, w, spec)
        volumes = {str(v.get("name")): v for v in spec.get("volumes") or []}
        _check_volumes(ctx, w, volumes.values())
        for container in containers(w):
            _check_container(ctx, w, spec, container, volumes)
        if w.kind == "Deployment":
            _check_shutdown(ctx, w, spec)
        if w.kind == "Job":
            _check_job(ctx, w, spec)
        if role(w) == "worker" and not any(c.get("command") == WORKER_COMMAND for c in containers(w)):
            ctx.add(w, f"a worker must run {' '.join(WORKER_COMMAND)}")


def _check_pod(ctx: Context, w: Resource, spec: dict[str, Any]) -> None:
    labels = pod_labels(w)
    if w.kind == "Deployment":
        selector = ((w.doc.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            ctx.add(w, f"selector {selector} does not match its pod labels {labels}")
    if spec.get("automountServiceAccountToken") is not False:
        ctx.add(w, "automountServiceAccountToken must be false (no pod talks to the Kubernetes API)")
    account = spec.get("serviceAccountName")
    if account and account != "default" and ctx.find("ServiceAccount", account) is None:
        ctx.add(w, f"ServiceAccount {account!r} is not defined")
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            ctx.add(w, f"{flag} is not allowed")
    psc = spec.get("securityContext") or {}
    every = containers(w)
    if psc.get("runAsNonRoot") is not True and not all(
        (c.get("securityContext") or {}).get("runAsNonRoot") for c in every
    ):
        ctx.add(w, "runAsNonRoot must be true")
    seccomp = (psc.get("seccompProfile") or {}).get("type")
    if seccomp not in ("RuntimeDefault", "Localhost") and not all(
        ((c.get("securityContext") or {}).get("seccompProfile") or {}).get("type") in ("RuntimeDefault", "Localhost")
        for c in every
    ):
        ctx.add(w, "seccompProfile RuntimeDefault is required by the restricted Pod Security Standard")
    for constraint in spec.get("topologySpreadConstraints") or []:
        selector = (constraint.get("labelSelector") or {}).get("matchLabels") or {}
        if any(labels.get(k) != v for k, v in selector.items()):
            ctx.add(w, f"topologySpreadConstraints selector {selector} does not select its own pods")


def _check_volumes(ctx: Context, w: Resource, volumes: Any) -> None:
    for volume in volumes:
        sources = [volume] + list((volume.get("projected") or {}).get("sources") or [])
        for source in sources:
            if "configMap" in source:
                ref = source["configMap"]
                for item in ref.get("items") or [{}]:
                    _config_map(ctx, w, str(ref.get("name")), item.get("key"), bool(ref.get("optional")))
            if "secret" in source:
                ref = source["secret"]
                name = str(ref.get("secretName", ref.get("name")))
                for item in ref.get("items") or [{}]:
                    note_secret(ctx, w, name, item.get("key"))


def _check_container(
    ctx: Context, w: Resource, spec: dict[str, Any], c: dict[str, Any], volumes: dict[str, Any]
) -> None:
    name = c.get("name")
    image = str(c.get("image", ""))
    reason = image_pinned(image)
    if reason:
        ctx.add(w, f"container {name}: image {image} {reason}")
    service = service_of_image(image)
    if service:
        uid = (c.get("securityContext") or {}).get("runAsUser", (spec.get("securityContext") or {}).get("runAsUser"))
        if service not in ctx.facts.targets:
            ctx.add(w, f"container {name}: image {image} has no Dockerfile target {service!r}")
        elif uid != ctx.facts.uid(service):
            ctx.add(w, f"container {name}: runAsUser {uid} is not the image's USER {ctx.facts.uid(service)}")
        listening = ctx.facts.port(service)
        declared = [p.get("containerPort") for p in c.get("ports") or []]
        if declared and listening not in declared:
            ctx.add(w, f"container {name}: declares ports {declared} but the image listens on {listening}")
    _check_security(ctx, w, c, volumes)
    _check_resources(ctx, w, c)
    _check_env(ctx, w, c, service)
    if w.kind == "Deployment":
        _check_probes(ctx, w, c, service)


def _check_security(ctx: Context, w: Resource, c: dict[str, Any], volumes: dict[str, Any]) -> None:
    name = c.get("name")
    sc = c.get("securityContext") or {}
    if sc.get("allowPrivilegeEscalation") is not False:
        ctx.add(w, f"container {name}: allowPrivilegeEscalation must be false")
    if sc.get("privileged"):
        ctx.add(w, f"container {name}: privileged is not allowed")
    caps = sc.get("capabilities") or {}
    if "ALL" not in (caps.get("drop") or []):
        ctx.add(w, f"container {name}: capabilities must drop ALL")
    if caps.get("add"):
        ctx.add(w, f"container {name}: adds capabilities {caps['add']}")
    if sc.get("readOnlyRootFilesystem") is not True:
        ctx.add(w, f"container {name}: readOnlyRootFilesystem must be true")
    mounts = {str(m.get("mountPath")): str(m.get("name")) for m in c.get("volumeMounts") or []}
    for path, volume in mounts.items():
        if volume not in volumes:
            ctx.add(w, f"container {name}: volumeMount {path} uses undefined volume {volume!r}")
    tmp = volumes.get(mounts.get("/tmp", ""))
    if tmp is None or "emptyDir" not in tmp:
        ctx.add(w, f"container {name}: /tmp must be an emptyDir (the root filesystem is read-only)")


def _check_resources(ctx: Context, w: Resource, c: dict[str, Any]) -> None:
    resources = c.get("resources") or {}
    for resource in ("cpu", "memory"):
        request = quantity((resources.get("requests") or {}).get(resource))
        limit = quantity((resources.get("limits") or {}).get(resource))
        if request is None or limit is None:
            ctx.add(w, f"container {c.get('name')}: needs a {resource} request and limit")
        elif request > limit:
            ctx.add(w, f"container {c.get('name')}: {resource} request exceeds its limit")


def _check_env(ctx: Context, w: Resource, c: dict[str, Any], service: str | None) -> None:
    defined: list[str] = []
    for source in c.get("envFrom") or []:
        if "configMapRef" in source:
            ref = source["configMapRef"]
            defined += list(_config_map(ctx, w, str(ref.get("name")), None, bool(ref.get("optional"))))
        if "secretRef" in source:
            note_secret(ctx, w, str(source["secretRef"].get("name")), None)
    for env in c.get("env") or []:
        value_from = env.get("valueFrom") or {}
        if "secretKeyRef" in value_from:
            ref = value_from["secretKeyRef"]
            if not ref.get("optional"):
                note_secret(ctx, w, str(ref.get("name")), ref.get("key"))
        if "configMapKeyRef" in value_from:
            ref = value_from["configMapKeyRef"]
            _config_map(ctx, w, str(ref.get("name")), ref.get("key"), bool(ref.get("optional")))
        for var in VAR_REF.findall(str(env.get("value", ""))):
            if var not in defined:
                ctx.add(w, f"container {c.get('name')}: {env.get('name')} uses $({var}) before it is defined")
        defined.append(str(env.get("name")))
    for text in list(c.get("command") or []) + list(c.get("args") or []):
        for var in VAR_REF.findall(str(text)):
            if var not in defined:
                ctx.add(w, f"container {c.get('name')}: command/args use $({var}), which is not in its env")
    if service:
        _check_setting_names(ctx, w, c, service, defined)


def _check_setting_names(ctx: Context, w: Resource, c: dict[str, Any], service: str, names: list[str]) -> None:
    for name in names:
        owner = next((s for s, p in ENV_PREFIX.items() if name.startswith(p)), None)
        if owner is None:
            continue
        if owner != service:
            ctx.add(w, f"container {c.get('name')}: {name} is a {owner} setting in a {service} container")
            continue
        status, source = env_status(service, name)
        if status == "unknown":
            ctx.add(w, f"container {c.get('name')}: {name} is read by no setting of {source}")
        elif status == "pending":
            ctx.problems.append(
                Problem(
                    relative(w.origin, ctx.root),
                    f"{w.label()}: {name} is documented but {source} does not read it yet",
                    warning=True,
                )
            )


def _probe_port_ok(c: dict[str, Any], probe: dict[str, Any]) -> bool:
    handler = probe.get("httpGet") or probe.get("tcpSocket")
    if handler is None:
        return True
    ports = {p.get("name") for p in c.get("ports") or []} | {p.get("containerPort") for p in c.get("ports") or []}
    return handler.get("port") in ports


def _check_probes(ctx: Context, w: Resource, c: dict[str, Any], service: str | None) -> None:
    name = c.get("name")
    expected = {"readinessProbe": READINESS_PATH, "livenessProbe": LIVENESS_PATH}
    for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = c.get(kind)
        if probe is None:
            if kind != "startupProbe":
                ctx.add(w, f"container {name}: no {kind}")
            continue
        if not _probe_port_ok(c, probe):
            ctx.add(w, f"container {name}: {kind} port is not one of the container's ports")
        path = (probe.get("httpGet") or {}).get("path")
        if path is not None and path not in operational_paths():
            ctx.add(w, f"container {name}: {kind} path {path!r} is not served (known: {sorted(operational_paths())})")
        if service and kind in expected and path != expected[kind]:
            ctx.add(w, f"container {name}: {kind} must be an httpGet of {expected[kind]}, not {path!r}")


def _prestop_seconds(c: dict[str, Any]) -> int | None:
    pre_stop = (c.get("lifecycle") or {}).get("preStop") or {}
    if "sleep" in pre_stop:
        return int((pre_stop["sleep"] or {}).get("seconds", 0))
    command = (pre_stop.get("exec") or {}).get("command") or []
    if len(command) == 2 and command[0] in ("sleep", "/bin/sleep") and str(command[1]).isdigit():
        return int(command[1])
    return None


def _check_shutdown(ctx: Context, w: Resource, spec: dict[str, Any]) -> None:
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is None:
        ctx.add(w, "terminationGracePeriodSeconds must be explicit")
        return
    behind_service = any(
        all(pod_labels(w).get(k) == v for k, v in ((s.doc.get("spec") or {}).get("selector") or {}).items())
        for s in ctx.of_kind("Service")
        if (s.doc.get("spec") or {}).get("selector")
    )
    if not behind_service:
        return
    for c in spec.get("containers") or []:
        sleep = _prestop_seconds(c)
        if sleep is None:
            ctx.add(w, f"container {c.get('name')}: needs a preStop sleep so endpoints are removed before shutdown")
            continue
        service = service_of_image(str(c.get("image")))
        drain = ctx.facts.graceful_seconds(service) if service else 0
        if grace <= sleep + drain:
            ctx.add(w, f"terminationGracePeriodSeconds {grace} <= preStop {sleep}s + graceful shutdown {drain}s")


def _check_job(ctx: Context, w: Resource, spec: dict[str, Any]) -> None:
    job = w.doc.get("spec") or {}
    if spec.get("restartPolicy") not in ("Never", "OnFailure"):
        ctx.add(w, "restartPolicy must be Never or OnFailure")
    for field in ("backoffLimit", "activeDeadlineSeconds"):
        if field not in job:
            ctx.add(w, f"{field} must be set (a stuck migration must not block a rollout forever)")
    service = service_of(w)
    if role(w) == "migration" and service:
        command = ["alembic", "-c", f"services/{service}/alembic.ini", "upgrade", "head"]
        if not any(c.get("command") == command for c in spec.get("containers") or []):
            ctx.add(w, f"a migration Job must run {' '.join(command)}")
