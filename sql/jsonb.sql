--
-- jsonb: what sqlflow_export_json builds (src/jsonb_writer.c, no JsonbValue
-- tree) is byte for byte what jsonb_in makes of the same text
--
\getenv fixtures SQLFLOW_TEST_FIXTURES
\getenv jsonb_module SQLFLOW_TEST_JSONB
\getenv fuzz_runs SQLFLOW_JSONB_FUZZ_RUNS
\if :{?fuzz_runs}
\else
\set fuzz_runs 50000
\endif

-- every fixture job: the same jsonb_send bytes and the same stored size
CREATE TEMP TABLE fixture_jobs AS
SELECT replace(f, '.json', '') AS id FROM pg_ls_dir(:'fixtures' || '/jobs') f WHERE f LIKE '%.json';
SET client_min_messages = error;
SELECT id, jsonb_send(ours) = jsonb_send(theirs) AS same_send,
       pg_column_size(ours) = pg_column_size(theirs) AS same_size,
       ours = theirs AS equal
FROM (SELECT id, sqlflow_export_json(id) AS ours, sqlflow_export(id)::jsonb AS theirs
      FROM fixture_jobs) x
ORDER BY id;
-- generated exports: arrays of thousands of objects, a BOM, a scalar-free envelope;
-- the same value, and stored in a table the same size
-- (a table each: two large values in one row are not stored alike)
CREATE TEMP TABLE generated_ours AS
SELECT job, sqlflow_export_json(job) AS ours FROM unnest(ARRAY['gen-json-2000000', 'fault-bom']) job;
CREATE TEMP TABLE generated_theirs AS
SELECT job, sqlflow_export(job)::jsonb AS theirs FROM unnest(ARRAY['gen-json-2000000', 'fault-bom']) job;
SELECT job, jsonb_send(ours) = jsonb_send(theirs) AS same_send,
       pg_column_size(ours) = pg_column_size(theirs) AS same_stored_size
FROM generated_ours JOIN generated_theirs USING (job) ORDER BY job;
-- a value of 1 MB or more comes back compressed, as a table stores it; smaller ones do not
SELECT job, pg_column_size(sqlflow_export_json(job)) < pg_column_size(sqlflow_export(job)::jsonb) AS compressed,
       pg_column_size(sqlflow_export(job)::jsonb) >= 1024 * 1024 AS one_mb_or_more
FROM unnest(ARRAY['gen-json-2000000', 'fault-bom']) job ORDER BY job;
RESET client_min_messages;

-- lineage rows keep the CSV's extra columns as a jsonb object built the same way
SELECT jsonb_send(extra) = jsonb_send(extra::text::jsonb) AS extra_same, count(*) > 0 AS has_rows
FROM sqlflow_lineage('csvfile-extra_columns') GROUP BY 1;

-- the differential fuzzer (test/jsonb): generated texts, both ways
CREATE FUNCTION sqlflow_fuzz_jsonb(seed bigint, runs bigint,
                                   OUT executions bigint, OUT both_valid bigint,
                                   OUT both_invalid bigint, OUT differences bigint,
                                   OUT first_difference text)
AS :'jsonb_module', 'sqlflow_fuzz_jsonb' LANGUAGE C STRICT;
SELECT executions = :fuzz_runs AS all_ran,
       both_valid > executions / 2 AS mostly_valid,
       both_invalid > executions / 20 AS some_invalid,
       differences, first_difference
FROM sqlflow_fuzz_jsonb(20261125, :fuzz_runs);
DROP FUNCTION sqlflow_fuzz_jsonb(bigint, bigint);
