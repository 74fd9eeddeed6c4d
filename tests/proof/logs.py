"""The services' logs of a proof stack: where they end now, and the unhandled errors written since."""

from __future__ import annotations

from services.launcher.stack import Stack

UNHANDLED = '"unhandled error"'


def log_sizes(stack: Stack) -> dict[str, int]:
    """Where each instance's log ends now."""
    return {name: path.stat().st_size for name in stack.processes if (path := stack.log_dir / f"{name}.log").exists()}


def unhandled_since(stack: Stack, sizes: dict[str, int]) -> list[str]:
    """Unhandled errors logged by any instance after `sizes`."""
    found = []
    for name, start in sizes.items():
        with (stack.log_dir / f"{name}.log").open("rb") as log:
            log.seek(start)
            lines = log.read().decode(errors="replace").splitlines()
        found += [f"{name}: {line[:600]}" for line in lines if UNHANDLED in line]
    return found
