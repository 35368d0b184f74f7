--
-- lineage: the CSV export as typed rows, and JSON exports flattened
--
\set demo '''c359aef4bd9641d697732422debd8055'''
\getenv sqlflow_port SQLFLOW_TEST_PORT
SET client_min_messages = warning;

-- the result type
SELECT pg_get_function_result('sqlflow_lineage'::regproc::regprocedure);

-- one row per source of each relationship, the same as the CSV text
SELECT count(*) AS rows FROM sqlflow_lineage(:demo);
SELECT (SELECT count(*) FROM sqlflow_lineage(:demo)) =
       (SELECT count(*) - 2 FROM regexp_split_to_table(sqlflow_export(:demo, 'csv'), e'\n')) AS same_as_csv_text;
SELECT * FROM sqlflow_lineage(:demo) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8 LIMIT 5;
SELECT target_table, count(*) FROM sqlflow_lineage(:demo, true) GROUP BY 1 ORDER BY 1;
CREATE TABLE lineage AS SELECT * FROM sqlflow_lineage(:demo);
SELECT count(*) FROM lineage;
DROP TABLE lineage;

-- the same rows COPY reads from the same bytes (curl fetches them here)
CREATE FUNCTION sqlflow_test_copy_export(job text, tt boolean DEFAULT false)
RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS via_copy (
    source_db text, source_schema text, source_table text, source_column text,
    target_db text, target_schema text, target_table text, target_column text,
    relation_type text, effect_type text);
  TRUNCATE via_copy;
  EXECUTE format($f$COPY via_copy FROM PROGRAM %L (FORMAT csv, HEADER)$f$,
    format('curl -sf -F %s -F token=token -F jobId=%s -F tableToTable=%s http://127.0.0.1:%s/gspLive_backend/sqlflow/job/exportFullLineageAsCsv',
           quote_literal('userId=gudu|0123456789'), job, tt, (SELECT port FROM sqlflow_test_env)));
  RETURN QUERY SELECT * FROM via_copy;
END $$;
SELECT count(*) AS copy_rows FROM sqlflow_test_copy_export('c359aef4bd9641d697732422debd8055') AS t(a text, b text, c text, d text, e text, f text, g text, h text, i text, j text);
CREATE FUNCTION sqlflow_test_copy_diff(job text) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM (
    (SELECT source_db, source_schema, source_table, source_column, target_db, target_schema,
            target_table, target_column, relation_type, effect_type FROM sqlflow_lineage(job)
     EXCEPT ALL
     SELECT * FROM sqlflow_test_copy_export(job) AS t(a text, b text, c text, d text, e text, f text, g text, h text, i text, j text))
    UNION ALL
    (SELECT * FROM sqlflow_test_copy_export(job) AS t(a text, b text, c text, d text, e text, f text, g text, h text, i text, j text)
     EXCEPT ALL
     SELECT source_db, source_schema, source_table, source_column, target_db, target_schema,
            target_table, target_column, relation_type, effect_type FROM sqlflow_lineage(job))) d
$$;
SELECT sqlflow_test_copy_diff('c359aef4bd9641d697732422debd8055') AS differences_demo,
       sqlflow_test_copy_diff('ba5eba11ba5eba11ba5eba11ba5eba11') AS differences_hostile,
       sqlflow_test_copy_diff('ba5eba11ba5eba11ba5eba11ba5eba12') AS differences_all_quoted;
-- hostile identifiers arrive intact
SELECT source_column, target_column FROM sqlflow_lineage('ba5eba11ba5eba11ba5eba11ba5eba11') ORDER BY 1, 2;

