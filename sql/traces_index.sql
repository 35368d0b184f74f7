--
-- traces_index: a trace over a table probes its index directly (a DEBUG1
-- line names the index) where that gives what the query would, and runs
-- the query otherwise; the rows are the same either way (compared with a
-- trace over a view of the same rows, which always runs the query)
--
\getenv pghost PGHOST
\getenv pgport PGPORT
CREATE SCHEMA ti;
CREATE TABLE ti.lin WITH (fillfactor = 50) AS
SELECT 'DEFAULT' AS source_db, 'S' || (i % 3) AS source_schema, 'T' || (i % 7) AS source_table,
       'C' || (i % 4) AS source_column,
       'DEFAULT' AS target_db, CASE WHEN i % 11 = 0 THEN NULL ELSE 'S' || ((i + 1) % 3) END AS target_schema,
       'T' || ((i * 3 + 1) % 7) AS target_table, 'C' || ((i + 1) % 4) AS target_column,
       'fdd' AS relation_type, 'insert' AS effect_type
FROM generate_series(0, 199) i;
CREATE VIEW ti.lin_view AS SELECT * FROM ti.lin;
-- the rows of a trace as one value, to compare
CREATE FUNCTION ti.rows(rel regclass, t text, c text, dir text) RETURNS text[]
LANGUAGE sql STABLE
RETURN (SELECT coalesce(array_agg(x::text ORDER BY o), '{}')
        FROM sqlflow_trace(rel, t, c, dir, 10) WITH ORDINALITY AS x(depth, source_db, source_schema,
             source_table, source_column, target_db, target_schema, target_table, target_column,
             relation_type, effect_type, path, o));
CREATE FUNCTION ti.same(rel regclass) RETURNS TABLE (traces bigint, same bigint, rows bigint)
LANGUAGE sql STABLE
RETURN (SELECT ROW(count(*), count(*) FILTER (WHERE ti.rows(rel, t, c, dir) = ti.rows('ti.lin_view', t, c, dir)),
                   sum(cardinality(ti.rows('ti.lin_view', t, c, dir))))
        FROM (VALUES ('S0.T1'), ('t2'), ('"T3"'), ('s1.[t4]')) ts(t), (VALUES (NULL), ('c1'), ('C2')) cs(c),
             (VALUES ('downstream'), ('upstream')) ds(dir));

-- no index: the query
SET client_min_messages = debug1;
SELECT count(*) AS no_index FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
RESET client_min_messages;

-- indexes that cannot answer: on plain columns, partial, on another
-- schema's sqlflow_name_key (whatever it computes), in an operator class
-- whose comparison is someone else's function (the probe would run it)
CREATE INDEX ti_plain ON ti.lin (source_table, source_column, source_schema);
CREATE INDEX ti_partial ON ti.lin (sqlflow_name_key(source_table)) WHERE source_db IS NOT NULL;
CREATE FUNCTION ti.sqlflow_name_key(text) RETURNS text LANGUAGE sql IMMUTABLE RETURN upper($1);
CREATE INDEX ti_other ON ti.lin (ti.sqlflow_name_key(source_table));
CREATE FUNCTION ti.cmp(text, text) RETURNS int LANGUAGE sql IMMUTABLE RETURN pg_catalog.bttextcmp($1, $2);
CREATE OPERATOR CLASS ti.other_ops FOR TYPE text USING btree AS
  OPERATOR 1 pg_catalog.<, OPERATOR 2 pg_catalog.<=, OPERATOR 3 pg_catalog.=,
  OPERATOR 4 pg_catalog.>=, OPERATOR 5 pg_catalog.>, FUNCTION 1 ti.cmp(text, text);
