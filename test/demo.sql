-- The demo: the three exports of the demo job from the loopback server.
\getenv sqlflow_url SQLFLOW_TEST_URL
\set ON_ERROR_STOP on
CREATE EXTENSION sqlflow_export;
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
\pset tuples_only on
\pset format unaligned
\echo
\echo '-- SELECT sqlflow_export(''c359aef4bd9641d697732422debd8055'');  (JSON, pretty-printed here)'
SELECT jsonb_pretty(sqlflow_export('c359aef4bd9641d697732422debd8055')::jsonb -> 'data' -> 'sqlflow' -> 'relationships' -> 0) AS first_relationship;
SELECT format('... %s relationships, mode %s, %s bytes of JSON',
              jsonb_array_length(j -> 'data' -> 'sqlflow' -> 'relationships'), j -> 'data' ->> 'mode', length(t))
FROM (SELECT sqlflow_export('c359aef4bd9641d697732422debd8055') AS t) s, LATERAL (SELECT t::jsonb AS j) x;
\echo
\echo '-- SELECT sqlflow_export(''c359aef4bd9641d697732422debd8055'', ''csv'');'
SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', 'csv');
\echo '-- SELECT sqlflow_export(''c359aef4bd9641d697732422debd8055'', ''csv'', true, '';'');  (table to table)'
SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', 'csv', true, ';');
\echo '-- SELECT sqlflow_export(''c359aef4bd9641d697732422debd8055'', ''graphml'');'
SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', 'graphml');
\echo '-- SELECT sqlflow_export_json(''c359aef4bd9641d697732422debd8055'') -> ''data'' -> ''mode'';'
SELECT sqlflow_export_json('c359aef4bd9641d697732422debd8055') -> 'data' -> 'mode';
