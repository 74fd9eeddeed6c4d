"""What the deployment files must agree with in the code: settings names and the health routes."""

from __future__ import annotations

import functools
import importlib
import inspect

from tests.deploy.common import ENV_PREFIX

# Service settings named by the deployment brief, used while a service's own settings module does not
# exist yet. Once `services/<name>/settings.py` exists, its class is the only authority.
DOCUMENTED_SETTINGS: dict[str, frozenset[str]] = {
    "registry": frozenset({"siasn_credentials_key"}),
    "scoring": frozenset({"registry_url", "run_worker"}),
    "gateway": frozenset({"registry_url", "scoring_url", "redis_url", "signing_key_secret", "issuer", "audience"}),
}


@functools.cache
def settings_env_names(service: str) -> tuple[frozenset[str], str]:
    """The environment variable names a service's settings read, and where that list came from."""
    from services.common.settings import ServiceSettings

    prefix = ENV_PREFIX[service]
    module_name = f"services.{service}.settings"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in (module_name, f"services.{service}"):
            raise
        fields = set(ServiceSettings.model_fields) | DOCUMENTED_SETTINGS[service]
        return frozenset(prefix + name.upper() for name in fields), "documented list (no settings module yet)"
    classes = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, ServiceSettings) and cls.model_config.get("env_prefix", "").upper() == prefix
    ]
    if not classes:
        raise LookupError(f"{module_name} has no ServiceSettings subclass with env_prefix {prefix!r}")
    names: set[str] = set()
    for cls in classes:
        for name, field in cls.model_fields.items():
            names.add(prefix + name.upper())
            if isinstance(field.validation_alias, str):
                names.add(field.validation_alias.upper())
    return frozenset(names), module_name


@functools.cache
def operational_paths() -> frozenset[str]:
    """The paths every service app serves for probes and scraping, read from services.common."""
    from services.common.health import health_router
    from services.common.metrics import metrics_router

    paths = {route.path for route in health_router({}).routes}  # type: ignore[attr-defined]
    paths |= {route.path for route in metrics_router().routes}  # type: ignore[attr-defined]
    return frozenset(paths)


def env_status(service: str, name: str) -> tuple[str, str]:
    """Whether a service reads the variable `name`: ("ok" | "pending" | "unknown", where that was learnt).

    "pending" is a name the brief documents that the service's settings do not read yet: reported as
    a warning, since the service is being written; "unknown" (a typo, a renamed setting) fails.
    """
    from services.common.settings import ServiceSettings

    known, source = settings_env_names(service)
    if name in known:
        return "ok", source
    prefix = ENV_PREFIX[service]
    documented = {prefix + f.upper() for f in DOCUMENTED_SETTINGS[service] | set(ServiceSettings.model_fields)}
    return ("pending" if name in documented else "unknown"), source


LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
PRIVATE_PATHS = ("/metrics", "/healthz", "/readyz")
