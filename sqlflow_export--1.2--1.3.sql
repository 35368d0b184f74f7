/* sqlflow_export--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.3'" to load this file. \quit

-- Each part below belongs to one change; keep them apart (merges).

-- == name keys and traces (read-only, in C) ==================================



-- == pictures (aggregates in C) ==============================================

-- The four aggregates move to C with an internal state (src/pictures.c);
-- the composite type and the PL/pgSQL and SQL functions of their array state
-- go.  The escaping helpers stay as they are.
DROP AGGREGATE @extschema@.sqlflow_dot(record);
DROP AGGREGATE @extschema@.sqlflow_dot_tables(record);
DROP AGGREGATE @extschema@.sqlflow_mermaid(record);
DROP AGGREGATE @extschema@.sqlflow_mermaid_tables(record);
DROP FUNCTION @extschema@.sqlflow_dot_final(@extschema@.sqlflow_edge[]);
DROP FUNCTION @extschema@.sqlflow_dot_tables_final(@extschema@.sqlflow_edge[]);
DROP FUNCTION @extschema@.sqlflow_mermaid_final(@extschema@.sqlflow_edge[]);
DROP FUNCTION @extschema@.sqlflow_mermaid_tables_final(@extschema@.sqlflow_edge[]);
DROP FUNCTION @extschema@.sqlflow_edge_collect(@extschema@.sqlflow_edge[], record);
DROP TYPE @extschema@.sqlflow_edge;

-- The aggregates collect distinct tables, columns and relations in C, in
-- hash tables that grow in place (src/pictures.c): linear in the rows.
CREATE FUNCTION sqlflow_picture_collect(state internal, lineage record)
RETURNS internal
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_picture_collect';

COMMENT ON FUNCTION sqlflow_picture_collect(internal, record) IS
'state function of sqlflow_dot, sqlflow_dot_tables, sqlflow_mermaid and sqlflow_mermaid_tables';

CREATE FUNCTION sqlflow_picture_dot(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_picture_dot';

COMMENT ON FUNCTION sqlflow_picture_dot(internal) IS
'final function of sqlflow_dot';

CREATE FUNCTION sqlflow_picture_dot_tables(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_picture_dot_tables';

COMMENT ON FUNCTION sqlflow_picture_dot_tables(internal) IS
'final function of sqlflow_dot_tables';

CREATE FUNCTION sqlflow_picture_mermaid(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_picture_mermaid';

COMMENT ON FUNCTION sqlflow_picture_mermaid(internal) IS
'final function of sqlflow_mermaid';

CREATE FUNCTION sqlflow_picture_mermaid_tables(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_picture_mermaid_tables';

COMMENT ON FUNCTION sqlflow_picture_mermaid_tables(internal) IS
'final function of sqlflow_mermaid_tables';

CREATE AGGREGATE sqlflow_dot(record) (
  SFUNC = @extschema@.sqlflow_picture_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_picture_dot, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_dot(record) IS
'Graphviz DOT of lineage or trace rows: tables as nodes with their columns, column relations labelled by kind';

CREATE AGGREGATE sqlflow_dot_tables(record) (
  SFUNC = @extschema@.sqlflow_picture_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_picture_dot_tables, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_dot_tables(record) IS
'Graphviz DOT of lineage or trace rows at table level: one edge per pair of tables, labelled by the kinds';

CREATE AGGREGATE sqlflow_mermaid(record) (
  SFUNC = @extschema@.sqlflow_picture_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_picture_mermaid, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_mermaid(record) IS
'Mermaid flowchart of lineage or trace rows: tables as subgraphs of their columns, column relations labelled by kind';

CREATE AGGREGATE sqlflow_mermaid_tables(record) (
  SFUNC = @extschema@.sqlflow_picture_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_picture_mermaid_tables, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_mermaid_tables(record) IS
'Mermaid flowchart of lineage or trace rows at table level';


-- == search_path: every reference qualified ===================================



-- == secrets, limits and loose ends ===========================================



-- == the database's own SQL, in dependency order =============================



-- == end ========================================================================
