/* sqlflow_export--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.3'" to load this file. \quit

-- Each part below belongs to one change; keep them apart (merges).

-- == name keys and traces (read-only, in C) ==================================



-- == pictures (aggregates in C) ==============================================



-- == search_path: every reference qualified ===================================

-- sqlflow_relationships(jsonb): search_path pinned, every name and operator
-- qualified
CREATE OR REPLACE FUNCTION @extschema@.sqlflow_relationships(lineage jsonb)
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

-- sqlflow_jobs: a BEGIN ATOMIC body (bound when created), every name qualified
CREATE OR REPLACE FUNCTION @extschema@.sqlflow_jobs(server text DEFAULT NULL)
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


-- == secrets, limits and loose ends ===========================================



-- == the database's own SQL, in dependency order =============================



-- == end ========================================================================
