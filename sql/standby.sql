--
-- standby: the functions that answer questions work on a hot standby
--
-- On the primary: a database with the extension, a server, a user mapping
-- and a lineage table of the demo job, and the answers of the read-only
-- functions there (as checksums).  On the streaming standby test/run
-- starts (SQLFLOW_TEST_STANDBY_HOST/PORT), once it has replayed that far:
-- the same functions must give the same answers, and an export must run.
\getenv sqlflow_url SQLFLOW_TEST_URL
\getenv standby_host SQLFLOW_TEST_STANDBY_HOST
\getenv standby_port SQLFLOW_TEST_STANDBY_PORT
\set regress_db :DBNAME
\set primary_host :HOST
\set primary_port :PORT
SET client_min_messages = warning;
DROP DATABASE IF EXISTS sqlflow_standby;
RESET client_min_messages;
CREATE DATABASE sqlflow_standby TEMPLATE template0;

\c sqlflow_standby
CREATE EXTENSION sqlflow_export;
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
CREATE TABLE lineage AS SELECT * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
-- the README's indexes: the traces probe them directly, here and on the standby
CREATE INDEX lineage_source_keys ON lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_schema), sqlflow_name_key(source_column));
CREATE INDEX lineage_target_keys ON lineage (sqlflow_name_key(target_table), sqlflow_name_key(target_schema), sqlflow_name_key(target_column));
SELECT pg_is_in_recovery() AS primary_in_recovery, count(*) AS lineage_rows FROM lineage;

-- the answers on the primary
\set digest 'md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C"), ''''))'
SELECT :digest AS name_keys
FROM (SELECT sqlflow_name_key(n) FROM unnest(ARRAY['"Emp"', '[Dept]', 'SCOTT', '"a.b"']) n) t \gset p_
SELECT :digest AS impact FROM sqlflow_impact('lineage', 'scott.emp', 'sal') t \gset p_
SELECT :digest AS provenance FROM sqlflow_provenance('lineage', 'vsal') t \gset p_
SELECT :digest AS trace_job FROM sqlflow_trace_job('c359aef4bd9641d697732422debd8055', 'small_orders', direction => 'upstream') t \gset p_
SELECT md5(sqlflow_dot(l)) AS dot, md5(sqlflow_mermaid(l)) AS mermaid,
       md5(sqlflow_dot_tables(l)) AS dot_tables, md5(sqlflow_mermaid_tables(l)) AS mermaid_tables
FROM lineage l \gset p_
SELECT :digest AS lineage FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055') t \gset p_
SELECT md5(sqlflow_export('c359aef4bd9641d697732422debd8055', 'csv')) AS export_csv \gset p_
SELECT :digest AS relationships FROM sqlflow_relationships(sqlflow_export_json('c359aef4bd9641d697732422debd8055')) t \gset p_
SELECT (SELECT count(*) FROM sqlflow_impact('lineage', 'scott.emp', 'sal')) AS impact_rows,
       (SELECT count(*) FROM sqlflow_provenance('lineage', 'vsal')) AS provenance_rows,
       (SELECT count(*) FROM sqlflow_trace_job('c359aef4bd9641d697732422debd8055', 'small_orders', direction => 'upstream')) AS trace_job_rows;
SELECT pg_current_wal_lsn() AS primary_lsn \gset

-- the standby, once it has replayed what the primary wrote (bounded wait)
\c postgres - :standby_host :standby_port
SET standby.wait_for = :'primary_lsn';
DO $$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '120 seconds';
BEGIN
  WHILE coalesce(pg_last_wal_replay_lsn() < current_setting('standby.wait_for')::pg_lsn, true)
        AND clock_timestamp() < deadline LOOP
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;
SELECT pg_last_wal_replay_lsn() >= current_setting('standby.wait_for')::pg_lsn AS replayed;

\c sqlflow_standby - :standby_host :standby_port
SELECT pg_is_in_recovery() AS standby_in_recovery, current_setting('transaction_read_only') AS read_only,
       count(*) AS lineage_rows FROM lineage;
SELECT :digest = :'p_name_keys' AS same_name_keys
FROM (SELECT sqlflow_name_key(n) FROM unnest(ARRAY['"Emp"', '[Dept]', 'SCOTT', '"a.b"']) n) t;
-- the traces (in C from 1.3: no temporary tables), through the index
SET client_min_messages = debug1;
SELECT count(*) AS impact_rows FROM sqlflow_impact('lineage', 'scott.emp', 'sal');
RESET client_min_messages;
SELECT :digest = :'p_impact' AS same_impact FROM sqlflow_impact('lineage', 'scott.emp', 'sal') t;
SELECT :digest = :'p_provenance' AS same_provenance FROM sqlflow_provenance('lineage', 'vsal') t;
SELECT :digest = :'p_trace_job' AS same_trace_job
FROM sqlflow_trace_job('c359aef4bd9641d697732422debd8055', 'small_orders', direction => 'upstream') t;
-- the pictures
SELECT md5(sqlflow_dot(l)) = :'p_dot' AS same_dot, md5(sqlflow_mermaid(l)) = :'p_mermaid' AS same_mermaid,
       md5(sqlflow_dot_tables(l)) = :'p_dot_tables' AS same_dot_tables,
       md5(sqlflow_mermaid_tables(l)) = :'p_mermaid_tables' AS same_mermaid_tables
FROM lineage l;
-- lineage, an export and relationships, from the loopback server
SELECT :digest = :'p_lineage' AS same_lineage FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055') t;
SELECT md5(sqlflow_export('c359aef4bd9641d697732422debd8055', 'csv')) = :'p_export_csv' AS same_export;
SELECT :digest = :'p_relationships' AS same_relationships
FROM sqlflow_relationships(sqlflow_export_json('c359aef4bd9641d697732422debd8055')) t;
SELECT count(*) > 0 AS relationships_streamed FROM sqlflow_relationships('c359aef4bd9641d697732422debd8055');
SELECT jsonb_typeof(sqlflow_lineage_of('CREATE VIEW v AS SELECT a FROM t;') -> 'data') AS lineage_of;

-- writing is still refused here
CREATE TABLE nope (a int);

\c :regress_db - :primary_host :primary_port
DROP DATABASE sqlflow_standby;
