/* sqlflow_export--1.3--1.4.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.4'" to load this file. \quit

-- Each part below belongs to one change; keep them apart (merges).

-- == OpenLineage =============================================================

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


-- == end ========================================================================
