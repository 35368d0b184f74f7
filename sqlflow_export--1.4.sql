/* sqlflow_export--1.4.sql */

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
-- inside the lineage, and a wildcard in what you ask for.  The traces only
-- read: their state is in memory, the lineage is read one query per depth.
CREATE FUNCTION sqlflow_name_key(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_name_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

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
AS 'MODULE_PATHNAME', 'sqlflow_trace'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION sqlflow_trace(regclass, text, text, text, integer) IS
'walks a lineage table (sqlflow_lineage''s columns) from a table or column, downstream (impact) or upstream (provenance), to max_depth; one row per relation reached, with its depth and the path from the start; cycles end; only reads';

CREATE FUNCTION sqlflow_impact(lineage regclass, table_name text,
                               column_name text DEFAULT NULL, max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
AS 'MODULE_PATHNAME', 'sqlflow_impact'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION sqlflow_impact(regclass, text, text, integer) IS
'what depends on a table or column: sqlflow_trace downstream';

CREATE FUNCTION sqlflow_provenance(lineage regclass, table_name text,
                                   column_name text DEFAULT NULL, max_depth integer DEFAULT 10)
RETURNS TABLE (depth integer,
               source_db text, source_schema text, source_table text, source_column text,
               target_db text, target_schema text, target_table text, target_column text,
               relation_type text, effect_type text, path text[])
AS 'MODULE_PATHNAME', 'sqlflow_provenance'
LANGUAGE C STABLE PARALLEL RESTRICTED;

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
AS 'MODULE_PATHNAME', 'sqlflow_trace_job'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_trace_job(text, text, text, text, integer, text) IS
'sqlflow_trace over the lineage of a job, fetched once with sqlflow_lineage and walked in memory';

-- Pictures: Graphviz DOT and Mermaid from lineage or trace rows -----------------

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

-- The aggregates collect distinct tables, columns and relations in C, in
-- hash tables that grow in place (src/pictures.c): linear in the rows.
CREATE FUNCTION sqlflow_edge_collect(state internal, lineage record)
RETURNS internal
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_edge_collect';

COMMENT ON FUNCTION sqlflow_edge_collect(internal, record) IS
'state function of sqlflow_dot, sqlflow_dot_tables, sqlflow_mermaid and sqlflow_mermaid_tables';

CREATE FUNCTION sqlflow_dot_final(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_dot_final';

COMMENT ON FUNCTION sqlflow_dot_final(internal) IS
'final function of sqlflow_dot';

CREATE FUNCTION sqlflow_dot_tables_final(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_dot_tables_final';

COMMENT ON FUNCTION sqlflow_dot_tables_final(internal) IS
'final function of sqlflow_dot_tables';

CREATE FUNCTION sqlflow_mermaid_final(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_mermaid_final';

COMMENT ON FUNCTION sqlflow_mermaid_final(internal) IS
'final function of sqlflow_mermaid';

CREATE FUNCTION sqlflow_mermaid_tables_final(state internal)
RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqlflow_mermaid_tables_final';

COMMENT ON FUNCTION sqlflow_mermaid_tables_final(internal) IS
'final function of sqlflow_mermaid_tables';

CREATE AGGREGATE sqlflow_dot(record) (
  SFUNC = @extschema@.sqlflow_edge_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_dot_final, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_dot(record) IS
'Graphviz DOT of lineage or trace rows: tables as nodes with their columns, column relations labelled by kind';

CREATE AGGREGATE sqlflow_dot_tables(record) (
  SFUNC = @extschema@.sqlflow_edge_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_dot_tables_final, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_dot_tables(record) IS
'Graphviz DOT of lineage or trace rows at table level: one edge per pair of tables, labelled by the kinds';

CREATE AGGREGATE sqlflow_mermaid(record) (
  SFUNC = @extschema@.sqlflow_edge_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_mermaid_final, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_mermaid(record) IS
'Mermaid flowchart of lineage or trace rows: tables as subgraphs of their columns, column relations labelled by kind';

CREATE AGGREGATE sqlflow_mermaid_tables(record) (
  SFUNC = @extschema@.sqlflow_edge_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_mermaid_tables_final, FINALFUNC_MODIFY = READ_ONLY);
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
  EXECUTE FUNCTION @extschema@.sqlflow_guard_ddl();

COMMENT ON EVENT TRIGGER sqlflow_guard IS
'the lineage guard: see sqlflow.guard, sqlflow.guard_lineage and sqlflow.guard_depth';

-- OpenLineage ---------------------------------------------------------------------

--
-- A job's lineage as OpenLineage RunEvents (spec 2-0-2) and their transport
-- to an OpenLineage receiver (Marquez, DataHub, OpenMetadata, ...); docs/openlineage.md
-- says how names, processes, pseudo objects and transformations are mapped.

CREATE FUNCTION sqlflow_uuid_v5(namespace uuid, name text)
RETURNS uuid
AS 'MODULE_PATHNAME', 'sqlflow_uuid_v5'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_uuid_v5(uuid, text) IS
'the name-based (version 5, SHA-1) UUID of a name (taken as UTF-8) in a namespace';

CREATE FUNCTION sqlflow_name_parts(name text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'sqlflow_name_parts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_name_parts(text) IS
'the parts of a qualified name as SQLFlow writes it: split on dots outside "...", [...] and `...`, each part unquoted; an empty part or an unquoted DEFAULT (unknown) is null';

CREATE FUNCTION sqlflow_quote_name_part(part text)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_quote_name_part'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_quote_name_part(text) IS
'one part of a qualified name in the form sqlflow_name_parts reads back (null or empty as DEFAULT, quoted when needed, a part quoted with "", [] or `` as it is)';

CREATE FUNCTION sqlflow_openlineage_dataset_name(dbvendor text, name text,
                                                 default_database text DEFAULT NULL,
                                                 default_schema text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_openlineage_dataset_name'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_openlineage_dataset_name(text, text, text, text) IS
'the OpenLineage dataset name of a table SQLFlow names: {database}.{schema}.{table}, or {database}.{table} for MySQL, Hive, Teradata and the like; unknown parts from the defaults, else left out; NULL for a NULL name';

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
AS 'MODULE_PATHNAME', 'sqlflow_openlineage_jsonb'
LANGUAGE C STABLE PARALLEL SAFE;

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
  FROM (SELECT coalesce(j -> 'data', j) AS job FROM (SELECT @extschema@.sqlflow_job(job_id, server) AS j) x) jb,
       @extschema@.sqlflow_openlineage(@extschema@.sqlflow_export_json(job_id, server => server), namespace,
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
  SELECT @extschema@.sqlflow_openlineage_send(target, coalesce(array_agg(e.ev ORDER BY e.n), '{}'))
  FROM @extschema@.sqlflow_openlineage(job_id, namespace, job_namespace, job_name,
                           default_database, default_schema, server) WITH ORDINALITY AS e(ev, n);
END;

COMMENT ON FUNCTION sqlflow_openlineage_emit(text, text, text, text, text, text, text, text) IS
'sends the OpenLineage events of a SQLFlow job to the receiver of the sqlflow server target (its openlineage_url); the number accepted';

-- stored lineage rows as a JSON export, for sqlflow_openlineage(jsonb, ...)
CREATE FUNCTION sqlflow_lineage_json_name(parts text[])
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_lineage_json_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_lineage_json_name(text[]) IS
'the parentName of a table given as {database, schema, table} of sqlflow_lineage (DEFAULT or empty: unknown, left out)';

CREATE FUNCTION sqlflow_lineage_json_collect(state internal, lineage record)
RETURNS internal
AS 'MODULE_PATHNAME', 'sqlflow_lineage_json_collect'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_lineage_json_collect(internal, record) IS
'state function of sqlflow_lineage_json: keeps each row''s relation, names and columns';

CREATE FUNCTION sqlflow_lineage_json_final(state internal)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'sqlflow_lineage_json_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION sqlflow_lineage_json_final(internal) IS
'final function of sqlflow_lineage_json: writes the document once';

CREATE AGGREGATE sqlflow_lineage_json(record) (
  SFUNC = @extschema@.sqlflow_lineage_json_collect, STYPE = internal,
  FINALFUNC = @extschema@.sqlflow_lineage_json_final, FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE sqlflow_lineage_json(record) IS
'stored lineage rows (sqlflow_lineage''s columns) as a JSON export with one relationship per row, for sqlflow_openlineage(jsonb, ...): the same events without asking SQLFlow again (one per job: rows carry no process)';
