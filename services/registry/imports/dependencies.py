"""FastAPI dependencies of the imports domain: the process's import runner."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.registry.imports.runner import ImportRunner


def get_runner(request: Request) -> ImportRunner:
    """The app's runner (made on first use when the lifespan did not start one, as in in-process tests)."""
    runner: ImportRunner | None = getattr(request.app.state, "import_runner", None)
    if runner is None:
        runner = ImportRunner(request.app.state, request.app.state.settings)
        request.app.state.import_runner = runner
    return runner


RunnerDep = Annotated[ImportRunner, Depends(get_runner)]
