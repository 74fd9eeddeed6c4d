"""Alembic environment of scoring: async, against SCORING_DATABASE_URL (or the URL a caller passes)."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from services.common.migrations import run_env
from services.scoring.models import metadata
from services.scoring.settings import get_settings

if context.config.config_file_name is not None and not context.config.attributes.get("connection"):
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)

run_env(context, metadata, get_settings().database_url)
