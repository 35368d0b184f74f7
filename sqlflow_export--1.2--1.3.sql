/* sqlflow_export--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.3'" to load this file. \quit

-- Each part below belongs to one change; keep them apart (merges).

-- == name keys and traces (read-only, in C) ==================================



-- == pictures (aggregates in C) ==============================================



-- == search_path: every reference qualified ===================================



-- == secrets, limits and loose ends ===========================================



-- == the database's own SQL, in dependency order =============================



-- == lineage guard =========================================================

-- Warns about (sqlflow.guard = warn) or refuses (error) a change to a table
-- or column that the lineage in sqlflow.guard_lineage shows others read:
-- DROP / ALTER TYPE / RENAME of a column, RENAME, SET SCHEMA and DROP of a
-- table, view, materialized view or foreign table.  Off by default.
CREATE FUNCTION sqlflow_guard_ddl()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'sqlflow_guard_ddl'
LANGUAGE C;

COMMENT ON FUNCTION sqlflow_guard_ddl() IS
'the lineage guard''s event trigger function: before a watched DDL command, traces what depends on the changed table or column downstream in sqlflow.guard_lineage, and warns (sqlflow.guard = warn) or refuses the change with SQLSTATE 2BP01 (error); a guard that cannot check warns and lets the change go on';

CREATE EVENT TRIGGER sqlflow_guard ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE', 'ALTER VIEW', 'ALTER MATERIALIZED VIEW', 'ALTER FOREIGN TABLE',
               'DROP TABLE', 'DROP VIEW', 'DROP MATERIALIZED VIEW', 'DROP FOREIGN TABLE')
  EXECUTE FUNCTION sqlflow_guard_ddl();

COMMENT ON EVENT TRIGGER sqlflow_guard IS
'the lineage guard: see sqlflow.guard, sqlflow.guard_lineage and sqlflow.guard_depth';



-- == end ========================================================================
