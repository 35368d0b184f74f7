--
-- jobstate: job errors that say what is wrong, and waits that survive a blip
--
-- The server answers an unknown job and an unfinished export with the same
-- generic code 500 and free text (the loopback server varies the wording on
-- purpose); the extension asks the job list instead of reading the words.
\set demo 'c359aef4bd9641d697732422debd8055'
SET sqlflow.server = 'sqlflow_cloud';
CREATE TABLE jobstate_ids (name text PRIMARY KEY, id text);

-- an unknown job is 42704 for every function that takes a job id
SELECT f, sqlflow_test_try(format(q, '0123456789abcdef0123456789abcdef')) AS result
FROM (VALUES ('export json',    'SELECT sqlflow_export(%L)'),
             ('export csv',     'SELECT sqlflow_export(%L, ''csv'')'),
             ('export graphml', 'SELECT sqlflow_export(%L, ''graphml'')'),
             ('export_json',    'SELECT sqlflow_export_json(%L)'),
             ('lineage',        'SELECT count(*) FROM sqlflow_lineage(%L)'),
             ('job',            'SELECT sqlflow_job(%L)'),
             ('delete_job',     'SELECT sqlflow_delete_job(%L)'),
             ('wait',           'SELECT sqlflow_wait(%L)')) AS t(f, q)
ORDER BY f;
SELECT sqlflow_test_try_all($$SELECT sqlflow_job('0123456789abcdef0123456789abcdef')$$);

-- a deleted job is gone the same way
INSERT INTO jobstate_ids SELECT 'deleted', sqlflow_submit('CREATE VIEW vd AS SELECT d FROM td;', job_name => 'jobstate deleted');
SELECT sqlflow_wait(id, '1 minute') FROM jobstate_ids WHERE name = 'deleted';
SELECT sqlflow_delete_job(id) FROM jobstate_ids WHERE name = 'deleted';
SELECT sqlflow_test_try(format('SELECT sqlflow_export(%L)', id)) FROM jobstate_ids WHERE name = 'deleted';
SELECT sqlflow_test_try(format('SELECT sqlflow_job(%L)', id)) FROM jobstate_ids WHERE name = 'deleted';
SELECT sqlflow_test_try(format('SELECT sqlflow_delete_job(%L)', id)) FROM jobstate_ids WHERE name = 'deleted';
SELECT sqlflow_test_try(format('SELECT sqlflow_wait(%L)', id)) FROM jobstate_ids WHERE name = 'deleted';

-- a job that has not finished: 55000, its status, and what to do
INSERT INTO jobstate_ids SELECT 'running', sqlflow_submit('CREATE VIEW vr AS SELECT r FROM tr;', job_name => 'jobstate running');
SELECT sqlflow_test_try_all(format('SELECT sqlflow_export(%L, ''csv'')', id)) FROM jobstate_ids WHERE name = 'running';
SELECT sqlflow_test_try_all(format('SELECT count(*) FROM sqlflow_lineage(%L)', id)) FROM jobstate_ids WHERE name = 'running';
SELECT sqlflow_test_try(format('SELECT sqlflow_export_json(%L)', id)) FROM jobstate_ids WHERE name = 'running';
-- sqlflow_wait reports the changes it sees, naming the job ...
SELECT sqlflow_wait(id, '1 minute') FROM jobstate_ids WHERE name = 'running';
-- ... and says nothing of a job that is already finished
SELECT sqlflow_wait(id, '1 minute') FROM jobstate_ids WHERE name = 'running';
SELECT sqlflow_wait(:'demo');

-- a failed job: the server's reason
INSERT INTO jobstate_ids SELECT 'failed', sqlflow_submit('SELECT 1;', job_name => 'failing in jobstate');
SELECT sqlflow_test_try_detail(format('SELECT sqlflow_wait(%L)', id)) FROM jobstate_ids WHERE name = 'failed';
SELECT sqlflow_test_try_detail(format('SELECT sqlflow_export(%L)', id)) FROM jobstate_ids WHERE name = 'failed';

