"""What every check shares: the problem record, a strict YAML loader, and the facts about our services."""

from __future__ import annotations

import copy
import dataclasses
import functools
import pathlib
from typing import Any

import yaml

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]

# The three services: each has an image (a Dockerfile target), an env prefix and a migration.
SERVICES = ("registry", "scoring", "gateway")
ENV_PREFIX = {"registry": "REGISTRY_", "scoring": "SCORING_", "gateway": "GATEWAY_"}
IMAGE_PREFIX = "talenta-"


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file."""

    file: str
    message: str
    # A warning is reported but does not fail the validation (e.g. a setting not written yet).
    warning: bool = False

    def __str__(self) -> str:
        return f"{'warning: ' if self.warning else ''}{self.file}: {self.message}"


class YamlError(Exception):
    """A file that is not valid YAML, or that repeats a key."""


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that refuses a key repeated in one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise YamlError(f"line {key_node.start_mark.line + 1}: key {key!r} repeated")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml_documents(path: pathlib.Path) -> list[Any]:
    """Every non-empty document of a YAML file; YamlError when it does not parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlError(f"cannot read: {exc}") from exc
    # Overlays read the same base files again and again: parse each content once, hand out copies.
    return copy.deepcopy(_parse(text))


@functools.lru_cache(maxsize=512)
def _parse(text: str) -> list[Any]:
    try:
        return [doc for doc in yaml.load_all(text, Loader=_StrictLoader) if doc is not None]
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).replace("\n", " ")) from exc


def relative(path: pathlib.Path, root: pathlib.Path) -> str:
    """A path as shown in a problem: relative to the checked root when it is inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def service_of_image(image: str) -> str | None:
    """The service whose image this is (`cr.example/talenta-registry:1.0` -> registry), or None."""
    name = image_name(image).rsplit("/", 1)[-1]
    if name.startswith(IMAGE_PREFIX) and name[len(IMAGE_PREFIX) :] in SERVICES:
        return name[len(IMAGE_PREFIX) :]
    return None


def image_name(image: str) -> str:
    """The repository part of an image reference, without tag or digest."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name


def image_tag(image: str) -> str | None:
    """The tag of an image reference, or None when it has none."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def image_pinned(image: str) -> str | None:
    """Why an image reference is not pinned (no tag, `latest`, no version in the tag), or None."""
    if "@sha256:" in image:
        return None
    tag = image_tag(image)
    if tag is None:
        return "has no tag (an unpinned `latest`)"
    if tag == "latest" or tag.startswith("latest-") or not any(ch.isdigit() for ch in tag):
        return f"tag {tag!r} is not a version"
    return None
