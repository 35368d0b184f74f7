#!/usr/bin/env bash
# bench/openlineage.sh: sqlflow_openlineage(jsonb, ...) in C against the SQL
# builder of the first version (the oracle the openlineage suite keeps, taken
# from sql/openlineage.sql), on the generated exports gen-lineage-<bytes> of
# 2 MB and 20 MB.  Run inside `bash test/run shell` (PG* and
# SQLFLOW_TEST_PORT set), e.g.  echo 'bash bench/openlineage.sh' | bash test/run shell
#
# The exports are fetched once into a table; each timing is one statement in
# a fresh backend (psql \timing), the two builders alternating, RUNS times
# (default 5); printed are the medians and their ratio, and whether the two
# builders gave the same events.
set -euo pipefail
RUNS=${RUNS:-5}
SIZES=${SIZES:-"2000000 20000000"}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/common.sh"
base=$bench_base

{
  echo "SET client_min_messages = warning;"
  bench_server_sql
  echo "DROP FUNCTION IF EXISTS ol_sql_openlineage, ol_dataset_name, ol_name_parts;"
  # the oracle, as the suite has it: its naming rules, then the builder
  sed -n '/^CREATE FUNCTION ol_name_parts/,/^END;$/p' "$here/sql/openlineage.sql"
  sed -n '/^CREATE FUNCTION ol_sql_openlineage/,/^END;$/p' "$here/sql/openlineage.sql"
  echo "CREATE TABLE IF NOT EXISTS bench_ol (size bigint PRIMARY KEY, d jsonb);"
  for s in $SIZES; do
    echo "INSERT INTO bench_ol SELECT $s, sqlflow_export_json('gen-lineage-$s') ON CONFLICT DO NOTHING;"
  done
} | psql -X -q -v ON_ERROR_STOP=1 -v base="$base" >/dev/null

timed() {   # statement -> milliseconds, in a fresh backend
  psql -X -q -v ON_ERROR_STOP=1 -c 'SET jit = off' -c '\timing on' -c "$1" \
    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}

printf '%-10s %12s %8s %14s %14s %8s %6s\n' export relations events "C (ms)" "SQL (ms)" "SQL/C" same
for s in $SIZES; do
  c_q="SELECT count(*) FROM sqlflow_openlineage((SELECT d FROM bench_ol WHERE size = $s), 'postgres://db:5432', job_id => 'bench', event_time => '2024-01-01')"
  sql_q="SELECT count(*) FROM ol_sql_openlineage((SELECT d FROM bench_ol WHERE size = $s), 'postgres://db:5432', job_id => 'bench', event_time => '2024-01-01')"
  : >/tmp/bench_ol_c.$$; : >/tmp/bench_ol_sql.$$
  for _ in $(seq "$RUNS"); do
    timed "$c_q" >>/tmp/bench_ol_c.$$
    timed "$sql_q" >>/tmp/bench_ol_sql.$$
  done
  c=$(median </tmp/bench_ol_c.$$); q=$(median </tmp/bench_ol_sql.$$)
  read -r rels events same < <(psql -X -At -F ' ' -c "
    SELECT jsonb_array_length(coalesce(d -> 'data' -> 'sqlflow' -> 'relationships', d -> 'data' -> 'relationships', '[]')),
           (SELECT count(*) FROM sqlflow_openlineage(d, 'postgres://db:5432', job_id => 'bench', event_time => '2024-01-01')),
           (SELECT array_agg(e ORDER BY n) FROM sqlflow_openlineage(d, 'postgres://db:5432', job_id => 'bench', event_time => '2024-01-01') WITH ORDINALITY x(e, n))
           IS NOT DISTINCT FROM
           (SELECT array_agg(e ORDER BY n) FROM ol_sql_openlineage(d, 'postgres://db:5432', job_id => 'bench', event_time => '2024-01-01') WITH ORDINALITY x(e, n))
    FROM bench_ol WHERE size = $s")
  printf '%-10s %12s %8s %14s %14s %8s %6s\n' "$((s / 1000000)) MB" "$rels" "$events" "$c" "$q" \
    "$(awk -v a="$q" -v b="$c" 'BEGIN {printf "%.1f", a / b}')" "$same"
  rm -f /tmp/bench_ol_c.$$ /tmp/bench_ol_sql.$$
done