-- sqlflow_wait rides out a busy server, an HTTP 503 and a dropped connection
INSERT INTO jobstate_ids SELECT 'blip', sqlflow_submit('CREATE VIEW vb AS SELECT b FROM tb;', job_name => 'jobstate blip');
SELECT sqlflow_test_busy(2, 'code');
SELECT sqlflow_wait(id, '1 minute') FROM jobstate_ids WHERE name = 'blip';
SELECT sqlflow_test_busy(1, 'http');
SELECT sqlflow_wait(:'demo', '1 minute');
-- (libcurl itself retries once a kept-alive connection that died: two drops)
SELECT sqlflow_test_busy(2, 'reset');
SELECT sqlflow_wait(:'demo', '1 minute');
-- other functions fail fast: one request (and, for a generic code, one question)
SELECT sqlflow_test_busy(1, 'http');
SELECT sqlflow_test_try(format('SELECT sqlflow_job(%L)', :'demo'));
SELECT sqlflow_test_busy(2, 'reset');
SELECT sqlflow_test_try(format('SELECT sqlflow_export(%L)', :'demo'));
-- a server that stays away: retried while the timeout allows, then its error
SELECT 'http://127.0.0.1:' || (SELECT port FROM sqlflow_test_env) || '/gspLive_backend' AS url \gset
CREATE SERVER sqlflow_gone FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:1/gspLive_backend');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_gone OPTIONS (user_id 'gudu|0123456789');
SELECT sqlflow_test_try(format('SELECT sqlflow_wait(%L, %L, %L)', :'demo', '2.5 s', 'sqlflow_gone'));
-- no retry for what will not pass: a refused credential
CREATE SERVER sqlflow_badkey2 FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_badkey2
  OPTIONS (user_id 'auth0|sqlflow-test', secret_key 'not-the-right-key');
SELECT sqlflow_test_try(format('SELECT sqlflow_wait(%L, %L, %L)', :'demo', '10 s', 'sqlflow_badkey2'));

-- timeouts and token lives far in the future do not overflow
SELECT sqlflow_wait(:'demo', '300000 years');
SELECT sqlflow_wait(:'demo', '178000000 years');
CREATE SERVER sqlflow_forever FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_forever
  OPTIONS (user_id 'auth0|forever', secret_key 'forever-secret-key');
SELECT sqlflow_test_reset_stats();
SELECT length(sqlflow_export(:'demo', server => 'sqlflow_forever')) > 0 AS first,
       length(sqlflow_export(:'demo', server => 'sqlflow_forever')) > 0 AS second;
SELECT sqlflow_test_stats() -> 'token_requests' AS token_requests;

-- an HTTP 401 (not only the in-body code) renews a generated token once
CREATE SERVER sqlflow_http401 FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_http401
  OPTIONS (user_id 'auth0|expiring-http', secret_key 'expiring-http-secret-key');
SELECT sqlflow_test_reset_stats();
SELECT length(sqlflow_export(:'demo', server => 'sqlflow_http401')) > 0 AS first,
       length(sqlflow_export(:'demo', server => 'sqlflow_http401')) > 0 AS second,
       length(sqlflow_export(:'demo', server => 'sqlflow_http401')) > 0 AS third;
SELECT sqlflow_test_stats() -> 'token_requests' AS token_requests;

-- secrets are scrubbed from server text before it is cut, whatever their length
CREATE SERVER sqlflow_static FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_static
  OPTIONS (user_id 'auth0|static', token 's3cr3t-static-token-0123456789');
CREATE SERVER sqlflow_short FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_short
  OPTIONS (user_id 'auth0|short', token 'k9');
SELECT position('s3cr' IN d) = 0 AS no_part_of_the_token, d LIKE '%token=***%' AS blotted
FROM sqlflow_test_try_detail($$SELECT sqlflow_export('fault-echotoken', server => 'sqlflow_static')$$) d;
SELECT d LIKE '%token=**' AS short_token_blotted, position('k9' IN d) = 0 AS no_short_token
FROM sqlflow_test_try_detail($$SELECT sqlflow_export('fault-echotoken', server => 'sqlflow_short')$$) d;

DROP TABLE jobstate_ids;
RESET sqlflow.server;
