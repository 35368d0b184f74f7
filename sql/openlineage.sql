--
-- openlineage: a job's lineage as OpenLineage RunEvents, checked against the
-- spec's definitions (written here as checks), compared with the job's
-- sqlflow_lineage rows, and sent to the loopback server's receiver
--
\getenv samples SQLFLOW_TEST_SAMPLES
SET client_min_messages = warning;
SET jit = off;  -- the suite's own checks are large plans too

-- the receiver: /openlineage/<tenant>/api/v1/lineage on the loopback server
SELECT format('http://127.0.0.1:%s/openlineage/plain/api/v1/lineage', port) AS ol_plain,
       format('http://127.0.0.1:%s/openlineage/auth-a/api/v1/lineage', port) AS ol_auth,
       format('http://127.0.0.1:%s/openlineage/auth-b/api/v1/lineage', port) AS ol_badkey,
       format('http://127.0.0.1:%s/openlineage/failing/api/v1/lineage', port) AS ol_fail
FROM sqlflow_test_env \gset
CREATE SERVER ol_plain FOREIGN DATA WRAPPER sqlflow
  OPTIONS (openlineage_url :'ol_plain');
CREATE SERVER ol_auth FOREIGN DATA WRAPPER sqlflow
  OPTIONS (openlineage_url :'ol_auth');
CREATE USER MAPPING FOR CURRENT_USER SERVER ol_auth OPTIONS (api_key 'ol-test-key-0123456789');
CREATE SERVER ol_badkey FOREIGN DATA WRAPPER sqlflow
  OPTIONS (openlineage_url :'ol_badkey');
CREATE USER MAPPING FOR CURRENT_USER SERVER ol_badkey OPTIONS (api_key 'wrong-key-secret-42');
CREATE SERVER ol_fail FOREIGN DATA WRAPPER sqlflow
  OPTIONS (openlineage_url :'ol_fail');
CREATE SERVER ol_down FOREIGN DATA WRAPPER sqlflow
  OPTIONS (openlineage_url 'http://127.0.0.1:1/api/v1/lineage');

-- the validator: the URL is checked, api_key alone makes a mapping
SELECT sqlflow_test_try($$CREATE SERVER ol_bad FOREIGN DATA WRAPPER sqlflow OPTIONS (openlineage_url 'ftp://127.0.0.1/x')$$);
SELECT sqlflow_test_try($$CREATE USER MAPPING FOR CURRENT_USER SERVER ol_plain OPTIONS (api_key '')$$);
SELECT sqlflow_test_try($$CREATE USER MAPPING FOR CURRENT_USER SERVER ol_plain OPTIONS (token 'x')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', server => 'ol_plain')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_openlineage_send('sqlflow', '{}')$$);

-- what the receiver got
CREATE FUNCTION ol_received(tenant text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE j jsonb;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS ol_raw (t text);
  TRUNCATE ol_raw;
  EXECUTE format('COPY ol_raw FROM PROGRAM %L (FORMAT csv, QUOTE %L, DELIMITER %L)',
                 format('curl -sf ''http://127.0.0.1:%s/__openlineage?tenant=%s''',
                        (SELECT port FROM sqlflow_test_env), tenant), e'\x01', e'\x02');
  SELECT string_agg(t, e'\n')::jsonb INTO j FROM ol_raw;
  RETURN j;
END $$;
CREATE FUNCTION ol_control(what text, query text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',
                 format('curl -sf -X POST ''http://127.0.0.1:%s/__openlineage_%s?%s'' >/dev/null',
                        (SELECT port FROM sqlflow_test_env), what, query));
END $$;

-- name-based UUIDs: RFC 9562's example (DNS namespace, www.example.com)
-- and the one Python's uuid5 gives for python.org
SELECT sqlflow_uuid_v5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com') AS rfc_example,
       sqlflow_uuid_v5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org') AS python_org;

-- The naming rules as 1.4 first wrote them in SQL, kept here as the oracle
-- of the C functions (and of the events below)
CREATE FUNCTION ol_name_parts(name text)
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
CREATE FUNCTION ol_dataset_name(dbvendor text, name text,
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
        FROM (SELECT ol_name_parts(name) AS p) x) y;
END;

-- dataset names: parts, quotes, DEFAULT, defaults, two-level vendors
SELECT n, sqlflow_name_parts(n) AS parts,
       sqlflow_openlineage_dataset_name('dbvpostgresql', n) AS pg,
       sqlflow_openlineage_dataset_name('dbvpostgresql', n, 'shop', 'public') AS pg_defaults,
       sqlflow_openlineage_dataset_name('dbvmysql', n, 'shop') AS mysql
FROM unnest(ARRAY['orders', 'sales.orders', 'db1.sales.orders', 'DEFAULT.DEFAULT.orders',
                  '"".""."medium_orders"', '"a.b"."c""d"', '[dbo].[t.x]', '`w`.`t`']) AS n;
-- the C functions against the SQL oracle: every table name of the fixtures
-- (and of the real samples, when there), hostile names, every vendor rule
CREATE TEMP TABLE ol_names AS
SELECT DISTINCT n FROM (
  SELECT unnest(ARRAY[source_table, target_table,
                      concat_ws('.', source_schema, source_table),
                      concat_ws('.', source_db, source_schema, source_table),
                      concat_ws('.', target_db, target_schema, target_table)]) AS n
  FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055')
  UNION ALL
  SELECT unnest(ARRAY['', '.', '..', 'a..b', '"', '""', '"a', '[a', '`a', 'a"b', '[a]]b].c', '"a""b".c',
                      '`a``b`.c', 'DEFAULT', '"DEFAULT"', 'default.t', 'x.DEFAULT.DEFAULT.t',
                      'e1.e2.e3.e4.t', 'ÉMP.ß.表', '"a.b".[c.d].`e.f`', repeat('x.', 200) || 'y'])
) s WHERE n IS NOT NULL;
SELECT count(*) AS names,
       count(*) FILTER (WHERE sqlflow_name_parts(n) IS DISTINCT FROM ol_name_parts(n)) AS parts_differ,
       count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM unnest(ARRAY['dbvpostgresql', 'dbvmysql', 'DBVHIVE', 'dbvoracle', NULL]) v,
                       unnest(ARRAY[NULL, 'shop']) d, unnest(ARRAY[NULL, 'public']) sc
         WHERE sqlflow_openlineage_dataset_name(v, n, d, sc) IS DISTINCT FROM ol_dataset_name(v, n, d, sc))) AS names_differ
