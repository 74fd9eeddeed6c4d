"""deploy/k8s: render each overlay, validate every object against the schemas, then cross-check them."""

from __future__ import annotations

import dataclasses
import pathlib
import re

from tests.deploy import kube_workloads
from tests.deploy.common import ENV_PREFIX, SERVICES, Problem, relative, service_of_image
from tests.deploy.dockerfile import DockerFacts
from tests.deploy.kube_network import check_network
from tests.deploy.kube_schema import schema_errors
from tests.deploy.kustomize import Rendering, Resource, pod_spec, render

K8S_DIR = pathlib.Path("deploy/k8s")

# Secrets created out-of-band (docs/PRODUCTION.md "Secrets"), with the keys the manifests read.
EXTERNAL_SECRETS: dict[str, frozenset[str]] = {
    "talenta-service-token": frozenset({"secret"}),
    "registry-db": frozenset({"password"}),
    "scoring-db": frozenset({"password"}),
    "gateway-db": frozenset({"password"}),
    "registry-siasn": frozenset({"credentials-key"}),
    "gateway-signing": frozenset({"secret"}),
    "redis-auth": frozenset({"password"}),
    "pgbouncer-registry-auth": frozenset({"userlist.txt"}),
    "pgbouncer-scoring-auth": frozenset({"userlist.txt"}),
    "pgbouncer-gateway-auth": frozenset({"userlist.txt"}),
    "gateway-tls": frozenset({"tls.crt", "tls.key"}),
}


@dataclasses.dataclass
class Context:
    """One size's rendered objects (applications and migrations together) and the problems found."""

    root: pathlib.Path
    size: str
    resources: list[Resource]
    facts: DockerFacts
    problems: list[Problem] = dataclasses.field(default_factory=list)
    secret_refs: set[str] = dataclasses.field(default_factory=set)

    def add(self, res: Resource, message: str) -> None:
        self.problems.append(Problem(relative(res.origin, self.root), f"{res.label()} [{self.size}]: {message}"))

    def overlay_problem(self, message: str) -> None:
        self.problems.append(Problem(str(K8S_DIR / "overlays" / self.size), message))

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def find(self, kind: str, name: str) -> Resource | None:
        return next((r for r in self.resources if r.kind == kind and r.name == name), None)

    def workloads(self) -> list[Resource]:
        return [r for r in self.resources if pod_spec(r.doc) is not None]


def check(root: pathlib.Path, facts: DockerFacts) -> list[Problem]:
    """Every problem under deploy/k8s."""
    k8s = root / K8S_DIR
    problems: list[Problem] = []
    overlays = k8s / "overlays"
    sizes = sorted(p.parent for p in overlays.glob("*/kustomization.yaml")) if overlays.is_dir() else []
    if not sizes:
        return [Problem(relative(k8s, root), "no overlays (deploy/k8s/overlays/<size>/kustomization.yaml)")]
    used: set[pathlib.Path] = set()
    secret_refs: set[str] = set()
    for size_dir in sizes:
        apps, migrations = render(size_dir), render(size_dir / "migrations")
        used |= apps.files | migrations.files
        for rendering in (apps, migrations):
            problems += _render_problems(rendering, root)
            for res in rendering.resources:
                problems += [Problem(relative(res.origin, root), f"{res.label()}: {e}") for e in schema_errors(res.doc)]
        ctx = Context(root, size_dir.name, apps.resources + migrations.resources, facts)
        if not migrations.resources:
            problems.append(Problem(relative(size_dir, root), "no migrations overlay (<size>/migrations)"))
        _check_size(ctx, apps, migrations)
        problems += ctx.problems
        secret_refs |= ctx.secret_refs
    # Every kustomization on its own too: a typo in a base value that every overlay patches away is
    # still a typo.
    for kustomization in sorted(k8s.rglob("kustomization.yaml")):
        rendering = render(kustomization.parent)
        problems += _render_problems(rendering, root)
        for res in rendering.resources:
            problems += [Problem(relative(res.origin, root), f"{res.label()}: {e}") for e in schema_errors(res.doc)]
    for path in sorted(k8s.rglob("*.yaml")):
        if path.resolve() not in used:
            problems.append(Problem(relative(path, root), "not used by any overlay (missing from a `resources` list?)"))
    for name in sorted(set(EXTERNAL_SECRETS) - secret_refs):
        problems.append(Problem(relative(k8s, root), f"external Secret {name!r} is listed but nothing uses it"))
    return sorted(set(problems))


def _render_problems(rendering: Rendering, root: pathlib.Path) -> list[Problem]:
    return [Problem(relative(path, root), message) for path, message in rendering.errors]


def _check_size(ctx: Context, apps: Rendering, migrations: Rendering) -> None:
    _check_identity(ctx)
    _check_namespace(ctx)
    kube_workloads.check_workloads(ctx)
    _check_services(ctx)
    _check_autoscaling(ctx)
    _check_ingress(ctx)
    _check_config_use(ctx)
    _check_components(ctx)
    _check_same_images(ctx, apps, migrations)
    check_network(ctx)


