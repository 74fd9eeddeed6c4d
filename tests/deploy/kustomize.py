"""The subset of kustomize our overlays use, rendered in Python so the validation needs no binary.

Supported: `resources` (files and directories with a kustomization.yaml), `namespace`, `images`, and
`patches` given as files of strategic-merge patches whose target is the patch's own kind and name.
Anything else in a kustomization is refused, so the overlays cannot drift into features this
renderer (and therefore the validation) would silently ignore.
"""

from __future__ import annotations

import copy
import dataclasses
import pathlib
from typing import Any

from tests.deploy.common import YamlError, image_name, image_tag, load_yaml_documents, relative

KUSTOMIZATION_KEYS = frozenset({"apiVersion", "kind", "namespace", "resources", "images", "patches"})
IMAGE_KEYS = frozenset({"name", "newName", "newTag", "digest"})
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "PersistentVolume",
        "StorageClass",
        "IngressClass",
        "PriorityClass",
        "CustomResourceDefinition",
    }
)
# Strategic-merge keys of the list fields we patch (Kubernetes' patchMergeKey); other lists replace.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "topologySpreadConstraints": "topologyKey",
}


@dataclasses.dataclass
class Resource:
    """A rendered object and the file it came from."""

    doc: dict[str, Any]
    origin: pathlib.Path

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.doc.get("metadata") or {}).get("name", ""))

    @property
    def namespace(self) -> str | None:
        return (self.doc.get("metadata") or {}).get("namespace")

    def label(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclasses.dataclass
class Rendering:
    """The output of one kustomization, the files it read, and what went wrong."""

    resources: list[Resource] = dataclasses.field(default_factory=list)
    files: set[pathlib.Path] = dataclasses.field(default_factory=set)
    errors: list[tuple[pathlib.Path, str]] = dataclasses.field(default_factory=list)


def render(directory: pathlib.Path) -> Rendering:
    """Render the kustomization in `directory` (recursively through its resources)."""
    out = Rendering()
    _render(directory.resolve(), out, stack=())
    return out


def _render(directory: pathlib.Path, out: Rendering, stack: tuple[pathlib.Path, ...]) -> list[Resource]:
    path = directory / "kustomization.yaml"
    out.files.add(path)
    if directory in stack:
        out.errors.append((path, "kustomizations include each other in a cycle"))
        return []
    try:
        docs = load_yaml_documents(path)
    except YamlError as exc:
        out.errors.append((path, str(exc)))
        return []
    if len(docs) != 1 or not isinstance(docs[0], dict):
        out.errors.append((path, "must hold exactly one mapping"))
        return []
    spec: dict[str, Any] = docs[0]
    unknown = sorted(set(spec) - KUSTOMIZATION_KEYS)
    if unknown:
        out.errors.append((path, f"unsupported kustomization fields {unknown} (allowed: {sorted(KUSTOMIZATION_KEYS)})"))
    if spec.get("apiVersion") != "kustomize.config.k8s.io/v1beta1" or spec.get("kind") != "Kustomization":
        out.errors.append((path, "apiVersion/kind must be kustomize.config.k8s.io/v1beta1 Kustomization"))
    resources: list[Resource] = []
    for entry in _list(spec, "resources", path, out):
        resources.extend(_load_entry(directory, entry, path, out, stack + (directory,)))
    for entry in _list(spec, "patches", path, out):
        _apply_patch(directory, entry, path, resources, out)
    for entry in _list(spec, "images", path, out):
        _apply_image(entry, path, resources, out)
    namespace = spec.get("namespace")
    if namespace is not None:
        for res in resources:
            if res.kind == "Namespace":
                res.doc.setdefault("metadata", {})["name"] = namespace  # as kustomize does
            elif res.kind not in CLUSTER_SCOPED:
                res.doc.setdefault("metadata", {})["namespace"] = namespace
    out.resources = resources
    return resources


def _list(spec: dict[str, Any], key: str, path: pathlib.Path, out: Rendering) -> list[Any]:
    value = spec.get(key) or []
    if not isinstance(value, list):
        out.errors.append((path, f"`{key}` must be a list"))
        return []
    return value


def _load_entry(
    directory: pathlib.Path, entry: Any, path: pathlib.Path, out: Rendering, stack: tuple[pathlib.Path, ...]
) -> list[Resource]:
    if not isinstance(entry, str) or "://" in entry or entry.startswith(("git@", "github.com")):
        out.errors.append((path, f"resource {entry!r} must be a local file or directory"))
        return []
    target = (directory / entry).resolve()
    if target.is_dir():
        if not (target / "kustomization.yaml").is_file():
            out.errors.append((path, f"resource directory {entry} has no kustomization.yaml"))
            return []
        child = Rendering()
        resources = _render(target, child, stack)
        out.files |= child.files
        out.errors += child.errors
        return resources
    if not target.is_file():
        out.errors.append((path, f"resource {entry} does not exist"))
        return []
    out.files.add(target)
    try:
        docs = load_yaml_documents(target)
    except YamlError as exc:
        out.errors.append((target, str(exc)))
        return []
    resources = []
    for doc in docs:
        if not isinstance(doc, dict) or not doc.get("kind") or not (doc.get("metadata") or {}).get("name"):
            out.errors.append((target, "every document needs apiVersion, kind and metadata.name"))
            continue
        resources.append(Resource(doc, target))
    return resources


def _apply_patch(
    directory: pathlib.Path, entry: Any, path: pathlib.Path, resources: list[Resource], out: Rendering
) -> None:
    if not isinstance(entry, dict) or set(entry) != {"path"}:
        out.errors.append((path, f"patch {entry!r}: only `- path: <file>` (strategic merge) is supported"))
        return
    patch_file = (directory / str(entry["path"])).resolve()
    out.files.add(patch_file)
    try:
        patches = load_yaml_documents(patch_file)
    except YamlError as exc:
        out.errors.append((patch_file, str(exc)))
        return
    for patch in patches:
        kind = patch.get("kind") if isinstance(patch, dict) else None
        name = (patch.get("metadata") or {}).get("name") if isinstance(patch, dict) else None
        targets = [r for r in resources if r.kind == kind and r.name == name]
        if len(targets) != 1:
            out.errors.append((patch_file, f"patch for {kind}/{name} matches {len(targets)} resources, not 1"))
            continue
        if patch.get("apiVersion") != targets[0].doc.get("apiVersion"):
            out.errors.append((patch_file, f"patch for {kind}/{name} has apiVersion {patch.get('apiVersion')!r}"))
            continue
        try:
            targets[0].doc = strategic_merge(targets[0].doc, patch)
        except ValueError as exc:
            out.errors.append((patch_file, f"patch for {kind}/{name}: {exc}"))


def strategic_merge(base: Any, patch: Any, field: str | None = None) -> Any:
    """Kubernetes' strategic merge for what we patch: maps merge, keyed lists merge, other lists replace."""
    if isinstance(base, dict) and isinstance(patch, dict):
        if "$patch" in patch or any(k.startswith("$") for k in patch):
            raise ValueError("patch directives ($patch, $setElementOrder ...) are not supported")
        merged = dict(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = strategic_merge(merged[key], value, key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list):
        key = _merge_key(field, base + patch)
        if key is None:
            return copy.deepcopy(patch)
        merged_list = [copy.deepcopy(item) for item in base]
        for item in patch:
            match = next(
                (i for i, b in enumerate(merged_list) if isinstance(b, dict) and b.get(key) == item.get(key)), None
            )
            if match is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[match] = strategic_merge(merged_list[match], item)
        return merged_list
    return copy.deepcopy(patch)


def _merge_key(field: str | None, items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    if field == "ports":
        return "containerPort" if all("containerPort" in i for i in items) else "port"
    key = MERGE_KEYS.get(field or "")
    return key if key and all(key in i for i in items) else None


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec of a workload (Deployment, Job, CronJob ...), or None."""
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        return (spec.get("template") or {}).get("spec")
    if kind == "CronJob":
        return (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec")
    if kind == "Pod":
        return spec
    return None


def _apply_image(entry: Any, path: pathlib.Path, resources: list[Resource], out: Rendering) -> None:
    if not isinstance(entry, dict) or "name" not in entry or set(entry) - IMAGE_KEYS:
        out.errors.append((path, f"image entry {entry!r}: needs `name`, allows {sorted(IMAGE_KEYS)}"))
        return
    used = False
    for res in resources:
        spec = pod_spec(res.doc)
        for container in (spec or {}).get("containers", []) + (spec or {}).get("initContainers", []):
            image = str(container.get("image", ""))
            if image_name(image) != entry["name"]:
                continue
            used = True
            new = str(entry.get("newName", entry["name"]))
            tag = entry.get("newTag", image_tag(image))
            container["image"] = new + (f":{tag}" if tag else "") + (f"@{entry['digest']}" if "digest" in entry else "")
    if not used:
        out.errors.append((path, f"image {entry['name']!r} is used by no container: a typo?"))


def describe(path: pathlib.Path, root: pathlib.Path) -> str:
    """How a file is named in a problem."""
    return relative(path, root)
