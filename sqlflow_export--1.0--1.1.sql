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

-- Traces: impact (downstream) and provenance (upstream) -----------------------

-- How names are matched: as SQLFlow writes them, compared without case and
-- without surrounding double quotes (or brackets), so EMP, emp and "EMP" are
-- one name; DEFAULT (an unknown database or schema) is a name like any other
-- inside the lineage, and a wildcard in what you ask for.
CREATE FUNCTION sqlflow_name_key(name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(CASE WHEN name ~ '^".*"$' OR name ~ '^\[.*\]$'
                  THEN substr(name, 2, length(name) - 2) ELSE name END);

COMMENT ON FUNCTION sqlflow_name_key(text) IS
'the form in which sqlflow traces compare a name: lower case, without surrounding double quotes or brackets (index lineage tables on it)';

CREATE FUNCTION sqlflow_trace(lineage regclass,
                              table_name text,
                              column_name text DEFAULT NULL,
                              direction text DEFAULT 'downstream',
                              max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path FROM CURRENT
AS $$
DECLARE
  parts text[];
  want_db text; want_schema text; want_table text;
  want_column text := sqlflow_name_key(column_name);
  down boolean;
  near text; far text;           -- 'source' / 'target', the side walked from / to
  col_join text; col_key text; col_label text;
  added bigint;
BEGIN
  IF table_name IS NULL OR btrim(table_name) = '' THEN
    RAISE EXCEPTION 'table_name is required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF max_depth IS NULL OR max_depth < 1 THEN
    RAISE EXCEPTION 'max_depth must be at least 1' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  CASE lower(direction)
    WHEN 'downstream' THEN down := true;
    WHEN 'upstream' THEN down := false;
    ELSE RAISE EXCEPTION 'unrecognized trace direction "%"', direction
           USING ERRCODE = 'invalid_parameter_value',
                 HINT = 'Directions are downstream (impact) and upstream (provenance).';
  END CASE;
  near := CASE WHEN down THEN 'source' ELSE 'target' END;
  far := CASE WHEN down THEN 'target' ELSE 'source' END;

  -- db.schema.table, schema.table or table; dots inside quotes belong to the name
  parts := ARRAY(SELECT sqlflow_name_key(m[1])
                 FROM regexp_matches(table_name, '("[^"]*"|\[[^\]]*\]|[^.]+)', 'g') AS m);
  want_table := parts[array_length(parts, 1)];
  want_schema := parts[array_length(parts, 1) - 1];
  want_db := parts[array_length(parts, 1) - 2];

  -- column level, or table level when no column is named
  IF column_name IS NULL THEN
    col_join := ''; col_key := '''''';
  ELSE
    col_join := format(' AND sqlflow_name_key(l.%1$s_column) = n.col', near);
    col_key := format('sqlflow_name_key(l.%1$s_column)', far);
  END IF;

  IF to_regclass('pg_temp.sqlflow_trace_nodes') IS NOT NULL THEN
    DROP TABLE pg_temp.sqlflow_trace_nodes;
  END IF;
  IF to_regclass('pg_temp.sqlflow_trace_hits') IS NOT NULL THEN
    DROP TABLE pg_temp.sqlflow_trace_hits;
  END IF;
  CREATE TEMP TABLE sqlflow_trace_nodes (db text, sch text, tbl text, col text, depth int, path text[]);
  CREATE TEMP TABLE sqlflow_trace_hits (depth int, source_db text, source_schema text,
    source_table text, source_column text, target_db text, target_schema text,
    target_table text, target_column text, relation_type text, effect_type text, path text[]);

  -- depth 0: the objects named, as the lineage spells them
  EXECUTE format($q$
    INSERT INTO sqlflow_trace_nodes
    SELECT DISTINCT ON (1, 2, 3, 4) sqlflow_name_key(l.%1$s_db), sqlflow_name_key(l.%1$s_schema),
           sqlflow_name_key(l.%1$s_table), %2$s, 0,
           ARRAY[concat_ws('.', l.%1$s_schema, l.%1$s_table, %3$s)]
    FROM %4$s l
    WHERE sqlflow_name_key(l.%1$s_table) = $1
      AND ($2 IS NULL OR sqlflow_name_key(l.%1$s_schema) IN ($2, 'default', ''))
      AND ($3 IS NULL OR sqlflow_name_key(l.%1$s_db) IN ($3, 'default', ''))
      AND ($4 IS NULL OR sqlflow_name_key(l.%1$s_column) = $4)$q$,
    near,
    CASE WHEN column_name IS NULL THEN '''''' ELSE format('sqlflow_name_key(l.%s_column)', near) END,
    CASE WHEN column_name IS NULL THEN 'NULL' ELSE format('l.%s_column', near) END,
    lineage)
  USING want_table, want_schema, want_db, want_column;

  FOR d IN 1 .. max_depth LOOP
    -- every relation out of the objects reached last time
    EXECUTE format($q$
      INSERT INTO sqlflow_trace_hits
      SELECT $1, l.source_db, l.source_schema, l.source_table, l.source_column,
             l.target_db, l.target_schema, l.target_table, l.target_column,
             l.relation_type, l.effect_type,
             n.path || concat_ws('.', l.%2$s_schema, l.%2$s_table, %5$s)
      FROM sqlflow_trace_nodes n
      JOIN %3$s l ON sqlflow_name_key(l.%1$s_table) = n.tbl
                 AND sqlflow_name_key(l.%1$s_schema) IS NOT DISTINCT FROM n.sch
                 AND sqlflow_name_key(l.%1$s_db) IS NOT DISTINCT FROM n.db %4$s
      WHERE n.depth = $1 - 1$q$,
      near, far, lineage, col_join,
      CASE WHEN column_name IS NULL THEN 'NULL' ELSE format('l.%s_column', far) END)
    USING d;
    -- the objects they lead to that were not reached before (cycles end here)
    EXECUTE format($q$
      INSERT INTO sqlflow_trace_nodes
      SELECT DISTINCT ON (1, 2, 3, 4) * FROM (
        SELECT sqlflow_name_key(h.%1$s_db) AS db, sqlflow_name_key(h.%1$s_schema) AS sch,
               sqlflow_name_key(h.%1$s_table) AS tbl, %2$s AS col, $1 AS depth, h.path
        FROM sqlflow_trace_hits h WHERE h.depth = $1) x
      WHERE NOT EXISTS (SELECT 1 FROM sqlflow_trace_nodes n
                        WHERE n.db IS NOT DISTINCT FROM x.db AND n.sch IS NOT DISTINCT FROM x.sch
                          AND n.tbl = x.tbl AND n.col = x.col)
      ORDER BY 1, 2, 3, 4, array_to_string(x.path, ' ')$q$,
      far, replace(col_key, 'l.', 'h.'))
    USING d;
    GET DIAGNOSTICS added = ROW_COUNT;
    EXIT WHEN added = 0;
  END LOOP;

  RETURN QUERY SELECT * FROM sqlflow_trace_hits h ORDER BY h.depth, h.path;
  DROP TABLE pg_temp.sqlflow_trace_nodes, pg_temp.sqlflow_trace_hits;
END
$$;

COMMENT ON FUNCTION sqlflow_trace(regclass, text, text, text, integer) IS
'walks a lineage table (sqlflow_lineage''s columns) from a table or column, downstream (impact) or upstream (provenance), to max_depth; one row per relation reached, with its depth and the path from the start; cycles end';

CREATE FUNCTION sqlflow_impact(lineage regclass, table_name text,
                               column_name text DEFAULT NULL, max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$ SELECT * FROM @extschema@.sqlflow_trace(lineage, table_name, column_name, 'downstream', max_depth) $$;

COMMENT ON FUNCTION sqlflow_impact(regclass, text, text, integer) IS
'what depends on a table or column: sqlflow_trace downstream';

CREATE FUNCTION sqlflow_provenance(lineage regclass, table_name text,
                                   column_name text DEFAULT NULL, max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$ SELECT * FROM @extschema@.sqlflow_trace(lineage, table_name, column_name, 'upstream', max_depth) $$;

COMMENT ON FUNCTION sqlflow_provenance(regclass, text, text, integer) IS
'where a table or column comes from: sqlflow_trace upstream';

CREATE FUNCTION sqlflow_trace_job(job_id text, table_name text,
                                  column_name text DEFAULT NULL,
                                  direction text DEFAULT 'downstream',
                                  max_depth integer DEFAULT 10,
                                  server text DEFAULT NULL)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
  IF to_regclass('pg_temp.sqlflow_trace_job_lineage') IS NOT NULL THEN
    DROP TABLE pg_temp.sqlflow_trace_job_lineage;
  END IF;
  CREATE TEMP TABLE sqlflow_trace_job_lineage AS
    SELECT * FROM @extschema@.sqlflow_lineage(job_id, server => server);
  RETURN QUERY SELECT * FROM @extschema@.sqlflow_trace('pg_temp.sqlflow_trace_job_lineage'::regclass,
                                                      table_name, column_name, direction, max_depth);
  DROP TABLE pg_temp.sqlflow_trace_job_lineage;
END
$$;

COMMENT ON FUNCTION sqlflow_trace_job(text, text, text, text, integer, text) IS
'sqlflow_trace over the lineage of a job, fetched with sqlflow_lineage';
