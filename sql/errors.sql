--
-- errors: every failure is an ERROR with its SQLSTATE; the backend lives on
--
\set demo '''c359aef4bd9641d697732422debd8055'''
\getenv pghost PGHOST
\getenv pgport PGPORT
\getenv sqlflow_url SQLFLOW_TEST_URL
\getenv sqlflow_port SQLFLOW_TEST_PORT
\set wrong_path_url 'http://127.0.0.1:' :sqlflow_port '/no/such/base'

-- arguments
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'xml')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', NULL)$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'json', NULL)$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'csv', false, '')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'csv', false, ';;')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'csv', false, '"')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'csv', false, e'\n')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'csv', false, 'é')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'json', false, ';')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('x', NULL)$$);

-- servers and user mappings
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', server => 'no_such_server')$$);
SET sqlflow.server = '';
SELECT sqlflow_test_try($$SELECT sqlflow_export('x')$$);
RESET sqlflow.server;
CREATE FOREIGN DATA WRAPPER not_sqlflow;
CREATE SERVER not_sqlflow_server FOREIGN DATA WRAPPER not_sqlflow;
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', server => 'not_sqlflow_server')$$);
CREATE SERVER sqlflow_nomap FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:1/gspLive_backend');
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', server => 'sqlflow_nomap')$$);

-- privileges: USAGE on the server, and a credential of one's own
CREATE ROLE sqlflow_user;
GRANT SELECT ON sqlflow_test_env TO sqlflow_user;
SET ROLE sqlflow_user;
SELECT sqlflow_test_try($$SELECT sqlflow_export('x')$$);
-- nobody but superusers (and roles with USAGE on the wrapper) points it anywhere
SELECT sqlflow_test_try($$CREATE SERVER elsewhere FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:2/gspLive_backend')$$);
SELECT sqlflow_test_try($$ALTER SERVER sqlflow OPTIONS (SET api_url 'http://127.0.0.1:2/gspLive_backend')$$);
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER sqlflow TO sqlflow_user;
CREATE USER MAPPING FOR sqlflow_user SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');
SET ROLE sqlflow_user;
SELECT sqlflow_test_try($$SELECT sqlflow_export('x')$$);
-- a non-superuser may not set token_required or ca_file
SELECT sqlflow_test_try($$ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (ADD token_required 'false')$$);
RESET ROLE;
GRANT USAGE ON FOREIGN DATA WRAPPER sqlflow TO sqlflow_user;
SET ROLE sqlflow_user;
SELECT sqlflow_test_try($$CREATE SERVER own FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'https://127.0.0.1:2/gspLive_backend', ca_file '/etc/passwd')$$);
RESET ROLE;
REVOKE USAGE ON FOREIGN DATA WRAPPER sqlflow FROM sqlflow_user;
SET ROLE sqlflow_user;
RESET ROLE;
ALTER USER MAPPING FOR sqlflow_user SERVER sqlflow OPTIONS (ADD token_required 'false');
SET ROLE sqlflow_user;
SELECT sqlflow_export_json(:demo) -> 'data' ->> 'mode' AS mode_as_plain_user;
RESET ROLE;
ALTER USER MAPPING FOR sqlflow_user SERVER sqlflow OPTIONS (DROP token_required, ADD token 'token');
SET ROLE sqlflow_user;
SELECT sqlflow_export_json(:demo) -> 'data' ->> 'mode' AS mode_with_own_token;
RESET ROLE;
DROP USER MAPPING FOR sqlflow_user SERVER sqlflow;
REVOKE USAGE ON FOREIGN SERVER sqlflow FROM sqlflow_user;
REVOKE SELECT ON sqlflow_test_env FROM sqlflow_user;
DROP ROLE sqlflow_user;

-- connection refused
CREATE SERVER sqlflow_dead FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:1/gspLive_backend');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_dead OPTIONS (user_id 'gudu|0123456789');
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', server => 'sqlflow_dead')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('x', server => 'sqlflow_dead')$$);

-- the whole-request timeout (sqlflow.timeout): no answer, half a body, a drip
SET sqlflow.timeout = '1s';
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-hang')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-stall')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-drip')$$);
RESET sqlflow.timeout;

-- statement_timeout stops a transfer in every phase
SET statement_timeout = '500ms';
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-hang')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-stall')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-drip', 'csv')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('fault-slow-5')$$);
RESET statement_timeout;

-- HTTP error statuses
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('fault-http500')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-http404')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-http429')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-http400')$$);
CREATE SERVER sqlflow_wrong_path FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'wrong_path_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_wrong_path OPTIONS (user_id 'gudu|0123456789');
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', server => 'sqlflow_wrong_path')$$);

-- in-body codes (HTTP 200)
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('fault-code401')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-code403', 'csv')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-code410', 'graphml')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('fault-code429')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-code404')$$);
SELECT sqlflow_test_try_all($$SELECT sqlflow_export('fault-code409')$$);
-- the generic code 500 about a job that is not there: asked, the job list says so
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-code500')$$);
-- the generic code 500 about a job that exists and is finished ("busy"): the server's error
SELECT sqlflow_test_busy(1);
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055')$$);
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('00000000000000000000000000000000')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('00000000000000000000000000000000', 'csv')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', 'csv', false, '|')$$);
-- the job list, asked after a generic code, fails itself: the server's own
-- error stands, inside a transaction that goes on (the question ran in a
-- subtransaction of its own)
CREATE SERVER sqlflow_nolist FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_nolist
  OPTIONS (user_id 'auth0|nolist', token 'nolist-token-0123456789');
