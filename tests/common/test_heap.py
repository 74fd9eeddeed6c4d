"""Long-lived objects out of the garbage collector's passes: while a service runs, and not after."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.app import create_service_app
from services.common.heap import long_lived_frozen
from services.common.settings import ServiceSettings


class Marker:
    """A tracked object whose place (collected generations or the frozen one) a test can look for."""


def collected(thing: object) -> bool:
    """Whether the collector's passes visit `thing` (frozen objects are in no generation they walk)."""
    return any(o is thing for o in gc.get_objects())


def test_objects_alive_on_entry_are_frozen_until_the_block_ends() -> None:
    before = Marker()
    assert collected(before)
    with long_lived_frozen():
        after = Marker()
        assert not collected(before)
        assert collected(after)
    assert collected(before)
    assert gc.get_freeze_count() == 0


def test_nested_blocks_keep_the_outer_objects_frozen() -> None:
    outer = Marker()
    with long_lived_frozen():
        inner = Marker()
        with long_lived_frozen():
            assert not collected(inner)
        assert not collected(outer)  # the inner block's end does not thaw what the outer one froze
    assert collected(outer)
    assert collected(inner)


async def test_a_service_app_is_frozen_once_started_and_thawed_at_shutdown() -> None:
    seen: dict[str, bool] = {}
    built = Marker()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = Marker()  # what a service builds at start-up (engines, pools, clients)
        seen["starting"] = collected(app.state.pool)
        yield

    settings = ServiceSettings(service_name="demo", log_format="text")
    app = create_service_app(
        settings=settings, title="t", description="d", lifespan=lifespan, routers=[], readiness_checks={}
    )
    async with app.router.lifespan_context(app):
        assert seen["starting"] is True  # nothing frozen while the service's own start-up runs
        assert not collected(app.state.pool)
        assert not collected(built)
    assert collected(app.state.pool)
    assert gc.get_freeze_count() == 0
