"""Events of the registry: `employee.changed`, written into the outbox by triggers, served at /v1/events."""
