"""The ASGI entry point: `uvicorn services.scoring.main:app`."""

from services.scoring.app import create_app

app = create_app()
