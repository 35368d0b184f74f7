--
-- secrets: no piece of a credential in any message, DETAIL or log line;
-- error bodies that never end; the version the User-Agent names
--
\getenv sqlflow_url SQLFLOW_TEST_URL
\getenv sqlflow_log SQLFLOW_TEST_LOG
\getenv pghost PGHOST
\getenv pgport PGPORT

-- 1. The User-Agent names the installed version (the control file's
-- default_version, which the Makefile passes to the C code).
CREATE FUNCTION secrets_last_request() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE j jsonb;
BEGIN
  CREATE TEMP TABLE secrets_raw (t text);
  EXECUTE format('COPY secrets_raw FROM PROGRAM %L (FORMAT csv, QUOTE %L, DELIMITER %L)',
                 'curl -sf http://127.0.0.1:' || (SELECT port FROM sqlflow_test_env) || '/__last_request',
                 e'\x01', e'\x02');
  SELECT string_agg(t, e'\n')::jsonb INTO j FROM secrets_raw;
  DROP TABLE secrets_raw;
  RETURN j;
END $$;
SELECT jsonb_array_length(sqlflow_jobs_json('sqlflow') -> 'data' -> 'jobIds') > 0 AS asked;
SELECT r ->> 'path' AS path,
       r ->> 'user_agent' = 'sqlflow_export/' || e.extversion AS user_agent_is_extversion,
       r ->> 'user_agent' = 'sqlflow_export/' || a.default_version AS user_agent_is_default_version
FROM secrets_last_request() r, pg_extension e, pg_available_extensions a
WHERE e.extname = 'sqlflow_export' AND a.name = 'sqlflow_export';

-- 2. An error page that never ends: reading stops once the part kept for
-- the message has arrived, and the HTTP status is reported.  Reading to the
-- end would run into statement_timeout (57014) first.
SET sqlflow.timeout = '20s';
SET statement_timeout = '15s';
SELECT left(sqlflow_test_try_detail($$SELECT sqlflow_export('fault-endless500')$$), 120) AS answer;
RESET statement_timeout;
RESET sqlflow.timeout;
-- and the connection it left is not reused: the next call works
SELECT length(sqlflow_export('c359aef4bd9641d697732422debd8055')) > 0 AS next_call_works;

-- a large error page, announced larger than sqlflow.max_response_size, is
-- the HTTP status too, not 54000
SET sqlflow.max_response_size = '64kB';
SELECT sqlflow_test_try_detail($$SELECT sqlflow_export('fault-big500-200000')$$);
-- one just over the part kept, read to its end before
SELECT sqlflow_test_try($$SELECT sqlflow_export('fault-big500-5000')$$);
RESET sqlflow.max_response_size;

-- 3. Credentials echoed in error pages.  The loopback server's users
-- "echo|<kind>|<offset>" get an error page quoting the credential they
-- sent (the token, or the secret key to /user/generateToken) at that byte
-- offset: kind html (HTTP 500, tags and runs of white space around it),
-- text (HTTP 500, tabs, CRs, control characters), json (HTTP 500 with an
-- error envelope) and code (HTTP 200, in-body code 500).  Secrets of 16 to
-- 400 characters go at offsets from 0 to 4,200, densely around the 300
-- characters a message keeps and the 4,096 bytes of a page that are kept.
-- Every call runs in a second session (dblink), so that its error also
-- reaches the server log; this session catches it as dblink relays it
-- (message, DETAIL, HINT).  Counts only: no secret is ever shown.
CREATE EXTENSION dblink;
SELECT dblink_connect('echo', format('host=%s port=%s dbname=%s user=postgres',
                                     :'pghost', :'pgport', current_database())) AS connected;
CREATE SERVER sqlflow_echo FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_echo OPTIONS (user_id 'echo|html|0', token 'x');
CREATE SERVER sqlflow_echo_key FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_echo_key OPTIONS (user_id 'echo|html|0', secret_key 'x');
CREATE TABLE secrets_log (path text);
INSERT INTO secrets_log VALUES (:'sqlflow_log');

-- a secret of n characters (the base64url alphabet), the same every run
CREATE FUNCTION secrets_make(n int, seed text) RETURNS text LANGUAGE sql AS $$
  SELECT left(string_agg(translate(encode(sha256(convert_to(seed || i, 'UTF8')), 'base64'), '+/=', '-_'), ''
                         ORDER BY i), n)
  FROM generate_series(1, n / 40 + 1) i
$$;

-- how many of the secret's pieces of 8 characters occur in t
CREATE FUNCTION secrets_pieces(t text, s text) RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM generate_series(1, length(s) - 7) i WHERE strpos(t, substr(s, i, 8)) > 0
$$;

-- the offsets tried for a secret of n characters
CREATE FUNCTION secrets_offsets(n int) RETURNS int[] LANGUAGE sql AS $$
  SELECT array_agg(DISTINCT o ORDER BY o) FROM (
    SELECT generate_series(0, 4200, 37)
    UNION ALL SELECT generate_series(120, 320, 6)
    UNION ALL SELECT generate_series(4096 - n - 9, 4103, greatest(1, n / 12))) s(o)
