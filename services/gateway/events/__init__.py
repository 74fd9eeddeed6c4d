"""Events of the registry and scoring, merged: the public feed (`/api/v1/events`) and what webhooks deliver."""
