"""The ASGI entry point: `uvicorn services.registry.main:app`."""

from services.registry.app import create_app

app = create_app()
