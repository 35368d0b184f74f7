--
-- transport: connection life, descriptors, name resolution, option checks,
-- settings that only superusers may raise
--
\set demo '''c359aef4bd9641d697732422debd8055'''

-- 1. keepalive_idle = 0: a new connection for each request, even when a
-- connection kept alive by an earlier request is in the cache
SELECT sqlflow_export_json(:demo) ->> 'code' AS kept_alive_first;
SELECT sqlflow_test_reset_stats();
SET sqlflow.keepalive_idle = 0;
SELECT sqlflow_export_json(:demo) ->> 'code' AS fresh_1, sqlflow_export_json(:demo) ->> 'code' AS fresh_2;
-- two requests, two connections (plus the one that reads the counters)
SELECT (s ->> 'connections')::int - 1 AS connections, s -> 'requests' -> 'exportLineageAsJson' AS requests
FROM sqlflow_test_stats() s;
-- (the connection kept alive by the first request is still open, unused:
-- it is closed when its own 60 s are over)
SELECT (sqlflow_test_stats() ->> 'open_connections')::int AS open_with_keepalive_0;
RESET sqlflow.keepalive_idle;

-- 1. an idle kept-alive connection is closed after keepalive_idle seconds,
-- while the backend does nothing with it
SET sqlflow.keepalive_idle = '1s';
SELECT sqlflow_export_json(:demo) ->> 'code' AS kept_alive;
SELECT (sqlflow_test_stats() ->> 'open_connections')::int AS open_after_request;
SELECT pg_sleep(2);
SELECT (sqlflow_test_stats() ->> 'open_connections')::int AS open_after_idle;
-- and the next request opens a new one without complaint
SELECT sqlflow_export_json(:demo) ->> 'code' AS after_close;
-- the same after an error ended the transaction (error recovery disables
-- PostgreSQL's timeouts)
DO $$
BEGIN
  PERFORM sqlflow_export_json('c359aef4bd9641d697732422debd8055');
  RAISE EXCEPTION 'after a request';
END $$;
SELECT pg_sleep(2);
SELECT (sqlflow_test_stats() ->> 'open_connections')::int AS open_after_error_and_idle;
RESET sqlflow.keepalive_idle;

-- 2. sockets count against the backend's descriptor budget, as dblink's and
-- postgres_fdw's connections do.  A test-only module (test/fds) takes what
-- is left of the budget the way such a connection does, and counts it.
-- (test/run starts the cluster with a small max_files_per_process.)
\c
\getenv fds_module SQLFLOW_TEST_FDS
CREATE FUNCTION sqlflow_test_fill_fds() RETURNS int
  AS :'fds_module', 'sqlflow_test_fill_fds' LANGUAGE C STRICT;
CREATE FUNCTION sqlflow_test_free_fds() RETURNS void
  AS :'fds_module', 'sqlflow_test_free_fds' LANGUAGE C STRICT;
-- nothing kept alive in this section, so the count is the same whenever taken
SET sqlflow.keepalive_idle = 0;
CREATE TEMP TABLE budget AS SELECT sqlflow_test_fill_fds() AS before;
SELECT before BETWEEN 5 AND 100 AS budget_is_small FROM budget;
-- no descriptor left: the request is refused before a socket is opened
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055')$$);
SELECT sqlflow_test_free_fds();
SELECT sqlflow_export_json(:demo) ->> 'code' AS with_descriptors_again;

-- 1,000 requests, each on a new connection, that succeed or fail in many
-- ways, and some cancelled mid-way: the budget is the same afterwards
CREATE SERVER sqlflow_refused FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:1/gspLive_backend');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_refused OPTIONS (user_id 'gudu|0123456789');
CREATE FUNCTION sqlflow_test_many(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  jobs text[] := ARRAY['c359aef4bd9641d697732422debd8055', 'fault-reset', 'fault-http500',
                       'fault-truncated', 'fault-redirect-loop', 'fault-code401', 'refused'];
  ok int := 0; j text;
BEGIN
  FOR i IN 1 .. n LOOP
    j := jobs[1 + i % array_length(jobs, 1)];
    BEGIN
      IF j = 'refused' THEN
        PERFORM sqlflow_export('x', server => 'sqlflow_refused');
      ELSE
        PERFORM sqlflow_export(j);
      END IF;
      ok := ok + 1;
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END LOOP;
  RETURN ok;
END $$;
SELECT sqlflow_test_many(1000) AS succeeded;
SET statement_timeout = '200ms';
SELECT sqlflow_export('fault-hang');
SELECT sqlflow_export('fault-stall');
SELECT sqlflow_export('fault-drip', 'csv');
RESET statement_timeout;
SELECT sqlflow_test_fill_fds() - before AS budget_change FROM budget;
SELECT sqlflow_test_free_fds();
DROP TABLE budget;
RESET sqlflow.keepalive_idle;

-- 4. ca_file is checked when the server is created or altered: it must be
-- a regular file that the server process can read
\getenv tls_url SQLFLOW_TEST_TLS_URL
\getenv tls_ca SQLFLOW_TEST_CA
SELECT sqlflow_test_try_detail($$CREATE SERVER ca_missing FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'https://127.0.0.1:2/gspLive_backend', ca_file '/nonexistent/ca.pem')$$);
SELECT sqlflow_test_try_detail($$CREATE SERVER ca_dir FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'https://127.0.0.1:2/gspLive_backend', ca_file '/etc')$$);
-- root may read it, the server process may not; its contents are not read
SELECT sqlflow_test_try_detail($$CREATE SERVER ca_unreadable FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'https://127.0.0.1:2/gspLive_backend', ca_file '/etc/shadow')$$);
SELECT sqlflow_test_try_detail($$CREATE SERVER ca_empty FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'https://127.0.0.1:2/gspLive_backend', ca_file '')$$);
SELECT count(*) AS servers_created FROM pg_foreign_server WHERE srvname LIKE 'ca\_%';
CREATE SERVER ca_ok FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'tls_url', ca_file :'tls_ca');
CREATE USER MAPPING FOR CURRENT_USER SERVER ca_ok OPTIONS (user_id 'gudu|0123456789');
SELECT sqlflow_export_json(:demo, server => 'ca_ok') ->> 'code' AS over_https;
-- ALTER checks the same, and leaves the server as it was when it fails
SELECT sqlflow_test_try_detail($$ALTER SERVER ca_ok OPTIONS (SET ca_file '/nonexistent/ca.pem')$$);
SELECT sqlflow_test_try_detail($$ALTER SERVER ca_ok OPTIONS (SET ca_file '/etc')$$);
SELECT sqlflow_export_json(:demo, server => 'ca_ok') ->> 'code' AS still_over_https;
DROP SERVER ca_ok CASCADE;