BEGIN;
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('00000000000000000000000000000000', server => 'sqlflow_nolist')$$);
SELECT sqlflow_test_try_detail($$SELECT sqlflow_jobs(server => 'sqlflow_nolist')$$);
SELECT length(sqlflow_export('c359aef4bd9641d697732422debd8055', server => 'sqlflow_nolist')) > 0 AS exported;
COMMIT;
DROP USER MAPPING FOR CURRENT_USER SERVER sqlflow_nolist;
DROP SERVER sqlflow_nolist;
-- a wrong secret key
CREATE SERVER sqlflow_badkey FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_badkey
  OPTIONS (user_id 'auth0|sqlflow-test', secret_key 'not-the-right-key');
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('x', server => 'sqlflow_badkey')$$);
-- a wrong token given directly
CREATE SERVER sqlflow_badtoken FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_badtoken
  OPTIONS (user_id 'auth0|sqlflow-test', token 'not.a-valid.token');
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', server => 'sqlflow_badtoken')$$);

-- answers that are not what was promised
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-notjson')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('fault-notjson')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-truncated')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('fault-truncated')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-emptybody')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-emptybody', 'csv')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-notxml', 'graphml')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-reset')$$);

-- invalid UTF-8 and NUL bytes
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-badutf8')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-badutf8', 'csv')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('fault-nul')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-nul', 'csv')$$);

-- bodies over sqlflow.max_response_size, announced or chunked
SHOW sqlflow.max_response_size;
SET sqlflow.max_response_size = '64kB';
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-big-200000')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-bigchunked-200000')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export_json('fault-bigchunked-200000')$$);
SELECT length(sqlflow_export('fault-big-50000')) BETWEEN 40000 AND 65536 AS under_the_limit_is_fine;
RESET sqlflow.max_response_size;
SET sqlflow.max_response_size = '2GB';
SET sqlflow.timeout = -1;

-- redirects: only to the same scheme, host and port, and not forever
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-redirect-file')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-redirect-port')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-redirect-loop')$$);
SELECT sqlflow_export_json('fault-redirect-same') -> 'data' ->> 'mode' AS same_origin_redirect;

-- 203 is a WARNING, not an error
SELECT sqlflow_export_json('fault-code203') ->> 'code' AS code;

-- an ERROR leaves nothing half-written in the caller's transaction
CREATE TABLE lineage_copy (body text);
BEGIN;
INSERT INTO lineage_copy SELECT sqlflow_export(:demo);
SAVEPOINT s;
INSERT INTO lineage_copy SELECT sqlflow_export('fault-truncated');
ROLLBACK TO s;
COMMIT;
SELECT count(*) AS rows_kept FROM lineage_copy;
DROP TABLE lineage_copy;

-- pg_cancel_backend stops a transfer that is waiting, from another session
CREATE EXTENSION dblink;
SELECT dblink_connect('victim', format('host=%s port=%s dbname=%s user=postgres', :'pghost', :'pgport', current_database()));
SELECT dblink_send_query('victim', $$SELECT sqlflow_export('fault-hang')$$);
DO $$
DECLARE pid int; n int := 0;
BEGIN
  LOOP
    SELECT a.pid INTO pid FROM pg_stat_activity a
    WHERE a.query LIKE '%fault-hang%' AND a.wait_event_type = 'Extension' AND a.pid <> pg_backend_pid();
    EXIT WHEN pid IS NOT NULL OR n > 600;
    PERFORM pg_sleep(0.05); n := n + 1;
    PERFORM pg_stat_clear_snapshot();  -- else the first snapshot is kept for the transaction
  END LOOP;
  RAISE NOTICE 'waiting backend seen in pg_stat_activity: %', pid IS NOT NULL;
  PERFORM pg_cancel_backend(pid);
END $$;
SET client_min_messages = notice;
SELECT * FROM dblink_get_result('victim', false) AS t(x text);
SELECT * FROM dblink_get_result('victim') AS t(x text);
SELECT * FROM dblink('victim', $$SELECT sqlflow_export_json('c359aef4bd9641d697732422debd8055') -> 'data' ->> 'mode'$$) AS t(victim_lives text);
SELECT dblink_disconnect('victim');
DROP EXTENSION dblink;

-- and after all that, this backend still works
SELECT sqlflow_export_json(:demo) -> 'data' ->> 'mode' AS still_working;

-- TLS: verification is always on; a superuser may name the CA to trust
\getenv tls_url SQLFLOW_TEST_TLS_URL
\getenv tls_ca SQLFLOW_TEST_CA
CREATE SERVER sqlflow_tls FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'tls_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_tls OPTIONS (user_id 'gudu|0123456789');
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', server => 'sqlflow_tls')$$);
ALTER SERVER sqlflow_tls OPTIONS (ADD ca_file :'tls_ca');
SELECT sqlflow_export_json('c359aef4bd9641d697732422debd8055', server => 'sqlflow_tls') -> 'data' ->> 'mode' AS over_https;
SELECT count(*) AS rows_over_https FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055', server => 'sqlflow_tls');
-- a readable file that vouches for nothing (a missing one is refused at ALTER)
\getenv fixtures SQLFLOW_TEST_FIXTURES
\set wrong_ca :fixtures '/README.md'
ALTER SERVER sqlflow_tls OPTIONS (SET ca_file :'wrong_ca');
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', server => 'sqlflow_tls')$$);
