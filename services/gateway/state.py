"""Typed access to what the lifespan puts on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from services.common.http import ServiceClient
from services.gateway.audit.writer import AuditWriter
from services.gateway.auth.context import AuthContext
from services.gateway.downstream.agencies import AgencyResolver
from services.gateway.settings import GatewaySettings


@dataclass
class GatewayState:
    """The gateway's long-lived collaborators, created in the lifespan and closed with it."""

    settings: GatewaySettings
    auth: AuthContext
    registry: ServiceClient
    scoring: ServiceClient
    audit: AuditWriter
    agencies: AgencyResolver


def gateway_state(request: Request) -> GatewayState:
    """The app's GatewayState."""
    state: GatewayState = request.app.state.gateway
    return state
