#!/usr/bin/env bash
# bench/run.sh: the benchmark suite, run by hand as `bash test/run bench [which]`
# (test/run sets up the cluster and the loopback server and exports PG* and
# SQLFLOW_TEST_PORT).  which: all (default), small, json (also: jsonb), csv,
# scale, trace, relationships, pictures.
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
#   pictures       sqlflow_dot and sqlflow_mermaid of 10,000, 40,000 and
#                  100,000 lineage rows against a string_agg of one
#                  formatted line per row over the same rows, and 40,000
#                  rows against 10,000; a table of its own
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
#
# The trace pairs run as the trace goal is stated, warm in one session:
# both statements once untimed, then SESSION_RUNS (default 21) of each,
# alternating; the ratio is again the median of the pairs' ratios.
set -euo pipefail
mode=${1:-all}
case $mode in
  all|small|json|jsonb|csv|scale|trace|guard|relationships|pictures) ;;
  *) echo "usage: bench/run.sh [all|small|json|jsonb|csv|scale|trace|guard|relationships|pictures]" >&2; exit 2 ;;
esac
RUNS=${RUNS:-5}
. "$(dirname "$0")/common.sh"
base=$bench_base

{ bench_server_sql; cat <<'SQL'; } | psql -X -q -v ON_ERROR_STOP=1 -v base="$base" >/dev/null
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
# (WARM set: the statements run once first in that backend, untimed)
measure() {
  psql -X -q -At -v ON_ERROR_STOP=1 <<SQL | tail -n 1
SET client_min_messages = warning;
SET sqlflow.max_response_size = '1GB';
${WARM:+$1}
SELECT pg_backend_pid() AS pid \gset
SELECT (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint AS rss0 \gset
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$1
SELECT round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 4) || ' ' ||
       ((regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\s+(\d+)'))[1]::bigint - :rss0);
SQL
}


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

# session_pair NAME OURS_SQL THEIRS_SQL: warm, in one session, as the trace
# goal is stated: both run once untimed, then SESSION_RUNS times each,
# alternating (so that a slow spell of the machine falls on both); prints
# the medians and the median of the pairs' ratios.  No memory columns: one
# session's peak says nothing per statement.
session_pair() {
  local name=$1 ours=$2 theirs=$3 i n=${SESSION_RUNS:-21}
  local out
  out=$( {
    echo "SET client_min_messages = warning;"
    echo "\\o /dev/null"
    echo "$ours"; echo "$theirs"
    for i in $(seq "$n"); do
      for side in ours theirs; do
        echo "SELECT extract(epoch FROM clock_timestamp()) AS t0 \\gset"
        if [ $side = ours ]; then echo "$ours"; else echo "$theirs"; fi
        echo "SELECT round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 5) AS d \\gset"
        echo "\\o"
        echo "\\echo $side :d"
        echo "\\o /dev/null"
      done
    done
  } | psql -X -q -At -v ON_ERROR_STOP=1)
  local ot tt rr
  ot=$(awk '$1 == "ours" {print $2}' <<<"$out")
  tt=$(awk '$1 == "theirs" {print $2}' <<<"$out")
  rr=$(paste <(echo "$ot") <(echo "$tt") | awk '{printf "%.4f\n", $1 / $2}')
  printf '| %s | %.1f ms | %.1f ms | %.2f | | |\n' "$name" \
    "$(echo "$(echo "$ot" | median) * 1000" | bc -l)" "$(echo "$(echo "$tt" | median) * 1000" | bc -l)" \
    "$(echo "$rr" | median)"
  echo "    ours (ms):   $(echo "$ot" | awk '{printf "%.1f ", $1 * 1000}')" >&2
  echo "    theirs (ms): $(echo "$tt" | awk '{printf "%.1f ", $1 * 1000}')" >&2
  echo "    ratios: $(echo "$rr" | tr '\n' ' ')" >&2
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
if [ "$mode" = trace ]; then
  echo
  echo "| benchmark | sqlflow_export | recursive CTE | ratio | peak RSS growth, ours | peak RSS growth, CTE |"
  echo "|---|---|---|---|---|---|"
elif [ "$mode" != relationships ] && [ "$mode" != pictures ]; then
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
    # Warm, one session: each measured trace (or CTE) runs once untimed in
    # its backend first (library, catalog and buffer caches loaded).
    # Lineage tables of 300,000 and 1,000,000 rows: 11 layers (schemas L0 ..
    # L10) of 1,500 or 5,000 tables x 10 columns, the table names the same in
    # every layer, each column feeding 2 columns of the next layer, with the
    # index the README recommends (keys of table, schema and column) and,
    # for the alternative, the matching btree index on the raw columns.  A
    # column trace of depth 10 from one column of the first layer (about
    # 2,000 relations) against the recursive CTE one would write by hand
    # (nodes only: no paths, no per-node depth, revisits pruned by UNION).
    # Then a table-level trace of depth 10 from a 50-column table (100,000
    # rows: 11 layers of 200 tables x 50 columns, each table feeding 3
    # tables of the next layer).
    trace_table() {   # name tables columns fanout
      psql -X -q -v ON_ERROR_STOP=1 -v name="$1" -v tables="$2" -v columns="$3" -v fanout="$4" <<'SQL' >/dev/null
DROP TABLE IF EXISTS :"name";
CREATE TABLE :"name" AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
INSERT INTO :"name" (source_db, source_schema, source_table, source_column,
                     target_db, target_schema, target_table, target_column, relation_type, effect_type)
SELECT 'DEFAULT', 'L' || l, 'T' || t, 'C' || c,
       'DEFAULT', 'L' || (l + 1),
       'T' || CASE WHEN :fanout = 2 THEN (t * 7 + k * 13 + c) % :tables ELSE (t + c % :fanout) % :tables END,
       'C' || CASE WHEN :fanout = 2 THEN (c + k) % :columns ELSE c END, 'fdd', 'insert'
FROM generate_series(0, 9) l, generate_series(0, :tables - 1) t, generate_series(0, :columns - 1) c,
     generate_series(0, CASE WHEN :fanout = 2 THEN 1 ELSE 0 END) k;
CREATE INDEX ON :"name" (sqlflow_name_key(source_table), sqlflow_name_key(source_schema), sqlflow_name_key(source_column));
CREATE INDEX ON :"name" (sqlflow_name_key(target_table), sqlflow_name_key(target_schema), sqlflow_name_key(target_column));
CREATE INDEX ON :"name" (source_table, source_schema, source_column);
VACUUM ANALYZE :"name";
SQL
    }
    column_trace_pair() {   # name rows
      echo "    lineage table: $(psql -X -At -c "SELECT count(*) FROM $1") rows;" \
        "trace reaches $(psql -X -At -c "SELECT count(*) FROM sqlflow_impact('$1', 'L0.T42', 'C3', 10)") relations" >&2
      session_pair "trace of depth 10 from one column, $2-row lineage table" \
        "SELECT count(*) FROM sqlflow_impact('$1', 'L0.T42', 'C3', 10);" \
        "WITH RECURSIVE r(s, t, c, d) AS (SELECT 'L0', 'T42', 'C3', 0 UNION SELECT l.target_schema, l.target_table, l.target_column, r.d + 1 FROM r JOIN $1 l ON l.source_table = r.t AND l.source_column = r.c AND l.source_schema = r.s WHERE r.d < 10) SELECT count(*) FROM r;"
      # the CTE above returns nodes only; this one returns what a trace
      # returns (each row hit, its depth and path; paths not revisiting a
      # node), though every path rather than the first to each node
      session_pair "the same trace against a recursive CTE returning rows, depth and path" \
        "SELECT count(*) FROM sqlflow_impact('$1', 'L0.T42', 'C3', 10);" \
        "WITH RECURSIVE r AS (SELECT 1 AS depth, l.*, ARRAY[concat_ws('.', l.source_schema, l.source_table, l.source_column), concat_ws('.', l.target_schema, l.target_table, l.target_column)] AS path FROM $1 l WHERE l.source_table = 'T42' AND l.source_column = 'C3' AND l.source_schema = 'L0' UNION ALL SELECT r.depth + 1, l.*, r.path || concat_ws('.', l.target_schema, l.target_table, l.target_column) FROM r JOIN $1 l ON l.source_table = r.target_table AND l.source_column = r.target_column AND l.source_schema = r.target_schema WHERE r.depth < 10 AND concat_ws('.', l.target_schema, l.target_table, l.target_column) <> ALL (r.path)) SELECT count(*) FROM r;"
    }
    export WARM=1
    [ "$mode" = all ] && echo "    trace pairs: the second time column is the recursive CTE; warm" >&2
    trace_table bench_lineage_300k 1500 10 2
    column_trace_pair bench_lineage_300k 300,000
    psql -X -q -c "DROP TABLE bench_lineage_300k"
    trace_table bench_lineage 5000 10 2
    column_trace_pair bench_lineage 1,000,000
    psql -X -q -c "DROP TABLE bench_lineage"
    trace_table bench_wide 200 50 3
    echo "    lineage table: $(psql -X -At -c "SELECT count(*) FROM bench_wide") rows;" \
      "trace reaches $(psql -X -At -c "SELECT count(*) FROM sqlflow_impact('bench_wide', 'L0.T42', NULL, 10)") relations" >&2
    session_pair "table-level trace of depth 10 from a 50-column table, 100,000-row lineage table" \
      "SELECT count(*) FROM sqlflow_impact('bench_wide', 'L0.T42', NULL, 10);" \
      "WITH RECURSIVE r(s, t, d) AS (SELECT 'L0', 'T42', 0 UNION SELECT l.target_schema, l.target_table, r.d + 1 FROM r JOIN bench_wide l ON l.source_table = r.t AND l.source_schema = r.s WHERE r.d < 10) SELECT count(*) FROM r;"
    # as above: a trace returns every row hit (5,000 here), the CTE above
    # the 121 tables reached; this one returns the rows hit, each with the
    # first depth its table is reached at (no paths: carried through the
    # recursion they multiply, a table being reached from up to 3 others)
    session_pair "the same table-level trace against a recursive CTE returning rows and depth" \
      "SELECT count(*) FROM sqlflow_impact('bench_wide', 'L0.T42', NULL, 10);" \
      "WITH RECURSIVE r(s, t, d) AS (SELECT 'L0', 'T42', 0 UNION SELECT l.target_schema, l.target_table, r.d + 1 FROM r JOIN bench_wide l ON l.source_table = r.t AND l.source_schema = r.s WHERE r.d < 10), f AS (SELECT s, t, min(d) AS d FROM r GROUP BY s, t) SELECT count(*) FROM (SELECT f.d + 1 AS depth, l.* FROM f JOIN bench_wide l ON l.source_table = f.t AND l.source_schema = f.s WHERE f.d < 10) x;"
    psql -X -q -c "DROP TABLE bench_wide"
    unset WARM
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
CREATE INDEX ON bench_guard_lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_schema), sqlflow_name_key(source_column));
CREATE INDEX ON bench_guard_lineage (sqlflow_name_key(target_table), sqlflow_name_key(target_schema), sqlflow_name_key(target_column));
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
    ;;&
  pictures|all)
    # Lineage tables of 10,000, 40,000 and 100,000 rows: a table per 50
    # rows (so 200, 800, 2,000 tables plus as many targets), 7 columns each,
    # 3 kinds of relation.  Every picture is measured whole (length of the
    # text), against a string_agg of one formatted line per row: the least
    # any picture of every row costs in SQL.
    psql -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
