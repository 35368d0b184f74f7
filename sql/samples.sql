--
-- samples: the real SQLFlow outputs in ../shared, served by the loopback
-- server (run only when ../shared is there)
--
\getenv samples SQLFLOW_TEST_SAMPLES
CREATE TEMP TABLE samples AS
SELECT f AS name,
       coalesce(pg_read_file(:'samples' || '/' || f)::jsonb ->> 'jobId', md5(f)) AS id
FROM pg_ls_dir(:'samples') f WHERE f LIKE '%.json';
SELECT name FROM samples ORDER BY 1;

-- the one with parse errors says so once; the rest of the file stays quiet
SELECT sqlflow_export_json(id) ->> 'code' AS code FROM samples WHERE name LIKE '%-203-%';
SET client_min_messages = error;

-- JSON: byte for byte as stored, and as jsonb
SELECT name, sqlflow_export(id) = pg_read_file(:'samples' || '/' || name) AS exact,
       sqlflow_export_json(id) = pg_read_file(:'samples' || '/' || name)::jsonb AS same_jsonb,
       sqlflow_export_json(id) ->> 'code' AS code
FROM samples ORDER BY 1;

-- flattened: every variant of the sample files gives its rows
SELECT name, (SELECT count(*) FROM sqlflow_relationships(sqlflow_export_json(id))) AS relationship_rows,
       (SELECT count(DISTINCT relationship_id) FROM sqlflow_relationships(sqlflow_export_json(id))) AS relationships,
       (SELECT count(*) FROM sqlflow_relationships(sqlflow_export_json(id)) WHERE source_parent IS NULL OR target_parent IS NULL) AS missing_parents
FROM samples ORDER BY 1;

-- streamed from the job (sqlflow_relationships(job_id)): the very same rows, in order
SELECT name, (SELECT array_agg(r::text) FROM sqlflow_relationships(id::text) r) IS NOT DISTINCT FROM
             (SELECT array_agg(r::text) FROM sqlflow_relationships(sqlflow_export_json(id)) r) AS streamed_same
FROM samples ORDER BY 1;
-- and the jsonb built without a tree is byte for byte jsonb_in's
SELECT name, jsonb_send(sqlflow_export_json(id)) = jsonb_send(pg_read_file(:'samples' || '/' || name)::jsonb) AS same_send,
       pg_column_size(sqlflow_export_json(id)) = pg_column_size(pg_read_file(:'samples' || '/' || name)::jsonb) AS same_size
FROM samples ORDER BY 1;

-- CSV rows and flattened JSON rows describe the same relationships
SELECT name, (SELECT count(*) FROM sqlflow_lineage(id)) AS csv_rows,
       (SELECT count(*) FROM sqlflow_lineage(id)) = (SELECT count(*) FROM sqlflow_relationships(sqlflow_export_json(id))) AS same_count
FROM samples ORDER BY 1;
SELECT name, (SELECT count(*) FROM sqlflow_lineage(id, true)) AS table_rows,
       (SELECT count(*) FROM sqlflow_lineage(id, true) WHERE source_column <> 'TABLE' OR target_column <> 'TABLE') AS not_table
FROM samples ORDER BY 1;

-- GraphML of each is well-formed
SELECT name, xml_is_well_formed_document(sqlflow_export(id, 'graphml')) AS graphml
FROM samples ORDER BY 1;

-- the lineage of one sample, top targets
SELECT target_table, count(*) FROM sqlflow_lineage((SELECT id FROM samples WHERE name = 'query-mssql-10.json'))
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5;
