"""Alembic environment of the gateway database (async; PostgreSQL and SQLite alike)."""

from alembic import context

from services.common.migrations import run_env
from services.gateway.models import Base, load_all_models
from services.gateway.settings import GatewaySettings

load_all_models()
run_env(context, Base.metadata, GatewaySettings().database_url)
