"""Offline validation of the deployment files (deploy/, .dockerignore): `python -m tests.deploy.validate`."""
