"""FastAPI dependencies of scoring: the caller's access, the registry, the settings, the worker's wake-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.common.service_token import Caller
from services.scoring.access import Access, access_of
from services.scoring.registry import Registry
from services.scoring.settings import ScoringSettings


def get_registry(request: Request) -> Registry:
    """The registry client created by the lifespan."""
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(get_registry)]


async def get_access(caller: Caller, registry: RegistryDep) -> Access:
    """The caller's access, its agency resolved to an id."""
    return await access_of(caller, registry)


AccessDep = Annotated[Access, Depends(get_access)]


def get_scoring_settings(request: Request) -> ScoringSettings:
    """The settings the app was created with."""
    settings: ScoringSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[ScoringSettings, Depends(get_scoring_settings)]


def wake_workers(request: Request) -> None:
    """Tell an in-process worker that a review was queued (workers elsewhere find it by polling)."""
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
