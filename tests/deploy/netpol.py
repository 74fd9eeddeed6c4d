"""Label selectors and NetworkPolicy semantics: which pod may open which port on which other pod."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Pod:
    """A pod template: the workload that owns it, its namespace, labels and named ports."""

    workload: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    ports: tuple[tuple[str, int, str], ...]  # (name, number, protocol)

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def port_number(self, name: str) -> int | None:
        return next((number for n, number, _ in self.ports if n == name), None)


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Kubernetes' LabelSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist)."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def policy_types(policy: dict[str, Any]) -> set[str]:
    """The directions a policy restricts (the default when policyTypes is omitted)."""
    spec = policy.get("spec") or {}
    if spec.get("policyTypes"):
        return set(spec["policyTypes"])
    return {"Ingress"} | ({"Egress"} if spec.get("egress") else set())


@dataclasses.dataclass
class Network:
    """The policies of a set of namespaces, and the labels of those namespaces."""

    policies: list[dict[str, Any]]
    namespace_labels: dict[str, dict[str, str]]

    def _ns_labels(self, namespace: str) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": namespace, **self.namespace_labels.get(namespace, {})}

    def selecting(self, pod: Pod, direction: str) -> list[dict[str, Any]]:
        """The policies that select `pod` and restrict `direction`."""
        return [
            p
            for p in self.policies
            if (p.get("metadata") or {}).get("namespace") == pod.namespace
            and direction in policy_types(p)
            and selector_matches((p.get("spec") or {}).get("podSelector"), pod.label_map)
        ]

    def peer_is_pod(self, peer: dict[str, Any], policy_ns: str, pod: Pod) -> bool:
        """Whether a NetworkPolicyPeer designates `pod`."""
        if "ipBlock" in peer:
            return False  # pod addresses are cluster-private; ipBlock peers address the outside
        pod_selector, ns_selector = peer.get("podSelector"), peer.get("namespaceSelector")
        if ns_selector is not None:
            if not selector_matches(ns_selector, self._ns_labels(pod.namespace)):
                return False
        elif pod.namespace != policy_ns:
            return False
        return pod_selector is None or selector_matches(pod_selector, pod.label_map)

    @staticmethod
    def port_allowed(rule_ports: list[dict[str, Any]] | None, dst: Pod, number: int, protocol: str) -> bool:
        """Whether a rule's ports admit `number`/`protocol` on `dst` (named ports resolve on dst)."""
        if not rule_ports:
            return True
        for rp in rule_ports:
            if rp.get("protocol", "TCP") != protocol:
                continue
            port = rp.get("port")
            if port is None:
                return True
            if isinstance(port, str):
                port = dst.port_number(port)
                if port is None:
                    continue
            if port <= number <= int(rp.get("endPort", port)):
                return True
        return False

    def allowed(self, src: Pod, dst: Pod, number: int, protocol: str = "TCP") -> bool:
        """Whether `src` may open `number` on `dst`: egress of src and ingress of dst must both allow it."""
        egress = self.selecting(src, "Egress")
        if egress and not any(
            self.port_allowed(rule.get("ports"), dst, number, protocol)
            and (not rule.get("to") or any(self.peer_is_pod(peer, src.namespace, dst) for peer in rule["to"]))
            for policy in egress
            for rule in (policy.get("spec") or {}).get("egress") or []
        ):
            return False
        ingress = self.selecting(dst, "Ingress")
        return not ingress or any(
            self.port_allowed(rule.get("ports"), dst, number, protocol)
            and (not rule.get("from") or any(self.peer_is_pod(peer, dst.namespace, src) for peer in rule["from"]))
            for policy in ingress
            for rule in (policy.get("spec") or {}).get("ingress") or []
        )

    def external_egress_ports(self, pod: Pod) -> set[str]:
        """Ports `pod` may open outside the cluster's pods ("*" = any port, "unrestricted" = no policy)."""
        policies = self.selecting(pod, "Egress")
        if not policies:
            return {"unrestricted"}
        ports: set[str] = set()
        for policy in policies:
            for rule in (policy.get("spec") or {}).get("egress") or []:
                peers = rule.get("to") or []
                if peers and not any("ipBlock" in peer for peer in peers):
                    continue
                for rp in rule.get("ports") or [{"port": "*"}]:
                    ports.add(str(rp.get("port", "*")))
        return ports

    def external_ingress_ports(self, pod: Pod) -> set[str]:
        """Ports of `pod` open to something other than pods of its own namespace."""
        policies = self.selecting(pod, "Ingress")
        if not policies:
            return {"unrestricted"}
        ports: set[str] = set()
        for policy in policies:
            for rule in (policy.get("spec") or {}).get("ingress") or []:
                peers = rule.get("from") or []
                if peers and all("ipBlock" not in p and "namespaceSelector" not in p for p in peers):
                    continue
                if not peers or any("ipBlock" in p for p in peers):
                    ports.add("anywhere")
                for rp in rule.get("ports") or [{"port": "*"}]:
                    ports.add(str(rp.get("port", "*")))
        return ports
