--
-- traces_readonly: traces only read, and resolve nothing at run time
--
CREATE TABLE ro_lineage AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
INSERT INTO ro_lineage (source_db, source_schema, source_table, source_column,
                        target_db, target_schema, target_table, target_column, relation_type, effect_type)
VALUES ('DEFAULT', 'raw', 'orders', 'amount', 'DEFAULT', 'stage', 'orders_clean', 'amount', 'fdd', 'insert'),
       ('DEFAULT', 'raw', 'orders', 'customer', 'DEFAULT', 'stage', 'orders_clean', 'customer', 'fdd', 'insert'),
       ('DEFAULT', 'stage', 'orders_clean', 'amount', 'DEFAULT', 'mart', 'revenue', 'total_eur', 'fdd', 'insert'),
       ('DEFAULT', 'mart', 'revenue', 'total_eur', 'DEFAULT', 'MART', '"REVENUE"', 'TOTAL_EUR', 'fdd', 'insert'),
       ('DEFAULT', 'mart', 'revenue', 'total_eur', 'DEFAULT', 'report', 'kpi', 'eur', 'fdd', 'create_view'),
       ('DEFAULT', 'stage', 'orders_clean', 'customer', 'DEFAULT', 'report', 'kpi', 'customers', 'fdd', 'create_view');
