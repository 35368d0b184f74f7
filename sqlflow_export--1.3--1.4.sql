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
AS 'MODULE_PATHNAME', 'sqlflow_quote_name_part'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

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
        FROM (SELECT @extschema@.sqlflow_name_parts(name) AS p) x) y;
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
             || coalesce((SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'sqlflow_export'), '') AS producer,
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
           @extschema@.sqlflow_openlineage_dataset_name(doc.vendor, w.tname, default_database, default_schema) AS tds,
           w.tcol,
           @extschema@.sqlflow_openlineage_dataset_name(doc.vendor, w.sname, default_database, default_schema) AS sds,
           w.scol,
           @extschema@.sqlflow_openlineage_transformation(ARRAY[w.k]) AS tr
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
             'runId', @extschema@.sqlflow_uuid_v5('6ba7b811-9dad-11d1-80b4-00c04fd430c8',
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