CREATE INDEX ti_other_ops ON ti.lin (sqlflow_name_key(source_table) ti.other_ops);
SET client_min_messages = debug1;
SELECT count(*) AS not_usable FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
RESET client_min_messages;
DROP INDEX ti.ti_plain, ti.ti_partial, ti.ti_other, ti.ti_other_ops;
-- text_pattern_ops is text's own
CREATE INDEX ti_pattern ON ti.lin (sqlflow_name_key(source_table) text_pattern_ops);
SET client_min_messages = debug1;
SELECT count(*) AS pattern_ops FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
RESET client_min_messages;
DROP INDEX ti.ti_pattern;

-- the README's indexes; a table-level trace prefers the schema key next
-- to the table key, a column-level one the column key
CREATE INDEX ti_src ON ti.lin (sqlflow_name_key(source_table), sqlflow_name_key(source_column), sqlflow_name_key(source_schema));
CREATE INDEX ti_tgt ON ti.lin (sqlflow_name_key(target_table), sqlflow_name_key(target_column), sqlflow_name_key(target_schema));
CREATE INDEX ti_src_tables ON ti.lin (sqlflow_name_key(source_table), sqlflow_name_key(source_schema));
SET client_min_messages = debug1;
SELECT count(*) AS column_level FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
SELECT count(*) AS table_level FROM sqlflow_impact('ti.lin', 'S0.T1');
SELECT count(*) AS upstream FROM sqlflow_provenance('ti.lin', 'S0.T1', 'C1');
RESET client_min_messages;
SELECT * FROM ti.same('ti.lin');

-- a probe reads the heap a page at a time, under the statement's snapshot:
-- rows updated in place (HOT chains: the table leaves room on its pages),
-- updated with new index entries, deleted and inserted in this transaction
-- are seen as the query sees them; so are the rolled-back versions left on
-- the pages afterwards
BEGIN;
UPDATE ti.lin SET relation_type = 'fdr' WHERE source_table IN ('T1', 'T2');
UPDATE ti.lin SET target_table = 'T4' WHERE source_table = 'T3' AND source_column = 'C2';
DELETE FROM ti.lin WHERE source_schema = 'S2' AND source_table = 'T1';
INSERT INTO ti.lin
SELECT source_db, source_schema, source_table, 'C9', target_db, target_schema, target_table, 'C1', 'fdd', 'insert'
FROM ti.lin WHERE source_table = 'T2';
SELECT pg_stat_get_xact_tuples_hot_updated('ti.lin'::regclass) > 0 AS some_hot,
       pg_stat_get_xact_tuples_updated('ti.lin'::regclass)
         > pg_stat_get_xact_tuples_hot_updated('ti.lin'::regclass) AS some_not_hot;
SELECT * FROM ti.same('ti.lin');
ROLLBACK;
SELECT * FROM ti.same('ti.lin');
-- a node with more rows than a probe reads index entries at a time (256),
-- over several pages, their index order not theirs
INSERT INTO ti.lin
SELECT 'DEFAULT', 'S0', 'BIG', 'K' || i, 'DEFAULT', 'S1', 'T' || (i % 7), 'C' || (i % 4), 'fdd', 'insert'
FROM generate_series(1, 700) i;
SELECT cardinality(ti.rows('ti.lin', 'S0.BIG', NULL, 'downstream')) AS big_node_rows,
       ti.rows('ti.lin', 'S0.BIG', NULL, 'downstream')
         = ti.rows('ti.lin_view', 'S0.BIG', NULL, 'downstream') AS same;
DELETE FROM ti.lin WHERE source_table = 'BIG';

