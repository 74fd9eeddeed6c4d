"""How the jobs of one process share the interpreter: the readers' pause (`feeder.Readers`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from services.registry.imports.feeder import Feeder, Produced, Readers


async def test_readers_go_on_once_every_pause_is_lifted() -> None:
    readers = Readers()
    assert readers.free.is_set()
    async with readers.pause() as first, readers.pause() as second:
        assert not readers.free.is_set()
        first.lift()
        first.lift()  # again: nothing
        assert not readers.free.is_set()  # the second job still checks
        with second.lifted():  # the second job waits (its turn, a lock): the readers go on meanwhile
            assert readers.free.is_set()
        assert not readers.free.is_set()
    assert readers.free.is_set()


async def test_a_lifted_pause_stays_lifted_after_a_wait() -> None:
    readers = Readers()
    async with readers.pause() as pause:
        pause.lift()
        with pause.lifted():
            pass
        assert readers.free.is_set()


async def test_the_feeder_reads_no_batch_while_paused() -> None:
    readers = Readers()
    steps: list[int] = []

    def step() -> Produced | None:
        steps.append(len(steps))
        return None if len(steps) > 3 else Produced(1, [], [], [], len(steps))

    async with readers.pause() as pause:
        feeder = Feeder(step, 2, readers)
        await asyncio.sleep(0.1)
        assert steps == []
        pause.lift()
        assert [p.offset async for p in _batches(feeder)] == [1, 2, 3]
    await feeder.close()


async def _batches(feeder: Feeder) -> AsyncIterator[Produced]:
    while (produced := await feeder.next()) is not None:
        yield produced


async def test_a_paused_feeder_closes_at_once() -> None:
    readers = Readers()
    async with readers.pause():
        feeder = Feeder(lambda: None, 2, readers)
        await asyncio.sleep(0.05)
        await asyncio.wait_for(feeder.close(), timeout=1)
        assert feeder.task.done()
