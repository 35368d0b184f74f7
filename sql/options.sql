--
-- options: every export option of the API, typed, checked, sent only when given
--
\set demo 'c359aef4bd9641d697732422debd8055'
-- what the loopback server received in the last export request
CREATE FUNCTION sqlflow_test_last_export() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE j jsonb;
BEGIN
  IF to_regclass('pg_temp.sqlflow_test_last_raw') IS NULL THEN
    CREATE TEMP TABLE sqlflow_test_last_raw (t text);
  END IF;
  TRUNCATE sqlflow_test_last_raw;
  EXECUTE format('COPY sqlflow_test_last_raw FROM PROGRAM %L (FORMAT csv, QUOTE %L, DELIMITER %L)',
                 'curl -sf http://127.0.0.1:' || (SELECT port FROM sqlflow_test_env) || '/__last_export',
                 e'\x01', e'\x02');
  SELECT string_agg(t, e'\n')::jsonb INTO j FROM sqlflow_test_last_raw;
  RETURN j;
END $$;

-- today's calls send what they sent before: no option field at all
SELECT length(sqlflow_export(:'demo')) > 0 AS exported;
SELECT sqlflow_test_last_export();
SELECT count(*) AS rows FROM sqlflow_lineage(:'demo');
SELECT sqlflow_test_last_export();

-- every option, by name, on each of the three functions
SELECT length(sqlflow_export(:'demo', 'graphml',
         relation_types => '{fdd,FDR,join,fdd}', ignore_record_set => true,
         ignore_function => false, show_constant_table => true, show_transform => true,
         simple_output => false, show_link_only => true, count_arguments_as_fdd => true,
         database_name => 'DEFAULT', schema_name => 'SCOTT', table_name => 'EMP',
         column_name => 'SAL')) > 0 AS exported;
SELECT sqlflow_test_last_export();
SELECT sqlflow_export_json(:'demo', relation_types => '{call,frd}', simple_output => true) ->> 'code' AS code;
SELECT sqlflow_test_last_export();
SELECT count(*) AS rows FROM sqlflow_lineage(:'demo', show_link_only => false, table_name => 'emp');
SELECT sqlflow_test_last_export();

-- the loopback server applies the filters: the lineage that touches one table or column
SELECT DISTINCT relation_type FROM sqlflow_lineage(:'demo') ORDER BY 1;
SELECT DISTINCT relation_type FROM sqlflow_lineage(:'demo', relation_types => '{fdr}') ORDER BY 1;
SELECT source_table, source_column, target_table, target_column
FROM sqlflow_lineage(:'demo', table_name => 'emp', column_name => 'sal') ORDER BY 1, 2, 3, 4;
SELECT count(*) AS relationships
FROM sqlflow_relationships(sqlflow_export_json(:'demo', relation_types => '{join}'));
SELECT position('<graphml' IN sqlflow_export(:'demo', 'graphml', table_name => 'emp')) > 0 AS graphml;

-- bad values are 22023 (or 22004) naming the option; nothing is sent
SELECT sqlflow_test_reset_stats();
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', relation_types => '{fdd,xyz}')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('c359aef4bd9641d697732422debd8055', relation_types => '{}')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055', relation_types => '{fdd,NULL}')$$);
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055', relation_types => '{{fdd},{fdr}}')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', table_name => '')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', column_name => 'SAL')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', no_such_option => true)$$);
SELECT sqlflow_test_stats() -> 'requests' AS requests_sent;

DROP FUNCTION sqlflow_test_last_export();
