#!/usr/bin/env bash
# bench/run.sh: the benchmark suite, run by hand as `bash test/run bench [which]`
# (test/run sets up the cluster and the loopback server and exports PG* and
# SQLFLOW_TEST_PORT).  which: all (default), small, json (also: jsonb), csv,
# scale, trace, relationships.
#
#   small          1,000 small JSON exports in one session
#   json, jsonb    a 50 MB JSON export into jsonb: sqlflow_export_json against
#                  COPY + ::jsonb
#   csv            a 1,000,000-row CSV export into a table: sqlflow_lineage
#                  against COPY
#   scale          the CSV and JSON pairs at other sizes
#   trace          sqlflow_impact against a recursive CTE on a lineage table
#   guard          ALTER TABLE ... DROP COLUMN with the lineage guard on (warn)
#                  against the same command with it off, 1,000,000-row lineage
#   relationships  the relationships of a JSON export of 20, 50, 100 and
#                  200 MB (job gen-lineage-<bytes>), as rows:
#                  sqlflow_relationships(job), which streams the JSON, against
#                  sqlflow_lineage(job), the CSV export of the same job (one
#                  row per source on both sides); a table of its own
#
# Each pair runs alternating, RUNS times (default 5), each run in a fresh
# backend; printed are the medians of the times, the ratio ours /
# alternative, and the median peak growth of the backend's resident memory
# (VmHWM at the end minus VmRSS at the start).  The ratio is the median of
# the RUNS ratios of a run of ours and the run of the alternative right
# after it: machines like ours switch between a fast and a slow speed for
# seconds at a time, which a ratio of two medians taken across the switch
# turns into noise, while two runs side by side mostly share one speed.  The alternative is what a DBA does without
# the extension: COPY ... FROM PROGRAM 'curl ...'.
set -euo pipefail
mode=${1:-all}
case $mode in
  all|small|json|jsonb|csv|scale|trace|guard|relationships) ;;
  *) echo "usage: bench/run.sh [all|small|json|jsonb|csv|scale|trace|guard|relationships]" >&2; exit 2 ;;
esac
RUNS=${RUNS:-5}
port=$SQLFLOW_TEST_PORT
base=http://127.0.0.1:$port/gspLive_backend

psql -X -q -v ON_ERROR_STOP=1 -v base="$base" <<'SQL' >/dev/null
CREATE EXTENSION IF NOT EXISTS sqlflow_export;
SELECT NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = 'sqlflow') AS need_server \gset
\if :need_server
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'base');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
\endif
DROP TABLE IF EXISTS bench_env;
CREATE TABLE bench_env AS SELECT :'base'::text AS base;
-- the alternative: curl fetches the body, COPY loads it
CREATE OR REPLACE FUNCTION bench_curl(job text, endpoint text) RETURNS text LANGUAGE sql AS $$
  SELECT format('curl -sf -F %s -F token=token -F jobId=%s %s/sqlflow/job/%s',
                quote_literal('userId=gudu|0123456789'), job, (SELECT base FROM bench_env), endpoint)
$$;
-- a JSON document as one text value: newlines dropped, no quote or delimiter byte
CREATE OR REPLACE FUNCTION bench_copy_json(job text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY raw FROM PROGRAM %L (FORMAT csv, QUOTE %L, DELIMITER %L)',
                 bench_curl(job, 'exportLineageAsJson') || ' | tr -d ' || quote_literal(e'\n'),
                 e'\x01', e'\x02');
END $$;
CREATE OR REPLACE FUNCTION bench_copy_csv(job text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY t FROM PROGRAM %L (FORMAT csv, HEADER)',
                 bench_curl(job, 'exportFullLineageAsCsv'));
END $$;
SQL

