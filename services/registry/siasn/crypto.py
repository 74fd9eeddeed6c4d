"""Credentials at rest: one Fernet token per agency, keyed by REGISTRY_SIASN_CREDENTIALS_KEY (via HKDF)."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

from services.common.errors import ServiceUnavailable


def fernet_for(key: SecretStr) -> Fernet:
    """The Fernet of a deployment's credentials key (any long secret; HKDF makes it a Fernet key)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"talenta-siasn-credentials").derive(
        key.get_secret_value().encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(key: SecretStr, secrets: dict[str, Any]) -> bytes:
    """The encrypted form of an agency's secrets."""
    return fernet_for(key).encrypt(orjson.dumps(secrets))


def unseal(key: SecretStr, token: bytes) -> dict[str, Any]:
    """An agency's secrets; 503 when the configured key cannot decrypt them (it was changed)."""
    try:
        value: dict[str, Any] = orjson.loads(fernet_for(key).decrypt(token))
    except InvalidToken:
        raise ServiceUnavailable(
            "The stored SIASN credentials cannot be decrypted with REGISTRY_SIASN_CREDENTIALS_KEY; set them again.",
            code="siasn_credentials_undecryptable",
        ) from None
    return value
