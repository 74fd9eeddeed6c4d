"""The SIASN client against the stand-in: both tokens, refresh on 401, retries, Retry-After, concurrency."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from services.registry.siasn.tokens import Credentials, SiasnAuthError, SiasnUnavailable
from tests.registry.siasn.conftest import AGENCY, CONSUMERS, client_config, make_client, nips_of
from tests.siasn_standin.app import Standin
from tests.siasn_standin.serve import served


async def test_tokens_fetched_once_and_both_headers_on_every_call(
    standin: Standin, standin_http: httpx.AsyncClient
) -> None:
    client = make_client(standin_http)
    nips = nips_of(standin, AGENCY, 5)
    answers = await asyncio.gather(*(client.get(f"/pns/data-utama/{nip}") for nip in nips))
    assert [a["nipBaru"] for a in answers] == nips
    assert standin.token_requests == {"gateway": 1, "sso": 1}
    gateway, sso = next(iter(standin.gateway_tokens)), next(iter(standin.sso_tokens))
    assert len(standin.calls) == 5
    for call in standin.calls:
        assert call["authorization"] == f"Bearer {gateway}"
        assert call["auth"] == f"bearer {sso}"


async def test_expired_tokens_are_refreshed_once_on_401(standin: Standin, standin_http: httpx.AsyncClient) -> None:
    client = make_client(standin_http)
    nip = nips_of(standin, AGENCY, 1)[0]
    await client.get(f"/pns/data-utama/{nip}")
    standin.expire_tokens()
    answers = await asyncio.gather(*(client.get(f"/pns/rw-golongan/{nip}") for _ in range(6)))
    assert all(isinstance(a, list) and a for a in answers)
    # The gateway answers first (fault body: its token is renewed), then the SSO token is refused and renewed.
    assert standin.token_requests == {"gateway": 2, "sso": 2}
    statuses = [c for c in standin.calls if c["authorization"][7:] in standin.gateway_tokens]
    assert statuses, "calls were retried with the new tokens"


async def test_only_the_refused_token_is_renewed(standin: Standin, standin_http: httpx.AsyncClient) -> None:
    client = make_client(standin_http)
    nip = nips_of(standin, AGENCY, 1)[0]
    await client.get(f"/pns/data-utama/{nip}")
    standin.sso_tokens.clear()
    assert (await client.get(f"/pns/data-utama/{nip}"))["nipBaru"] == nip
    assert standin.token_requests == {"gateway": 1, "sso": 2}


async def test_a_pre_issued_sso_token_is_sent_and_never_refreshed(
    standin: Standin, standin_http: httpx.AsyncClient
) -> None:
    standin.static_sso_tokens = {"pre-issued-sso-token"}
    key = next(iter(CONSUMERS))
    client = make_client(standin_http)
    client.credentials = Credentials(key, CONSUMERS[key], sso_token="pre-issued-sso-token")
    client = type(client)(standin_http, client.config, client.credentials)
    nip = nips_of(standin, AGENCY, 1)[0]
    assert (await client.get(f"/pns/data-utama/{nip}"))["nipBaru"] == nip
    assert standin.calls[-1]["auth"] == "bearer pre-issued-sso-token"
    assert standin.token_requests == {"gateway": 1, "sso": 0}
    standin.static_sso_tokens = set()
    with pytest.raises(SiasnAuthError, match="pre-issued SSO token"):
        await client.get(f"/pns/data-utama/{nip}")


async def test_refused_credentials_stop_with_an_auth_error(standin: Standin, standin_http: httpx.AsyncClient) -> None:
    client = make_client(standin_http)
    client.credentials = Credentials("key-lampung-barat", "wrong-secret", "talenta", "u", "p")
    client = type(client)(standin_http, client.config, client.credentials)
    with pytest.raises(SiasnAuthError, match="gateway token endpoint refused"):
        await client.get("/referensi/ref-unor")


async def test_not_found_is_none_with_siasns_404_body(standin: Standin, standin_http: httpx.AsyncClient) -> None:
    client = make_client(standin_http)
    assert await client.get("/pns/data-utama/199001012015011999") is None
    response = await standin_http.get(
        "http://siasn.test/apisiasn/1.0/pns/data-utama/199001012015011999",
        headers={"Authorization": f"Bearer {next(iter(standin.gateway_tokens))}",
                 "Auth": f"bearer {next(iter(standin.sso_tokens))}"},
    )  # fmt: skip
    assert response.status_code == 404
    assert response.json() == {"code": 0, "data": "Data tidak ditemukan"}


async def test_429_waits_for_retry_after_then_succeeds(standin: Standin, standin_http: httpx.AsyncClient) -> None:
    client = make_client(standin_http)
    nip = nips_of(standin, AGENCY, 1)[0]
    standin.faults.rate_limited, standin.faults.retry_after = 2, "1"
    started = time.monotonic()
    assert (await client.get(f"/pns/data-utama/{nip}"))["nipBaru"] == nip
    assert time.monotonic() - started >= 2.0  # two 429s, each with Retry-After: 1
    assert len(standin.calls) == 3


async def test_5xx_is_retried_a_bounded_number_of_times(standin: Standin, standin_http: httpx.AsyncClient) -> None:
    client = make_client(standin_http, retries=2)
    nip = nips_of(standin, AGENCY, 1)[0]
    standin.faults.errors = 2
    assert (await client.get(f"/pns/data-utama/{nip}"))["nipBaru"] == nip
    standin.faults.errors, before = 10, len(standin.calls)
    with pytest.raises(SiasnUnavailable, match="pns/data-utama: HTTP 500 after 2 retries"):
        await client.get(f"/pns/data-utama/{nip}")
    assert len(standin.calls) - before == 3


async def test_slow_answers_time_out_and_are_retried(standin: Standin) -> None:
    async with served(standin) as url, httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as http:
        client = make_client(
            http, retries=1, base_url=url + "/apisiasn/1.0", token_url=url + "/oauth2/token",
            sso_token_url=url + "/auth/realms/public-siasn/protocol/openid-connect/token",
        )  # fmt: skip
        nip = nips_of(standin, AGENCY, 1)[0]
        standin.faults.slow, standin.faults.slow_seconds = 1, 1.0
        assert (await client.get(f"/pns/data-utama/{nip}"))["nipBaru"] == nip
        standin.faults.slow = 5
        with pytest.raises(SiasnUnavailable, match="ReadTimeout"):
            await client.get(f"/pns/data-utama/{nip}")


async def test_the_concurrency_limit_is_honoured(standin: Standin, standin_http: httpx.AsyncClient) -> None:
    standin.faults.latency = 0.02
    client = make_client(standin_http, concurrency=3)
    nips = nips_of(standin, AGENCY, 12)
    await asyncio.gather(*(client.get(f"/pns/rw-skp22/{nip}") for nip in nips))
    assert standin.max_in_flight == 3


def test_credentials_never_show_in_repr() -> None:
    secret = Credentials("key", "very-secret-value", "cid", "user", "pass")
    assert "very-secret-value" not in repr(secret)
    assert "very-secret-value" not in str(secret)
    assert client_config().concurrency == 4
