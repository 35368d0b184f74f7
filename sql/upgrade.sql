--
-- upgrade: the oldest version and the one before the newest, upgraded in
-- place, each equal a fresh install
--
-- A database gets version 1.0 with a server, a user mapping and a table
-- filled from sqlflow_lineage; ALTER EXTENSION ... UPDATE brings it to the
-- newest version; then its extension objects, their definitions and
-- comments must be those of a fresh install, and exports must still work.
-- A second database does the same from 1.2, with an expression index on
-- sqlflow_name_key (as the README recommends) that must survive the update
-- and still answer.
\getenv sqlflow_url SQLFLOW_TEST_URL
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS sqlflow_upgraded;
DROP DATABASE IF EXISTS sqlflow_fresh;
DROP DATABASE IF EXISTS sqlflow_from_1_2;
RESET client_min_messages;
CREATE DATABASE sqlflow_upgraded TEMPLATE template0;
CREATE DATABASE sqlflow_fresh TEMPLATE template0;
CREATE DATABASE sqlflow_from_1_2 TEMPLATE template0;

-- what an extension install consists of, one line per object
\set describe 'SELECT string_agg(d, E''\n'' ORDER BY d) AS objects FROM (SELECT pg_describe_object(dep.classid, dep.objid, 0) || coalesce('' = '' || CASE WHEN dep.classid = ''pg_proc''::regclass AND p.prokind <> ''a'' THEN pg_get_functiondef(dep.objid) || coalesce(p.proconfig::text, '''') || p.provolatile::text || p.proparallel::text || p.prorows::text || p.procost::text WHEN dep.classid = ''pg_proc''::regclass THEN (SELECT ag.aggtransfn::text || '' '' || ag.aggfinalfn::text || '' '' || coalesce(ag.agginitval, '''') || '' '' || format_type(ag.aggtranstype, NULL) FROM pg_aggregate ag WHERE ag.aggfnoid = dep.objid) WHEN dep.classid = ''pg_type''::regclass THEN (SELECT string_agg(a.attname || '' '' || format_type(a.atttypid, a.atttypmod), '', '' ORDER BY a.attnum) FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid WHERE t.oid = dep.objid) END, '''') || coalesce('' -- '' || obj_description(dep.objid, dep.classid::regclass::name), '''') AS d FROM pg_depend dep JOIN pg_extension e ON e.oid = dep.refobjid AND e.extname = ''sqlflow_export'' LEFT JOIN pg_proc p ON dep.classid = ''pg_proc''::regclass AND p.oid = dep.objid WHERE dep.refclassid = ''pg_extension''::regclass AND dep.deptype = ''e'') x'

\c sqlflow_fresh
CREATE EXTENSION sqlflow_export;
SELECT e.extversion = a.default_version AS fresh_is_default_version
FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'sqlflow_export';
:describe \gset fresh_
-- (functions only: from PostgreSQL 17 the array type of a member type is a member too)
SELECT count(*) AS fresh_functions FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname = 'sqlflow_export' AND d.deptype = 'e' AND d.classid = 'pg_proc'::regclass;

\c sqlflow_upgraded
CREATE EXTENSION sqlflow_export VERSION '1.0';
SELECT extversion AS installed_version FROM pg_extension WHERE extname = 'sqlflow_export';
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
CREATE TABLE lineage AS SELECT * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
SELECT count(*) AS rows_before FROM lineage;
-- the newest library serves the oldest SQL
SELECT count(*) AS relationships_1_0 FROM sqlflow_relationships(sqlflow_export_json('c359aef4bd9641d697732422debd8055'));
ALTER EXTENSION sqlflow_export UPDATE;
SELECT e.extversion = a.default_version AS updated_to_default_version
FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'sqlflow_export';
:describe \gset upgraded_
SELECT :'upgraded_objects' = :'fresh_objects' AS same_objects_and_definitions;
-- if not, what differs
SELECT u AS only_after_upgrade FROM unnest(string_to_array(:'upgraded_objects', E'\n')) u
EXCEPT SELECT unnest(string_to_array(:'fresh_objects', E'\n'));
SELECT f AS only_in_fresh_install FROM unnest(string_to_array(:'fresh_objects', E'\n')) f
EXCEPT SELECT unnest(string_to_array(:'upgraded_objects', E'\n'));
-- what was there is still there and works
SELECT srvname, srvoptions[1] LIKE 'api_url=http://127.0.0.1:%' AS options_kept FROM pg_foreign_server WHERE srvname = 'sqlflow';
SELECT count(*) AS rows_kept FROM lineage;
SELECT count(*) = (SELECT count(*) FROM lineage) AS same_rows FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
SELECT count(*) AS relationships_1_1 FROM sqlflow_relationships(sqlflow_export_json('c359aef4bd9641d697732422debd8055'));


-- from 1.2, with a user's expression index on sqlflow_name_key
\c sqlflow_from_1_2
CREATE EXTENSION sqlflow_export VERSION '1.2';
SELECT extversion AS installed_version FROM pg_extension WHERE extname = 'sqlflow_export';
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
CREATE TABLE lineage AS SELECT * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
CREATE INDEX lineage_source_key ON lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_column));
SELECT count(*) AS impact_1_2 FROM sqlflow_impact('lineage', 'scott.emp', 'sal');
ALTER EXTENSION sqlflow_export UPDATE;
SELECT e.extversion = a.default_version AS updated_to_default_version
FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'sqlflow_export';
:describe \gset from_1_2_
SELECT :'from_1_2_objects' = :'fresh_objects' AS same_objects_and_definitions;
SELECT u AS only_after_upgrade FROM unnest(string_to_array(:'from_1_2_objects', E'\n')) u
EXCEPT SELECT unnest(string_to_array(:'fresh_objects', E'\n'));
SELECT f AS only_in_fresh_install FROM unnest(string_to_array(:'fresh_objects', E'\n')) f
EXCEPT SELECT unnest(string_to_array(:'from_1_2_objects', E'\n'));
-- the index is still there, still valid, and gives the rows a scan gives
SELECT indisvalid AS index_valid FROM pg_index WHERE indexrelid = 'lineage_source_key'::regclass;
SET enable_seqscan = off;
SELECT count(*) AS by_index FROM lineage WHERE sqlflow_name_key(source_table) = 'emp' AND sqlflow_name_key(source_column) = 'sal';
RESET enable_seqscan;
SET enable_indexscan = off; SET enable_bitmapscan = off;
SELECT count(*) AS by_scan FROM lineage WHERE sqlflow_name_key(source_table) = 'emp' AND sqlflow_name_key(source_column) = 'sal';
RESET enable_indexscan; RESET enable_bitmapscan;
SELECT count(*) AS impact_1_3 FROM sqlflow_impact('lineage', 'scott.emp', 'sal');

\c :regress_db
DROP DATABASE sqlflow_upgraded;
DROP DATABASE sqlflow_fresh;
DROP DATABASE sqlflow_from_1_2;
