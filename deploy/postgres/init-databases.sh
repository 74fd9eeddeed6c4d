#!/usr/bin/env bash
# Runs once, when the PostgreSQL data volume is first initialised (docker-entrypoint-initdb.d):
# one login role and one database per service, each database owned by its own role and closed to
# the others. Passwords come from the environment (deploy/.env), never from this file. Text compares byte by
# byte (collation C): every key is a code, and the locale's comparison slows bulk writes (docs/PRODUCTION.md).
set -euo pipefail

create_service_database() {
    local name="$1" password="$2"
    if [[ -z "$password" ]]; then
        echo "init-databases: no password given for $name" >&2
        exit 1
    fi
    # psql variables (:"name", :'password') quote the identifier and the literal safely.
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name" TEMPLATE template0 LC_COLLATE 'C';
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
ALTER ROLE :"name" SET timezone = 'UTC';
SQL
}

create_service_database registry "${REGISTRY_DB_PASSWORD:-}"
# Bulk writes (imports, SIASN syncs) check foreign keys once per referenced row, then skip the per-row key
# triggers with session_replication_role (services/registry/imports/upsert/keys.py). Without this grant they
# still work, checking row by row, several times slower.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c 'GRANT SET ON PARAMETER session_replication_role TO registry;'
create_service_database scoring "${SCORING_DB_PASSWORD:-}"
create_service_database gateway "${GATEWAY_DB_PASSWORD:-}"