-- 5. token_required: anyone may set 'true', only a superuser 'false'; and
-- with it true, a non-superuser's calls carry a credential of their own
CREATE ROLE sqlflow_plain;
GRANT USAGE ON FOREIGN SERVER sqlflow TO sqlflow_plain;
GRANT USAGE ON FOREIGN SERVER sqlflow_cloud TO sqlflow_plain;
SET ROLE sqlflow_plain;
SELECT sqlflow_test_try($$CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789', token_required 'false')$$);
SELECT sqlflow_test_try($$CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789', token_required 'true')$$);
-- no credential at all
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055')$$);
-- the on-premise literal written into the mapping is no credential either
ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (ADD token 'token');
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055')$$);
ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (DROP token_required);
SELECT sqlflow_test_try($$SELECT sqlflow_export('c359aef4bd9641d697732422debd8055')$$);
SELECT sqlflow_test_try($$ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (ADD token_required 'false')$$);
-- a secret key of one's own works
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_cloud
  OPTIONS (user_id 'auth0|sqlflow-test', secret_key 'test-secret-key-0123456789', token_required 'true');
SELECT sqlflow_export_json(:demo, server => 'sqlflow_cloud') ->> 'code' AS own_secret_key;
RESET ROLE;
-- a superuser may waive the rule on the role's mapping ...
ALTER USER MAPPING FOR sqlflow_plain SERVER sqlflow OPTIONS (ADD token_required 'false');
SET ROLE sqlflow_plain;
SELECT sqlflow_export_json(:demo) ->> 'code' AS waived_by_superuser;
-- ... and the role may not change that mapping while it carries the waiver
SELECT sqlflow_test_try($$ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (SET user_id 'gudu|9876543210')$$);
RESET ROLE;
-- a superuser's own calls with the literal are as before
SELECT sqlflow_export_json(:demo) ->> 'code' AS superuser_without_credential;
DROP USER MAPPING FOR sqlflow_plain SERVER sqlflow;
DROP USER MAPPING FOR sqlflow_plain SERVER sqlflow_cloud;
REVOKE USAGE ON FOREIGN SERVER sqlflow FROM sqlflow_plain;
REVOKE USAGE ON FOREIGN SERVER sqlflow_cloud FROM sqlflow_plain;

-- 6. sqlflow.max_response_size is a ceiling that only superusers change
SET ROLE sqlflow_plain;
SELECT sqlflow_test_try($$SET sqlflow.max_response_size = '1GB'$$);
SELECT sqlflow_test_try($$SELECT set_config('sqlflow.max_response_size', '1GB', true)$$);
SELECT sqlflow_test_try($$ALTER ROLE CURRENT_USER SET sqlflow.max_response_size = '1GB'$$);
SHOW sqlflow.max_response_size;
-- the other settings stay the user's
SET sqlflow.timeout = '30s';
SET sqlflow.keepalive_idle = '5s';
RESET sqlflow.timeout;
RESET sqlflow.keepalive_idle;
RESET ROLE;
SET sqlflow.max_response_size = '1GB';
SHOW sqlflow.max_response_size;
RESET sqlflow.max_response_size;
-- per role, set by a superuser, in force in the role's sessions
ALTER ROLE sqlflow_plain LOGIN;
ALTER ROLE sqlflow_plain SET sqlflow.max_response_size = '16kB';
\c - sqlflow_plain
SHOW sqlflow.max_response_size;
-- until a sqlflow function has loaded the library in a session, SET only
-- records a placeholder; loading the library drops a non-superuser's value
-- (with a WARNING), as PostgreSQL does for every superuser-only setting of
-- an extension
SET sqlflow.max_response_size = '1GB';
SELECT sqlflow_test_try($$SELECT sqlflow_export('x', server => 'no_such_server')$$);
SHOW sqlflow.max_response_size;
SELECT sqlflow_test_try($$SET sqlflow.max_response_size = '1GB'$$);
SHOW sqlflow.max_response_size;
\c - postgres
ALTER ROLE sqlflow_plain RESET sqlflow.max_response_size;
DROP ROLE sqlflow_plain;
