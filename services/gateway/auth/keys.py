"""Signing keys: generated, encrypted at rest, published as JWKS, rotated without downtime."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from services.common.ids import new_id

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey
SUPPORTED_ALGORITHMS = frozenset({"EdDSA", "RS256"})


class KeyCipher:
    """AES-256-GCM with a key derived (HKDF-SHA256) from the settings secret; the kid is bound as AAD."""

    def __init__(self, secret: str, info: bytes = b"talenta-gateway-signing-keys") -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, kid: str) -> bytes:
        """nonce || ciphertext."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, kid.encode())

    def decrypt(self, blob: bytes, kid: str) -> bytes:
        """The plaintext; raises if the blob or kid was tampered with or the secret differs."""
        return self._aead.decrypt(blob[:12], blob[12:], kid.encode())


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key, ready to be stored."""

    kid: str
    algorithm: str
    public_jwk: dict[str, Any]
    private_key_encrypted: bytes


def generate_key(algorithm: str, cipher: KeyCipher) -> NewKey:
    """A new key pair for `algorithm`, its public JWK and its encrypted private key."""
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise ValueError(f"unsupported signing algorithm {algorithm}")
    kid = new_id()
    private: PrivateKey
    if algorithm == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
        jwk: dict[str, Any] = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return NewKey(kid, algorithm, jwk, cipher.encrypt(pem, kid))


@dataclass(frozen=True)
class VerifyingKey:
    """A public key that still verifies tokens, until `verify_until` (epoch seconds; None = current)."""

    kid: str
    algorithm: str
    public_key: PublicKey
    jwk: dict[str, Any]
    verify_until: float | None


@dataclass(frozen=True)
class StoredKey:
    """A key row as the repository reads it."""

    kid: str
    algorithm: str
    public_jwk: dict[str, Any]
    private_key_encrypted: bytes
    created_at: dt.datetime
    retired_at: dt.datetime | None


class KeyRing:
    """The keys one replica uses: the newest unretired key signs; every key still in its window verifies."""

    def __init__(self, cipher: KeyCipher, grace_seconds: float) -> None:
        self.cipher = cipher
        self.grace_seconds = grace_seconds  # token lifetime plus refresh lag: how long a retired key verifies
        self.signing: tuple[str, str, PrivateKey] | None = None
        self.verifying: dict[str, VerifyingKey] = {}

    def load(self, rows: list[StoredKey]) -> None:
        """Replace the ring's keys with the stored ones (newest unretired key signs)."""
        now = time.time()
        verifying: dict[str, VerifyingKey] = {}
        signing: tuple[str, str, PrivateKey] | None = None
        for row in sorted(rows, key=lambda r: r.created_at):
            until = None if row.retired_at is None else row.retired_at.timestamp() + self.grace_seconds
            if until is not None and until < now:
                continue
            try:
                pem = self.cipher.decrypt(row.private_key_encrypted, row.kid)
            except InvalidTag as exc:
                raise RuntimeError(
                    f"cannot decrypt signing key {row.kid}: GATEWAY_SIGNING_KEY_SECRET is not the one that encrypted it"
                ) from exc
            private = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(private, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
                raise ValueError(f"key {row.kid} is of an unsupported type")
            verifying[row.kid] = VerifyingKey(row.kid, row.algorithm, private.public_key(), row.public_jwk, until)
            if row.retired_at is None:
                signing = (row.kid, row.algorithm, private)
        self.verifying = verifying
        self.signing = signing

    def key_for(self, kid: str) -> VerifyingKey | None:
        """The verifying key named `kid`, if it is still within its window."""
        key = self.verifying.get(kid)
        if key is None or (key.verify_until is not None and key.verify_until < time.time()):
            return None
        return key

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The JWK Set of every key that still verifies."""
        return {"keys": [k.jwk for k in self.verifying.values()]}