FROM ol_names;

-- The spec's definitions as checks (OpenLineage.json 2-0-2 RunEvent, facets
-- ColumnLineageDatasetFacet 1-2-0, SchemaDatasetFacet 1-2-0, SQLJobFacet
-- 1-1-0): one row per problem found in an event
CREATE FUNCTION ol_is_uri(v jsonb) RETURNS boolean LANGUAGE sql AS
$$ SELECT jsonb_typeof(v) = 'string' AND v #>> '{}' ~ '^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$' $$;
CREATE FUNCTION ol_base_facet(f jsonb, where_ text, schema_url text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT where_ || ': not an object' WHERE jsonb_typeof(f) IS DISTINCT FROM 'object'
  UNION ALL SELECT where_ || '._producer: not a URI' WHERE jsonb_typeof(f) = 'object' AND NOT ol_is_uri(f -> '_producer')
  UNION ALL SELECT where_ || '._schemaURL: not ' || schema_url
    WHERE jsonb_typeof(f) = 'object' AND f ->> '_schemaURL' IS DISTINCT FROM schema_url
$$;
CREATE FUNCTION ol_input_field(i jsonb, where_ text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT where_ || ': not an object' WHERE jsonb_typeof(i) IS DISTINCT FROM 'object'
  UNION ALL SELECT where_ || '.' || k || ': not a string' FROM unnest(ARRAY['namespace', 'name', 'field']) k
    WHERE jsonb_typeof(i -> k) IS DISTINCT FROM 'string'
  UNION ALL SELECT where_ || '.transformations: not an array'
    WHERE i ? 'transformations' AND jsonb_typeof(i -> 'transformations') <> 'array'
  UNION ALL SELECT where_ || '.transformations: bad ' || t::text
    FROM jsonb_array_elements(CASE jsonb_typeof(i -> 'transformations') WHEN 'array' THEN i -> 'transformations' ELSE '[]' END) t
    WHERE jsonb_typeof(t) <> 'object' OR NOT (t ->> 'type' IN ('DIRECT', 'INDIRECT'))
       OR (t ? 'subtype' AND jsonb_typeof(t -> 'subtype') <> 'string')
       OR (t ->> 'type' = 'INDIRECT' AND NOT t ->> 'subtype' IN ('JOIN', 'GROUP_BY', 'FILTER', 'SORT', 'WINDOW', 'CONDITIONAL', 'AGGREGATION'))
       OR (t ? 'masking' AND jsonb_typeof(t -> 'masking') <> 'boolean')
$$;
CREATE FUNCTION ol_dataset(d jsonb, where_ text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT where_ || ': not an object' WHERE jsonb_typeof(d) IS DISTINCT FROM 'object'
  UNION ALL SELECT where_ || '.' || k || ': not a string' FROM unnest(ARRAY['namespace', 'name']) k
    WHERE jsonb_typeof(d -> k) IS DISTINCT FROM 'string'
  UNION ALL SELECT where_ || '.facets: not an object' WHERE d ? 'facets' AND jsonb_typeof(d -> 'facets') <> 'object'
  UNION ALL SELECT p FROM jsonb_each(CASE jsonb_typeof(d -> 'facets') WHEN 'object' THEN d -> 'facets' ELSE '{}' END) f(k, v),
    ol_base_facet(f.v, where_ || '.facets.' || f.k,
                  CASE f.k WHEN 'schema' THEN 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet'
                           WHEN 'columnLineage' THEN 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet'
                           ELSE 'a known facet' END) p
  -- schema: fields, an array of objects with a string name
  UNION ALL SELECT where_ || '.facets.schema.fields: bad ' || coalesce(x::text, 'missing')
    FROM (SELECT d -> 'facets' -> 'schema' -> 'fields' AS fs WHERE d -> 'facets' ? 'schema') s
    LEFT JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(fs) WHEN 'array' THEN fs ELSE '[null]' END) x ON true
    WHERE jsonb_typeof(x) IS DISTINCT FROM 'object' OR jsonb_typeof(x -> 'name') IS DISTINCT FROM 'string'
  -- columnLineage: fields (required) maps names to {inputFields: [InputField]}; dataset: [InputField]
  UNION ALL SELECT where_ || '.facets.columnLineage.fields: missing or not an object'
    WHERE d -> 'facets' ? 'columnLineage' AND jsonb_typeof(d -> 'facets' -> 'columnLineage' -> 'fields') IS DISTINCT FROM 'object'
  UNION ALL SELECT where_ || '.facets.columnLineage.fields.' || c.k || ': no inputFields array'
    FROM jsonb_each(CASE jsonb_typeof(d -> 'facets' -> 'columnLineage' -> 'fields') WHEN 'object' THEN d -> 'facets' -> 'columnLineage' -> 'fields' ELSE '{}' END) c(k, v)
    WHERE jsonb_typeof(c.v -> 'inputFields') IS DISTINCT FROM 'array'
  UNION ALL SELECT p
    FROM jsonb_each(CASE jsonb_typeof(d -> 'facets' -> 'columnLineage' -> 'fields') WHEN 'object' THEN d -> 'facets' -> 'columnLineage' -> 'fields' ELSE '{}' END) c(k, v),
         jsonb_array_elements(CASE jsonb_typeof(c.v -> 'inputFields') WHEN 'array' THEN c.v -> 'inputFields' ELSE '[]' END) WITH ORDINALITY i(f, n),
         ol_input_field(i.f, where_ || '.facets.columnLineage.fields.' || c.k || '.inputFields[' || i.n || ']') p
  UNION ALL SELECT where_ || '.facets.columnLineage.dataset: not an array'
    WHERE d -> 'facets' -> 'columnLineage' ? 'dataset' AND jsonb_typeof(d -> 'facets' -> 'columnLineage' -> 'dataset') <> 'array'
  UNION ALL SELECT p
    FROM jsonb_array_elements(CASE jsonb_typeof(d -> 'facets' -> 'columnLineage' -> 'dataset') WHEN 'array' THEN d -> 'facets' -> 'columnLineage' -> 'dataset' ELSE '[]' END) WITH ORDINALITY i(f, n),
         ol_input_field(i.f, where_ || '.facets.columnLineage.dataset[' || i.n || ']') p
$$;
CREATE FUNCTION ol_check(e jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT 'not an object' WHERE jsonb_typeof(e) IS DISTINCT FROM 'object'
  -- BaseEvent: eventTime (date-time), producer and schemaURL (URIs)
  UNION ALL SELECT 'eventTime: not an RFC 3339 date-time'
    WHERE NOT coalesce(e ->> 'eventTime' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$', false)
  UNION ALL SELECT 'producer: not a URI' WHERE NOT ol_is_uri(e -> 'producer')
  UNION ALL SELECT 'schemaURL: not a URI of spec 2-0-2'
    WHERE NOT ol_is_uri(e -> 'schemaURL') OR e ->> 'schemaURL' NOT LIKE 'https://openlineage.io/spec/2-0-2/OpenLineage.json%'
  -- RunEvent: eventType (enum), run and job required, inputs/outputs arrays
  UNION ALL SELECT 'eventType: not one of the enum'
    WHERE NOT coalesce(e ->> 'eventType' IN ('START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'), false)
  UNION ALL SELECT 'run.runId: not a UUID'
    WHERE NOT coalesce(e -> 'run' ->> 'runId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false)
  UNION ALL SELECT 'job.' || k || ': not a string' FROM unnest(ARRAY['namespace', 'name']) k
    WHERE jsonb_typeof(e -> 'job' -> k) IS DISTINCT FROM 'string'
  UNION ALL SELECT 'job.facets: not an object' WHERE e -> 'job' ? 'facets' AND jsonb_typeof(e -> 'job' -> 'facets') <> 'object'
  UNION ALL SELECT p FROM ol_base_facet(e -> 'job' -> 'facets' -> 'sql', 'job.facets.sql',
                                        'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet') p
    WHERE e -> 'job' -> 'facets' ? 'sql'
  UNION ALL SELECT 'job.facets.sql.query: not a string'
    WHERE e -> 'job' -> 'facets' ? 'sql' AND jsonb_typeof(e -> 'job' -> 'facets' -> 'sql' -> 'query') IS DISTINCT FROM 'string'
  UNION ALL SELECT k || ': not an array' FROM unnest(ARRAY['inputs', 'outputs']) k
    WHERE e ? k AND jsonb_typeof(e -> k) <> 'array'
  UNION ALL SELECT p FROM unnest(ARRAY['inputs', 'outputs']) k,
    jsonb_array_elements(CASE jsonb_typeof(e -> k) WHEN 'array' THEN e -> k ELSE '[]' END) WITH ORDINALITY d(v, n),
    ol_dataset(d.v, k || '[' || d.n || ']') p
$$;

-- the jobs: the project's fixtures with lineage, and the real samples (when
-- ../shared is there: the output is the same either way, so the parse-error
-- WARNINGs some jobs come with are not shown)
SET client_min_messages = error;
CREATE TEMP TABLE ol_jobs AS
SELECT j AS id, false AS sample FROM unnest(ARRAY['c359aef4bd9641d697732422debd8055', '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
                                             'ba5eba11ba5eba11ba5eba11ba5eba11', 'ba5eba11ba5eba11ba5eba11ba5eba12',
                                             'e1c0de00e1c0de00e1c0de00e1c0de00']) j
UNION ALL
SELECT coalesce(pg_read_file(:'samples' || '/' || f)::jsonb ->> 'jobId', md5(f)), true
FROM pg_ls_dir(:'samples', true, false) f WHERE f LIKE '%.json';
CREATE TEMP TABLE ol_events AS
SELECT j.id, j.sample, e.n, e.ev
FROM ol_jobs j, sqlflow_openlineage(j.id, 'postgres://db.example:5432') WITH ORDINALITY AS e(ev, n);

-- The C builder against the SQL builder of the first version, kept here as
-- the oracle (its text as 1.4's script had it before the C one took over):
-- the same events in the same order for every fixture job and every real
-- sample, from the export (with and without defaults) and from stored rows
CREATE FUNCTION ol_sql_openlineage(lineage jsonb, namespace text,
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
           ol_dataset_name(doc.vendor, w.tname, default_database, default_schema) AS tds,
           w.tcol,
           ol_dataset_name(doc.vendor, w.sname, default_database, default_schema) AS sds,
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
CREATE TEMP TABLE ol_exports AS
SELECT j.id, j.sample, sqlflow_export_json(j.id) AS d, sqlflow_job(j.id) -> 'data' ->> 'dbVendor' AS vendor,
       (SELECT sqlflow_lineage_json(l) FROM sqlflow_lineage(j.id) l) AS rows
FROM ol_jobs j;
CREATE TEMP TABLE ol_same AS
SELECT x.id, x.sample, v.variant,
       (SELECT count(*) FROM sqlflow_openlineage(v.doc, 'postgres://db:5432', job_id => x.id, dbvendor => x.vendor,
                                                 default_database => v.ddb, default_schema => v.dschema,
                                                 event_time => '2024-05-06 07:08:09.123456+02')) AS events,
       (SELECT array_agg(e ORDER BY n) FROM sqlflow_openlineage(v.doc, 'postgres://db:5432', job_id => x.id, dbvendor => x.vendor,
                                                                  default_database => v.ddb, default_schema => v.dschema,
                                                                  event_time => '2024-05-06 07:08:09.123456+02') WITH ORDINALITY AS c(e, n))
       IS NOT DISTINCT FROM
       (SELECT array_agg(e ORDER BY n) FROM ol_sql_openlineage(v.doc, 'postgres://db:5432', job_id => x.id, dbvendor => x.vendor,
                                                                 default_database => v.ddb, default_schema => v.dschema,
                                                                 event_time => '2024-05-06 07:08:09.123456+02') WITH ORDINALITY AS c(e, n)) AS same
FROM ol_exports x,
     LATERAL (VALUES ('export', x.d, NULL, NULL), ('export, defaults', x.d, 'shop', 'public'),
                     ('stored rows', x.rows, NULL, NULL)) AS v(variant, doc, ddb, dschema);
SELECT id, variant, events, same FROM ol_same WHERE NOT sample ORDER BY id, variant;
SELECT v.variant, coalesce(bool_and(s.same), true) AS samples_same
FROM (VALUES ('export'), ('export, defaults'), ('stored rows')) AS v(variant)
     LEFT JOIN ol_same s ON s.variant = v.variant AND s.sample
GROUP BY v.variant ORDER BY v.variant;
-- (and they can differ: another namespace gives other events)
SELECT (SELECT array_agg(x.e) FROM sqlflow_openlineage(d, 'postgres://other:1', job_id => id, event_time => '2024-01-01') AS x(e))
       = (SELECT array_agg(x.e) FROM ol_sql_openlineage(d, 'postgres://db:5432', job_id => id, event_time => '2024-01-01') AS x(e)) AS same_across_namespaces
FROM ol_exports WHERE id = 'c359aef4bd9641d697732422debd8055';

-- one event of the demo job (one per process: Query Create View-1, Query
-- Insert-1, Query Insert-2)
SELECT jsonb_pretty(ev) FROM ol_events WHERE id = 'c359aef4bd9641d697732422debd8055' AND n = 1;
SELECT n, ev -> 'job' ->> 'name' AS job, ev -> 'run' ->> 'runId' AS run_id,
       jsonb_path_query_array(ev, '$.inputs[*].name') AS inputs,
       jsonb_path_query_array(ev, '$.outputs[*].name') AS outputs
FROM ol_events WHERE id = 'c359aef4bd9641d697732422debd8055' ORDER BY n;

-- every event of every fixture and sample passes the spec's checks
SELECT j.id, j.sample, count(e.ev) AS events, count(p) AS problems
FROM ol_jobs j LEFT JOIN ol_events e USING (id) LEFT JOIN LATERAL ol_check(e.ev) p ON true
WHERE NOT j.sample GROUP BY 1, 2 ORDER BY 1;
SELECT coalesce(bool_and(p IS NULL), true) AS samples_pass
FROM ol_events e LEFT JOIN LATERAL ol_check(e.ev) p ON true WHERE e.sample;
-- (the checks can fail: a broken event)
SELECT p FROM ol_check('{"eventType":"DONE","eventTime":"yesterday","producer":"x y","schemaURL":"https://openlineage.io/spec/1-0-0/OpenLineage.json",
  "run":{"runId":"42"},"job":{"namespace":1},"outputs":[{"namespace":"n","name":"t","facets":{"columnLineage":{"_producer":"p:x",
  "_schemaURL":"https://openlineage.io/spec/facets/1-1-0/ColumnLineageDatasetFacet.json","fields":{"a":{"inputFields":[{"name":"s","field":"f",
  "transformations":[{"type":"INDIRECT","subtype":"MAGIC"}]}]}}}}}]}') p ORDER BY 1;

-- Column lineage against sqlflow_lineage rows: the CSV rows of each job,
-- walked in SQL through the pseudo objects (names SQLFlow gives them, and
-- the names of objects its JSON types as intermediate), must give the same
-- (output, field, input, field, DIRECT/INDIRECT) as the events
CREATE TEMP TABLE ol_from_events AS
SELECT DISTINCT e.id, o ->> 'name' AS tds, f.key AS tcol, i ->> 'name' AS sds, i ->> 'field' AS scol, t ->> 'type' AS kind
FROM ol_events e, jsonb_array_elements(e.ev -> 'outputs') o,
     jsonb_each(o -> 'facets' -> 'columnLineage' -> 'fields') f,
     jsonb_array_elements(f.value -> 'inputFields') i, jsonb_array_elements(i -> 'transformations') t;
CREATE TEMP TABLE ol_pseudo AS
SELECT j.id, o ->> 'name' AS name
FROM ol_jobs j, LATERAL (SELECT sqlflow_export_json(j.id) AS d) x,
     jsonb_path_query(coalesce(x.d -> 'data' -> 'sqlflow' -> 'dbobjs', x.d -> 'data' -> 'dbobjs'),
                      'lax $.** ? (exists(@.id) && exists(@.name) && exists(@.type))') o
WHERE lower(o ->> 'type') IN ('select_list', 'insert-select', 'function', 'pseudotable');
CREATE TEMP TABLE ol_from_rows AS
WITH RECURSIVE rows AS (
  SELECT j.id, l.source_db, l.source_schema, l.source_table, coalesce(l.source_column, '') AS source_column,
         l.target_db, l.target_schema, l.target_table, coalesce(l.target_column, '') AS target_column,
         l.relation_type, sqlflow_lineage_json_name(ARRAY[l.source_db, l.source_schema, l.source_table]) AS sname,
         sqlflow_lineage_json_name(ARRAY[l.target_db, l.target_schema, l.target_table]) AS tname
  FROM ol_jobs j, sqlflow_lineage(j.id) l WHERE l.relation_type <> 'call'),
ends AS (
  SELECT r.*, (r.tname ~ '^(RS|INSERT-SELECT|RESULT_OF_.+)-[0-9]+$' OR r.tname IN (SELECT name FROM ol_pseudo p WHERE p.id = r.id)) AS tp,
              (r.sname ~ '^(RS|INSERT-SELECT|RESULT_OF_.+)-[0-9]+$' OR r.sname IN (SELECT name FROM ol_pseudo p WHERE p.id = r.id)) AS sp
  FROM rows r),
walk AS (
  SELECT id, tname, target_column AS tcol, sname, source_column AS scol, sp, relation_type = 'fdd' AS direct
  FROM ends WHERE NOT tp
  UNION
  SELECT w.id, w.tname, w.tcol, e.sname, e.source_column, e.sp, w.direct AND e.relation_type = 'fdd'
  FROM walk w JOIN ends e ON e.id = w.id AND e.tname = w.sname AND e.target_column = w.scol
  WHERE w.sp)
SELECT DISTINCT w.id, ol_dataset_name(v.vendor, w.tname) AS tds, w.tcol,
       ol_dataset_name(v.vendor, w.sname) AS sds, w.scol,
       CASE WHEN w.direct THEN 'DIRECT' ELSE 'INDIRECT' END AS kind
FROM walk w JOIN (SELECT id, sqlflow_job(id) ->> 'dbVendor' AS vendor FROM ol_jobs) v USING (id)
WHERE NOT w.sp AND w.tcol NOT IN ('TABLE', 'PseudoRows', '*');
CREATE TEMP TABLE ol_compare AS
SELECT j.id, j.sample,
       (SELECT count(*) FROM ol_from_events e WHERE e.id = j.id) AS from_events,
       (SELECT count(*) FROM ol_from_rows r WHERE r.id = j.id) AS from_rows,
       (SELECT count(*) FROM (SELECT tds, tcol, sds, scol, kind FROM ol_from_events e WHERE e.id = j.id
                              EXCEPT SELECT tds, tcol, sds, scol, kind FROM ol_from_rows r WHERE r.id = j.id) x) AS only_events,
       (SELECT count(*) FROM (SELECT tds, tcol, sds, scol, kind FROM ol_from_rows r WHERE r.id = j.id
                              EXCEPT SELECT tds, tcol, sds, scol, kind FROM ol_from_events e WHERE e.id = j.id) x) AS only_rows,
       -- rows name objects, JSON gives ids: pseudo objects of one name (the
       -- function nvl called twice) are one in the rows, so their walk joins
       -- more than the events' does: then the events are a subset
       EXISTS (SELECT 1 FROM ol_pseudo p WHERE p.id = j.id GROUP BY p.name HAVING count(*) > 1) AS names_repeat
FROM ol_jobs j;
SELECT id, from_events, from_rows, only_events, only_rows FROM ol_compare WHERE NOT sample ORDER BY id;
-- where they differ among the fixtures, and why
SELECT 'events' AS side, id, tds, tcol, sds, scol, kind FROM (
  SELECT id, tds, tcol, sds, scol, kind FROM ol_from_events WHERE id IN (SELECT id FROM ol_jobs WHERE NOT sample)
  EXCEPT SELECT id, tds, tcol, sds, scol, kind FROM ol_from_rows) x
UNION ALL
SELECT 'rows', id, tds, tcol, sds, scol, kind FROM (
  SELECT id, tds, tcol, sds, scol, kind FROM ol_from_rows WHERE id IN (SELECT id FROM ol_jobs WHERE NOT sample)
  EXCEPT SELECT id, tds, tcol, sds, scol, kind FROM ol_from_events) y
ORDER BY 2, 1, 3, 4;
SELECT coalesce(bool_and(from_events > 0 OR from_rows = 0), true) AS samples_have_events,
       coalesce(bool_and(only_events = 0 AND (only_rows = 0 OR names_repeat)), true) AS samples_agree
FROM ol_compare WHERE sample;
SET client_min_messages = warning;

-- the same events from stored rows (sqlflow_lineage_json): one per job, the
-- column lineage of all the job's events
CREATE TEMP TABLE ol_demo_rows AS SELECT * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
CREATE TEMP TABLE ol_stored AS
SELECT ev FROM sqlflow_openlineage((SELECT sqlflow_lineage_json(l) FROM ol_demo_rows l), 'postgres://db.example:5432',
                                   job_id => 'c359aef4bd9641d697732422debd8055', dbvendor => 'dbvoracle') ev;
SELECT count(*) AS events, min(ev -> 'job' ->> 'name') AS job FROM ol_stored;
SELECT (SELECT jsonb_agg(DISTINCT x) FROM ol_stored, jsonb_path_query(ev, '$.outputs[*].facets.columnLineage.fields.*.inputFields[*]') x)
     = (SELECT jsonb_agg(DISTINCT x) FROM ol_events, jsonb_path_query(ev, '$.outputs[*].facets.columnLineage.fields.*.inputFields[*]') x
        WHERE id = 'c359aef4bd9641d697732422debd8055') AS same_input_fields,
       (SELECT jsonb_agg(DISTINCT x ORDER BY x) FROM ol_stored, jsonb_path_query(ev, '$.outputs[*].name') x) AS outputs;

-- run ids: name-based, so the same on every call; one per process
SELECT count(DISTINCT ev -> 'run' ->> 'runId') = count(*) AS distinct_per_event,
       bool_and(substr(ev -> 'run' ->> 'runId', 15, 1) = '5') AS version_5
FROM ol_events;
SELECT array_agg(ev -> 'run' ->> 'runId' ORDER BY n)
       = (SELECT array_agg(e -> 'run' ->> 'runId' ORDER BY k)
          FROM sqlflow_openlineage('c359aef4bd9641d697732422debd8055', 'elsewhere://x') WITH ORDINALITY AS x(e, k)) AS same_run_ids
FROM ol_events WHERE id = 'c359aef4bd9641d697732422debd8055';

-- sending: every event arrives as it was made, in order, without a key
SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_plain', 'postgres://db.example:5432') AS accepted;
SELECT (ol_received('plain') -> 'events') = (SELECT jsonb_agg(ev ORDER BY n) FROM ol_events
                                               WHERE id = 'c359aef4bd9641d697732422debd8055') AS received_as_made,
       ol_received('plain') -> 'auth' AS auth;
-- twice: the receiver sees the same run ids again (idempotent)
SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_plain', 'postgres://db.example:5432') AS accepted;
SELECT count(*) AS received, count(DISTINCT e -> 'run' ->> 'runId') AS runs
FROM jsonb_array_elements(ol_received('plain') -> 'events') e;

-- the api_key goes as a bearer token, and nowhere else
SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_auth', 'postgres://db.example:5432') AS accepted;
SELECT bool_and(a #>> '{}' = 'Bearer ol-test-key-0123456789') AS bearer_sent
FROM jsonb_array_elements(ol_received('auth-a') -> 'auth') a;
SELECT r, r LIKE '%wrong-key%' AS shows_key
FROM sqlflow_test_try_all($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_badkey', 'postgres://db.example:5432')$$) r;

-- a receiver that echoes the key (whole, and a piece of 11 bytes from its
-- middle) in its error page: the message shows neither
SELECT format('http://127.0.0.1:%s/openlineage/echo-key/api/v1/lineage', port) AS ol_echo FROM sqlflow_test_env \gset
CREATE SERVER ol_echo FOREIGN DATA WRAPPER sqlflow OPTIONS (openlineage_url :'ol_echo');
CREATE USER MAPPING FOR CURRENT_USER SERVER ol_echo OPTIONS (api_key 'echoed-secret-key-9876543210');
SELECT r, r LIKE '%echoed-secret-key%' AS shows_key, r LIKE '%oed-secret-%' AS shows_piece,
       r LIKE '%9876543210%' AS shows_tail
FROM sqlflow_test_try_all($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_echo', 'postgres://db.example:5432')$$) r;

-- a failure part-way says how many were accepted before it
SELECT ol_control('fail', 'tenant=failing&after=1&status=500');
SELECT sqlflow_test_try_all($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_fail', 'postgres://db.example:5432')$$);
SELECT ol_control('reset', 'tenant=failing');
SELECT ol_control('fail', 'tenant=failing&after=2&status=401');
SELECT sqlflow_test_try_all($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_fail', 'postgres://db.example:5432')$$);
SELECT ol_control('reset', 'tenant=failing');
SELECT ol_control('fail', 'tenant=failing&after=0&status=404');
SELECT sqlflow_test_try_all($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_fail', 'postgres://db.example:5432')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_down', 'postgres://db.example:5432')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'no_such_server', 'postgres://db.example:5432')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_openlineage_send('ol_plain', ARRAY['[1]'::jsonb])$$);
SELECT sqlflow_test_try($$SELECT sqlflow_openlineage_send('ol_plain', ARRAY[NULL::jsonb])$$);
SELECT sqlflow_openlineage_send('ol_plain', '{}') AS none_sent;

-- a slow receiver: the statement can be cancelled while it waits
CREATE SERVER ol_slow FOREIGN DATA WRAPPER sqlflow
  OPTIONS (openlineage_url :'ol_plain');
SELECT ol_control('fail', 'tenant=plain&delay=5');
SET statement_timeout = '1s';
SELECT sqlflow_test_try($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_slow', 'postgres://db.example:5432')$$);
RESET statement_timeout;
SELECT ol_control('fail', 'tenant=plain&delay=0');

-- TLS: verification always on; the server's ca_file names the CA to trust
\getenv tls_url SQLFLOW_TEST_TLS_URL
\getenv tls_ca SQLFLOW_TEST_CA
SELECT regexp_replace(:'tls_url', '/gspLive_backend$', '/openlineage/tls/api/v1/lineage') AS ol_tls \gset
CREATE SERVER ol_tls FOREIGN DATA WRAPPER sqlflow OPTIONS (openlineage_url :'ol_tls');
SELECT sqlflow_test_try($$SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_tls', 'postgres://db.example:5432')$$);
ALTER SERVER ol_tls OPTIONS (ADD ca_file :'tls_ca');
SELECT sqlflow_openlineage_emit('c359aef4bd9641d697732422debd8055', 'ol_tls', 'postgres://db.example:5432') AS accepted_over_https;

-- the question functions only read: they run in a read-only transaction
BEGIN TRANSACTION READ ONLY;
SELECT count(*) AS events FROM sqlflow_openlineage('c359aef4bd9641d697732422debd8055', 'postgres://db.example:5432');
COMMIT;

-- the mapping on a document made for it: processes with their statement
-- (sql facet), a relation of no process (the job's event), a chain through
-- RS-1 and a function typed in dbobjs, a cycle between two pseudo objects,
-- fdr/frd/join kinds, a call (left out), table-level relations (the
-- dataset list), a MySQL job (two-part names, defaults)
CREATE TEMP TABLE ol_doc AS SELECT $${"jobId": "made-1", "code": 200, "data": {"sqlflow": {
  "dbvendor": "dbvmysql",
  "dbobjs": [{"id": "1", "name": "shop.orders", "type": "table"}, {"id": "2", "name": "RS-1", "type": "select_list"},
             {"id": "3", "name": "upper", "type": "function"}, {"id": "4", "name": "report", "type": "table"},
             {"id": "5", "name": "loop_a", "type": "select_list"}, {"id": "6", "name": "loop_b", "type": "select_list"},
             {"id": "7", "name": "audit", "type": "table"}],
  "processes": [{"id": "p1", "name": "Query Insert-1", "type": "sstinsert", "sql": "INSERT INTO report SELECT upper(name), count(*) FROM shop.orders WHERE ok GROUP BY name"},
                {"id": "p2", "name": "Query Insert-2", "type": "sstinsert"}],
  "relationships": [
    {"id": "1", "type": "fdd", "target": {"parentId": "2", "parentName": "RS-1", "column": "name"}, "sources": [{"parentId": "3", "parentName": "upper", "column": "upper"}]},
    {"id": "2", "type": "fdd", "target": {"parentId": "3", "parentName": "upper", "column": "upper"}, "sources": [{"parentId": "1", "parentName": "shop.orders", "column": "name"}]},
    {"id": "3", "type": "fdr", "target": {"parentId": "2", "parentName": "RS-1", "column": "name"}, "sources": [{"parentId": "1", "parentName": "shop.orders", "column": "ok"}]},
    {"id": "4", "type": "frd", "target": {"parentId": "2", "parentName": "RS-1", "column": "n"}, "sources": [{"parentId": "1", "parentName": "shop.orders", "column": "id"}]},
    {"id": "5", "type": "fdd", "effectType": "insert", "processId": "p1", "target": {"parentId": "4", "parentName": "report", "column": "name"}, "sources": [{"parentId": "2", "parentName": "RS-1", "column": "name"}]},
    {"id": "6", "type": "fdd", "effectType": "insert", "processId": "p1", "target": {"parentId": "4", "parentName": "report", "column": "n"}, "sources": [{"parentId": "2", "parentName": "RS-1", "column": "n"}]},
    {"id": "7", "type": "join", "effectType": "insert", "processId": "p1", "target": {"parentId": "4", "parentName": "report", "column": "TABLE"}, "sources": [{"parentId": "1", "parentName": "shop.orders", "column": "cust"}]},
    {"id": "8", "type": "fdd", "target": {"parentId": "5", "parentName": "loop_a", "column": "x"}, "sources": [{"parentId": "6", "parentName": "loop_b", "column": "x"}]},
    {"id": "9", "type": "fdd", "target": {"parentId": "6", "parentName": "loop_b", "column": "x"}, "sources": [{"parentId": "5", "parentName": "loop_a", "column": "x"}, {"parentId": "1", "parentName": "shop.orders", "column": "id"}]},
    {"id": "10", "type": "fdd", "effectType": "insert", "processId": "p2", "target": {"parentId": "7", "parentName": "audit", "column": "x"}, "sources": [{"parentId": "5", "parentName": "loop_a", "column": "x"}]},
    {"id": "11", "type": "call", "processId": "p2", "target": {"parentId": "7", "parentName": "audit", "column": "y"}, "sources": [{"parentId": "1", "parentName": "shop.orders", "column": "z"}]},
    {"id": "12", "type": "fdd", "effectType": "insert", "target": {"parentId": "7", "parentName": "audit", "column": "at"}, "sources": [{"parentId": "1", "parentName": "shop.orders", "column": "created"}]}
  ]}}}$$::jsonb AS d;
SELECT n, ev -> 'job' ->> 'name' AS job, ev -> 'job' -> 'facets' -> 'sql' ->> 'query' AS query,
       ev -> 'job' -> 'facets' -> 'sql' ->> 'dialect' AS dialect,
       jsonb_path_query_array(ev, '$.inputs[*].name') AS inputs,
       jsonb_path_query_array(ev, '$.outputs[*].name') AS outputs,
       (SELECT count(*) FROM ol_check(ev)) AS problems
FROM ol_doc, sqlflow_openlineage(d, 'mysql://db:3306', default_database => 'app', event_time => '2025-06-01 12:00+02')
     WITH ORDINALITY AS e(ev, n) ORDER BY n;
SELECT DISTINCT ev ->> 'eventTime' AS event_time FROM ol_doc, sqlflow_openlineage(d, 'mysql://db:3306', event_time => '2025-06-01 12:00+02') ev;
SELECT o ->> 'name' AS output, f.key AS field, i ->> 'name' AS input, i ->> 'field' AS input_field, i -> 'transformations' AS transformations
FROM ol_doc, sqlflow_openlineage(d, 'mysql://db:3306', default_database => 'app') ev,
     jsonb_array_elements(ev -> 'outputs') o, jsonb_each(o -> 'facets' -> 'columnLineage' -> 'fields') f,
     jsonb_array_elements(f.value -> 'inputFields') i
ORDER BY 1, 2, 3, 4;
-- the C builder equals the oracle on it, whatever the options
SELECT v.variant, (SELECT array_agg(e ORDER BY n) FROM sqlflow_openlineage(d, v.ns, v.jns, v.jname, v.ddb, v.dschema, '2025-06-01 12:00+02', v.jid, v.vendor) WITH ORDINALITY c(e, n))
       IS NOT DISTINCT FROM
       (SELECT array_agg(e ORDER BY n) FROM ol_sql_openlineage(d, v.ns, v.jns, v.jname, v.ddb, v.dschema, '2025-06-01 12:00+02', v.jid, v.vendor) WITH ORDINALITY c(e, n)) AS same
FROM ol_doc, (VALUES ('mysql', 'mysql://db:3306', 'sqlflow', NULL, 'app', NULL, NULL, NULL),
                     ('as postgres, defaults', 'postgres://db:5432', 'etl', 'nightly', 'shop', 'public', 'j-1', 'dbvpostgresql'),
                     ('null namespaces', NULL, NULL, NULL, NULL, NULL, NULL, 'dbvoracle'),
                     ('empty defaults', 'postgres://db:5432', 'sqlflow', NULL, '', '', NULL, 'dbvmssql')) AS v(variant, ns, jns, jname, ddb, dschema, jid, vendor)
ORDER BY 1;
SELECT o ->> 'name' AS output, o -> 'facets' -> 'columnLineage' -> 'dataset' AS dataset,
       jsonb_path_query_array(o, '$.facets.schema.fields[*].name') AS schema
FROM ol_doc, sqlflow_openlineage(d, 'mysql://db:3306', default_database => 'app') ev,
     jsonb_array_elements(ev -> 'outputs') o
ORDER BY 1;