$$;

CREATE FUNCTION secrets_sweep(kind text, n int, as_key bool,
                              OUT calls int, OUT http_errors int, OUT leaking_messages int,
                              OUT log_errors int, OUT leaking_log_lines int)
LANGUAGE plpgsql AS $$
DECLARE
  srv text := CASE WHEN as_key THEN 'sqlflow_echo_key' ELSE 'sqlflow_echo' END;
  opt text := CASE WHEN as_key THEN 'secret_key' ELSE 'token' END;
  secret text := secrets_make(n, kind || opt);
  logfile text := (SELECT path FROM secrets_log);
  off int; st text; m text; d text; h text; logpos bigint; logtext text;
BEGIN
  calls := 0; http_errors := 0; leaking_messages := 0; log_errors := 0; leaking_log_lines := 0;
  FOREACH off IN ARRAY secrets_offsets(n) LOOP
    PERFORM dblink_exec('echo', format('ALTER USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (SET user_id %L, SET %s %L)',
                                       srv, 'echo|' || kind || '|' || off, opt, secret));
    logpos := (pg_stat_file(logfile)).size;
    BEGIN
      PERFORM dblink_exec('echo', format('SELECT sqlflow_jobs_json(%L)', srv));
      st := 'ok'; m := ''; d := ''; h := '';
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
                              h = PG_EXCEPTION_HINT;
    END;
    calls := calls + 1;
    IF st = '38000' AND m ~ '^sqlflow server "sqlflow_echo(_key)?" (answered HTTP status 500|reported an error)$' THEN
      http_errors := http_errors + 1;
    END IF;
    IF secrets_pieces(concat_ws(e'\n', m, d, h), secret) > 0 THEN
      leaking_messages := leaking_messages + 1;
    END IF;
    logtext := pg_read_file(logfile, logpos, (pg_stat_file(logfile)).size - logpos);
    log_errors := log_errors + (SELECT count(*) FROM regexp_split_to_table(logtext, e'\n') l
                                WHERE l ~ 'ERROR:  sqlflow server "sqlflow_echo');
    leaking_log_lines := leaking_log_lines + (SELECT count(*) FROM regexp_split_to_table(logtext, e'\n') l
                                              WHERE secrets_pieces(l, secret) > 0);
  END LOOP;
END $$;

SELECT kind, CASE WHEN as_key THEN 'secret_key' ELSE 'token' END AS credential, n AS length,
       array_length(secrets_offsets(n), 1) AS offsets, s.*
FROM unnest(ARRAY['html', 'text', 'json', 'code']) kind,
     unnest(ARRAY[16, 23, 64, 400]) n,
     unnest(ARRAY[false, true]) as_key,
     LATERAL secrets_sweep(kind, n, as_key) s
ORDER BY as_key, kind, n;

-- the same from this session, without dblink in between, at every third
-- offset where the 300 characters kept and the 4,096 bytes kept end; kind
-- bare is an HTTP 200 answer that is not JSON, the credential a bare word
-- where a value should be: the JSON parser's error must not quote it
CREATE FUNCTION secrets_local(kind text, n int, offsets int[]) RETURNS TABLE (calls int, leaking int)
LANGUAGE plpgsql AS $$
DECLARE
  secret text := secrets_make(n, 'local' || kind);
  off int; m text; d text; h text;
BEGIN
  calls := 0; leaking := 0;
  FOREACH off IN ARRAY offsets LOOP
    EXECUTE format('ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow_echo OPTIONS (SET user_id %L, SET token %L)',
                   'echo|' || kind || '|' || off, secret);
    BEGIN
      PERFORM sqlflow_jobs_json('sqlflow_echo');
      m := ''; d := ''; h := '';
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    END;
    calls := calls + 1;
    IF secrets_pieces(concat_ws(e'\n', m, d, h), secret) > 0 THEN
      leaking := leaking + 1;
    END IF;
  END LOOP;
  RETURN NEXT;
END $$;
SELECT kind, s.* FROM unnest(ARRAY['html', 'text', 'bare']) kind,
  LATERAL secrets_local(kind, 40, ARRAY(SELECT generate_series(0, 600, 3)
                                        UNION ALL SELECT generate_series(4040, 4100, 3))) s
ORDER BY kind;

SELECT dblink_disconnect('echo');
DROP EXTENSION dblink;
DROP FUNCTION secrets_local(text, int, int[]);
DROP FUNCTION secrets_sweep(text, int, bool);
DROP FUNCTION secrets_offsets(int);
DROP FUNCTION secrets_pieces(text, text);
DROP FUNCTION secrets_make(int, text);
DROP FUNCTION secrets_last_request();
DROP TABLE secrets_log;
DROP USER MAPPING FOR CURRENT_USER SERVER sqlflow_echo_key;
DROP SERVER sqlflow_echo_key;
DROP USER MAPPING FOR CURRENT_USER SERVER sqlflow_echo;
DROP SERVER sqlflow_echo;
