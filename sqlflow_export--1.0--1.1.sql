/* sqlflow_export--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.1'" to load this file. \quit

-- A lineage in summary mode (more relationships than the server's
-- relation_limit) has counts and no relationships: say so rather than
-- return no rows without a word.
CREATE OR REPLACE FUNCTION sqlflow_relationships(lineage jsonb)
RETURNS TABLE (relationship_id text, relation_type text, effect_type text,
               source_parent text, source_column text,
               target_parent text, target_column text, process_id text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  payload jsonb := CASE WHEN jsonb_typeof(lineage -> 'data') = 'object' THEN lineage -> 'data' ELSE lineage END;
BEGIN
  IF payload ->> 'mode' = 'summary' THEN
    RAISE WARNING 'the lineage is in summary mode: the server sent counts, no relationships'
      USING DETAIL = CASE WHEN payload -> 'summary' ->> 'relationship' IS NULL
                          THEN 'The document gives no counts.'
                          ELSE format('Summary mode: %s relationships, %s tables.',
                                      payload -> 'summary' ->> 'relationship',
                                      coalesce(payload -> 'summary' ->> 'table', '?')) END,
            HINT = 'Submit the SQL in smaller jobs, or raise relation_limit (1000 by default) on an on-premise server.';
  END IF;
  RETURN QUERY
    -- the envelope or its data alone; data.sqlflow (exports) or data itself
    -- (the generation endpoint); relationships, relationship or relations
    WITH doc AS (
      SELECT coalesce(d -> 'sqlflow', d) AS s
      FROM (SELECT CASE WHEN jsonb_typeof(lineage -> 'data') = 'object'
                        THEN lineage -> 'data' ELSE lineage END AS d) x
    ), rels AS (
      SELECT coalesce(s -> 'relationships', s -> 'relationship', s -> 'relations') AS r,
             s -> 'dbobjs' AS dbobjs
      FROM doc
    )
    SELECT rel ->> 'id', rel ->> 'type', rel ->> 'effectType',
           coalesce(src ->> 'parentName',
                    (SELECT o ->> 'name'
                     FROM jsonb_path_query(rels.dbobjs, 'lax $.** ? (exists(@.id) && exists(@.name))') o
                     WHERE o ->> 'id' = src ->> 'parentId' LIMIT 1)),
           src ->> 'column',
           coalesce(rel -> 'target' ->> 'parentName',
                    (SELECT o ->> 'name'
                     FROM jsonb_path_query(rels.dbobjs, 'lax $.** ? (exists(@.id) && exists(@.name))') o
                     WHERE o ->> 'id' = rel -> 'target' ->> 'parentId' LIMIT 1)),
           rel -> 'target' ->> 'column',
           rel ->> 'processId'
    FROM rels,
         jsonb_array_elements(CASE jsonb_typeof(rels.r)
                                WHEN 'array' THEN rels.r
                                WHEN 'object' THEN jsonb_build_array(rels.r)
                                ELSE '[]'::jsonb END) WITH ORDINALITY AS r1(rel, n),
         jsonb_array_elements(CASE jsonb_typeof(rel -> 'sources')
                                WHEN 'array' THEN rel -> 'sources'
                                ELSE '[]'::jsonb END) WITH ORDINALITY AS r2(src, m)
    ORDER BY r1.n, r2.m;
END
$$;

COMMENT ON FUNCTION sqlflow_relationships(jsonb) IS
'flattens a SQLFlow JSON export (any variant: relationships, relationship or relations; envelope or data) into one row per source of each relationship; warns when the export is in summary mode';

-- The export options of the API (showRelationType, ignoreRecordSet, ...,
-- the database/schema/table/column filters) as named arguments with NULL
-- defaults: calls written for 1.0 mean the same.  A function cannot gain
-- arguments in place, so the three are made anew (objects of your own that
-- depend on them, such as views, must be dropped before the update).
DROP FUNCTION sqlflow_export(text, text, boolean, text, text);
DROP FUNCTION sqlflow_export_json(text, boolean, text);
DROP FUNCTION sqlflow_lineage(text, boolean, text);

CREATE FUNCTION sqlflow_export(job_id text,
                               format text DEFAULT 'json',
                               table_to_table boolean DEFAULT false,
                               delimiter text DEFAULT ',',
                               server text DEFAULT NULL,
                               relation_types text[] DEFAULT NULL,
                               ignore_record_set boolean DEFAULT NULL,
                               ignore_function boolean DEFAULT NULL,
                               show_constant_table boolean DEFAULT NULL,
                               show_transform boolean DEFAULT NULL,
                               simple_output boolean DEFAULT NULL,
                               show_link_only boolean DEFAULT NULL,
                               count_arguments_as_fdd boolean DEFAULT NULL,
                               database_name text DEFAULT NULL,
                               schema_name text DEFAULT NULL,
                               table_name text DEFAULT NULL,
                               column_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_export'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_export(text, text, boolean, text, text, text[], boolean, boolean, boolean, boolean, boolean, boolean, boolean, text, text, text, text) IS
'exports the lineage of a SQLFlow job as json, csv or graphml text; a null or empty job_id means the latest job (options, sent only when given: relation_types, ignore_record_set, ignore_function, show_constant_table, show_transform, simple_output, show_link_only, count_arguments_as_fdd, database_name, schema_name, table_name, column_name)';

CREATE FUNCTION sqlflow_export_json(job_id text,
                                    table_to_table boolean DEFAULT false,
                                    server text DEFAULT NULL,
                                    relation_types text[] DEFAULT NULL,
                                    ignore_record_set boolean DEFAULT NULL,
                                    ignore_function boolean DEFAULT NULL,
                                    show_constant_table boolean DEFAULT NULL,
                                    show_transform boolean DEFAULT NULL,
                                    simple_output boolean DEFAULT NULL,
                                    show_link_only boolean DEFAULT NULL,
                                    count_arguments_as_fdd boolean DEFAULT NULL,
                                    database_name text DEFAULT NULL,
                                    schema_name text DEFAULT NULL,
                                    table_name text DEFAULT NULL,
                                    column_name text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'sqlflow_export_json'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_export_json(text, boolean, text, text[], boolean, boolean, boolean, boolean, boolean, boolean, boolean, text, text, text, text) IS
'exports the lineage of a SQLFlow job as jsonb (the whole answer: code, data, sessionId, ...) (options, sent only when given: relation_types, ignore_record_set, ignore_function, show_constant_table, show_transform, simple_output, show_link_only, count_arguments_as_fdd, database_name, schema_name, table_name, column_name)';

CREATE FUNCTION sqlflow_lineage(job_id text,
                                table_to_table boolean DEFAULT false,
                                server text DEFAULT NULL,
                                relation_types text[] DEFAULT NULL,
                                ignore_record_set boolean DEFAULT NULL,
                                ignore_function boolean DEFAULT NULL,
                                show_constant_table boolean DEFAULT NULL,
                                show_transform boolean DEFAULT NULL,
                                simple_output boolean DEFAULT NULL,
                                show_link_only boolean DEFAULT NULL,
                                count_arguments_as_fdd boolean DEFAULT NULL,
                                database_name text DEFAULT NULL,
                                schema_name text DEFAULT NULL,
                                table_name text DEFAULT NULL,
                                column_name text DEFAULT NULL)
RETURNS TABLE (source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, extra jsonb)
AS 'MODULE_PATHNAME', 'sqlflow_lineage'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1000;

COMMENT ON FUNCTION sqlflow_lineage(text, boolean, text, text[], boolean, boolean, boolean, boolean, boolean, boolean, boolean, text, text, text, text) IS
'the CSV lineage export of a SQLFlow job as rows, streamed; columns matched by header name, others kept in extra (options, sent only when given: relation_types, ignore_record_set, ignore_function, show_constant_table, show_transform, simple_output, show_link_only, count_arguments_as_fdd, database_name, schema_name, table_name, column_name)';
