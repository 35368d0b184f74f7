# bench/common.sh: what the benchmarks share; sourced by bench/run.sh and
# bench/openlineage.sh (which run inside `bash test/run bench` or
# `bash test/run shell`: PG* and SQLFLOW_TEST_PORT set).

# the loopback server's base URL
bench_base=http://127.0.0.1:$SQLFLOW_TEST_PORT/gspLive_backend

# SQL for psql -v base=...: the extension, and a server "sqlflow" with a
# user mapping for the loopback server unless one is there already
bench_server_sql() {
  cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS sqlflow_export;
SELECT NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = 'sqlflow') AS need_server \gset
\if :need_server
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'base');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
\endif
SQL
}

# the median of the numbers on standard input, one per line (of an even
# count, the mean of the middle two)
median() {
  sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
