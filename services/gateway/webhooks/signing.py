"""The delivery signature: HMAC-SHA256 over `<timestamp>.<body>` with the webhook's secret (README: verification)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Talenta-Signature"
TIMESTAMP_HEADER = "Talenta-Timestamp"
EVENT_ID_HEADER = "Talenta-Event-Id"
EVENT_TYPE_HEADER = "Talenta-Event-Type"
DELIVERY_HEADER = "Talenta-Delivery-Id"


def new_secret() -> str:
    """A fresh signing secret (shown to the owner once)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def delivery_headers(
    secret: str, timestamp: int, body: bytes, event_id: str, event_type: str, delivery_id: str
) -> dict[str, str]:
    """The headers of one delivery attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "Talenta-Webhooks/1",
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
    }
