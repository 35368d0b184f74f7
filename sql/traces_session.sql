--
-- traces_session: what a session keeps between traces (the plans of the
-- lineage queries, the walk's memory) never changes an answer
--
CREATE TABLE ss_lineage AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
INSERT INTO ss_lineage (source_db, source_schema, source_table, source_column,
                        target_db, target_schema, target_table, target_column, relation_type, effect_type)
VALUES ('DEFAULT', 's0', 'a', 'x', 'DEFAULT', 's1', 'b', 'x', 'fdd', 'insert'),
       ('DEFAULT', 's1', 'b', 'x', 'DEFAULT', 's2', 'c', 'x', 'fdd', 'insert'),
       ('DEFAULT', 's2', 'c', 'x', 'DEFAULT', NULL, 'd', 'x', 'fdd', 'insert'),
       ('DEFAULT', NULL, 'd', 'x', 'DEFAULT', NULL, 'e', 'x', 'fdd', 'create_view');
CREATE INDEX ss_index ON ss_lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_column), sqlflow_name_key(source_schema));
-- the walk goes through nodes without a schema (d, e) as well
SELECT depth, path FROM sqlflow_impact('ss_lineage', 's0.a', 'x');
-- below, each trace as depth:object reached
CREATE FUNCTION ss_paths(lineage regclass, tbl text DEFAULT 's0.a', col text DEFAULT 'x')
RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(depth || ':' || path[array_upper(path, 1)], ' ' ORDER BY depth, path)
  FROM sqlflow_impact(lineage, tbl, col)
$$;
SELECT ss_paths('ss_lineage') AS first;
-- the same session, the same plans: new rows are seen
INSERT INTO ss_lineage VALUES ('DEFAULT', NULL, 'e', 'x', 'DEFAULT', 's9', 'f', 'x', 'fdd', 'insert');
SELECT ss_paths('ss_lineage') AS row_added;
-- at table level too, and upstream
SELECT count(*) AS table_level FROM sqlflow_impact('ss_lineage', 's0.a');
SELECT string_agg(depth || ':' || path[array_upper(path, 1)], ' ' ORDER BY depth, path) AS upstream
FROM sqlflow_provenance('ss_lineage', 'e', 'x');

-- renamed: the old relation answers as before under its new name, and a
-- new relation of the old name answers for itself (a kept plan never reads
-- another relation than the one asked)
ALTER TABLE ss_lineage RENAME TO ss_old;
CREATE TABLE ss_lineage AS SELECT * FROM ss_old WHERE target_table <> 'c';
SELECT ss_paths('ss_old') AS renamed, ss_paths('ss_lineage') AS new_of_old_name;
-- a schema renamed under the relation
CREATE SCHEMA ss_a;
ALTER TABLE ss_old SET SCHEMA ss_a;
SELECT ss_paths('ss_a.ss_old') AS moved;
ALTER SCHEMA ss_a RENAME TO ss_b;
SELECT ss_paths('ss_b.ss_old') AS schema_renamed;
-- dropped and made again under the same name
DROP TABLE ss_lineage;
CREATE TABLE ss_lineage AS SELECT * FROM ss_b.ss_old WHERE source_table <> 'd';
SELECT ss_paths('ss_lineage') AS recreated;
-- its index dropped, a column's type changed: planned again, same answers
DROP INDEX ss_b.ss_index;
SELECT ss_paths('ss_b.ss_old') AS index_dropped;
ALTER TABLE ss_b.ss_old ALTER COLUMN source_table TYPE varchar(100);
SELECT ss_paths('ss_b.ss_old') AS now_varchar;
-- another search_path between calls changes nothing
SET search_path = ss_b, pg_catalog, public;
SELECT public.ss_paths('ss_old') AS other_search_path;
RESET search_path;

