#!/bin/sh
# Creates Temporal's persistence and visibility databases when missing, then brings each schema to
# the version this admin-tools image ships (the same as the server image: keep their tags equal).
# Safe to run on every start; on an upgrade it is the schema migration. The password comes from
# SQL_PASSWORD in the environment, never from the command line.
set -eu
: "${SQL_HOST:?}" "${SQL_USER:?}" "${SQL_PASSWORD:?}"
SCHEMA=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  tool() { temporal-sql-tool --plugin postgres12 --ep "$SQL_HOST" -p 5432 -u "$SQL_USER" --db "$db" "$@"; }
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  tool create-database || echo "database $db not created (it exists, or setup-schema below says why)"
  tool setup-schema -v 0.0
  tool update-schema -d "$SCHEMA/$dir/versioned"
done
echo "temporal schema ready"
