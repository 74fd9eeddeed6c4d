"""Kubernetes objects against the official JSON schemas bundled by kubernetes-validate (offline, strict)."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from kubernetes_validate import utils as kv_utils
from referencing import Registry, Resource

# The oldest Kubernetes we support and the newest schemas bundled: a field must exist in both.
OLDEST_SUPPORTED = "1.30"


def versions() -> tuple[str, ...]:
    """The Kubernetes versions every manifest is validated against."""
    newest = ".".join(kv_utils.latest_version().split(".")[:2])
    return (OLDEST_SUPPORTED, newest) if newest != OLDEST_SUPPORTED else (OLDEST_SUPPORTED,)


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3])


@functools.cache
def _validator(kind: str, api_version: str, version: str) -> jsonschema.Draft202012Validator | None:
    wanted = _as_tuple(version)
    full = next(v for v in reversed(kv_utils.all_versions()) if _as_tuple(v)[:2] <= wanted)
    group = api_version.split("/")[0].split(".")[0] + "-" if "/" in api_version else ""
    schema_dir = f"kubernetes-json-schema/v{full}-local-strict"
    try:
        schema = kv_utils.schema_contents(
            f"{schema_dir}/{kind.lower()}-{group}{api_version.split('/')[-1]}.json", version
        )
    except FileNotFoundError:
        return None
    definitions = kv_utils.schema_contents(f"{schema_dir}/_definitions.json", version)
    registry: Registry = Resource.from_contents(schema) @ Registry()  # type: ignore[operator]
    registry = Resource.from_contents(definitions) @ registry  # type: ignore[operator]
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_errors(doc: dict[str, Any]) -> list[str]:
    """Every schema violation of one object, for each supported version (unknown fields included)."""
    # Overlays render the same base objects several times: validate each distinct object once.
    return list(_schema_errors(json.dumps(doc, sort_keys=True, default=str)))


@functools.lru_cache(maxsize=2048)
def _schema_errors(text: str) -> tuple[str, ...]:
    doc = json.loads(text)
    kind, api_version = str(doc.get("kind", "")), str(doc.get("apiVersion", ""))
    errors: list[str] = []
    for version in versions():
        validator = _validator(kind, api_version, version)
        if validator is None:
            errors.append(f"no schema for kind {kind!r} in apiVersion {api_version!r} (Kubernetes {version})")
            continue
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path))):
            where = ".".join(str(p) for p in error.path) or "(top)"
            message = error.message if len(error.message) < 300 else error.message[:300] + "..."
            errors.append(f"{where}: {message} (Kubernetes {version} schema)")
    # One message per violation, even when both versions report it.
    unique: dict[str, str] = {}
    for error in errors:
        unique.setdefault(error.split(" (Kubernetes ")[0], error)
    return tuple(unique.values())