def _check_identity(ctx: Context) -> None:
    seen: set[tuple[str, str | None, str]] = set()
    for res in ctx.resources:
        key = (res.kind, res.namespace, res.name)
        if key in seen:
            ctx.add(res, "defined twice")
        seen.add(key)


def _check_namespace(ctx: Context) -> None:
    namespaces = {r.name: r for r in ctx.of_kind("Namespace")}
    if not namespaces:
        ctx.problems.append(Problem(str(K8S_DIR), f"[{ctx.size}] no Namespace object"))
    for ns in namespaces.values():
        labels = (ns.doc.get("metadata") or {}).get("labels") or {}
        if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
            ctx.add(ns, "must enforce the `restricted` Pod Security Standard")
    for res in ctx.resources:
        if res.kind != "Namespace" and res.namespace not in namespaces:
            ctx.add(res, f"namespace {res.namespace!r} is not defined here (set `namespace:` in the kustomization)")


def matching_workloads(
    ctx: Context, selector: dict[str, str] | None, kinds: tuple[str, ...] = ("Deployment",)
) -> list[Resource]:
    """Workloads of `kinds` whose pod labels carry every label of `selector` (Service-style selector)."""
    if not selector:
        return []
    return [
        w
        for w in ctx.workloads()
        if w.kind in kinds and all(kube_workloads.pod_labels(w).get(k) == v for k, v in selector.items())
    ]


def _check_services(ctx: Context) -> None:
    for svc in ctx.of_kind("Service"):
        spec = svc.doc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            continue
        pods = matching_workloads(ctx, spec.get("selector"))
        if not pods:
            ctx.add(svc, f"selector {spec.get('selector')} matches no Deployment's pods")
        for port in spec.get("ports") or []:
            target = port.get("targetPort", port.get("port"))
            for pod in pods:
                if not kube_workloads.has_port(pod, target):
                    ctx.add(svc, f"targetPort {target!r} is not a container port of {pod.label()}")


def _check_autoscaling(ctx: Context) -> None:
    scaled: dict[str, int] = {}
    for hpa in ctx.of_kind("HorizontalPodAutoscaler"):
        spec = hpa.doc.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        target = ctx.find(str(ref.get("kind")), str(ref.get("name")))
        if target is None:
            ctx.add(hpa, f"scaleTargetRef {ref.get('kind')}/{ref.get('name')} does not exist")
            continue
        minimum, maximum = int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 0))
        if minimum > maximum:
            ctx.add(hpa, f"minReplicas {minimum} > maxReplicas {maximum}")
        scaled[target.name] = minimum
        if "replicas" in (target.doc.get("spec") or {}):
            ctx.add(target, "sets spec.replicas although an HPA scales it (each apply would reset the count)")
        for metric in spec.get("metrics") or []:
            resource = (metric.get("resource") or {}).get("name")
            for container in (pod_spec(target.doc) or {}).get("containers", []):
                if resource and resource not in ((container.get("resources") or {}).get("requests") or {}):
                    ctx.add(hpa, f"scales on {resource} but container {container.get('name')} requests none")
    for pdb in ctx.of_kind("PodDisruptionBudget"):
        spec = pdb.doc.get("spec") or {}
        selector = spec.get("selector") or {}
        if selector.get("matchExpressions"):
            ctx.add(pdb, "use matchLabels only (the checks compare label maps)")
        pods = matching_workloads(ctx, selector.get("matchLabels"))
        if not pods:
            ctx.add(pdb, f"selector {selector} matches no Deployment's pods")
        for pod in pods:
            floor = scaled.get(pod.name, (pod.doc.get("spec") or {}).get("replicas", 1))
            if isinstance(spec.get("minAvailable"), int) and spec["minAvailable"] >= floor:
                ctx.add(
                    pdb, f"minAvailable {spec['minAvailable']} >= {floor} replicas of {pod.name}: drains would block"
                )