SET client_min_messages = warning;
DO $$
DECLARE n integer;
BEGIN
  FOREACH n IN ARRAY ARRAY[10000, 40000, 100000] LOOP
    EXECUTE format('DROP TABLE IF EXISTS bench_pic_%s', n);
    EXECUTE format($q$CREATE TABLE bench_pic_%s AS
      SELECT 'DEFAULT'::text AS source_db, 'S' || (i %% 3) AS source_schema, 'T' || (i %% (%s / 50)) AS source_table,
             'C' || (i %% 7) AS source_column, 'DEFAULT'::text AS target_db, 'S' || ((i + 1) %% 3) AS target_schema,
             'U' || ((i * 7) %% (%s / 50)) AS target_table, 'D' || ((i * 3) %% 7) AS target_column,
             (ARRAY['fdd', 'fdr', 'join'])[1 + i %% 3] AS relation_type, 'select'::text AS effect_type
      FROM generate_series(1, %s) i$q$, n, n, n, n);
    EXECUTE format('ANALYZE bench_pic_%s', n);
  END LOOP;
END $$;
SQL
    echo
    echo "| benchmark | picture | compared with | ratio | peak RSS growth, picture | peak RSS growth, compared |"
    echo "|---|---|---|---|---|---|"
    line="format('  %s:%s -> %s:%s [label=%s];', l.source_schema || '.' || l.source_table, l.source_column, l.target_schema || '.' || l.target_table, l.target_column, quote_ident(l.relation_type))"
    for n in 10000 40000 100000; do
      pair "sqlflow_dot, $n rows, against string_agg of a line per row" \
        "SELECT length(sqlflow_dot(l)) FROM bench_pic_$n l;" \
        "SELECT length(string_agg($line, E'\n')) FROM bench_pic_$n l;"
    done
    pair "sqlflow_mermaid, 100000 rows, against string_agg of a line per row" \
      "SELECT length(sqlflow_mermaid(l)) FROM bench_pic_100000 l;" \
      "SELECT length(string_agg($line, E'\n')) FROM bench_pic_100000 l;"
    pair "sqlflow_dot_tables, 100000 rows, against string_agg of a line per row" \
      "SELECT length(sqlflow_dot_tables(l)) FROM bench_pic_100000 l;" \
      "SELECT length(string_agg($line, E'\n')) FROM bench_pic_100000 l;"
    pair "sqlflow_dot, 40000 rows against 10000 rows" \
      "SELECT length(sqlflow_dot(l)) FROM bench_pic_40000 l;" \
      "SELECT length(sqlflow_dot(l)) FROM bench_pic_10000 l;"
    pair "sqlflow_mermaid, 40000 rows against 10000 rows" \
      "SELECT length(sqlflow_mermaid(l)) FROM bench_pic_40000 l;" \
      "SELECT length(sqlflow_mermaid(l)) FROM bench_pic_10000 l;"
    ;;
esac
