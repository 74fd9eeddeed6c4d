"""Starts the three services as processes: `make run` (demo on SQLite) and the e2e tests (PostgreSQL)."""
