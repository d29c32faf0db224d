#!/bin/bash
# Would a restore load a table's ranges faster in parallel and stay one transaction? (issue 16 item 3)
# Times, on one 1.2M-row table with a primary key (bigint, int, md5 text; its CSV in two halves):
#   one COPY of all rows into the table, inside one transaction (what restore does now), against
#   two COPYs at once into unlogged staging tables on two connections, then INSERT ... SELECT of
#   both into the table inside one transaction (the atomic way to use parallel loads).
# Usage: bench/parallel-restore-probe.sh postgres://user@host:port   (an admin URL; a scratch database is made and dropped)
set -euo pipefail
A=${1:?admin URL, e.g. postgres://postgres@127.0.0.1:5432}
DB=rp_restore_probe_$$
psql -Xq "$A/postgres" -c "create database $DB"
U="$A/$DB"
D=$(mktemp -d)
trap 'psql -Xq "$A/postgres" -c "drop database if exists $DB with (force)"; rm -rf "$D"' EXIT
psql -Xq "$U" -c "create table src (id bigint primary key, n int not null, note text)" -c "insert into src select g, g % 1000, md5(g::text) from generate_series(1, 1200000) g"
psql -Xq "$U" -c "\copy (select * from src where id <= 600000) to '$D/a.csv' csv" -c "\copy (select * from src where id > 600000) to '$D/b.csv' csv"
cat "$D/a.csv" "$D/b.csv" > "$D/all.csv"
for round in 1 2 3; do
  psql -Xq "$U" -c "drop table if exists t1, t2, s1, s2" -c "create table t1 (id bigint primary key, n int not null, note text)" \
    -c "create table t2 (like t1 including all)" -c "create unlogged table s1 (like src)" -c "create unlogged table s2 (like src)" 2>/dev/null
  s=$(date +%s.%N); psql -Xq "$U" -c "begin" -c "\copy t1 from '$D/all.csv' csv" -c "commit"; e=$(date +%s.%N)
  one=$(echo "$e - $s" | bc)
  s=$(date +%s.%N)
  psql -Xq "$U" -c "\copy s1 from '$D/a.csv' csv" & psql -Xq "$U" -c "\copy s2 from '$D/b.csv' csv" & wait
  m=$(date +%s.%N)
  psql -Xq "$U" -c "begin" -c "insert into t2 select * from s1" -c "insert into t2 select * from s2" -c "commit"; e=$(date +%s.%N)
  echo "round $round: one COPY ${one}s; 2 parallel staging COPYs $(echo "$m - $s" | bc)s + INSERT ... SELECT $(echo "$e - $m" | bc)s = $(echo "$e - $s" | bc)s; load $(cut -d' ' -f1 /proc/loadavg)"
done
