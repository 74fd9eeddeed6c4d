"""The public schemas of forwarded answers against what the registry and scoring document for the same route.

The gateway passes answers through unchanged, so its documented schema must admit every answer the downstream
documents: it may not require a field the downstream does not send, nor refuse (additionalProperties false) one
it does. AwardRead and DisciplinaryActionRead did, inheriting the inputs' `extra="forbid"`; schemathesis found it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.gateway.app import create_app as gateway_app
from services.gateway.downstream.router import ROUTES
from services.gateway.downstream.routes import Route
from services.registry.app import create_app as registry_app
from services.scoring.app import create_app as scoring_app

Schema = dict[str, Any]


@pytest.fixture(scope="module")
def documents() -> dict[str, Schema]:
    return {
        "gateway": gateway_app().openapi(),
        "registry": registry_app().openapi(),
        "scoring": scoring_app().openapi(),
    }


def resolve(document: Schema, schema: Schema) -> Schema:
    """A schema with its $ref followed, and `X | None` read as X."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    options = [option for option in schema.get("anyOf", ()) if option.get("type") != "null"]
    return resolve(document, options[0]) if len(options) == 1 else schema


def answer(document: Schema, path: str, method: str, status: int) -> Schema | None:
    """The JSON schema of one operation's answer with `status`, or None when it documents none."""
    operation = document["paths"].get(path, {}).get(method.lower())
    content = (operation or {}).get("responses", {}).get(str(status), {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return resolve(document, schema) if schema else None


def objects(document: Schema, schema: Schema) -> list[tuple[str, Schema]]:
    """The object itself and, for a page, its items."""
    found = [("answer", schema)]
    items = schema.get("properties", {}).get("items", {})
    if items.get("type") == "array" and "next_cursor" in schema.get("properties", {}):
        found.append(("items", resolve(document, items["items"])))
    return found


def answer_pairs(documents: dict[str, Schema]) -> Iterator[tuple[Route, str, Schema, Schema]]:
    """For each forwarded route documenting a JSON answer on both sides: the route, where, public and internal."""
    gateway = documents["gateway"]
    for route in ROUTES:
        downstream = documents[route.service]
        theirs = answer(downstream, route.path.removeprefix("/api"), route.method, route.status)
        ours = answer(gateway, route.path, route.method, route.status)
        if theirs is None or ours is None:
            continue
        for (where, public), (_, internal) in zip(objects(gateway, ours), objects(downstream, theirs), strict=False):
            yield route, f"{route.method} {route.path} ({where})", public, internal


def test_every_forwarded_answer_fits_the_public_schema(documents: dict[str, Schema]) -> None:
    checked, problems = 0, []
    for _, name, public, internal in answer_pairs(documents):
        sent = set(internal.get("properties", {}))
        if missing := set(public.get("required", ())) - sent:
            problems.append(f"{name} requires fields never sent: {sorted(missing)}")
        if public.get("additionalProperties") is False and (refused := sent - set(public.get("properties", {}))):
            problems.append(f"{name} refuses fields it is sent: {sorted(refused)}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 40  # the comparison really ran over the route table


def test_every_status_a_downstream_documents_the_gateway_documents(documents: dict[str, Schema]) -> None:
    """The gateway forwards every answer: a 409 of a review not completed (schemathesis found the successors'
    one) or the 201 of a PUT that creates is the gateway's answer too."""
    problems, checked = [], 0
    for route in ROUTES:
        theirs = documents[route.service]["paths"].get(route.path.removeprefix("/api"), {}).get(route.method.lower())
        if theirs is None:
            continue
        ours = documents["gateway"]["paths"][route.path][route.method.lower()]["responses"]
        if missing := set(theirs["responses"]) - set(ours):
            problems.append(f"{route.method} {route.path} does not document {sorted(missing)}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked == len(ROUTES)


def test_a_put_that_creates_documents_its_201_with_the_same_schema(documents: dict[str, Schema]) -> None:
    gateway = documents["gateway"]
    path = "/api/v1/employees/{nip}/performance-ratings/{year}"
    assert answer(gateway, path, "PUT", 201) == answer(gateway, path, "PUT", 200) is not None


def nullable(document: Schema, schema: Schema) -> bool:
    """Whether a schema admits null (itself, one of its anyOf, or what its $ref names)."""
    if "$ref" in schema:
        return nullable(document, document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    kind = schema.get("type")
    return (
        kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or any(nullable(document, option) for option in schema.get("anyOf", ()))
    )


def nulls_refused(documents: tuple[Schema, Schema], public: Schema, internal: Schema, where: str) -> list[str]:
    """Fields (nested objects and list items too) the downstream may send as null that the public schema refuses."""
    gateway, downstream = documents
    found = []
    for name, theirs in internal.get("properties", {}).items():
        ours = public.get("properties", {}).get(name)
        if ours is None:
            continue
        if nullable(downstream, theirs) and not nullable(gateway, ours):
            found.append(f"{where}.{name}")
        inner_ours, inner_theirs = resolve(gateway, ours), resolve(downstream, theirs)
        if inner_ours.get("type") == "array" == inner_theirs.get("type"):
            inner_ours, inner_theirs = resolve(gateway, inner_ours["items"]), resolve(downstream, inner_theirs["items"])
        found += nulls_refused(documents, inner_ours, inner_theirs, f"{where}.{name}")
    return found


def test_a_field_the_downstream_may_send_as_null_is_nullable_in_public(documents: dict[str, Schema]) -> None:
    """Schemathesis found succession-overview's `successors` and a candidate's `target_jpm` answered as null."""
    problems = []
    for route, name, public, internal in answer_pairs(documents):
        refused = nulls_refused((documents["gateway"], documents[route.service]), public, internal, "answer")
        problems += [f"{name}: {field} may be null" for field in refused]
    assert not problems, "\n".join(problems)
