--
-- relationships: sqlflow_relationships(job_id) streams the JSON export into
-- rows; they must be those of sqlflow_relationships(sqlflow_export_json(job_id))
--
\getenv fixtures SQLFLOW_TEST_FIXTURES
-- a job whose JSON export is the given document, byte for byte (loopback
-- server), with "code":200 put first where the document has no code
CREATE FUNCTION inline_job(doc text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT 'inline-' || encode(convert_to(
        CASE WHEN doc ~ '^\{\s*\}$' THEN '{"code":200}'
             WHEN doc ~ '^\{"code"' OR doc !~ '^\{' THEN doc
             ELSE regexp_replace(doc, '^\{', '{"code":200,') END, 'UTF8'), 'hex') $$;
-- an error in one line: SQLSTATE, message (the long job id cut), detail
CREATE FUNCTION try_rows(job text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  msg text;
  detail text;
BEGIN
  SELECT count(*) INTO n FROM sqlflow_relationships(job);
  RETURN 'rows: ' || n;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || regexp_replace(msg, 'job inline-[0-9a-f]*', 'job inline-...') ||
         coalesce(' / ' || nullif(detail, ''), '');
END $$;
-- the rows both ways, in order, as text
CREATE FUNCTION streamed_rows(job text) RETURNS text[] LANGUAGE sql
AS $$ SELECT coalesce(array_agg(r::text), '{}') FROM sqlflow_relationships(job) r $$;
CREATE FUNCTION jsonb_rows(doc jsonb) RETURNS text[] LANGUAGE sql
AS $$ SELECT coalesce(array_agg(r::text), '{}') FROM sqlflow_relationships(doc) r $$;

-- every fixture job
CREATE TEMP TABLE fixture_jobs AS
SELECT replace(f, '.json', '') AS id FROM pg_ls_dir(:'fixtures' || '/jobs') f WHERE f LIKE '%.json';
SET client_min_messages = error;
SELECT id, cardinality(streamed_rows(id)) AS rows,
       streamed_rows(id) = jsonb_rows(sqlflow_export_json(id)) AS same_rows
FROM fixture_jobs ORDER BY id;
RESET client_min_messages;
SELECT * FROM sqlflow_relationships('c359aef4bd9641d697732422debd8055') LIMIT 3;

-- a generated export (thousands of relationships, a quarter of the sources
-- named only through dbobjs): as the jsonb route, and one row per CSV row
SELECT cardinality(streamed_rows('gen-lineage-2000000')) AS rows,
       streamed_rows('gen-lineage-2000000') = jsonb_rows(sqlflow_export_json('gen-lineage-2000000')) AS same_rows,
       cardinality(streamed_rows('gen-lineage-2000000')) = (SELECT count(*) FROM sqlflow_lineage('gen-lineage-2000000')) AS as_many_as_csv,
       (SELECT count(*) FROM sqlflow_relationships('gen-lineage-2000000') WHERE source_parent IS NULL) AS unnamed;

-- options are sent as for the other exports
SELECT count(*) AS join_rows,
       count(*) = (SELECT count(*) FROM sqlflow_relationships(sqlflow_export_json('c359aef4bd9641d697732422debd8055', relation_types => '{join}'))) AS same_count
FROM sqlflow_relationships('c359aef4bd9641d697732422debd8055', relation_types => '{join}');

-- every shape sqlflow_relationships(jsonb) takes, streamed: the same rows
CREATE TEMP TABLE docs (name text PRIMARY KEY, doc text);
INSERT INTO docs VALUES
('numeric ids, dbobjs list', '{"code":200,"data":{"dbobjs":[{"id":7,"name":"SCOTT.EMP","type":"table"},{"id":9,"name":"V","type":"view"}],"relationships":[{"id":1,"type":"fdd","effectType":"create_view","target":{"id":10,"column":"A","parentId":9},"sources":[{"id":11,"column":"SAL","parentId":7},{"id":12,"column":"COMM","parentId":7,"parentName":"SCOTT.EMP"}]}]}}'),
('servers tree, one relationship', '{"dbobjs":{"servers":[{"schemas":[{"name":"s","tables":[{"id":"3","name":"s.t","columns":[{"id":"4","name":"c"}]}]}]}]},"relationship":{"id":"r1","type":"fdd","target":{"column":"x","parentName":"v"},"sources":[{"column":"y","parentId":"3"},{"column":"z","parentId":"4"}],"processId":"p9"}}'),
('legacy relations', '{"code":203,"data":{"sqlflow":{"dbobjs":[{"id":"1","name":"T"}],"relations":[{"id":"5","type":"fdd","target":{"column":"a","parentId":"1"},"sources":[{"column":"b","parentId":"1"}]}]}}}'),
('relationships win over relations', '{"data":{"sqlflow":{"relations":[{"id":"old","sources":[{"column":"o"}]}],"relationships":[{"id":"new","sources":[{"column":"n"}]}]}}}'),
('relationship wins over relations', '{"relations":[{"id":"old","sources":[{"column":"o"}]}],"relationship":[{"id":"mid","sources":[{"column":"m"}]}]}'),
('a repeated key: the last one', '{"relationships":[{"id":"first","sources":[{"column":"f"}]}],"relationships":[{"id":"second","sources":[{"column":"s"}]}]}'),
('data not an object', '{"data":5,"relationships":[{"id":"top","sources":[{"column":"t"}]}]}'),
('data wins over the document', '{"relationships":[{"id":"top","sources":[{"column":"t"}]}],"data":{"relationships":[{"id":"inner","sources":[{"column":"i"}]}]}}'),
('data repeated, the last is not an object', '{"data":{"relationships":[{"id":"inner","sources":[{"column":"i"}]}]},"relationships":[{"id":"top","sources":[{"column":"t"}]}],"data":[]}'),
('sqlflow wins over data', '{"data":{"relationships":[{"id":"d","sources":[{"column":"d"}]}],"sqlflow":{"relationships":[{"id":"s","sources":[{"column":"s"}]}]}}}'),
('sqlflow null: nothing', '{"data":{"relationships":[{"id":"d","sources":[{"column":"d"}]}],"sqlflow":null}}'),
('relationships null: nothing', '{"relationships":null,"relations":[{"id":"x","sources":[{"column":"x"}]}]}'),
('scalars among sources and relationships', '{"relationships":[1,"x",{"id":"r","sources":[7,null,{"column":"c"},[1]]},[],{"id":"no sources"},{"id":"sources not a list","sources":{"column":"c"}}]}'),
('target not an object', '{"relationships":[{"id":"r","target":"t","sources":[{"column":"c","parentName":"P"}]}]}'),
('values of every type', '{"relationships":[{"id":{"b":1,"a":[1,2.50,"x"]},"type":true,"effectType":false,"processId":null,"target":{"column":1.50,"parentName":1e2,"parentId":"x"},"sources":[{"column":[],"parentName":{},"parentId":-0}]}]}'),
('repeated keys inside a relationship', '{"relationships":[{"id":"a","id":"b","target":{"column":"x"},"target":{"column":"y"},"sources":[{"column":"s1"}],"sources":[{"column":"s2","column":"s3"}]}]}'),
('numbers as ids match their text', '{"dbobjs":[{"id":1.50,"name":"A"},{"id":100,"name":"B"}],"relationships":[{"id":"r","target":{"column":"t","parentId":"1.50"},"sources":[{"column":"s","parentId":1e2}]}]}'),
('an object before what it contains', '{"dbobjs":[{"id":"1","name":"outer","columns":[{"id":"1","name":"inner"}]},{"id":"1","name":"later"}],"relationships":[{"id":"r","sources":[{"column":"s","parentId":"1"}]}]}'),
('the first of equal ids', '{"dbobjs":[{"id":"1","name":"first"},{"id":"1","name":"second"},{"id":"2","name":null}],"relationships":[{"id":"r","target":{"parentId":"2"},"sources":[{"column":"s","parentId":"1"}]}]}'),
('dbobjs itself named', '{"dbobjs":{"id":"9","name":"self"},"relationships":[{"id":"r","sources":[{"column":"s","parentId":"9"}]}]}'),
('dbobjs after relationships, names given', '{"relationships":[{"id":"r","sources":[{"column":"s","parentName":"P"}]}],"dbobjs":[{"id":"1","name":"T"}]}'),
('dbobjs of another place', '{"dbobjs":[{"id":"1","name":"T"}],"data":{"relationships":[{"id":"r","sources":[{"column":"s","parentId":"1"}]}]}}'),
('ends read whole, or token by token', '{"dbobjs":[{"id":"1","name":"T1"}],"relationships":[{"id":"r","target":{ "column" : "t" , "parentName":null,"coordinates":[],"parentName":"T2","x":{}},"sources":[{"column":true,"parentId":"1","parentName":false},{"column":"a","column":"b","coordinates":[{"x":1,"y":2}],"parentId":"1"},{"column":"c","note":"caf\u00e9","parentId":"1"},{"\u0063olumn":"d"},{"column":"e","parentName":"P","id":1.5},{"column":"f","parentId":1},{}]}]}'),
('escapes and characters', '{"relationships":[{"id":"\u00e9\ud83d\ude00\n\"\\","sources":[{"column":"\u4e2d\u6587","parentName":"caf\u00e9"}]}]}'),
('empty', '{}'),
('summary mode', '{"code":200,"data":{"mode":"summary","summary":{"relationship":4000,"table":75}}}');
SET client_min_messages = error;
SELECT name, cardinality(streamed_rows(inline_job(doc))) AS rows,
       streamed_rows(inline_job(doc)) = jsonb_rows(doc::jsonb) AS same_rows
FROM docs ORDER BY name;
RESET client_min_messages;
SELECT * FROM sqlflow_relationships(inline_job((SELECT doc FROM docs WHERE name = 'values of every type')));
SELECT * FROM sqlflow_relationships(inline_job((SELECT doc FROM docs WHERE name = 'escapes and characters')));
SELECT * FROM sqlflow_relationships(inline_job((SELECT doc FROM docs WHERE name = 'ends read whole, or token by token')));

-- summary mode: said, as by the other exports of a job
SELECT count(*) AS summary_rows FROM sqlflow_relationships('5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e');

-- what it cannot stream it refuses, rather than answer differently
SELECT try_rows(inline_job('{"relationships":[{"id":"r","sources":[{"column":"s","parentId":"1"}]}],"dbobjs":[{"id":"1","name":"T"}]}')) AS dbobjs_last;
SELECT count(*) AS jsonb_route FROM sqlflow_relationships('{"relationships":[{"id":"r","sources":[{"column":"s","parentId":"1"}]}],"dbobjs":[{"id":"1","name":"T"}]}'::jsonb) WHERE source_parent = 'T';

-- malformed JSON: an error naming the byte, and no rows
SELECT d AS doc, try_rows(inline_job(d)) AS result
FROM unnest(ARRAY['{"relationships":[{"id":"r","sources":[{"column":"s"}]}],',
                  '{"relationships":[{"id":"r","sources":[{"column":"s"}]}]} x',
                  '{"relationships":[{"id":"\x"}]}', '{"a":01}', '{"a":"\u0000"}', '{"a":"\ud800"}',
                  '{"a":1,}', '{"a" 1}', '[1,2]', '', '  ']) WITH ORDINALITY AS t(d, n)
ORDER BY n;
-- a byte-order mark is skipped, as for the other exports
SELECT try_rows(inline_job(E'\uFEFF{"code":200,"relationships":[{"sources":[{}]}]}')) AS after_bom;

-- limits: one value, one relationship; not the whole export
SET sqlflow.max_response_size = '64kB';
SELECT try_rows(inline_job('{"relationships":[{"id":"' || repeat('x', 70000) || '"}]}')) AS long_string;
SELECT try_rows(inline_job('{"relationships":[{"id":"r","sources":[' ||
       (SELECT string_agg('{"column":"' || repeat('c', 1000) || '"}', ',') FROM generate_series(1, 100)) || ']}]}')) AS big_relationship;
SELECT try_rows(inline_job('{"relationships":[' ||
       (SELECT string_agg('{"id":"' || i || '","sources":[{"column":"' || repeat('c', 1000) || '"}]}', ',') FROM generate_series(1, 200) i) || ']}')) AS many_small;
SELECT try_rows(inline_job('{"dbobjs":[' ||
       (SELECT string_agg('{"id":"' || i || '","name":"' || repeat('n', 100) || '"}', ',') FROM generate_series(1, 1000) i) || '],"relationships":[]}')) AS big_dbobjs;
RESET sqlflow.max_response_size;

-- errors of the job, as for the other exports
SELECT count(*) FROM sqlflow_relationships('00000000000000000000000000000000');
SELECT count(*) FROM sqlflow_relationships('c359aef4bd9641d697732422debd8055', table_to_table => NULL);

DROP FUNCTION inline_job(text), try_rows(text), streamed_rows(text), jsonb_rows(jsonb);