-- READ ONLY, twice in one query, in LATERAL, under a cursor while
-- another trace runs
BEGIN READ ONLY;
SELECT count(*) AS read_only FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
COMMIT;
SELECT (SELECT count(*) FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1')) AS a,
       (SELECT count(*) FROM sqlflow_impact('ti.lin', 'S1.T2', 'C2')) AS b,
       (SELECT count(*) FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1') x,
                             sqlflow_impact('ti.lin', 'S1.T2', 'C2') y) AS a_times_b;
SELECT s.t, count(x.*) AS hits
FROM (VALUES ('S0.T1'), ('S1.T2'), ('S2.T3')) s(t)
LEFT JOIN LATERAL sqlflow_impact('ti.lin', s.t, 'C1') x ON true GROUP BY s.t ORDER BY s.t;
SELECT depth, path FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1', 2);
BEGIN;
DECLARE ti_c CURSOR FOR SELECT depth, path FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1', 2);
FETCH 2 FROM ti_c;
SELECT count(*) AS meanwhile FROM sqlflow_impact('ti.lin', 'S1.T2', 'C2');
FETCH ALL FROM ti_c;
COMMIT;
-- the rows' kept memory is empty once the query is over, also after an error
CREATE FUNCTION ti.rows_in_use() RETURNS boolean LANGUAGE sql AS $$
  SELECT total_bytes - free_bytes > 8192 FROM pg_backend_memory_contexts
  WHERE name = 'sqlflow trace rows (kept)'
$$;
SELECT count(*) AS hits FROM sqlflow_impact('ti.lin', 'S0.T1');
SELECT ti.rows_in_use() AS rows_in_use_after_a_trace;
SELECT sqlflow_test_try($$SELECT (1 / (count(*) - count(*)))::text FROM sqlflow_impact('ti.lin', 'S0.T1')$$) AS fails_after;
SELECT ti.rows_in_use() AS rows_in_use_after_an_error;

-- sqlflow.trace_kept_memory: what a session keeps between traces, half
-- for the walk and half for the rows; 0 keeps nothing
SET sqlflow.trace_kept_memory = 0;
SELECT count(*) AS nothing_kept FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
SELECT count(*) AS kept_contexts FROM pg_backend_memory_contexts WHERE name LIKE 'sqlflow trace%(kept)';
SET sqlflow.trace_kept_memory = '1MB';
SELECT count(*) AS one_mb_kept FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
SELECT name, total_bytes FROM pg_backend_memory_contexts WHERE name LIKE 'sqlflow trace%(kept)' ORDER BY name;
RESET sqlflow.trace_kept_memory;

-- statement_timeout stops a trace in the index probes (a chain of 50,000
-- tables, one probe per table), and the next trace is whole
CREATE TABLE ti.chain AS
SELECT 'DEFAULT' AS source_db, 's' AS source_schema, 't' || i AS source_table, 'c' AS source_column,
       'DEFAULT' AS target_db, 's' AS target_schema, 't' || (i + 1) AS target_table, 'c' AS target_column,
       'fdd' AS relation_type, 'insert' AS effect_type
FROM generate_series(1, 50000) i;
CREATE INDEX ti_chain ON ti.chain (sqlflow_name_key(source_table), sqlflow_name_key(source_schema), sqlflow_name_key(source_column));
ANALYZE ti.chain;
SET statement_timeout = '20ms';
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_impact('ti.chain', 's.t1', 'c', 100000)$$) AS timed_out;
RESET statement_timeout;
SELECT count(*) AS after_timeout, max(depth) AS deepest FROM sqlflow_impact('ti.chain', 's.t49990', 'c', 100000);
SELECT ti.rows_in_use() AS rows_in_use_after_a_timeout;

-- row-level security that applies, column privileges only, inheritance
-- children: the query (which applies them)
CREATE ROLE ti_reader;
GRANT USAGE ON SCHEMA ti TO ti_reader;
GRANT SELECT ON ti.lin TO ti_reader;
ALTER TABLE ti.lin ENABLE ROW LEVEL SECURITY;
CREATE POLICY ti_s0 ON ti.lin FOR SELECT TO ti_reader USING (source_schema <> 'S0');
SET client_min_messages = debug1;
SELECT count(*) AS owner_not_subject FROM sqlflow_impact('ti.lin', 'S1.T2', 'C2');
SET ROLE ti_reader;
SELECT count(*) AS under_policy FROM sqlflow_impact('ti.lin', 'S1.T2', 'C2');
RESET ROLE;
RESET client_min_messages;
DROP POLICY ti_s0 ON ti.lin;
ALTER TABLE ti.lin DISABLE ROW LEVEL SECURITY;
REVOKE SELECT ON ti.lin FROM ti_reader;
GRANT SELECT (source_db, source_schema, source_table, source_column, target_db, target_schema,
              target_table, target_column, relation_type, effect_type) ON ti.lin TO ti_reader;
