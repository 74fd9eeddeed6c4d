"""Keep a started service's long-lived objects out of the cyclic garbage collector's passes.

Every full pass of the collector walks every tracked object: after start-up that is the app, its routes and
models, the ORM's metadata and the imported modules, some hundred thousand objects that live as long as the
process. Work that allocates many containers (an import builds a list per row and an object per checked row)
triggers such passes again and again: on the bench's files they were about half the time of reading and checking
(docs/IMPORTS.md). `gc.freeze()` moves the objects alive now into a permanent generation that the passes skip;
objects made later are collected as before, and reference counting frees everything as always (the few dozen
cycles already unreachable at that moment wait with the rest: a full collection first would cost ~80 ms a start,
for nothing worth having back). When the last block ends they go back to the collector, so an app stopped and
rebuilt in one process (tests) leaves nothing behind; blocks may nest (an app and an import command in one
process), the outer one's objects stay frozen."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_open_blocks = 0


@contextlib.contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Within the block, the objects alive on entry are left out of the collector's passes."""
    global _open_blocks
    gc.freeze()
    _open_blocks += 1
    try:
        yield
    finally:
        _open_blocks -= 1
        if not _open_blocks:
            gc.unfreeze()