-- every file of the tricky corpus, against COPY of the same bytes
CREATE FUNCTION sqlflow_test_corpus_diff(name text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  path text := (SELECT fixtures FROM sqlflow_test_env) || '/csv/' || name || '.csv';
  header text[];
  cols text;
  n_ours bigint; n_copy bigint; diff bigint;
BEGIN
  -- corpus headers are plain names: the first line, split on commas
  header := string_to_array(btrim(split_part(ltrim(pg_read_file(path), e'\ufeff'), e'\n', 1), e'\r'), ',');
  SELECT string_agg(format('%I text', h), ', ') INTO cols FROM unnest(header) h;
  DROP TABLE IF EXISTS corpus_copy;
  EXECUTE format('CREATE TEMP TABLE corpus_copy (%s)', cols);
  EXECUTE format('COPY corpus_copy FROM %L (FORMAT csv, HEADER)', path);
  CREATE TEMP TABLE IF NOT EXISTS corpus_ours AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
  TRUNCATE corpus_ours;
  INSERT INTO corpus_ours SELECT * FROM sqlflow_lineage('csvfile-' || name);
  -- the copy side as sqlflow_lineage shapes it: documented columns, the rest in extra
  DROP TABLE IF EXISTS corpus_copy_shaped;
  CREATE TEMP TABLE corpus_copy_shaped AS
    SELECT j ->> 'source_db' AS source_db, j ->> 'source_schema' AS source_schema,
           j ->> 'source_table' AS source_table, j ->> 'source_column' AS source_column,
           j ->> 'target_db' AS target_db, j ->> 'target_schema' AS target_schema,
           j ->> 'target_table' AS target_table, j ->> 'target_column' AS target_column,
           j ->> 'relation_type' AS relation_type, j ->> 'effect_type' AS effect_type,
           nullif(j - ARRAY['source_db','source_schema','source_table','source_column','target_db',
                            'target_schema','target_table','target_column','relation_type','effect_type'],
                  '{}'::jsonb) AS extra
    FROM (SELECT to_jsonb(c) AS j FROM corpus_copy c) s;
  IF cardinality(header) = 10 THEN
    UPDATE corpus_copy_shaped SET extra = NULL;
  END IF;
  SELECT count(*) INTO n_ours FROM corpus_ours;
  SELECT count(*) INTO n_copy FROM corpus_copy_shaped;
  SELECT count(*) INTO diff FROM (
    (SELECT source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type, effect_type, extra::text FROM corpus_ours
     EXCEPT ALL SELECT source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type, effect_type, extra::text FROM corpus_copy_shaped)
    UNION ALL
    (SELECT source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type, effect_type, extra::text FROM corpus_copy_shaped
     EXCEPT ALL SELECT source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type, effect_type, extra::text FROM corpus_ours)) d;
  RETURN format('%s rows, copy %s rows, %s differences', n_ours, n_copy, diff);
END $$;
SELECT f AS corpus_file, sqlflow_test_corpus_diff(f)
FROM (SELECT regexp_replace(pg_ls_dir, '\.csv$', '') AS f
      FROM pg_ls_dir((SELECT fixtures FROM sqlflow_test_env) || '/csv')
      WHERE pg_ls_dir ~ '\.csv$' AND pg_ls_dir !~ '(_semicolon|_tab)\.csv$') s
ORDER BY 1;

-- malformed CSV: an ERROR naming the line, never a partial result
SELECT sqlflow_test_try_detail($$SELECT count(*) FROM sqlflow_lineage('fault-csvwrongcols')$$);
SELECT sqlflow_test_try_detail($$SELECT count(*) FROM sqlflow_lineage('fault-csvunterminated')$$);
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('fault-csvwrongcols', 'csv')$$);
SELECT f AS bad_file, sqlflow_test_try_detail(format('SELECT count(*) FROM sqlflow_lineage(%L)', 'csvfile-bad-' || f))
FROM (SELECT regexp_replace(pg_ls_dir, '\.csv$', '') AS f
      FROM pg_ls_dir((SELECT fixtures FROM sqlflow_test_env) || '/csv/bad')
      WHERE pg_ls_dir ~ '\.csv$') s
ORDER BY 1;
CREATE TABLE lineage_kept AS SELECT * FROM sqlflow_lineage(:demo);
SELECT sqlflow_test_try($$INSERT INTO lineage_kept SELECT * FROM sqlflow_lineage('fault-csvwrongcols')$$);
SELECT count(*) AS still FROM lineage_kept;
DROP TABLE lineage_kept;