# one measurement in a fresh backend: prints "seconds peak_growth_kB"
measure() {
  psql -X -q -At -v ON_ERROR_STOP=1 <<SQL | tail -n 1
SET client_min_messages = warning;
SET sqlflow.max_response_size = '1GB';
SELECT pg_backend_pid() AS pid \gset
SELECT (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint AS rss0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$1
SELECT round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 3) || ' ' ||
       ((regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\s+(\d+)'))[1]::bigint - :rss0);
SQL
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# pair NAME OURS_SQL THEIRS_SQL
pair() {
  local name=$1 ours=$2 theirs=$3 i s m
  local ot=() om=() tt=() tm=() rr=()
  measure "$ours" >/dev/null      # warm-up: page cache, the server's generated body
  measure "$theirs" >/dev/null
  for i in $(seq "$RUNS"); do
    read -r s m < <(measure "$ours"); ot+=("$s"); om+=("$m")
    read -r s m < <(measure "$theirs"); tt+=("$s"); tm+=("$m")
    rr+=("$(echo "${ot[-1]} / $s" | bc -l)")
  done
  local ots tts omm tmm rrm
  ots=$(printf '%s\n' "${ot[@]}" | median); tts=$(printf '%s\n' "${tt[@]}" | median)
  rrm=$(printf '%s\n' "${rr[@]}" | median)
  omm=$(printf '%s\n' "${om[@]}" | median); tmm=$(printf '%s\n' "${tm[@]}" | median)
  printf '| %s | %s s | %s s | %.2f | %.1f MB | %.1f MB |\n' "$name" "$ots" "$tts" \
    "$rrm" "$(echo "$omm / 1024" | bc -l)" "$(echo "$tmm / 1024" | bc -l)"
  echo "    ours:   ${ot[*]} s; peak growth ${om[*]} kB" >&2
  echo "    theirs: ${tt[*]} s; peak growth ${tm[*]} kB" >&2
  echo "    ratios: $(printf '%.2f ' "${rr[@]}")(ratio of the medians: $(printf '%.2f' "$(echo "$ots / $tts" | bc -l)"))" >&2
}

cols="source_db text, source_schema text, source_table text, source_column text, target_db text, target_schema text, target_table text, target_column text, relation_type text, effect_type text"

csv_pair() {   # rows
  pair "CSV export, $1 rows, into a table" \
    "CREATE TEMP TABLE t AS SELECT * FROM sqlflow_lineage('gen-csv-$1');" \
    "CREATE TEMP TABLE t ($cols); SELECT bench_copy_csv('gen-csv-$1');"
}

# the value alone, not stored: what the function itself costs (storing a
# large jsonb adds PostgreSQL's own copy and compression, the same either way)
json_value_pair() {  # bytes
  pair "JSON export, $(($1 / 1000000)) MB, a jsonb value (not stored)" \
    "SELECT pg_column_size(sqlflow_export_json('gen-json-$1'));" \
    "CREATE TEMP TABLE raw (doc text); SELECT bench_copy_json('gen-json-$1'); SELECT pg_column_size(doc::jsonb) FROM raw;"
}

json_pair() {  # bytes
  pair "JSON export, $(($1 / 1000000)) MB, into jsonb" \
    "CREATE TEMP TABLE j AS SELECT sqlflow_export_json('gen-json-$1') AS doc;" \
    "CREATE TEMP TABLE raw (doc text); SELECT bench_copy_json('gen-json-$1'); CREATE TEMP TABLE j AS SELECT doc::jsonb AS doc FROM raw;"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); PostgreSQL $(psql -X -At -c 'SHOW server_version'); $RUNS runs each, medians"
if [ "$mode" != relationships ]; then
  echo
  echo "| benchmark | sqlflow_export | COPY FROM PROGRAM curl | ratio | peak RSS growth, ours | peak RSS growth, COPY |"
  echo "|---|---|---|---|---|---|"
fi

case $mode in
  small|all)
    pair "1,000 small JSON exports in one session" \
      "SELECT count(sqlflow_export_json('c359aef4bd9641d697732422debd8055')) FROM generate_series(1, 1000);" \
      "CREATE TEMP TABLE raw (doc text); SELECT count(bench_copy_json('c359aef4bd9641d697732422debd8055')) FROM generate_series(1, 1000); SELECT count(doc::jsonb) FROM raw;"
    ;;&
  json|jsonb|all) json_pair 50000000; json_value_pair 50000000 ;;&
  csv|all) csv_pair 1000000 ;;&
  scale|all)
    csv_pair 100000
    csv_pair 3000000
    json_pair 5000000
    json_pair 150000000
    ;;&
  trace|all)
    # A lineage table of 1,000,000 rows: 11 layers of 5,000 tables x 10
    # columns, each column feeding 2 columns of the next layer (100,000
    # relations between two layers), with the indexes the README recommends.
    # A trace of depth 10 from one column of the first layer, against the
    # recursive CTE one would write by hand (nodes only: no paths, no
    # per-node depth, revisits pruned by UNION).
    psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DROP TABLE IF EXISTS bench_lineage;
CREATE TABLE bench_lineage AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
INSERT INTO bench_lineage (source_db, source_schema, source_table, source_column,
                           target_db, target_schema, target_table, target_column, relation_type, effect_type)
SELECT 'DEFAULT', 'L' || l, 'T' || t, 'C' || c,
       'DEFAULT', 'L' || (l + 1), 'T' || ((t * 7 + k * 13 + c) % 5000), 'C' || ((c + k) % 10), 'fdd', 'insert'
