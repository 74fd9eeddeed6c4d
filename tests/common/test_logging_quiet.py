"""Client libraries must not log URLs (internal URLs carry NIPs, which are personal data)."""

from __future__ import annotations

import logging

from services.common.logging import configure_logging


def test_http_client_request_logs_are_silenced() -> None:
    configure_logging("t", "DEBUG", "text")
    for name in ("httpx", "httpcore"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
    assert logging.getLogger("talenta.access").isEnabledFor(logging.INFO)