CREATE INDEX ON ro_lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_column), sqlflow_name_key(source_schema));
CREATE INDEX ON ro_lineage (sqlflow_name_key(target_table), sqlflow_name_key(target_column), sqlflow_name_key(target_schema));
-- the answer every case below must give
CREATE TABLE ro_expected AS SELECT * FROM sqlflow_impact('ro_lineage', 'raw.orders');
SELECT count(*) AS relations, max(depth) AS deepest FROM ro_expected;
CREATE FUNCTION ro_same(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE same boolean;
BEGIN
  EXECUTE format('SELECT (SELECT array_agg(t::text ORDER BY t::text) FROM (%s) t)
                       = (SELECT array_agg(e::text ORDER BY e::text) FROM ro_expected e)', q) INTO same;
  RETURN same;
END $$;

-- markings: stable and parallel restricted (the lineage may be a temp
-- table, which a parallel worker cannot read); no SET clause
SELECT p.oid::regprocedure AS function, provolatile, proparallel, proconfig, l.lanname
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE proname IN ('sqlflow_trace', 'sqlflow_impact', 'sqlflow_provenance', 'sqlflow_trace_job')
ORDER BY p.oid::regprocedure::text;

-- in a READ ONLY transaction
BEGIN READ ONLY;
SELECT ro_same($$SELECT * FROM sqlflow_impact('ro_lineage', 'raw.orders')$$) AS read_only;
SELECT count(*) AS upstream FROM sqlflow_trace('ro_lineage', 'report.kpi', 'eur', 'upstream');
COMMIT;

-- a role without TEMP on the database, whose transactions are read only
CREATE ROLE ro_tracer LOGIN;
GRANT SELECT ON ro_lineage, ro_expected TO ro_tracer;
ALTER ROLE ro_tracer SET default_transaction_read_only = on;
SELECT current_database() AS db, current_user AS me \gset
REVOKE TEMPORARY ON DATABASE :"db" FROM PUBLIC;
\c - ro_tracer
SHOW default_transaction_read_only;
SELECT has_database_privilege(current_database(), 'TEMPORARY') AS may_create_temp;
SELECT ro_same($$SELECT * FROM sqlflow_impact('ro_lineage', 'raw.orders')$$) AS without_temp;
SELECT sqlflow_test_try($$CREATE TEMP TABLE t (x int)$$);
\c - :"me"
GRANT TEMPORARY ON DATABASE :"db" TO PUBLIC;

-- nested: a trace over a view whose definition itself calls sqlflow_trace
CREATE VIEW ro_nested AS
SELECT source_db, source_schema, source_table, source_column, target_db, target_schema,
       target_table, target_column, relation_type, effect_type
FROM sqlflow_trace('ro_lineage', 'raw.orders');
SELECT ro_same($$SELECT * FROM sqlflow_impact('ro_nested', 'raw.orders')$$) AS nested;
-- and a trace inside a function called by a trace's lineage
SELECT count(*) AS nested_upstream FROM sqlflow_provenance('ro_nested', 'report.kpi');

-- in LATERAL, one trace per row of the outer side
SELECT s.t, count(i.depth) AS relations
FROM (VALUES ('raw.orders'), ('stage.orders_clean'), ('mart.revenue'), ('report.kpi')) s(t)
LEFT JOIN LATERAL sqlflow_impact('ro_lineage', s.t) i ON true
GROUP BY 1 ORDER BY 1;
-- twice in one query, joined
SELECT count(*) AS pairs
FROM sqlflow_impact('ro_lineage', 'raw.orders') d
JOIN sqlflow_provenance('ro_lineage', 'report.kpi') u
  ON d.target_table = u.target_table AND d.target_column = u.target_column;
SELECT (SELECT count(*) FROM sqlflow_impact('ro_lineage', 'raw.orders', 'amount')) AS down,
       (SELECT count(*) FROM sqlflow_provenance('ro_lineage', 'report.kpi', 'eur')) AS up;

-- a temp table of the user's named as 1.2's was is left alone
CREATE TEMP TABLE sqlflow_trace_hits (mine text);
INSERT INTO sqlflow_trace_hits VALUES ('keep me');
SELECT ro_same($$SELECT * FROM sqlflow_impact('ro_lineage', 'raw.orders')$$) AS beside_temp_table;
SELECT * FROM sqlflow_trace_hits;
DROP TABLE sqlflow_trace_hits;

-- search_path: a planted sqlflow_name_key(varchar) beside the extension's,
-- one in a schema first on the path, and a planted = for text: none runs
CREATE TABLE ro_varchar (source_db varchar, source_schema varchar, source_table varchar(64),
                         source_column varchar, target_db varchar, target_schema varchar,
                         target_table varchar, target_column varchar, relation_type varchar,
                         effect_type varchar);
INSERT INTO ro_varchar SELECT source_db, source_schema, source_table, source_column, target_db,
  target_schema, target_table, target_column, relation_type, effect_type FROM ro_lineage;
CREATE INDEX ro_varchar_key ON ro_varchar (sqlflow_name_key(source_table), sqlflow_name_key(source_column), sqlflow_name_key(source_schema));
CREATE FUNCTION public.sqlflow_name_key(varchar) RETURNS text LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'planted sqlflow_name_key(varchar) ran'; END $$;
CREATE SCHEMA planted;
CREATE FUNCTION planted.sqlflow_name_key(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'planted sqlflow_name_key(text) ran'; END $$;
CREATE FUNCTION planted.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'planted = ran'; END $$;
CREATE OPERATOR planted.= (LEFTARG = text, RIGHTARG = text, FUNCTION = planted.text_eq);
CREATE FUNCTION planted.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'planted unnest ran'; END $$;
SET search_path = planted, public, pg_catalog;
SELECT ro_same($$SELECT * FROM public.sqlflow_impact('public.ro_varchar', 'raw.orders')$$) AS varchar_planted;
SELECT ro_same($$SELECT * FROM public.sqlflow_impact('public.ro_lineage', 'raw.orders')$$) AS text_planted;
SELECT count(*) AS column_level FROM public.sqlflow_trace('public.ro_varchar', 'raw.orders', 'amount');
RESET search_path;
DROP SCHEMA planted CASCADE;
DROP FUNCTION public.sqlflow_name_key(varchar);

-- a relation without a lineage's columns, or with other types
CREATE TABLE ro_bad (source_db text, source_schema text, source_table text);
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_impact('ro_bad', 'raw.orders')$$);
CREATE TABLE ro_int AS SELECT * FROM ro_lineage WITH NO DATA;
ALTER TABLE ro_int ALTER COLUMN target_column TYPE integer USING NULL;
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_impact('ro_int', 'raw.orders')$$);
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_impact(NULL, 'raw.orders')$$);
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_trace('ro_lineage', 'raw.orders', direction => NULL)$$);
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_trace('ro_lineage', 'raw.orders', max_depth => NULL)$$);
-- a temp lineage table
CREATE TEMP TABLE ro_temp AS SELECT * FROM ro_lineage;
SELECT ro_same($$SELECT * FROM sqlflow_impact('ro_temp', 'raw.orders')$$) AS temp_lineage;

DROP VIEW ro_nested;
DROP TABLE ro_lineage, ro_expected, ro_varchar, ro_bad, ro_int, ro_temp;
DROP FUNCTION ro_same(text);
DROP ROLE ro_tracer;