-- privileges are checked on every call, not when the plan was made
CREATE ROLE ss_reader;
GRANT USAGE ON SCHEMA ss_b TO ss_reader;
GRANT SELECT ON ss_b.ss_old TO ss_reader;
SET ROLE ss_reader;
SELECT ss_paths('ss_b.ss_old') AS granted;
RESET ROLE;
REVOKE SELECT ON ss_b.ss_old FROM ss_reader;
SET ROLE ss_reader;
SELECT sqlflow_test_try($$SELECT ss_paths('ss_b.ss_old')$$) AS revoked;
RESET ROLE;
-- and row level security, switched on between two calls of one role
GRANT SELECT ON ss_b.ss_old TO ss_reader;
SET ROLE ss_reader;
SELECT ss_paths('ss_b.ss_old') AS before_policy;
RESET ROLE;
ALTER TABLE ss_b.ss_old ENABLE ROW LEVEL SECURITY;
CREATE POLICY ss_no_views ON ss_b.ss_old FOR SELECT TO ss_reader USING (effect_type <> 'create_view');
SET ROLE ss_reader;
SELECT ss_paths('ss_b.ss_old') AS under_policy;
RESET ROLE;
-- the owner is not bound by the policy
SELECT ss_paths('ss_b.ss_old') AS owner;
DROP POLICY ss_no_views ON ss_b.ss_old;
ALTER TABLE ss_b.ss_old DISABLE ROW LEVEL SECURITY;

-- more relations than the session keeps plans for: answers stay right
DO $$
BEGIN
  FOR i IN 1..70 LOOP
    EXECUTE format('CREATE TABLE ss_many_%s AS SELECT * FROM ss_b.ss_old WHERE target_table <> %L', i,
                   (ARRAY['c', 'd', 'e', 'f', 'none'])[1 + i % 5]);
  END LOOP;
END $$;
SELECT count(DISTINCT ss_paths(format('ss_many_%s', i)::regclass)) AS answers,
       bool_and(ss_paths(format('ss_many_%s', i)::regclass) =
                ss_paths(format('ss_many_%s', (i - 1) % 5 + 1)::regclass)) AS consistent
FROM generate_series(1, 70) i;

-- the walk's memory: kept by the session and emptied after every trace,
-- after one that fails part-way and after one inside another (500 rows
-- hit: far more than the 8 kB counted as in use)
CREATE TABLE ss_big AS
SELECT 'DEFAULT' AS source_db, 's' AS source_schema, 't0' AS source_table, 'x' AS source_column,
       'DEFAULT' AS target_db, 's' AS target_schema, 't' || i AS target_table, 'x' AS target_column,
       'fdd' AS relation_type, 'insert' AS effect_type
FROM generate_series(1, 500) i;
CREATE FUNCTION ss_kept_in_use() RETURNS boolean LANGUAGE sql AS $$
  SELECT total_bytes - free_bytes > 8192 FROM pg_backend_memory_contexts
  WHERE name = 'sqlflow trace (kept)'
$$;
SELECT count(*) AS hits FROM sqlflow_impact('ss_big', 's.t0', 'x');
SELECT ss_kept_in_use() AS in_use_after_a_trace;
CREATE VIEW ss_failing AS
SELECT source_db, source_schema, source_table, source_column, target_db, target_schema,
       CASE WHEN target_table = 't400' THEN (1 / 0)::text ELSE target_table END AS target_table,
       target_column, relation_type, effect_type
FROM ss_big;
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_impact('ss_failing', 's.t0', 'x')$$) AS fails_part_way;
SELECT ss_kept_in_use() AS in_use_after_a_failure;
SELECT count(*) AS hits_after_failure FROM sqlflow_impact('ss_big', 's.t0', 'x');
CREATE VIEW ss_nested AS
SELECT source_db, source_schema, source_table, source_column, target_db, target_schema,
       target_table, target_column, relation_type, effect_type
FROM sqlflow_trace('ss_big', 's.t0');
SELECT count(*) AS nested FROM sqlflow_impact('ss_nested', 's.t0', 'x');
SELECT ss_kept_in_use() AS in_use_after_nesting;

DROP VIEW ss_failing, ss_nested;
DO $$
BEGIN
  FOR i IN 1..70 LOOP
    EXECUTE format('DROP TABLE ss_many_%s', i);
  END LOOP;
END $$;
DROP TABLE ss_lineage, ss_big;
DROP SCHEMA ss_b CASCADE;
DROP FUNCTION ss_paths(regclass, text, text), ss_kept_in_use();
DROP ROLE ss_reader;