FROM generate_series(0, 9) l, generate_series(0, 4999) t, generate_series(0, 9) c, generate_series(0, 1) k;
CREATE INDEX ON bench_lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_column));
CREATE INDEX ON bench_lineage (sqlflow_name_key(target_table), sqlflow_name_key(target_column));
CREATE INDEX ON bench_lineage (source_table, source_column);
VACUUM ANALYZE bench_lineage;
SQL
    echo "    lineage table: $(psql -X -At -c 'SELECT count(*) FROM bench_lineage') rows;" \
      "trace reaches $(psql -X -At -c "SELECT count(*) FROM sqlflow_impact('bench_lineage', 'L0.T42', 'C3', 10)") relations" >&2
    pair "trace of depth 10 from one column, 1,000,000-row lineage table" \
      "SELECT count(*) FROM sqlflow_impact('bench_lineage', 'L0.T42', 'C3', 10);" \
      "WITH RECURSIVE r(s, t, c, d) AS (SELECT 'L0', 'T42', 'C3', 0 UNION SELECT l.target_schema, l.target_table, l.target_column, r.d + 1 FROM r JOIN bench_lineage l ON l.source_table = r.t AND l.source_column = r.c AND l.source_schema = r.s WHERE r.d < 10) SELECT count(*) FROM r;"
    ;;&
  guard|all)
    # The lineage of the trace benchmark (1,000,000 rows, the README's
    # indexes), and real tables for its first layer's names (l0.t0 ..
    # l0.t99, columns c0 .. c9).  Each run drops a column that reaches about
    # 2,000 relations downstream in 10 steps, in a transaction rolled back:
    # the guard in warn mode against the same command with the guard off.
    psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DROP TABLE IF EXISTS bench_guard_lineage;
CREATE TABLE bench_guard_lineage AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
INSERT INTO bench_guard_lineage (source_db, source_schema, source_table, source_column,
                                 target_db, target_schema, target_table, target_column, relation_type, effect_type)
SELECT 'DEFAULT', 'L' || l, 'T' || t, 'C' || c,
       'DEFAULT', 'L' || (l + 1), 'T' || ((t * 7 + k * 13 + c) % 5000), 'C' || ((c + k) % 10), 'fdd', 'insert'
FROM generate_series(0, 9) l, generate_series(0, 4999) t, generate_series(0, 9) c, generate_series(0, 1) k;
CREATE INDEX ON bench_guard_lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_column));
CREATE INDEX ON bench_guard_lineage (sqlflow_name_key(target_table), sqlflow_name_key(target_column));
VACUUM ANALYZE bench_guard_lineage;
DROP SCHEMA IF EXISTS l0 CASCADE;
CREATE SCHEMA l0;
SELECT format('CREATE TABLE l0.t%s (c0 int, c1 int, c2 int, c3 int, c4 int, c5 int, c6 int, c7 int, c8 int, c9 int)', t)
FROM generate_series(0, 99) t \gexec
SQL
    echo "    guarded DROP COLUMN l0.t42.c3 reaches $(psql -X -At -c "SELECT count(*) FROM sqlflow_impact('bench_guard_lineage', 'l0.t42', 'c3', 10)") relations" >&2
    pair "ALTER TABLE ... DROP COLUMN, guard on (warn) / off, 1,000,000-row lineage" \
      "SET client_min_messages = error; SET sqlflow.guard_lineage = 'bench_guard_lineage'; BEGIN; SET LOCAL sqlflow.guard = warn; ALTER TABLE l0.t42 DROP COLUMN c3; ROLLBACK;" \
      "SET client_min_messages = error; SET sqlflow.guard_lineage = 'bench_guard_lineage'; BEGIN; SET LOCAL sqlflow.guard = off; ALTER TABLE l0.t42 DROP COLUMN c3; ROLLBACK;"
    ;;&
  relationships|all)
    # Job gen-lineage-<bytes>: about that many bytes of JSON export (a few
    # thousand tables in dbobjs, every 4th source without parentName, so
    # looked up by parentId), and a CSV export of the same relationships.
    # Both sides count rows; the server builds both bodies at the warm-up.
    echo
    echo "| benchmark | sqlflow_relationships(job) | sqlflow_lineage(job), CSV | ratio | peak RSS growth, relationships | peak RSS growth, lineage |"
    echo "|---|---|---|---|---|---|"
    if [ "$(psql -X -At -c "SELECT count(*) FROM pg_proc WHERE proname = 'sqlflow_relationships' AND proargtypes[0] = 'text'::regtype")" = 0 ]; then
      echo "    skipped: this build has no sqlflow_relationships(job_id text, ...)" >&2
    else
      for n in 20000000 50000000 100000000 200000000; do
        pair "relationships of a $((n / 1000000)) MB JSON export" \
          "SELECT count(*) FROM sqlflow_relationships('gen-lineage-$n'::text);" \
          "SELECT count(*) FROM sqlflow_lineage('gen-lineage-$n');"
        echo "    rows: $(psql -X -At -c "SET sqlflow.max_response_size = '1GB'" \
          -c "SELECT (SELECT count(*) FROM sqlflow_relationships('gen-lineage-$n'::text)) || ' relationships(job), ' || (SELECT count(*) FROM sqlflow_lineage('gen-lineage-$n')) || ' lineage(job)'" | tail -n 1)" >&2
      done
    fi
    ;;
esac