def _check_ingress(ctx: Context) -> None:
    services = {s.name: s for s in ctx.of_kind("Service")}
    for ingress in ctx.of_kind("Ingress"):
        spec = ingress.doc.get("spec") or {}
        for tls in spec.get("tls") or []:
            kube_workloads.note_secret(ctx, ingress, str(tls.get("secretName")), "tls.crt")
        for rule in spec.get("rules") or []:
            for path in (rule.get("http") or {}).get("paths") or []:
                backend = (path.get("backend") or {}).get("service") or {}
                svc = services.get(str(backend.get("name")))
                if svc is None:
                    ctx.add(ingress, f"backend Service {backend.get('name')!r} does not exist")
                    continue
                port = backend.get("port") or {}
                if not any(
                    p.get("name") == port.get("name") or p.get("port") == port.get("number")
                    for p in svc.doc["spec"].get("ports", [])
                ):
                    ctx.add(ingress, f"backend port {port} is not a port of Service {svc.name}")
                images = {
                    service_of_image(str(c.get("image")))
                    for w in matching_workloads(ctx, svc.doc["spec"].get("selector"))
                    for c in (pod_spec(w.doc) or {}).get("containers", [])
                }
                if images != {"gateway"}:
                    ctx.add(
                        ingress, f"routes to Service {svc.name}, which is not the gateway: only the gateway is public"
                    )
                for private in ("/metrics", "/healthz", "/readyz"):
                    if _ingress_exposes(str(path.get("path", "/")), str(path.get("pathType")), private):
                        ctx.add(ingress, f"path {path.get('path')!r} exposes {private} publicly")


def _ingress_exposes(path: str, path_type: str, private: str) -> bool:
    if path_type == "Exact":
        return path == private
    prefix = path.rstrip("/")
    return prefix == "" or private == prefix or private.startswith(prefix + "/")


def _check_config_use(ctx: Context) -> None:
    used = kube_workloads.config_maps_used(ctx)
    for cm in ctx.of_kind("ConfigMap"):
        if cm.name not in used:
            ctx.add(cm, "is used by no workload")


def _check_components(ctx: Context) -> None:
    """The shape the brief asks for: per service an API, a Service, an HPA, a PDB and a migration Job."""
    hpas = {
        str(((h.doc.get("spec") or {}).get("scaleTargetRef") or {}).get("name"))
        for h in ctx.of_kind("HorizontalPodAutoscaler")
    }
    pdb_selectors = [
        ((p.doc.get("spec") or {}).get("selector") or {}).get("matchLabels") for p in ctx.of_kind("PodDisruptionBudget")
    ]
    for service in SERVICES:
        apis = [
            w
            for w in ctx.workloads()
            if w.kind == "Deployment" and kube_workloads.service_of(w) == service and kube_workloads.role(w) == "api"
        ]
        if len(apis) != 1:
            ctx.overlay_problem(f"{len(apis)} API Deployments for {service}, not 1")
        jobs = [
            w
            for w in ctx.workloads()
            if w.kind == "Job" and kube_workloads.service_of(w) == service and kube_workloads.role(w) == "migration"
        ]
        if len(jobs) != 1:
            ctx.overlay_problem(f"{len(jobs)} migration Jobs for {service}, not 1")
    workers = [w for w in ctx.workloads() if kube_workloads.role(w) == "worker"]
    if not any(kube_workloads.service_of(w) == "scoring" for w in workers):
        ctx.overlay_problem("no scoring worker Deployment (python -m services.scoring.worker)")
    for w in ctx.workloads():
        if w.kind != "Deployment" or kube_workloads.service_of(w) is None:
            continue
        if w.name not in hpas:
            ctx.add(w, "has no HorizontalPodAutoscaler")
        labels = kube_workloads.pod_labels(w)
        if not any(sel and all(labels.get(k) == v for k, v in sel.items()) for sel in pdb_selectors):
            ctx.add(w, "has no PodDisruptionBudget")


def _check_same_images(ctx: Context, apps: Rendering, migrations: Rendering) -> None:
    """A size must migrate to exactly the version it deploys."""

    def images(rendering: Rendering) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for res in rendering.resources:
            for c in (pod_spec(res.doc) or {}).get("containers", []):
                service = service_of_image(str(c.get("image")))
                if service:
                    found.setdefault(service, set()).add(str(c.get("image")))
        return found

    deployed, migrated = images(apps), images(migrations)
    for service in SERVICES:
        if deployed.get(service) and migrated.get(service) and deployed[service] != migrated[service]:
            ctx.overlay_problem(
                f"{service}: deploys {sorted(deployed[service])}, migrates with {sorted(migrated[service])}"
            )
        if len(deployed.get(service, ())) > 1:
            ctx.overlay_problem(f"{service}: several images {sorted(deployed[service])}")


def env_prefix_owner(name: str) -> str | None:
    """The service whose settings an environment variable name belongs to, by prefix."""
    return next((s for s, p in ENV_PREFIX.items() if name.startswith(p)), None)


URL = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^@/\s]*@)?(?P<host>[^:/?#\s]+)(?::(?P<port>\d+))?")
DEFAULT_PORTS = {"http": 80, "https": 443, "redis": 6379, "postgresql": 5432, "postgresql+asyncpg": 5432}


def url_target(value: str) -> tuple[str, int] | None:
    """(host, port) of a URL naming an in-namespace host (no dots), else None."""
    match = URL.match(value)
    if not match or "." in match["host"] or match["host"] in ("localhost", "127.0.0.1"):
        return None
    port = int(match["port"]) if match["port"] else DEFAULT_PORTS.get(match["scheme"])
    return (match["host"], port) if port else None
