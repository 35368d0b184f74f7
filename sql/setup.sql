--
-- setup: the extension, its wrapper, servers and user mappings
--
-- The loopback SQLFlow server's base URL comes from test/run.
\getenv sqlflow_url SQLFLOW_TEST_URL
\getenv sqlflow_port SQLFLOW_TEST_PORT
\set sqlflow_api_url 'http://127.0.0.1:' :sqlflow_port '/api/gspLive_backend'

CREATE EXTENSION sqlflow_export;

-- the extension brings its foreign-data wrapper
SELECT fdwname, fdwvalidator::regproc FROM pg_foreign_data_wrapper WHERE fdwname = 'sqlflow';

-- every function is documented
SELECT p.oid::regprocedure AS function, obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqlflow_export'
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- on-premise 5.x: user gudu|0123456789, literal token "token"
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');

-- the same service under the /api prefix (nginx or 6.x layout)
CREATE SERVER sqlflow_api FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_api_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_api OPTIONS (user_id 'gudu|0123456789');

-- cloud style: a secret key exchanged for a token
CREATE SERVER sqlflow_cloud FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_cloud
  OPTIONS (user_id 'auth0|sqlflow-test', secret_key 'test-secret-key-0123456789');

-- a token that the server accepts only once: the cache must renew it on 401
CREATE SERVER sqlflow_expiring FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_expiring
  OPTIONS (user_id 'auth0|expiring', secret_key 'expiring-secret-key');

-- the validator: unknown and misplaced options, missing and bad values
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow OPTIONS (url 'http://127.0.0.1:1/x');
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:1/x', user_id 'u');
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow;
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'ftp://127.0.0.1/gspLive_backend');
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'file:///etc/passwd');
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://user:pw@127.0.0.1/gspLive_backend');
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1/gspLive_backend?userId=x');
CREATE SERVER bad FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'not a url');
ALTER FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:1/x');
CREATE SERVER ok_server FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'https://api.gudusoft.com/gspLive_backend/');
CREATE USER MAPPING FOR PUBLIC SERVER ok_server OPTIONS (user_id 'x', api_url 'http://127.0.0.1:1/');
CREATE USER MAPPING FOR PUBLIC SERVER ok_server OPTIONS (token 'abc');
CREATE USER MAPPING FOR PUBLIC SERVER ok_server OPTIONS (user_id '');
CREATE USER MAPPING FOR PUBLIC SERVER ok_server OPTIONS (user_id 'u', token 't', secret_key 's');
CREATE USER MAPPING FOR PUBLIC SERVER ok_server OPTIONS (user_id 'u', token_required 'maybe');
ALTER SERVER sqlflow OPTIONS (DROP api_url);
DROP SERVER ok_server;

-- user mapping options are hidden from other roles
CREATE ROLE sqlflow_other;
SET ROLE sqlflow_other;
SELECT srvname, umoptions FROM pg_user_mappings WHERE srvname = 'sqlflow_cloud';
RESET ROLE;
SELECT srvname, umoptions FROM pg_user_mappings WHERE srvname = 'sqlflow_cloud';
DROP ROLE sqlflow_other;

-- helpers for the other suites
\getenv sqlflow_fixtures SQLFLOW_TEST_FIXTURES
CREATE TABLE sqlflow_test_env AS SELECT :'sqlflow_port'::int AS port, :'sqlflow_fixtures'::text AS fixtures;

-- run a statement; say "ok" or its SQLSTATE and message (never curl's wording)
CREATE FUNCTION sqlflow_test_try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- the same, with the DETAIL where it is the server's own text
CREATE FUNCTION sqlflow_test_try_detail(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || ' / ' || coalesce(d, '');
END $$;

-- the loopback server's counters (connections, requests per endpoint, token requests)
CREATE FUNCTION sqlflow_test_stats() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE j jsonb;
BEGIN
  IF to_regclass('pg_temp.sqlflow_test_stats_raw') IS NULL THEN
    CREATE TEMP TABLE sqlflow_test_stats_raw (t text);
  END IF;
  TRUNCATE sqlflow_test_stats_raw;
  EXECUTE format('COPY sqlflow_test_stats_raw FROM PROGRAM %L (FORMAT csv, QUOTE %L, DELIMITER %L)',
                 'curl -sf http://127.0.0.1:' || (SELECT port FROM sqlflow_test_env) || '/__stats',
                 e'\x01', e'\x02');
  SELECT string_agg(t, e'\n')::jsonb INTO j FROM sqlflow_test_stats_raw;
  RETURN j;
END $$;

CREATE FUNCTION sqlflow_test_reset_stats() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',
                 'curl -sf -X POST http://127.0.0.1:' || (SELECT port FROM sqlflow_test_env) || '/__reset_stats >/dev/null');
END $$;

-- a fixture file of the project, as the loopback server serves it
CREATE FUNCTION sqlflow_test_fixture(name text) RETURNS text LANGUAGE sql AS $$
  SELECT pg_read_file((SELECT fixtures FROM sqlflow_test_env) || '/' || name)
$$;

-- make the loopback server fail the next n API requests: kind 'code' (in-body
-- "busy"), 'http' (HTTP 503) or 'reset' (connection dropped)
CREATE FUNCTION sqlflow_test_busy(n int, kind text DEFAULT 'code') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',
                 'curl -sf -X POST -d n=' || n || ' -d kind=' || kind || ' http://127.0.0.1:'
                 || (SELECT port FROM sqlflow_test_env) || '/__busy >/dev/null');
END $$;

-- run a statement; its SQLSTATE, message, detail and hint
CREATE FUNCTION sqlflow_test_try_all(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text; h text;
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN SQLSTATE || ': ' || SQLERRM || ' / ' || coalesce(d, '') || ' / ' || coalesce(h, '');
END $$;
