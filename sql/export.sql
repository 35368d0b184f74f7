--
-- export: the three export formats, jsonb, options, servers, tokens
--
\set demo '''c359aef4bd9641d697732422debd8055'''

-- JSON, as text: byte for byte what the server sent
SELECT sqlflow_export(:demo) = sqlflow_test_fixture('jobs/c359aef4bd9641d697732422debd8055.json') AS exact_body;
SELECT j ->> 'code' AS code, j -> 'data' ->> 'mode' AS mode,
       jsonb_array_length(j -> 'data' -> 'sqlflow' -> 'relationships') AS relationships
FROM (SELECT sqlflow_export(:demo)::jsonb AS j) s;

-- the format name is case-insensitive, and json is the default
SELECT sqlflow_export(:demo, 'JSON') = sqlflow_export(:demo) AS same;

-- jsonb: the same document, parsed once
SELECT sqlflow_export_json(:demo) -> 'data' -> 'mode' AS mode;
SELECT sqlflow_export_json(:demo) = sqlflow_export(:demo)::jsonb AS same_document;
SELECT jsonb_typeof(sqlflow_export_json(:demo) -> 'data' -> 'sqlflow' -> 'dbobjs') AS dbobjs;

-- table to table: every column is the pseudo-column TABLE
SELECT DISTINCT r -> 'target' ->> 'column' AS target_column
FROM jsonb_array_elements(sqlflow_export_json(:demo, true) -> 'data' -> 'sqlflow' -> 'relationships') r;

-- CSV: the documented header, one row per source
SELECT split_part(sqlflow_export(:demo, 'csv'), e'\n', 1) AS header;
SELECT (SELECT count(*) FROM regexp_split_to_table(rtrim(sqlflow_export(:demo, 'csv'), e'\n'), e'\n')) - 1 AS csv_rows,
       (SELECT sum(jsonb_array_length(r -> 'sources'))
          FROM jsonb_array_elements(sqlflow_export_json(:demo) -> 'data' -> 'sqlflow' -> 'relationships') r) AS json_sources;
-- CSV with another delimiter, table to table
SELECT sqlflow_export(:demo, 'csv', true, ';');
SELECT sqlflow_export(:demo, 'CSV', delimiter => e'\t') LIKE e'source_db\tsource_schema\t%' AS tab_delimited;

-- GraphML: well-formed XML with a graphml root
SELECT xml_is_well_formed_document(g) AS well_formed, g LIKE '%<graphml%' AS graphml,
       (xpath('count(//*[local-name()=''edge''])', g::xml))[1]::text::int > 0 AS has_edges
FROM sqlflow_export(:demo, 'graphml') g;

-- a NULL or empty job id asks for the latest job
SELECT sqlflow_export_json(NULL) ->> 'code' AS code, sqlflow_export_json('') ->> 'code' AS code2;

-- hostile identifiers survive the CSV quoting
SELECT sqlflow_export('ba5eba11ba5eba11ba5eba11ba5eba11', 'csv') AS csv_hostile;
SELECT sqlflow_export('ba5eba11ba5eba11ba5eba11ba5eba12', 'csv', false, ';') AS csv_all_quoted;

-- choosing the server: argument, sqlflow.server, the /api prefix
SELECT sqlflow_export_json(:demo, server => 'sqlflow_api') -> 'data' ->> 'mode' AS via_api_prefix;
SHOW sqlflow.server;
SET sqlflow.server = 'sqlflow_api';
SELECT sqlflow_export_json(:demo) -> 'data' ->> 'mode' AS via_guc;
SET sqlflow.server = 'no_such_server';
SELECT sqlflow_export_json(:demo, server => 'sqlflow') -> 'data' ->> 'mode' AS argument_wins;
RESET sqlflow.server;

-- secret key: one token exchange, then the cached token
SELECT sqlflow_test_reset_stats();
SELECT sqlflow_export_json(:demo, server => 'sqlflow_cloud') ->> 'code' AS code;
SELECT sqlflow_export_json(:demo, server => 'sqlflow_cloud') ->> 'code' AS code;
SELECT sqlflow_export(:demo, 'csv', server => 'sqlflow_cloud') LIKE 'source_db,%' AS csv;
SELECT sqlflow_test_stats() -> 'token_requests' AS token_requests;

-- a token refused (401) is renewed once and the call retried
SELECT sqlflow_test_reset_stats();
SELECT sqlflow_export_json(:demo, server => 'sqlflow_expiring') ->> 'code' AS first;
SELECT sqlflow_export_json(:demo, server => 'sqlflow_expiring') ->> 'code' AS second;
SELECT sqlflow_export(:demo, 'graphml', server => 'sqlflow_expiring') LIKE '%<graphml%' AS third;
SELECT sqlflow_test_stats() -> 'token_requests' AS token_requests;

-- changing the mapping forgets the cached token
SELECT sqlflow_test_reset_stats();
ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow_cloud OPTIONS (SET user_id 'auth0|sqlflow-test');
SELECT sqlflow_export_json(:demo, server => 'sqlflow_cloud') ->> 'code' AS code;
SELECT sqlflow_test_stats() -> 'token_requests' AS token_requests;

-- code 203: the data comes back, with a WARNING carrying the server's text
SELECT sqlflow_export_json('0a1b2c3d4e5f60718293a4b5c6d7e8f9') ->> 'code' AS code;
SELECT length(sqlflow_export('0a1b2c3d4e5f60718293a4b5c6d7e8f9')) > 0 AS has_text;

-- summary mode: no relationships, and a CSV that is only the header
SELECT sqlflow_export_json('5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e') -> 'data' ->> 'mode' AS mode;
SELECT sqlflow_export('5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e', 'csv') AS header_only;

-- connections are reused between calls of one backend
SELECT sqlflow_test_reset_stats();
SELECT count(*) FROM (SELECT sqlflow_export_json(:demo) ->> 'code' AS code FROM generate_series(1, 20)) s WHERE code = '200';
SELECT (s ->> 'connections')::int <= 2 AS reused, s -> 'requests' -> 'exportLineageAsJson' AS requests
FROM sqlflow_test_stats() s;
