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
'exports the lineage of a SQLFlow job as jsonb (the whole answer: code, data, sessionId, ...); a null or empty job_id means the latest job (options, sent only when given: relation_types, ignore_record_set, ignore_function, show_constant_table, show_transform, simple_output, show_link_only, count_arguments_as_fdd, database_name, schema_name, table_name, column_name)';

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
'the CSV lineage export of a SQLFlow job as rows, streamed; columns matched by header name, others kept in extra; a null or empty job_id means the latest job (options, sent only when given: relation_types, ignore_record_set, ignore_function, show_constant_table, show_transform, simple_output, show_link_only, count_arguments_as_fdd, database_name, schema_name, table_name, column_name)';

CREATE FUNCTION sqlflow_relationships(lineage jsonb)
RETURNS TABLE (relationship_id text, relation_type text, effect_type text,
               source_parent text, source_column text,
               target_parent text, target_column text, process_id text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  -- the envelope's data, or the document itself
  payload pg_catalog.jsonb;
  -- data.sqlflow (exports), or data itself (the generation endpoint)
  doc pg_catalog.jsonb;
  -- relationships, relationship or relations; the objects that name parents
  rel_list pg_catalog.jsonb;
  objs pg_catalog.jsonb;
BEGIN
  -- (every name qualified, every operator OPERATOR(pg_catalog.x): nothing
  -- here may resolve to a caller's overload)
  payload := CASE WHEN pg_catalog.jsonb_typeof(lineage OPERATOR(pg_catalog.->) 'data')
                       OPERATOR(pg_catalog.=) 'object'
                  THEN lineage OPERATOR(pg_catalog.->) 'data' ELSE lineage END;
  IF (payload OPERATOR(pg_catalog.->>) 'mode') OPERATOR(pg_catalog.=) 'summary' THEN
    RAISE WARNING 'the lineage is in summary mode: the server sent counts, no relationships'
      USING DETAIL = CASE WHEN payload OPERATOR(pg_catalog.->) 'summary' OPERATOR(pg_catalog.->>) 'relationship' IS NULL
                          THEN 'The document gives no counts.'
                          ELSE pg_catalog.format('Summary mode: %s relationships, %s tables.',
                                                 payload OPERATOR(pg_catalog.->) 'summary' OPERATOR(pg_catalog.->>) 'relationship',
                                                 coalesce(payload OPERATOR(pg_catalog.->) 'summary' OPERATOR(pg_catalog.->>) 'table', '?')) END,
            HINT = 'Submit the SQL in smaller jobs, or raise relation_limit (1000 by default) on an on-premise server.';
  END IF;
  doc := coalesce(payload OPERATOR(pg_catalog.->) 'sqlflow', payload);
  rel_list := coalesce(doc OPERATOR(pg_catalog.->) 'relationships', doc OPERATOR(pg_catalog.->) 'relationship',
                       doc OPERATOR(pg_catalog.->) 'relations');
  objs := doc OPERATOR(pg_catalog.->) 'dbobjs';
  RETURN QUERY
    SELECT rel OPERATOR(pg_catalog.->>) 'id', rel OPERATOR(pg_catalog.->>) 'type',
           rel OPERATOR(pg_catalog.->>) 'effectType',
           coalesce(src OPERATOR(pg_catalog.->>) 'parentName',
                    (SELECT o OPERATOR(pg_catalog.->>) 'name'
                     FROM pg_catalog.jsonb_path_query(objs, 'lax $.** ? (exists(@.id) && exists(@.name))'::pg_catalog.jsonpath) o
                     WHERE (o OPERATOR(pg_catalog.->>) 'id') OPERATOR(pg_catalog.=) (src OPERATOR(pg_catalog.->>) 'parentId')
                     LIMIT 1)),
           src OPERATOR(pg_catalog.->>) 'column',
           coalesce(rel OPERATOR(pg_catalog.->) 'target' OPERATOR(pg_catalog.->>) 'parentName',
                    (SELECT o OPERATOR(pg_catalog.->>) 'name'
                     FROM pg_catalog.jsonb_path_query(objs, 'lax $.** ? (exists(@.id) && exists(@.name))'::pg_catalog.jsonpath) o
                     WHERE (o OPERATOR(pg_catalog.->>) 'id')
                           OPERATOR(pg_catalog.=) (rel OPERATOR(pg_catalog.->) 'target' OPERATOR(pg_catalog.->>) 'parentId')
                     LIMIT 1)),
           rel OPERATOR(pg_catalog.->) 'target' OPERATOR(pg_catalog.->>) 'column',
           rel OPERATOR(pg_catalog.->>) 'processId'
    FROM pg_catalog.jsonb_array_elements(
           CASE WHEN pg_catalog.jsonb_typeof(rel_list) OPERATOR(pg_catalog.=) 'array' THEN rel_list
                WHEN pg_catalog.jsonb_typeof(rel_list) OPERATOR(pg_catalog.=) 'object'
                THEN pg_catalog.jsonb_build_array(rel_list)
                ELSE '[]'::pg_catalog.jsonb END) WITH ORDINALITY AS r1(rel, n),
         pg_catalog.jsonb_array_elements(
           CASE WHEN pg_catalog.jsonb_typeof(rel OPERATOR(pg_catalog.->) 'sources') OPERATOR(pg_catalog.=) 'array'
                THEN rel OPERATOR(pg_catalog.->) 'sources'
                ELSE '[]'::pg_catalog.jsonb END) WITH ORDINALITY AS r2(src, m)
    ORDER BY r1.n, r2.m;
END
$$;

COMMENT ON FUNCTION sqlflow_relationships(jsonb) IS
'flattens a SQLFlow JSON export (any variant: relationships, relationship or relations; envelope or data) into one row per source of each relationship; warns when the export is in summary mode; a null document gives no rows';

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
'the JSON lineage export of a SQLFlow job as relationship rows (those of sqlflow_relationships(jsonb)), read as it arrives without holding the document; an empty job_id means the latest job, a null one gives no rows and asks nothing, as a null document does (options as for sqlflow_lineage)';

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
'the job object of a SQLFlow job (status, jobName, dbVendor, createTime, ...); job_id is required';

CREATE FUNCTION sqlflow_wait(job_id text,
                             timeout interval DEFAULT '10 minutes',
                             server text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_wait'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_wait(text, interval, text) IS
'waits until a SQLFlow job is done and returns success or partial_success; a failed job or the timeout is an error; job_id is required';

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
BEGIN ATOMIC
  SELECT j OPERATOR(pg_catalog.->>) 'jobId', j OPERATOR(pg_catalog.->>) 'jobName',
         j OPERATOR(pg_catalog.->>) 'status', j OPERATOR(pg_catalog.->>) 'dbVendor',
         CAST(j OPERATOR(pg_catalog.->>) 'createTime' AS pg_catalog.timestamp),
         CAST(j OPERATOR(pg_catalog.->>) 'executeTimeMillis' AS pg_catalog.int8),
         ARRAY(SELECT pg_catalog.jsonb_array_elements_text(
                 CASE WHEN pg_catalog.jsonb_typeof(j OPERATOR(pg_catalog.->) 'fileNames') OPERATOR(pg_catalog.=) 'array'
                      THEN j OPERATOR(pg_catalog.->) 'fileNames' ELSE '[]'::pg_catalog.jsonb END))
  FROM pg_catalog.jsonb_array_elements(
         coalesce(@extschema@.sqlflow_jobs_json(server) OPERATOR(pg_catalog.->) 'data' OPERATOR(pg_catalog.->) 'jobDetails',
                  '[]'::pg_catalog.jsonb)) AS j;
END;

COMMENT ON FUNCTION sqlflow_jobs(text) IS
'lists the SQLFlow jobs of the user, one row per job';

CREATE FUNCTION sqlflow_delete_job(job_id text, server text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'sqlflow_delete_job'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_delete_job(text, text) IS
'deletes a SQLFlow job; true when the server confirms; job_id is required';

CREATE FUNCTION sqlflow_lineage_of(sql text,
                                   dbvendor text DEFAULT 'dbvpostgresql',
                                   server text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'sqlflow_lineage_of'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_lineage_of(text, text, text) IS
'the lineage of one SQL text, computed at once without a job (/sqlflow/generation/sqlflow)';

-- The lineage of this database -------------------------------------------------------

CREATE FUNCTION sqlflow_dependency_levels(n integer, reader integer[], read integer[])
RETURNS integer[]
AS 'MODULE_PATHNAME', 'sqlflow_dependency_levels_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_dependency_levels(integer, integer[], integer[]) IS
'the level of each of the objects 1..n where object reader[k] reads object read[k]: 0 for one that reads none of them, else one above the highest it reads (a cycle is cut at its lowest-numbered object); the order of sqlflow_database_sql';

CREATE FUNCTION sqlflow_database_sql(schemas text[] DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH
  -- which schemas: the ones given, else every user schema; never the
  -- system's, and never objects that belong to an extension
  nsp AS (
    SELECT n.oid
    FROM pg_catalog.pg_namespace n
    WHERE (schemas IS NULL OR n.nspname = ANY (schemas))
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                        AND d.objid = n.oid AND d.deptype = 'e')),
  -- views, materialized views, SQL and PL/pgSQL routines of the schemas
  objs AS (
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid, c.oid AS objid,
           0 AS kind, n.nspname, c.relname AS name, ''::text AS args, false AS late,
           pg_catalog.format('CREATE %sVIEW %I.%I AS%s%s',
                             CASE c.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END,
                             n.nspname, c.relname, e'\n',
                             pg_catalog.rtrim(pg_catalog.pg_get_viewdef(c.oid), e'; \n')) || ';' AS ddl
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm')
      AND c.relnamespace IN (SELECT oid FROM nsp)
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    -- a routine with its body in a string records no reads: it goes at the
    -- end, unless something here reads it (late, at_end)
    SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid,
           1, n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid),
           p.prosqlbody IS NULL,
           pg_catalog.rtrim(pg_catalog.pg_get_functiondef(p.oid), e'\n') || ';'
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_language l ON l.oid = p.prolang
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p')
      AND l.lanname IN ('sql', 'plpgsql')
      AND p.pronamespace IN (SELECT oid FROM nsp)
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND d.objid = p.oid AND d.deptype = 'e')),
  -- what each reads, as PostgreSQL records it: a view through its rewrite
  -- rule, a routine with a BEGIN ATOMIC body directly
  reads AS (
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid,
           rw.ev_class AS objid, d.refclassid, d.refobjid
    FROM pg_catalog.pg_rewrite rw
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                               AND d.objid = rw.oid
    WHERE rw.ev_class IN (SELECT objid FROM objs WHERE kind = 0)
      AND d.refobjid <> rw.ev_class
    UNION
    SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, d.objid, d.refclassid, d.refobjid
    FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
      AND d.objid IN (SELECT objid FROM objs WHERE kind = 1)
      AND d.refobjid <> d.objid),
  -- the objects numbered, and the reads between them
  nums AS (
    SELECT o.*, pg_catalog.row_number() OVER (ORDER BY o.classid, o.objid)::integer AS i
    FROM objs o),
  edges AS (
    SELECT a.i AS reader, b.i AS read
    FROM reads r
    JOIN nums a ON a.classid = r.classid AND a.objid = r.objid
    JOIN nums b ON b.classid = r.refclassid AND b.objid = r.refobjid),
  -- each one's level: above everything it reads (src/depsort.c)
  levels AS (
    SELECT @extschema@.sqlflow_dependency_levels(
             (SELECT pg_catalog.count(*)::integer FROM nums),
             coalesce(pg_catalog.array_agg(e.reader ORDER BY e.reader, e.read), '{}'),
             coalesce(pg_catalog.array_agg(e.read ORDER BY e.reader, e.read), '{}')) AS l
    FROM edges e),
  placed AS (
    SELECT n.*, lv.l[n.i] AS level,
           n.late AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.read = n.i) AS at_end
    FROM nums n CROSS JOIN levels lv),
  -- the tables: those of the schemas, and those the views and routines
  -- there read from
  tabs AS (
    SELECT n.nspname, c.relname,
           pg_catalog.format('CREATE TABLE %I.%I (%s);', n.nspname, c.relname,
                             coalesce(pg_catalog.string_agg(pg_catalog.format('%I %s', a.attname,
                                                                              pg_catalog.format_type(a.atttypid, a.atttypmod)),
                                                            ', ' ORDER BY a.attnum), '')) AS ddl
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND d.objid = c.oid AND d.deptype = 'e')
      AND (c.relnamespace IN (SELECT oid FROM nsp)
           OR c.oid IN (SELECT r.refobjid FROM reads r
                        WHERE r.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass))
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    GROUP BY c.oid, n.nspname, c.relname)
  -- one pass each, in order: the tables by name, then the rest by level
  SELECT coalesce((SELECT pg_catalog.string_agg(t.ddl || e'\n', '' ORDER BY t.nspname, t.relname)
                   FROM tabs t), '')
         || coalesce((SELECT pg_catalog.string_agg(e'\n' || p.ddl || e'\n', ''
                                                   ORDER BY p.at_end, p.level, p.kind, p.nspname, p.name, p.args)
                      FROM placed p), '');
END;

COMMENT ON FUNCTION sqlflow_database_sql(text[]) IS
'the SQL script that sqlflow_submit_database sends: tables, views, materialized views and SQL/PL/pgSQL routines of the given schemas (default: all user schemas); each view and routine after everything it reads';

CREATE FUNCTION sqlflow_submit_database(job_name text DEFAULT NULL,
                                        schemas text[] DEFAULT NULL,
                                        server text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  script text := @extschema@.sqlflow_database_sql(schemas);
BEGIN
  IF script OPERATOR(pg_catalog.=) '' THEN
    RAISE EXCEPTION 'no views, routines or tables to submit'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = pg_catalog.format('Schemas searched: %s.',
                                       coalesce(pg_catalog.array_to_string(schemas, ', '), 'all user schemas'));
  END IF;
  RETURN @extschema@.sqlflow_submit(script, 'dbvpostgresql',
                                    coalesce(job_name, pg_catalog.current_database()
                                                       OPERATOR(pg_catalog.||) ' '
                                                       OPERATOR(pg_catalog.||) pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM-DD HH24:MI:SS')),
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
-- The lineage guard ------------------------------------------------------------------

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
