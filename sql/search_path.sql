--
-- search_path: nothing the extension runs resolves a name through the
-- caller's search_path
--
-- An unprivileged role with CREATE on public plants closer overloads and
-- shadows of what the extension's SQL uses (search_path_plant.psql); then a
-- superuser calls every function of the extension on varchar data
-- (search_path_calls.psql) with search_path = public, pg_catalog, with
-- "$user", public, and with pg_catalog alone; public.planted_ran must never
-- have been advanced, and every answer must be the same in every run.  Then
-- the same in a database where the extension lives in a schema of its own.
\getenv sqlflow_url SQLFLOW_TEST_URL
\getenv sqlflow_ca SQLFLOW_TEST_CA
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS sqlflow_search_path_lin;
DROP ROLE IF EXISTS sqlflow_planter;

-- varchar data: a lineage table, a job list, a schema to submit
CREATE TABLE public.sp_answers (run text, call text, answer text);
CREATE TABLE public.sp_submitted (id text);
CREATE TABLE public.sp_jobs (id varchar);
INSERT INTO public.sp_jobs VALUES ('c359aef4bd9641d697732422debd8055');
CREATE TABLE public.vlineage AS
SELECT source_db::varchar, source_schema::varchar, source_table::varchar, source_column::varchar,
       target_db::varchar, target_schema::varchar, target_table::varchar, target_column::varchar,
       relation_type::varchar, effect_type::varchar
FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
CREATE SCHEMA sp_shop;
CREATE TABLE sp_shop.emp (empno varchar, ename varchar, sal varchar);
CREATE VIEW sp_shop.vemp AS SELECT lower(ename) AS name, sal || '$' AS pay FROM sp_shop.emp WHERE sal <> '0';
SELECT count(*) AS lineage_rows FROM public.vlineage;

CREATE ROLE sqlflow_planter NOLOGIN;
\i sql/search_path_plant.psql
SELECT count(*) AS planted_functions FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner = 'sqlflow_planter'::regrole;
SELECT count(*) AS planted_operators FROM pg_operator WHERE oprnamespace = 'public'::regnamespace AND oprowner = 'sqlflow_planter'::regrole;

-- the traps work: an unqualified caller is caught by each kind
SET search_path = public, pg_catalog;
SET sp.run = 'trap check';
SELECT lower('X'::text) AS shadowed_lower, 'a'::varchar = 'a'::varchar AS closer_equals;
SELECT is_called AS traps_caught_the_caller FROM public.planted_ran;
RESET search_path;
RESET sp.run;
SELECT setval('public.planted_ran', 1, false) AS reset;

\set ext public
SET search_path = public, pg_catalog;
\set run 'public, pg_catalog'
\i sql/search_path_calls.psql
SET search_path = "$user", public;
\set run '"$user", public'
\i sql/search_path_calls.psql
SET search_path = pg_catalog;
\set run 'pg_catalog'
\i sql/search_path_calls.psql
RESET search_path;

-- nothing planted ran
SELECT NOT is_called AS nothing_planted_ran FROM public.planted_ran;

-- every call answered in every run, the same each time
SELECT call, count(*) AS runs, count(DISTINCT answer) = 1 AS same_answer, bool_and(answer IS NOT NULL) AS answered
FROM public.sp_answers GROUP BY call ORDER BY call COLLATE "C";
SELECT run, call, answer FROM public.sp_answers
WHERE call IN ('sqlflow_wait', 'sqlflow_job', 'sqlflow_jobs', 'sqlflow_name_key', 'sqlflow_relationships(summary)', 'sqlflow_delete_job')
ORDER BY call COLLATE "C", run COLLATE "C";

-- every function of the extension was called (the aggregates' state and
-- final functions and their escaping helpers through the aggregates,
-- sqlflow_dependency_levels through sqlflow_database_sql; the guard's event
-- trigger function cannot be called, the guard suite fires it)
SELECT p.oid::regprocedure AS not_called
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqlflow_export'
WHERE p.proname NOT IN (SELECT DISTINCT split_part(split_part(call, ' ', 1), '(', 1) FROM public.sp_answers)
  AND p.proname !~ '^sqlflow_(edge_collect|lineage_json_collect|.*_final|dot_html|dot_string|mermaid_text|dependency_levels|guard_ddl)$'
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT string_agg(call || '=' || answer, E'\n' ORDER BY call COLLATE "C") AS reference_answers
FROM public.sp_answers WHERE run = 'pg_catalog' \gset

-- the extension in a schema of its own, in a fresh database
CREATE DATABASE sqlflow_search_path_lin TEMPLATE template0;
\c sqlflow_search_path_lin
SET client_min_messages = warning;
CREATE SCHEMA lin;
CREATE EXTENSION sqlflow_export SCHEMA lin;
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
CREATE TABLE public.sp_answers (run text, call text, answer text);
CREATE TABLE public.sp_submitted (id text);
CREATE TABLE public.sp_jobs (id varchar);
INSERT INTO public.sp_jobs VALUES ('c359aef4bd9641d697732422debd8055');
CREATE TABLE public.vlineage AS
SELECT source_db::varchar, source_schema::varchar, source_table::varchar, source_column::varchar,
       target_db::varchar, target_schema::varchar, target_table::varchar, target_column::varchar,
       relation_type::varchar, effect_type::varchar
FROM lin.sqlflow_lineage('c359aef4bd9641d697732422debd8055');
CREATE SCHEMA sp_shop;
CREATE TABLE sp_shop.emp (empno varchar, ename varchar, sal varchar);
CREATE VIEW sp_shop.vemp AS SELECT lower(ename) AS name, sal || '$' AS pay FROM sp_shop.emp WHERE sal <> '0';
\i sql/search_path_plant.psql
\set ext lin
SET search_path = pg_catalog;
\set run 'pg_catalog'
\i sql/search_path_calls.psql
SET search_path = public, pg_catalog;
\set run 'public, pg_catalog'
\i sql/search_path_calls.psql
RESET search_path;
SELECT NOT is_called AS nothing_planted_ran_lin FROM public.planted_ran;
-- the answers of the extension in public
SELECT run, count(*) AS calls,
       string_agg(call || '=' || answer, E'\n' ORDER BY call COLLATE "C") = :'reference_answers' AS same_as_in_public
FROM public.sp_answers GROUP BY run ORDER BY run COLLATE "C";
SELECT a.call, a.answer AS in_lin, r.answer AS in_public
FROM public.sp_answers a
LEFT JOIN (SELECT split_part(l, '=', 1) AS call, substr(l, strpos(l, '=') + 1) AS answer
           FROM unnest(string_to_array(:'reference_answers', E'\n')) l) r ON r.call = a.call
WHERE a.run = 'pg_catalog' AND r.answer IS DISTINCT FROM a.answer
ORDER BY a.call COLLATE "C";

\c :regress_db
SET client_min_messages = warning;
DROP DATABASE sqlflow_search_path_lin;
DROP OWNED BY sqlflow_planter;
DROP ROLE sqlflow_planter;
DROP SCHEMA sp_shop CASCADE;
DROP TABLE public.sp_answers, public.sp_submitted, public.sp_jobs, public.vlineage;
