#!/bin/sh
# Creates the Temporal server's two PostgreSQL databases (persistence and visibility) and brings
# their schemas to the versions this server release ships (temporal-sql-tool, v1.29.1). Safe to run
# again: an existing database is kept and only missing schema versions are applied.
# Used by docker-compose.yml (temporal-schema) and the test suite's cluster (test/support/temporal-cluster.ts).
#   SQL_TOOL (temporal-sql-tool), SCHEMA_DIR (…/schema/postgresql/v12),
#   POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, TEMPORAL_DB, TEMPORAL_VISIBILITY_DB
set -eu
: "${SQL_TOOL:=temporal-sql-tool}"
: "${SCHEMA_DIR:=/etc/temporal/schema/postgresql/v12}"
: "${POSTGRES_PORT:=5432}"
: "${POSTGRES_PASSWORD:=}"
: "${TEMPORAL_DB:=temporal}"
: "${TEMPORAL_VISIBILITY_DB:=temporal_visibility}"

sql() {
  db="$1"
  shift
  "$SQL_TOOL" --plugin postgres12 --ep "$POSTGRES_HOST" -p "$POSTGRES_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PASSWORD" --db "$db" "$@"
}

for pair in "$TEMPORAL_DB:temporal" "$TEMPORAL_VISIBILITY_DB:visibility"; do
  db="${pair%%:*}"
  schema="${pair#*:}"
  sql "$db" create-database 2>/dev/null || true # exists already: kept
  sql "$db" setup-schema -v 0.0 2>/dev/null || true # set up already: only the versions below are applied
  sql "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
