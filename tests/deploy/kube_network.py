"""NetworkPolicies: selectors that select real pods, and exactly the intended flows allowed."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from tests.deploy.kube_workloads import containers, env_values, pod_labels
from tests.deploy.netpol import Network, Pod, selector_matches

if TYPE_CHECKING:
    from tests.deploy.kube import Context

# (from workload, to workload, port name): every in-namespace connection the design allows. Any other
# pair the policies would let through is a problem, and so is any of these they would block.
EXPECTED_FLOWS = frozenset(
    {
        ("gateway", "registry", "http"),
        ("gateway", "scoring", "http"),
        ("scoring", "registry", "http"),
        ("scoring-worker", "registry", "http"),
        ("gateway", "redis", "redis"),
        ("registry", "pgbouncer-registry", "pgbouncer"),
        ("scoring", "pgbouncer-scoring", "pgbouncer"),
        ("scoring-worker", "pgbouncer-scoring", "pgbouncer"),
        ("gateway", "pgbouncer-gateway", "pgbouncer"),
    }
)
# Ports each workload may open outside the namespace's pods (besides DNS and the OTLP collector):
# the registry reaches SIASN, the poolers and migrations reach PostgreSQL. Everything else: nothing.
EXPECTED_EXTERNAL_EGRESS = {
    "registry": {"443"},
    "pgbouncer-registry": {"5432"},
    "pgbouncer-scoring": {"5432"},
    "pgbouncer-gateway": {"5432"},
    "registry-migrate": {"5432"},
    "scoring-migrate": {"5432"},
    "gateway-migrate": {"5432"},
}
# Ports open to other namespaces: the ingress controller (gateway) and Prometheus (every service).
EXPECTED_EXTERNAL_INGRESS = {
    "gateway": {"http"},
    "registry": {"http"},
    "scoring": {"http"},
    "scoring-worker": {"http"},
}


def pods_of(ctx: Context) -> list[Pod]:
    """Every pod template of the size, as the policy evaluator sees it."""
    pods = []
    for w in ctx.workloads():
        ports = tuple(
            (str(p.get("name", "")), int(p["containerPort"]), str(p.get("protocol", "TCP")))
            for c in containers(w)
            for p in c.get("ports") or []
        )
        pods.append(Pod(w.name, str(w.namespace), tuple(sorted(pod_labels(w).items())), ports))
    return pods


def check_network(ctx: Context) -> None:
    """Policies select real pods, a default deny exists, and the allowed flows are exactly the design."""
    pods = pods_of(ctx)
    policies = [p.doc for p in ctx.of_kind("NetworkPolicy")]
    network = Network(
        policies,
        {r.name: dict((r.doc.get("metadata") or {}).get("labels") or {}) for r in ctx.of_kind("Namespace")},
    )
    for policy in ctx.of_kind("NetworkPolicy"):
        _check_selectors(ctx, policy, pods)
    if not any(_is_default_deny(p) for p in policies):
        ctx.overlay_problem("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)")
    _check_flows(ctx, network, pods)
    _check_external(ctx, network, pods)
    _check_urls(ctx, network, pods)


def _is_default_deny(policy: dict[str, Any]) -> bool:
    spec = policy.get("spec") or {}
    return (
        spec.get("podSelector") == {}
        and set(spec.get("policyTypes") or []) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def _check_selectors(ctx: Context, policy: Any, pods: list[Pod]) -> None:
    spec = policy.doc.get("spec") or {}
    selected = [p for p in pods if selector_matches(spec.get("podSelector"), p.label_map)]
    if not selected:
        ctx.add(policy, f"podSelector {spec.get('podSelector')} selects no pod")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for rule in spec.get(direction) or []:
            peer_pods: list[Pod] = []
            for peer in rule.get(peers_key) or []:
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    matched = [p for p in pods if selector_matches(peer["podSelector"], p.label_map)]
                    if not matched:
                        ctx.add(policy, f"{direction} peer podSelector {peer['podSelector']} matches no pod")
                    peer_pods += matched
            # A named port resolves on the receiving pods: the selected ones for ingress, the peers for egress.
            receivers = selected if direction == "ingress" else peer_pods
            for port in rule.get("ports") or []:
                name = port.get("port")
                if isinstance(name, str) and receivers and not any(p.port_number(name) for p in receivers):
                    ctx.add(policy, f"{direction} port {name!r} is not a named port of the pods it concerns")


def _check_flows(ctx: Context, network: Network, pods: list[Pod]) -> None:
    for src, dst in itertools.permutations(pods, 2):
        for port_name, number, protocol in dst.ports:
            allowed = network.allowed(src, dst, number, protocol)
            expected = (src.workload, dst.workload, port_name) in EXPECTED_FLOWS
            if allowed and not expected:
                ctx.overlay_problem(
                    f"NetworkPolicies let {src.workload} reach {dst.workload}:{port_name}, which the design forbids"
                )
            if expected and not allowed:
                ctx.overlay_problem(
                    f"NetworkPolicies block {src.workload} -> {dst.workload}:{port_name}, which the design needs"
                )
    present = {p.workload for p in pods}
    for src, dst, port in sorted(EXPECTED_FLOWS):
        if src not in present or dst not in present:
            ctx.overlay_problem(f"intended flow {src} -> {dst}:{port} names a workload that does not exist")


def _check_external(ctx: Context, network: Network, pods: list[Pod]) -> None:
    for pod in pods:
        egress = network.external_egress_ports(pod)
        if egress != EXPECTED_EXTERNAL_EGRESS.get(pod.workload, set()):
            expected = sorted(EXPECTED_EXTERNAL_EGRESS.get(pod.workload, set()))
            ctx.overlay_problem(f"{pod.workload} may reach outside addresses on {sorted(egress)}, intended {expected}")
        ingress = network.external_ingress_ports(pod)
        if ingress != EXPECTED_EXTERNAL_INGRESS.get(pod.workload, set()):
            expected = sorted(EXPECTED_EXTERNAL_INGRESS.get(pod.workload, set()))
            ctx.overlay_problem(
                f"{pod.workload} accepts connections from outside on {sorted(ingress)}, intended {expected}"
            )


def _check_urls(ctx: Context, network: Network, pods: list[Pod]) -> None:
    """A URL in a workload's settings names a Service, on one of its ports, that policy lets it reach."""
    from tests.deploy.kube import matching_workloads, url_target

    by_name = {p.workload: p for p in pods}
    services = {s.name: s for s in ctx.of_kind("Service")}
    for w in ctx.workloads():
        for c in containers(w):
            for name, value in env_values(ctx, w, c):
                target = url_target(value)
                if target is None:
                    continue
                host, port = target
                svc = services.get(host)
                if svc is None:
                    ctx.add(w, f"{name} points at {host}, which is no Service here")
                    continue
                spec = svc.doc.get("spec") or {}
                if spec.get("type") == "ExternalName":
                    continue
                ports = [p for p in spec.get("ports") or [] if p.get("port") == port]
                if not ports:
                    ctx.add(w, f"{name} uses port {port}, which Service {host} does not expose")
                    continue
                for dst_w in matching_workloads(ctx, spec.get("selector")):
                    dst = by_name[dst_w.name]
                    target_port = ports[0].get("targetPort", port)
                    number = dst.port_number(target_port) if isinstance(target_port, str) else target_port
                    if number is None or not network.allowed(by_name[w.name], dst, number):
                        ctx.add(
                            w, f"{name} points at {host}:{port}, but NetworkPolicies block {w.name} -> {dst.workload}"
                        )
