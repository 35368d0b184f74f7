/* sqlflow_export--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.3'" to load this file. \quit

-- Each part below belongs to one change; keep them apart (merges).

-- == name keys and traces (read-only, in C) ==================================

-- sqlflow_name_key keeps its name and signature (and stays IMMUTABLE), so
-- expression indexes on it stay valid; the traces stop being PL/pgSQL.

-- How names are matched: as SQLFlow writes them, compared without case and
-- without surrounding double quotes (or brackets), so EMP, emp and "EMP" are
-- one name; DEFAULT (an unknown database or schema) is a name like any other
-- inside the lineage, and a wildcard in what you ask for.  The traces only
-- read: their state is in memory, the lineage is read one query per depth.
CREATE OR REPLACE FUNCTION sqlflow_name_key(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_name_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_name_key(text) IS
'the form in which sqlflow traces compare a name: lower case, without surrounding double quotes or brackets (index lineage tables on it)';

CREATE OR REPLACE FUNCTION sqlflow_trace(lineage regclass,
                              table_name text,
                              column_name text DEFAULT NULL,
                              direction text DEFAULT 'downstream',
                              max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
AS 'MODULE_PATHNAME', 'sqlflow_trace'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION sqlflow_trace(regclass, text, text, text, integer) IS
'walks a lineage table (sqlflow_lineage''s columns) from a table or column, downstream (impact) or upstream (provenance), to max_depth; one row per relation reached, with its depth and the path from the start; cycles end; only reads';

CREATE OR REPLACE FUNCTION sqlflow_impact(lineage regclass, table_name text,
                               column_name text DEFAULT NULL, max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
AS 'MODULE_PATHNAME', 'sqlflow_impact'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION sqlflow_impact(regclass, text, text, integer) IS
'what depends on a table or column: sqlflow_trace downstream';

CREATE OR REPLACE FUNCTION sqlflow_provenance(lineage regclass, table_name text,
                                   column_name text DEFAULT NULL, max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
AS 'MODULE_PATHNAME', 'sqlflow_provenance'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION sqlflow_provenance(regclass, text, text, integer) IS
'where a table or column comes from: sqlflow_trace upstream';

CREATE OR REPLACE FUNCTION sqlflow_trace_job(job_id text, table_name text,
                                  column_name text DEFAULT NULL,
                                  direction text DEFAULT 'downstream',
                                  max_depth integer DEFAULT 10,
                                  server text DEFAULT NULL)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
AS 'MODULE_PATHNAME', 'sqlflow_trace_job'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_trace_job(text, text, text, text, integer, text) IS
'sqlflow_trace over the lineage of a job, fetched once with sqlflow_lineage and walked in memory';


-- == pictures (aggregates in C) ==============================================



-- == search_path: every reference qualified ===================================



-- == secrets, limits and loose ends ===========================================



-- == the database's own SQL, in dependency order =============================



-- == end ========================================================================