-- errors that come as an envelope instead of CSV, and transport failures
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('00000000000000000000000000000000')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-code401')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-badutf8')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-nul')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-emptybody')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-http500')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-reset')$$);
SET statement_timeout = '500ms';
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-stall')$$);
RESET statement_timeout;
-- rows are streamed: sqlflow.max_response_size bounds one record, not the export
SET sqlflow.max_response_size = '64kB';
SELECT count(*) AS rows_past_the_limit FROM sqlflow_lineage('fault-bigchunked-200000');
SELECT sqlflow_test_try_all($$SELECT count(*) FROM sqlflow_lineage('fault-longrecord-100000')$$);
SELECT count(*) AS a_record_under_the_limit FROM sqlflow_lineage('fault-longrecord-30000');
RESET sqlflow.max_response_size;
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('x', NULL)$$);
-- the expiring token is renewed for streamed rows too
SELECT count(*) > 0 AS rows FROM sqlflow_lineage(:demo, server => 'sqlflow_expiring');
SELECT count(*) > 0 AS rows FROM sqlflow_lineage(:demo, server => 'sqlflow_expiring');
-- a big export streams through
SELECT count(*) AS generated_rows FROM sqlflow_lineage('gen-csv-20000');

-- flattening JSON exports: every variant
SELECT * FROM sqlflow_relationships(sqlflow_export_json(:demo)) LIMIT 3;
SELECT count(*) AS from_envelope, (SELECT count(*) FROM sqlflow_relationships(sqlflow_export_json(:demo) -> 'data')) AS from_data
FROM sqlflow_relationships(sqlflow_export_json(:demo));
SELECT count(*) AS legacy_relations FROM sqlflow_relationships(sqlflow_export_json('0a1b2c3d4e5f60718293a4b5c6d7e8f9'));
SELECT count(*) AS singular_relationship FROM sqlflow_relationships(sqlflow_export_json('ba5eba11ba5eba11ba5eba11ba5eba11'));
SELECT count(*) AS summary_mode FROM sqlflow_relationships(sqlflow_export_json('5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e'));
-- summary mode is said, not passed off as an empty lineage: by the CSV rows
-- (one more request, only when no rows came) and over a stored document
SELECT count(*) AS summary_rows FROM sqlflow_lineage('5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e');
SELECT count(*) AS stored_summary
FROM sqlflow_relationships('{"code":200,"data":{"mode":"summary","summary":{"relationship":4000,"table":75}}}'::jsonb);
SELECT count(*) AS empty_lineage_no_warning FROM sqlflow_lineage('csvfile-header_only');
-- numeric ids, a names-only-by-id parent, generation-endpoint shape (no sqlflow level)
SELECT * FROM sqlflow_relationships('{"code":200,"data":{"dbobjs":[{"id":7,"name":"SCOTT.EMP","type":"table"},{"id":9,"name":"V","type":"view"}],
  "relationships":[{"id":1,"type":"fdd","effectType":"create_view","target":{"id":10,"column":"A","parentId":9},
                    "sources":[{"id":11,"column":"SAL","parentId":7},{"id":12,"column":"COMM","parentId":7,"parentName":"SCOTT.EMP"}]}]}}'::jsonb);
SELECT * FROM sqlflow_relationships('{"dbobjs":{"servers":[{"schemas":[{"name":"s","tables":[{"id":"3","name":"s.t"}]}]}]},
  "relationship":{"id":"r1","type":"fdd","target":{"column":"x","parentName":"v"},"sources":[{"column":"y","parentId":"3"}],"processId":"p9"}}'::jsonb);
SELECT count(*) AS not_lineage FROM sqlflow_relationships('{"code":200,"data":{"mode":"summary"}}'::jsonb);
SELECT count(*) AS not_an_object FROM sqlflow_relationships('[1,2,3]'::jsonb);
-- from 1.2 an untyped literal is a job id (sqlflow_relationships(job_id text, ...)):
-- a JSON document given that way is refused with a hint
SELECT count(*) FROM sqlflow_relationships('{"code":200,"data":{"mode":"summary"}}');
-- the CSV and the flattened JSON tell the same story
SELECT count(*) AS csv_minus_json FROM (
  SELECT source_table, source_column, target_table, target_column FROM sqlflow_lineage(:demo)
  EXCEPT ALL
  SELECT regexp_replace(source_parent, '^.*\.', ''), source_column, regexp_replace(target_parent, '^.*\.', ''), target_column
  FROM sqlflow_relationships(sqlflow_export_json(:demo))) d;
