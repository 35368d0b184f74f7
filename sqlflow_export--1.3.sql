/* sqlflow_export--1.3.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION sqlflow_export" to load this file. \quit

CREATE FUNCTION sqlflow_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

COMMENT ON FUNCTION sqlflow_fdw_validator(text[], oid) IS
'checks the options of sqlflow foreign servers (api_url, ca_file) and user mappings (user_id, token, secret_key, token_required)';

-- The wrapper only carries configuration: servers hold the endpoint, user
-- mappings the credentials.  There are no foreign tables.
CREATE FOREIGN DATA WRAPPER sqlflow VALIDATOR sqlflow_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER sqlflow IS
'SQLFlow endpoints: CREATE SERVER ... OPTIONS (api_url ...) and CREATE USER MAPPING ... OPTIONS (user_id ..., secret_key or token ...)';

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

-- Lineage as rows ------------------------------------------------------------

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

CREATE FUNCTION sqlflow_relationships(lineage jsonb)
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

CREATE FUNCTION sqlflow_relationships(job_id text,
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
RETURNS TABLE (relationship_id text, relation_type text, effect_type text,
               source_parent text, source_column text,
               target_parent text, target_column text, process_id text)
AS 'MODULE_PATHNAME', 'sqlflow_relationships_job'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1000;

COMMENT ON FUNCTION sqlflow_relationships(text, boolean, text, text[], boolean, boolean, boolean, boolean, boolean, boolean, boolean, text, text, text, text) IS
'the JSON lineage export of a SQLFlow job as relationship rows (those of sqlflow_relationships(jsonb)), read as it arrives without holding the document (options as for sqlflow_lineage)';

-- The job life -------------------------------------------------------------------

CREATE FUNCTION sqlflow_submit(sql text,
                               dbvendor text DEFAULT 'dbvpostgresql',
                               job_name text DEFAULT NULL,
                               server text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_submit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_submit(text, text, text, text) IS
'submits SQL text as a new SQLFlow job and returns its job id';

CREATE FUNCTION sqlflow_job(job_id text, server text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'sqlflow_job'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_job(text, text) IS
'the job object of a SQLFlow job (status, jobName, dbVendor, createTime, ...)';

CREATE FUNCTION sqlflow_wait(job_id text,
                             timeout interval DEFAULT '10 minutes',
                             server text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_wait'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_wait(text, interval, text) IS
'waits until a SQLFlow job is done and returns success or partial_success; a failed job or the timeout is an error';

CREATE FUNCTION sqlflow_jobs_json(server text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'sqlflow_jobs_json'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_jobs_json(text) IS
'the job list answer of SQLFlow as jsonb (total, success, fail, jobIds, jobDetails)';

CREATE FUNCTION sqlflow_jobs(server text DEFAULT NULL)
RETURNS TABLE (job_id text, job_name text, status text, db_vendor text,
               create_time timestamp, execute_time_ms bigint, file_names text[])
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
  SELECT j ->> 'jobId', j ->> 'jobName', j ->> 'status', j ->> 'dbVendor',
         (j ->> 'createTime')::timestamp,
         (j ->> 'executeTimeMillis')::bigint,
         ARRAY(SELECT jsonb_array_elements_text(
                 CASE jsonb_typeof(j -> 'fileNames') WHEN 'array' THEN j -> 'fileNames' ELSE '[]' END))
  FROM jsonb_array_elements(
         coalesce(@extschema@.sqlflow_jobs_json(server) -> 'data' -> 'jobDetails', '[]')) AS j
$$;

COMMENT ON FUNCTION sqlflow_jobs(text) IS
'lists the SQLFlow jobs of the user, one row per job';

CREATE FUNCTION sqlflow_delete_job(job_id text, server text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'sqlflow_delete_job'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_delete_job(text, text) IS
'deletes a SQLFlow job; true when the server confirms';

CREATE FUNCTION sqlflow_lineage_of(sql text,
                                   dbvendor text DEFAULT 'dbvpostgresql',
                                   server text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'sqlflow_lineage_of'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_lineage_of(text, text, text) IS
'the lineage of one SQL text, computed at once without a job (/sqlflow/generation/sqlflow)';

-- The lineage of this database -------------------------------------------------------

CREATE FUNCTION sqlflow_database_sql(schemas text[] DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  script text := '';
  r record;
  nsp oid[];
BEGIN
  -- which schemas: the ones given, else every user schema; never the
  -- system's, and never objects that belong to an extension
  nsp := ARRAY(
  SELECT n.oid FROM pg_namespace n
  WHERE (schemas IS NULL OR n.nspname = ANY (schemas))
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'));

  -- the tables: those of the schemas, and those the views there read from
  FOR r IN
    SELECT c.oid,
           format('CREATE TABLE %I.%I (%s);', n.nspname, c.relname,
                  coalesce(string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)),
                                      ', ' ORDER BY a.attnum), '')) AS ddl
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND (c.relnamespace = ANY (nsp)
           OR c.oid IN (SELECT d.refobjid
                        FROM pg_depend d
                        JOIN pg_rewrite rw ON rw.oid = d.objid AND d.classid = 'pg_rewrite'::regclass
                        JOIN pg_class v ON v.oid = rw.ev_class
                        WHERE v.relnamespace = ANY (nsp)
                          AND d.refclassid = 'pg_class'::regclass))
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    GROUP BY c.oid, n.nspname, c.relname
    ORDER BY n.nspname, c.relname
  LOOP
    script := script || r.ddl || e'\n';
  END LOOP;

  -- views and materialized views, in creation order
  FOR r IN
    SELECT format('CREATE %sVIEW %I.%I AS%s%s',
                  CASE c.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END,
                  n.nspname, c.relname, e'\n',
                  rtrim(pg_get_viewdef(c.oid), e'; \n')) || ';' AS ddl
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm')
      AND c.relnamespace = ANY (nsp)
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.oid
  LOOP
    script := script || e'\n' || r.ddl || e'\n';
  END LOOP;

  -- SQL and PL/pgSQL functions and procedures
  FOR r IN
    SELECT rtrim(pg_get_functiondef(p.oid), e'\n') || ';' AS ddl
    FROM pg_proc p
    JOIN pg_language l ON l.oid = p.prolang
    WHERE p.prokind IN ('f', 'p')
      AND l.lanname IN ('sql', 'plpgsql')
      AND p.pronamespace = ANY (nsp)
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    ORDER BY p.oid
  LOOP
    script := script || e'\n' || r.ddl || e'\n';
  END LOOP;

  RETURN script;
END
$$;

COMMENT ON FUNCTION sqlflow_database_sql(text[]) IS
'the SQL script that sqlflow_submit_database sends: tables, views, materialized views and SQL/PL/pgSQL routines of the given schemas (default: all user schemas)';

CREATE FUNCTION sqlflow_submit_database(job_name text DEFAULT NULL,
                                        schemas text[] DEFAULT NULL,
                                        server text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
  script text := @extschema@.sqlflow_database_sql(schemas);
BEGIN
  IF script = '' THEN
    RAISE EXCEPTION 'no views, routines or tables to submit'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('Schemas searched: %s.', coalesce(array_to_string(schemas, ', '), 'all user schemas'));
  END IF;
  RETURN @extschema@.sqlflow_submit(script, 'dbvpostgresql',
                        coalesce(job_name, current_database() || ' ' || to_char(now(), 'YYYY-MM-DD HH24:MI:SS')),
                        server);
END
$$;

COMMENT ON FUNCTION sqlflow_submit_database(text, text[], text) IS
'submits the definitions of the current database (views, routines and the tables they read) as one SQLFlow job and returns its job id';

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

-- Pictures: Graphviz DOT and Mermaid from lineage or trace rows -----------------

-- one relation of a picture: the two ends and the kind
CREATE TYPE sqlflow_edge AS (source_table text, source_column text,
                             target_table text, target_column text, relation_type text);

COMMENT ON TYPE sqlflow_edge IS
'one relation collected by sqlflow_dot and sqlflow_mermaid';

CREATE FUNCTION sqlflow_edge_collect(edges sqlflow_edge[], lineage record)
RETURNS sqlflow_edge[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  src text := concat_ws('.', nullif(nullif(lineage.source_db, 'DEFAULT'), ''),
                             nullif(nullif(lineage.source_schema, 'DEFAULT'), ''), lineage.source_table);
  tgt text := concat_ws('.', nullif(nullif(lineage.target_db, 'DEFAULT'), ''),
                             nullif(nullif(lineage.target_schema, 'DEFAULT'), ''), lineage.target_table);
BEGIN
  RETURN edges || ROW(src, lineage.source_column, tgt, lineage.target_column,
                      coalesce(lineage.relation_type, ''))::sqlflow_edge;
END
$$;

COMMENT ON FUNCTION sqlflow_edge_collect(sqlflow_edge[], record) IS
'state function of sqlflow_dot and sqlflow_mermaid';

-- text for an HTML-like Graphviz label
CREATE FUNCTION sqlflow_dot_html(s text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN regexp_replace(replace(replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                                               '"', '&quot;'), E'\t', ' '),
                      E'\r\n|\r|\n', '<br/>', 'g');

COMMENT ON FUNCTION sqlflow_dot_html(text) IS
'escapes text for an HTML-like Graphviz label (line breaks as <br/>, a tab as a space)';

-- text for a Mermaid label: everything but letters, digits and a few safe
-- characters as #code; entities
CREATE FUNCTION sqlflow_mermaid_text(s text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT coalesce(string_agg(CASE WHEN c ~ '^[A-Za-z0-9 _.,:()-]$' THEN c
                                        ELSE '#' || ascii(c) || ';' END, '' ORDER BY n), ' ')
        FROM regexp_split_to_table(s, '') WITH ORDINALITY AS x(c, n) WHERE c <> '');

COMMENT ON FUNCTION sqlflow_mermaid_text(text) IS
'escapes text for a Mermaid label (#code; entities; an empty text as one space, which Mermaid requires)';

-- a DOT quoted string
CREATE FUNCTION sqlflow_dot_string(s text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN '"' || replace(replace(replace(replace(s, '\', '\\'), '"', '\"'), E'\n', '\n'), E'\r', '') || '"';

COMMENT ON FUNCTION sqlflow_dot_string(text) IS
'quotes text as a Graphviz DOT string';

CREATE FUNCTION sqlflow_dot_final(edges sqlflow_edge[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH e AS (SELECT coalesce(source_table, '') AS st, source_column AS sc,
                    coalesce(target_table, '') AS tt, target_column AS tc, relation_type AS k
             FROM unnest(edges)),
  ends AS (SELECT st AS t, sc AS c FROM e UNION SELECT tt, tc FROM e),
  tabs AS (SELECT t, 't' || row_number() OVER (ORDER BY t COLLATE "C") AS id FROM (SELECT DISTINCT t FROM ends) x),
  cols AS (SELECT t, c, 'c' || row_number() OVER (PARTITION BY t ORDER BY c COLLATE "C" NULLS FIRST) AS port FROM ends),
  node_lines AS (
    SELECT tabs.id, format('  %s [label=<<table border="0" cellborder="1" cellspacing="0"><tr><td bgcolor="lightgrey"><b>%s</b></td></tr>%s</table>>];',
                           tabs.id, sqlflow_dot_html(tabs.t),
                           string_agg(format('<tr><td port="%s">%s</td></tr>', cols.port,
                                             sqlflow_dot_html(coalesce(cols.c, ''))), '' ORDER BY length(cols.port), cols.port)) AS line
    FROM tabs JOIN cols USING (t) GROUP BY tabs.id, tabs.t),
  edge_lines AS (
    SELECT DISTINCT format('  %s:%s -> %s:%s [label=%s];', ts.id, cs.port, tt.id, ct.port,
                           sqlflow_dot_string(e.k)) AS line
    FROM e
    JOIN tabs ts ON ts.t = e.st JOIN cols cs ON cs.t = e.st AND cs.c IS NOT DISTINCT FROM e.sc
    JOIN tabs tt ON tt.t = e.tt JOIN cols ct ON ct.t = e.tt AND ct.c IS NOT DISTINCT FROM e.tc)
  SELECT E'digraph lineage {\n  graph [rankdir=LR];\n  node [shape=plaintext];\n'
         || coalesce((SELECT string_agg(line, E'\n' ORDER BY length(id), id) FROM node_lines) || E'\n', '')
         || coalesce((SELECT string_agg(line, E'\n' ORDER BY line COLLATE "C") FROM edge_lines) || E'\n', '')
         || '}';
END;

COMMENT ON FUNCTION sqlflow_dot_final(sqlflow_edge[]) IS
'final function of sqlflow_dot';

CREATE FUNCTION sqlflow_dot_tables_final(edges sqlflow_edge[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH e AS (SELECT coalesce(source_table, '') AS st, coalesce(target_table, '') AS tt,
                    relation_type AS k FROM unnest(edges)),
  tabs AS (SELECT t, 't' || row_number() OVER (ORDER BY t COLLATE "C") AS id
           FROM (SELECT st AS t FROM e UNION SELECT tt FROM e) x),
  edge_lines AS (
    SELECT format('  %s -> %s [label=%s];', ts.id, tt.id,
                  sqlflow_dot_string(string_agg(DISTINCT e.k COLLATE "C", ',' ORDER BY e.k COLLATE "C"))) AS line
    FROM e JOIN tabs ts ON ts.t = e.st JOIN tabs tt ON tt.t = e.tt
    GROUP BY ts.id, tt.id)
  SELECT E'digraph lineage {\n  graph [rankdir=LR];\n  node [shape=box];\n'
         || coalesce((SELECT string_agg(format('  %s [label=%s];', id, sqlflow_dot_string(t)), E'\n'
                                        ORDER BY length(id), id) FROM tabs) || E'\n', '')
         || coalesce((SELECT string_agg(line, E'\n' ORDER BY line COLLATE "C") FROM edge_lines) || E'\n', '')
         || '}';
END;

COMMENT ON FUNCTION sqlflow_dot_tables_final(sqlflow_edge[]) IS
'final function of sqlflow_dot_tables';

CREATE FUNCTION sqlflow_mermaid_final(edges sqlflow_edge[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH e AS (SELECT coalesce(source_table, '') AS st, source_column AS sc,
                    coalesce(target_table, '') AS tt, target_column AS tc, relation_type AS k
             FROM unnest(edges)),
  ends AS (SELECT st AS t, sc AS c FROM e UNION SELECT tt, tc FROM e),
  tabs AS (SELECT t, 't' || row_number() OVER (ORDER BY t COLLATE "C") AS id FROM (SELECT DISTINCT t FROM ends) x),
  cols AS (SELECT t, c, row_number() OVER (PARTITION BY t ORDER BY c COLLATE "C" NULLS FIRST) AS n FROM ends),
  blocks AS (
    SELECT tabs.id, format(E'  subgraph %s ["%s"]\n%s\n  end', tabs.id, sqlflow_mermaid_text(tabs.t),
                           string_agg(format('    %sc%s["%s"]', tabs.id, cols.n,
                                             sqlflow_mermaid_text(coalesce(cols.c, ''))), E'\n' ORDER BY cols.n)) AS block
    FROM tabs JOIN cols USING (t) GROUP BY tabs.id, tabs.t),
  edge_lines AS (
    SELECT DISTINCT format('  %sc%s -->|"%s"| %sc%s', ts.id, cs.n, sqlflow_mermaid_text(e.k), tt.id, ct.n) AS line
    FROM e
    JOIN tabs ts ON ts.t = e.st JOIN cols cs ON cs.t = e.st AND cs.c IS NOT DISTINCT FROM e.sc
    JOIN tabs tt ON tt.t = e.tt JOIN cols ct ON ct.t = e.tt AND ct.c IS NOT DISTINCT FROM e.tc)
  -- ELK lays out relations between columns of different subgraphs, where
  -- Mermaid's default (dagre) fails on larger pictures
  SELECT E'---\nconfig:\n  layout: elk\n---\nflowchart LR\n'
         || coalesce((SELECT string_agg(block, E'\n' ORDER BY length(id), id) FROM blocks) || E'\n', '')
         || coalesce((SELECT string_agg(line, E'\n' ORDER BY line COLLATE "C") FROM edge_lines) || E'\n', '');
END;

COMMENT ON FUNCTION sqlflow_mermaid_final(sqlflow_edge[]) IS
'final function of sqlflow_mermaid';

CREATE FUNCTION sqlflow_mermaid_tables_final(edges sqlflow_edge[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH e AS (SELECT coalesce(source_table, '') AS st, coalesce(target_table, '') AS tt,
                    relation_type AS k FROM unnest(edges)),
  tabs AS (SELECT t, 't' || row_number() OVER (ORDER BY t COLLATE "C") AS id
           FROM (SELECT st AS t FROM e UNION SELECT tt FROM e) x),
  edge_lines AS (
    SELECT format('  %s -->|"%s"| %s', ts.id,
                  sqlflow_mermaid_text(string_agg(DISTINCT e.k COLLATE "C", ',' ORDER BY e.k COLLATE "C")), tt.id) AS line
    FROM e JOIN tabs ts ON ts.t = e.st JOIN tabs tt ON tt.t = e.tt
    GROUP BY ts.id, tt.id)
  SELECT E'flowchart LR\n'
         || coalesce((SELECT string_agg(format('  %s["%s"]', id, sqlflow_mermaid_text(t)), E'\n'
                                        ORDER BY length(id), id) FROM tabs) || E'\n', '')
         || coalesce((SELECT string_agg(line, E'\n' ORDER BY line COLLATE "C") FROM edge_lines) || E'\n', '');
END;

COMMENT ON FUNCTION sqlflow_mermaid_tables_final(sqlflow_edge[]) IS
'final function of sqlflow_mermaid_tables';

CREATE AGGREGATE sqlflow_dot(record) (
  SFUNC = sqlflow_edge_collect, STYPE = sqlflow_edge[], INITCOND = '{}',
  FINALFUNC = sqlflow_dot_final);
COMMENT ON AGGREGATE sqlflow_dot(record) IS
'Graphviz DOT of lineage or trace rows: tables as nodes with their columns, column relations labelled by kind';

CREATE AGGREGATE sqlflow_dot_tables(record) (
  SFUNC = sqlflow_edge_collect, STYPE = sqlflow_edge[], INITCOND = '{}',
  FINALFUNC = sqlflow_dot_tables_final);
COMMENT ON AGGREGATE sqlflow_dot_tables(record) IS
'Graphviz DOT of lineage or trace rows at table level: one edge per pair of tables, labelled by the kinds';

CREATE AGGREGATE sqlflow_mermaid(record) (
  SFUNC = sqlflow_edge_collect, STYPE = sqlflow_edge[], INITCOND = '{}',
  FINALFUNC = sqlflow_mermaid_final);
COMMENT ON AGGREGATE sqlflow_mermaid(record) IS
'Mermaid flowchart of lineage or trace rows: tables as subgraphs of their columns, column relations labelled by kind';

CREATE AGGREGATE sqlflow_mermaid_tables(record) (
  SFUNC = sqlflow_edge_collect, STYPE = sqlflow_edge[], INITCOND = '{}',
  FINALFUNC = sqlflow_mermaid_tables_final);
COMMENT ON AGGREGATE sqlflow_mermaid_tables(record) IS
'Mermaid flowchart of lineage or trace rows at table level';

-- OpenLineage ---------------------------------------------------------------------
--
-- A job's lineage as OpenLineage RunEvents (spec 2-0-2) and their transport
-- to an OpenLineage receiver (Marquez, DataHub, OpenMetadata, ...); the
-- README's section "Send lineage to Marquez / DataHub / OpenMetadata" says
-- how names, processes, pseudo objects and transformations are mapped.

CREATE FUNCTION sqlflow_uuid_v5(namespace uuid, name text)
RETURNS uuid
AS 'MODULE_PATHNAME', 'sqlflow_uuid_v5'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_uuid_v5(uuid, text) IS
'the name-based (version 5, SHA-1) UUID of a name (taken as UTF-8) in a namespace';

CREATE FUNCTION sqlflow_name_parts(name text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  parts text[] := '{}';
  cur text := '';
  quoted boolean := false;
  closer text;
  c text;
  i integer := 1;
  len integer := length(name);
BEGIN
  WHILE i <= len LOOP
    c := substr(name, i, 1);
    IF closer IS NOT NULL THEN
      IF c = closer THEN
        IF substr(name, i + 1, 1) = closer THEN
          cur := cur || c;
          i := i + 1;
        ELSE
          closer := NULL;
        END IF;
      ELSE
        cur := cur || c;
      END IF;
    ELSIF c = '"' AND cur = '' AND NOT quoted THEN
      closer := '"'; quoted := true;
    ELSIF c = '[' AND cur = '' AND NOT quoted THEN
      closer := ']'; quoted := true;
    ELSIF c = '`' AND cur = '' AND NOT quoted THEN
      closer := '`'; quoted := true;
    ELSIF c = '.' THEN
      parts := parts || CASE WHEN cur = '' OR (NOT quoted AND cur = 'DEFAULT') THEN NULL ELSE cur END;
      cur := ''; quoted := false;
    ELSE
      cur := cur || c;
    END IF;
    i := i + 1;
  END LOOP;
  RETURN parts || CASE WHEN cur = '' OR (NOT quoted AND cur = 'DEFAULT') THEN NULL ELSE cur END;
END
$$;

COMMENT ON FUNCTION sqlflow_name_parts(text) IS
'the parts of a qualified name as SQLFlow writes it: split on dots outside "...", [...] and `...`, each part unquoted; an empty part or an unquoted DEFAULT (unknown) is null';

CREATE FUNCTION sqlflow_quote_name_part(part text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN part IS NULL OR part = '' THEN 'DEFAULT'
              WHEN part ~ '^(".*"|\[.*\]|`.*`)$' THEN part
              WHEN part ~ '^[^."\[`]+$' AND part <> 'DEFAULT' THEN part
              ELSE '"' || replace(part, '"', '""') || '"' END;
END;

COMMENT ON FUNCTION sqlflow_quote_name_part(text) IS
'one part of a qualified name in the form sqlflow_name_parts reads back (null or empty as DEFAULT, quoted when needed, a part quoted with "", [] or `` as it is)';

CREATE FUNCTION sqlflow_openlineage_dataset_name(dbvendor text, name text,
                                                 default_database text DEFAULT NULL,
                                                 default_schema text DEFAULT NULL)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE
           -- {database}.{table}
           WHEN lower(dbvendor) IN ('dbvmysql', 'dbvhive', 'dbvteradata', 'dbvimpala',
                                    'dbvsparksql', 'dbvoceanbase', 'dbvmariadb')
           THEN concat_ws('.', coalesce(p[n - 1], default_database), p[n])
           -- {database}.{schema}.{table}
           ELSE concat_ws('.',
                          coalesce(CASE WHEN n > 2 THEN nullif(array_to_string(p[1:n - 2], '.'), '') END,
                                   default_database),
                          coalesce(p[n - 1], default_schema), p[n])
         END
  FROM (SELECT p, cardinality(p) AS n
        FROM (SELECT sqlflow_name_parts(name) AS p) x) y;
END;

COMMENT ON FUNCTION sqlflow_openlineage_dataset_name(text, text, text, text) IS
'the OpenLineage dataset name of a table SQLFlow names: {database}.{schema}.{table}, or {database}.{table} for MySQL, Hive, Teradata and the like; unknown parts from the defaults, else left out';

CREATE FUNCTION sqlflow_openlineage_transformation(kinds text[])
RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE
           WHEN k IS NULL THEN jsonb_build_object('type', 'DIRECT')
           ELSE jsonb_strip_nulls(jsonb_build_object(
                  'type', 'INDIRECT',
                  'subtype', CASE k WHEN 'fdr' THEN 'FILTER'
                                    WHEN 'join' THEN 'JOIN'
                                    WHEN 'frd' THEN 'AGGREGATION' END))
         END
  FROM (SELECT (SELECT lower(x) FROM unnest(kinds) WITH ORDINALITY AS u(x, i)
                WHERE lower(x) <> 'fdd' ORDER BY i DESC LIMIT 1) AS k) y;
END;

COMMENT ON FUNCTION sqlflow_openlineage_transformation(text[]) IS
'the OpenLineage transformation of a chain of SQLFlow relations (target first): DIRECT when all are fdd, else INDIRECT with the subtype of the one nearest the source (fdr FILTER, join JOIN, frd AGGREGATION)';

CREATE FUNCTION sqlflow_openlineage(lineage jsonb, namespace text,
                                    job_namespace text DEFAULT 'sqlflow',
                                    job_name text DEFAULT NULL,
                                    default_database text DEFAULT NULL,
                                    default_schema text DEFAULT NULL,
                                    event_time timestamptz DEFAULT NULL,
                                    job_id text DEFAULT NULL,
                                    dbvendor text DEFAULT NULL)
RETURNS SETOF jsonb
LANGUAGE sql STABLE PARALLEL SAFE
-- the plan is large and cheap to run: JIT would compile for about a second
-- to save a few milliseconds
SET jit = off
BEGIN ATOMIC
  WITH RECURSIVE
  doc AS (
    SELECT coalesce(d -> 'sqlflow', d) AS s,
           coalesce(job_id, lineage ->> 'jobId') AS jid,
           coalesce(job_name, job_id, lineage ->> 'jobId', 'sqlflow') AS jname,
           coalesce(dbvendor, d -> 'sqlflow' ->> 'dbvendor', d ->> 'dbvendor', 'dbvpostgresql') AS vendor,
           'https://pgxn.org/dist/sqlflow_export/'
             || coalesce((SELECT e.extversion FROM pg_extension e WHERE e.extname = 'sqlflow_export'), '') AS producer,
           to_char(coalesce(event_time, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS etime
    FROM (SELECT CASE WHEN jsonb_typeof(lineage -> 'data') = 'object'
                      THEN lineage -> 'data' ELSE lineage END AS d) x),
  objs AS (
    SELECT o ->> 'id' AS id, o ->> 'type' AS type
    FROM doc, jsonb_path_query(doc.s -> 'dbobjs',
                               'lax $.** ? (exists(@.id) && exists(@.name) && exists(@.type))') AS o),
  pseudo_ids AS (
    SELECT id FROM objs
    WHERE lower(type) IN ('select_list', 'insert-select', 'update-select', 'update-set',
                          'merge-insert', 'merge-update', 'function', 'pseudotable',
                          'constant', 'constanttable', 'cursor', 'variable', 'resultset')),
  procs AS (
    SELECT p ->> 'id' AS id, p ->> 'name' AS name,
           coalesce(p ->> 'sql', p ->> 'sqlText', p ->> 'queryText', p ->> 'query') AS query
    FROM doc, jsonb_array_elements(CASE jsonb_typeof(doc.s -> 'processes')
                                     WHEN 'array' THEN doc.s -> 'processes' ELSE '[]' END) AS p),
  rels AS (
    SELECT rel, n
    FROM doc,
         jsonb_array_elements(CASE jsonb_typeof(coalesce(s -> 'relationships', s -> 'relationship', s -> 'relations'))
                                WHEN 'array' THEN coalesce(s -> 'relationships', s -> 'relationship', s -> 'relations')
                                WHEN 'object' THEN jsonb_build_array(coalesce(s -> 'relationships', s -> 'relationship', s -> 'relations'))
                                ELSE '[]' END) WITH ORDINALITY AS r(rel, n)),
  -- one row per source of a relationship; an end is a pseudo object when
  -- dbobjs gives it an intermediate type or SQLFlow's name for one
  edges AS (
    SELECT rels.n, lower(rel ->> 'type') AS kind, rel ->> 'processId' AS pid,
           coalesce(rel -> 'target' ->> 'parentId', rel -> 'target' ->> 'parentName') AS tkey,
           rel -> 'target' ->> 'parentName' AS tname, rel -> 'target' ->> 'column' AS tcol,
           coalesce(src ->> 'parentId', src ->> 'parentName') AS skey,
           src ->> 'parentName' AS sname, src ->> 'column' AS scol
    FROM rels, jsonb_array_elements(CASE jsonb_typeof(rel -> 'sources')
                                      WHEN 'array' THEN rel -> 'sources' ELSE '[]' END) AS src
    WHERE lower(rel ->> 'type') IS DISTINCT FROM 'call'),
  ends AS (
    SELECT e.*,
           (e.tname ~ '^(RS|INSERT-SELECT|UPDATE-SET|UPDATE-SELECT|MERGE-INSERT|MERGE-UPDATE|SELECT-INTO|RESULT_OF_.+)-[0-9]+$'
            OR e.tname = 'pseudo_table_include_orphan_column'
            OR e.tkey IN (SELECT id FROM pseudo_ids)) AS tpseudo,
           (e.sname ~ '^(RS|INSERT-SELECT|UPDATE-SET|UPDATE-SELECT|MERGE-INSERT|MERGE-UPDATE|SELECT-INTO|RESULT_OF_.+)-[0-9]+$'
            OR e.sname = 'pseudo_table_include_orphan_column'
            OR e.skey IN (SELECT id FROM pseudo_ids)) AS spseudo
    FROM edges e),
  -- from each column of a real table back through pseudo objects to real
  -- sources.  A step's state is where it is and the kind of the non-fdd
  -- relation nearest the source so far (NULL: all fdd); UNION keeps each
  -- state once, so cycles end and shared paths are walked once.
  walk AS (
    SELECT e.pid, e.tname, e.tcol, e.skey, e.sname, e.scol, e.spseudo,
           CASE WHEN e.kind IS DISTINCT FROM 'fdd' THEN coalesce(e.kind, '') END AS k
    FROM ends e WHERE NOT e.tpseudo
    UNION
    SELECT w.pid, w.tname, w.tcol, e.skey, e.sname, e.scol, e.spseudo,
           CASE WHEN e.kind IS DISTINCT FROM 'fdd' THEN coalesce(e.kind, '') ELSE w.k END
    FROM walk w JOIN ends e ON e.tkey = w.skey AND e.tcol = w.scol
    WHERE w.spseudo),
  flows AS (
    SELECT DISTINCT
           CASE WHEN EXISTS (SELECT 1 FROM procs) THEN w.pid END AS pid,
           sqlflow_openlineage_dataset_name(doc.vendor, w.tname, default_database, default_schema) AS tds,
           w.tcol,
           sqlflow_openlineage_dataset_name(doc.vendor, w.sname, default_database, default_schema) AS sds,
           w.scol,
           sqlflow_openlineage_transformation(ARRAY[w.k]) AS tr
    FROM walk w, doc WHERE NOT w.spseudo),
  -- one event per process; relations of no process make one for the job
  runs AS (SELECT DISTINCT pid FROM flows),
  wholeset AS (SELECT unnest(ARRAY['TABLE', 'PseudoRows', '*']) AS col),
  outs AS (
    SELECT f.pid, f.tds,
           jsonb_build_object(
             'namespace', namespace, 'name', f.tds,
             'facets', jsonb_build_object(
               'schema', jsonb_build_object(
                 '_producer', min(doc.producer),
                 '_schemaURL', 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
                 'fields', coalesce(jsonb_agg(DISTINCT jsonb_build_object('name', f.tcol))
                                      FILTER (WHERE f.tcol NOT IN (SELECT col FROM wholeset)), '[]')),
               'columnLineage', jsonb_strip_nulls(jsonb_build_object(
                 '_producer', min(doc.producer),
                 '_schemaURL', 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
                 'fields', coalesce((SELECT jsonb_object_agg(g.tcol, jsonb_build_object('inputFields', g.inputs))
                                     FROM (SELECT f2.tcol,
                                                  jsonb_agg(jsonb_build_object('namespace', namespace, 'name', f2.sds,
                                                                               'field', f2.scol,
                                                                               'transformations', f2.trs)
                                                            ORDER BY f2.sds, f2.scol) AS inputs
                                           FROM (SELECT f3.tcol, f3.sds, f3.scol, jsonb_agg(f3.tr ORDER BY f3.tr::text) AS trs
                                                 FROM flows f3
                                                 WHERE f3.pid IS NOT DISTINCT FROM f.pid AND f3.tds = f.tds
                                                   AND f3.tcol NOT IN (SELECT col FROM wholeset)
                                                 GROUP BY f3.tcol, f3.sds, f3.scol) f2
                                           GROUP BY f2.tcol) g), '{}'),
                 'dataset', (SELECT jsonb_agg(jsonb_build_object('namespace', namespace, 'name', f2.sds,
                                                                 'field', f2.scol, 'transformations', f2.trs)
                                              ORDER BY f2.sds, f2.scol)
                             FROM (SELECT f3.sds, f3.scol, jsonb_agg(DISTINCT f3.tr) AS trs
                                   FROM flows f3
                                   WHERE f3.pid IS NOT DISTINCT FROM f.pid AND f3.tds = f.tds
                                     AND f3.tcol IN (SELECT col FROM wholeset)
                                   GROUP BY f3.sds, f3.scol) f2))))) AS ds
    FROM flows f, doc GROUP BY f.pid, f.tds),
  ins AS (
    SELECT f.pid, f.sds,
           jsonb_build_object(
             'namespace', namespace, 'name', f.sds,
             'facets', jsonb_build_object(
               'schema', jsonb_build_object(
                 '_producer', min(doc.producer),
                 '_schemaURL', 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
                 'fields', coalesce(jsonb_agg(DISTINCT jsonb_build_object('name', f.scol))
                                      FILTER (WHERE f.scol NOT IN (SELECT col FROM wholeset)), '[]')))) AS ds
    FROM flows f, doc GROUP BY f.pid, f.sds)
  SELECT jsonb_build_object(
           'eventType', 'COMPLETE',
           'eventTime', doc.etime,
           'producer', doc.producer,
           'schemaURL', 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
           'run', jsonb_build_object(
             'runId', sqlflow_uuid_v5('6ba7b811-9dad-11d1-80b4-00c04fd430c8',
                                      'sqlflow_export:job/' || coalesce(doc.jid, doc.jname)
                                      || coalesce('/process/' || runs.pid, ''))::text),
           'job', jsonb_build_object(
             'namespace', job_namespace,
             'name', doc.jname || coalesce('.' || coalesce(pr.name, 'process-' || runs.pid), ''),
             'facets', CASE WHEN pr.query IS NULL THEN '{}'::jsonb
                            ELSE jsonb_build_object('sql', jsonb_build_object(
                                   '_producer', doc.producer,
                                   '_schemaURL', 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet',
                                   'query', pr.query,
                                   'dialect', regexp_replace(doc.vendor, '^dbv', ''))) END),
           'inputs', coalesce((SELECT jsonb_agg(ins.ds ORDER BY ins.sds) FROM ins
                               WHERE ins.pid IS NOT DISTINCT FROM runs.pid), '[]'),
           'outputs', coalesce((SELECT jsonb_agg(outs.ds ORDER BY outs.tds) FROM outs
                                WHERE outs.pid IS NOT DISTINCT FROM runs.pid), '[]'))
  FROM runs CROSS JOIN doc LEFT JOIN procs pr ON pr.id = runs.pid
  ORDER BY runs.pid NULLS FIRST;
END;

COMMENT ON FUNCTION sqlflow_openlineage(jsonb, text, text, text, text, text, timestamptz, text, text) IS
'a SQLFlow JSON export (envelope or data) as OpenLineage RunEvents: one COMPLETE event per process SQLFlow reports, one for the job where it reports none; datasets named for the job''s vendor in the given namespace; column lineage through pseudo objects; deterministic run ids';

CREATE FUNCTION sqlflow_openlineage(job_id text, namespace text,
                                    job_namespace text DEFAULT 'sqlflow',
                                    job_name text DEFAULT NULL,
                                    default_database text DEFAULT NULL,
                                    default_schema text DEFAULT NULL,
                                    server text DEFAULT NULL)
RETURNS SETOF jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
  SELECT ev
  FROM (SELECT coalesce(j -> 'data', j) AS job FROM (SELECT sqlflow_job(job_id, server) AS j) x) jb,
       sqlflow_openlineage(sqlflow_export_json(job_id, server => server), namespace,
                           job_namespace => job_namespace,
                           job_name => coalesce(job_name, nullif(jb.job ->> 'jobName', ''), job_id),
                           default_database => default_database,
                           default_schema => default_schema,
                           event_time => (jb.job ->> 'createTime')::timestamp AT TIME ZONE 'UTC',
                           job_id => job_id,
                           dbvendor => jb.job ->> 'dbVendor') WITH ORDINALITY AS e(ev, n)
  ORDER BY e.n;
END;

COMMENT ON FUNCTION sqlflow_openlineage(text, text, text, text, text, text, text) IS
'the lineage of a SQLFlow job as OpenLineage RunEvents (sqlflow_openlineage(jsonb, ...) over its JSON export); the job name defaults to SQLFlow''s, the event time is the job''s createTime (UTC)';

CREATE FUNCTION sqlflow_openlineage_send(target text, events jsonb[])
RETURNS integer
AS 'MODULE_PATHNAME', 'sqlflow_openlineage_send'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_openlineage_send(text, jsonb[]) IS
'POSTs OpenLineage events, in order, to the openlineage_url of a sqlflow server (api_key of the user mapping as a bearer token); the number accepted, or an error saying how many were accepted before it';

CREATE FUNCTION sqlflow_openlineage_emit(job_id text, target text, namespace text,
                                         job_namespace text DEFAULT 'sqlflow',
                                         job_name text DEFAULT NULL,
                                         default_database text DEFAULT NULL,
                                         default_schema text DEFAULT NULL,
                                         server text DEFAULT NULL)
RETURNS integer
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
  SELECT sqlflow_openlineage_send(target, coalesce(array_agg(e.ev ORDER BY e.n), '{}'))
  FROM sqlflow_openlineage(job_id, namespace, job_namespace, job_name,
                           default_database, default_schema, server) WITH ORDINALITY AS e(ev, n);
END;

COMMENT ON FUNCTION sqlflow_openlineage_emit(text, text, text, text, text, text, text, text) IS
'sends the OpenLineage events of a SQLFlow job to the receiver of the sqlflow server target (its openlineage_url); the number accepted';

-- stored lineage rows as a JSON export, for sqlflow_openlineage(jsonb, ...)
CREATE FUNCTION sqlflow_lineage_json_collect(relationships jsonb, lineage record)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  sp text[] := ARRAY[lineage.source_db, lineage.source_schema, lineage.source_table];
  tp text[] := ARRAY[lineage.target_db, lineage.target_schema, lineage.target_table];
BEGIN
  RETURN relationships || jsonb_build_array(jsonb_build_object(
    'type', lineage.relation_type, 'effectType', lineage.effect_type,
    'target', jsonb_build_object('parentName', @extschema@.sqlflow_lineage_json_name(tp),
                                 'column', lineage.target_column),
    'sources', jsonb_build_array(jsonb_build_object(
                 'parentName', @extschema@.sqlflow_lineage_json_name(sp),
                 'column', lineage.source_column))));
END
$$;

COMMENT ON FUNCTION sqlflow_lineage_json_collect(jsonb, record) IS
'state function of sqlflow_lineage_json';

CREATE FUNCTION sqlflow_lineage_json_name(parts text[])
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN d IS NULL AND s IS NULL THEN sqlflow_quote_name_part(parts[3])
              WHEN d IS NULL THEN sqlflow_quote_name_part(s) || '.' || sqlflow_quote_name_part(parts[3])
              ELSE sqlflow_quote_name_part(d) || '.' || sqlflow_quote_name_part(s) || '.'
                   || sqlflow_quote_name_part(parts[3]) END
  FROM (SELECT nullif(nullif(parts[1], 'DEFAULT'), '') AS d,
               nullif(nullif(parts[2], 'DEFAULT'), '') AS s) x;
END;

COMMENT ON FUNCTION sqlflow_lineage_json_name(text[]) IS
'the parentName of a table given as {database, schema, table} of sqlflow_lineage (DEFAULT or empty: unknown, left out)';

CREATE FUNCTION sqlflow_lineage_json_final(relationships jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN jsonb_build_object('sqlflow', jsonb_build_object('relationships', relationships));

COMMENT ON FUNCTION sqlflow_lineage_json_final(jsonb) IS
'final function of sqlflow_lineage_json';

CREATE AGGREGATE sqlflow_lineage_json(record) (
  SFUNC = sqlflow_lineage_json_collect, STYPE = jsonb, INITCOND = '[]',
  FINALFUNC = sqlflow_lineage_json_final);
COMMENT ON AGGREGATE sqlflow_lineage_json(record) IS
'stored lineage rows (sqlflow_lineage''s columns) as a JSON export with one relationship per row, for sqlflow_openlineage(jsonb, ...): the same events without asking SQLFlow again (one per job: rows carry no process)';