SET client_min_messages = debug1;
SET ROLE ti_reader;
SELECT count(*) AS column_privileges FROM sqlflow_impact('ti.lin', 'S1.T2', 'C2');
RESET ROLE;
RESET client_min_messages;
CREATE TABLE ti.lin_more () INHERITS (ti.lin);
INSERT INTO ti.lin_more SELECT * FROM ti.lin WHERE source_table = 'T1';
SET client_min_messages = debug1;
SELECT count(*) AS with_children FROM sqlflow_impact('ti.lin', 'S0.T1', 'C1');
RESET client_min_messages;
SELECT * FROM ti.same('ti.lin');
DROP TABLE ti.lin_more;

-- another session's temporary table (with the README's index): not
-- probed; the query refuses it (0A000, "cannot access temporary tables of
-- other sessions"; the SQLSTATE only, the wording may differ by major)
CREATE EXTENSION dblink;
SELECT dblink_connect('ti_other', format('host=%s port=%s dbname=%s user=postgres', :'pghost', :'pgport', current_database())) AS other_session;
SELECT dblink_exec('ti_other', $$CREATE TEMP TABLE lin AS SELECT * FROM ti.lin$$) AS other_temp_table;
SELECT dblink_exec('ti_other', $$CREATE INDEX ON lin (sqlflow_name_key(source_table), sqlflow_name_key(source_column), sqlflow_name_key(source_schema))$$) AS other_temp_index;
SELECT temp_lin FROM dblink('ti_other', $$SELECT pg_my_temp_schema()::regnamespace::text || '.lin'$$) AS t(temp_lin text) \gset
SET client_min_messages = debug1;
SELECT split_part(sqlflow_test_try(format('SELECT count(*) FROM sqlflow_impact(%L, %L, %L)', :'temp_lin', 'S0.T1', 'C1')), ':', 1)
       AS other_sessions_temp;
RESET client_min_messages;
SELECT dblink_disconnect('ti_other');
DROP EXTENSION dblink;

-- a materialized view: probed when populated; not populated, the query's error
CREATE MATERIALIZED VIEW ti.lin_mv AS SELECT * FROM ti.lin;
CREATE INDEX ti_mv_src ON ti.lin_mv (sqlflow_name_key(source_table), sqlflow_name_key(source_column), sqlflow_name_key(source_schema));
SET client_min_messages = debug1;
SELECT count(*) AS matview FROM sqlflow_impact('ti.lin_mv', 'S0.T1', 'C1');
RESET client_min_messages;
REFRESH MATERIALIZED VIEW ti.lin_mv WITH NO DATA;
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_impact('ti.lin_mv', 'S0.T1', 'C1')$$) AS not_populated;

-- varchar columns: the index on sqlflow_name_key(varchar column) answers
CREATE TABLE ti.lin_vc (source_db varchar, source_schema varchar, source_table varchar(40),
  source_column varchar, target_db varchar, target_schema varchar, target_table varchar,
  target_column varchar, relation_type varchar, effect_type varchar);
INSERT INTO ti.lin_vc SELECT * FROM ti.lin;
CREATE INDEX ti_vc_src ON ti.lin_vc (sqlflow_name_key(source_table), sqlflow_name_key(source_column), sqlflow_name_key(source_schema));
SET client_min_messages = debug1;
SELECT count(*) AS varchar_columns FROM sqlflow_impact('ti.lin_vc', 'S0.T1', 'C1');
RESET client_min_messages;
SELECT * FROM ti.same('ti.lin_vc');

SET client_min_messages = warning;
DROP SCHEMA ti CASCADE;
RESET client_min_messages;
DROP ROLE ti_reader;
