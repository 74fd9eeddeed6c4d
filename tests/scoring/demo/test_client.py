"""The demo CLI's client: a 503 "retry shortly" is retried as its Retry-After says, within its patience."""

from __future__ import annotations

import httpx
import pytest

from services.scoring.demo.cli import DemoClient

SECRET = "demo-client-test-secret-0123456789abcdef"


def answering(statuses: list[int], seen: list[httpx.Request], retry_after: str = "0") -> httpx.MockTransport:
    """A server answering these statuses in turn (503s with this Retry-After), then 201."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses.pop(0) if statuses else 201
        headers = {"Retry-After": retry_after} if status == 503 else {}
        return httpx.Response(status, headers=headers, json={"id": "r1"})

    return httpx.MockTransport(handle)


def test_a_503_is_retried_with_the_same_idempotency_key() -> None:
    seen: list[httpx.Request] = []
    client = DemoClient("http://scoring.test", SECRET, transport=answering([503, 503], seen))
    answer = client.call("POST", "/v1/talent-reviews", headers={"Idempotency-Key": "k1"}, json={"period": 2025})
    assert answer.status_code == 201
    assert len(seen) == 3
    assert {request.headers["idempotency-key"] for request in seen} == {"k1"}


def test_a_503_past_its_patience_or_a_500_raises() -> None:
    seen: list[httpx.Request] = []
    client = DemoClient("http://scoring.test", SECRET, transport=answering([503] * 100, seen, "0.05"), patience=0.3)
    with pytest.raises(RuntimeError, match="503"):
        client.call("GET", "/v1/talent-reviews")
    assert len(seen) > 1
    once: list[httpx.Request] = []
    broken = DemoClient("http://scoring.test", SECRET, transport=answering([500], once))
    with pytest.raises(RuntimeError, match="500"):
        broken.call("GET", "/v1/talent-reviews")
    assert len(once) == 1  # a bug is not retried
