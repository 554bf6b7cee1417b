#!/bin/bash
# Run once by the postgres image when the primary's data directory is created
# (docker-compose.yml): the role the application connects as. It owns nothing; the
# `migrate` service, as the owner, grants it what it may do and only SELECT and INSERT on
# the audit trail (docs/database-roles.md).
set -e
psql -v ON_ERROR_STOP=1 -v password="$APP_DB_PASSWORD" --username "$POSTGRES_USER" \
  --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE mipres_app LOGIN PASSWORD :'password';
SQL
