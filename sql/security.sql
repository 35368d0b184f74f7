--
-- security: no token or secret key in any message, log line or activity
-- view, whatever fails; 10,000 calls leak neither memory nor descriptors
--
\getenv logfile SQLFLOW_TEST_LOG
SET client_min_messages = warning;

-- log everything while the cloud server (secret key, generated token) fails
-- in every way the loopback server can
SET log_min_messages = debug5;
SET log_min_error_statement = debug5;
SET log_error_verbosity = verbose;
CREATE TABLE messages (kind text, message text);
DO $$
DECLARE
  kinds text[] := ARRAY['code401', 'code403', 'code410', 'code429', 'code500', 'code203',
                        'http500', 'http404', 'http429', 'http400', 'notjson', 'truncated',
                        'emptybody', 'badutf8', 'nul', 'reset', 'big-20000', 'redirect-file',
                        'redirect-port', 'redirect-loop', 'csvwrongcols', 'notxml'];
  k text; f text; m text; d text; h text; c text;
BEGIN
  PERFORM set_config('sqlflow.max_response_size', '16kB', true);
  FOREACH k IN ARRAY kinds LOOP
    FOREACH f IN ARRAY ARRAY['json', 'csv', 'graphml'] LOOP
      BEGIN
        PERFORM sqlflow_export('fault-' || k, f, server => 'sqlflow_cloud');
        INSERT INTO messages VALUES (k || '/' || f, 'ok');
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
        INSERT INTO messages VALUES (k || '/' || f, concat_ws(' | ', m, d, h, c));
      END;
    END LOOP;
  END LOOP;
  -- a wrong secret key, and a server that echoes what it got
  BEGIN
    PERFORM sqlflow_export('x', server => 'sqlflow_badkey');
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
    INSERT INTO messages VALUES ('badkey', concat_ws(' | ', m, d));
  END;
END $$;
RESET log_min_messages;
RESET log_min_error_statement;
RESET log_error_verbosity;

SELECT count(*) AS cases, count(*) FILTER (WHERE message <> 'ok') AS errors FROM messages;
-- the secret key, the generated tokens (JWTs start with eyJ) and the user id's
-- secret appear nowhere: messages, server log, activity view
SELECT count(*) AS secrets_in_messages FROM messages
WHERE message ~ '(test-secret-key|not-the-right-key|eyJ[A-Za-z0-9_-]{10})';
-- (read as bytes: other suites' databases in other encodings write there too)
SELECT (SELECT count(*) FROM regexp_matches(encode(pg_read_binary_file(:'logfile'), 'escape'),
        '(test-secret-key-0123456789|not-the-right-key|eyJ[A-Za-z0-9_-]{10})', 'g')) AS secrets_in_log,
       length(pg_read_binary_file(:'logfile')) > 10000 AS log_was_written;
SELECT count(*) AS secrets_in_activity FROM pg_stat_activity
WHERE query ~ '(test-secret-key|eyJ[A-Za-z0-9_-]{10})' AND pid <> pg_backend_pid();
DROP TABLE messages;

-- 10,000 calls in one backend, successes and every kind of failure mixed:
-- memory and file descriptors must come back to where they were
CREATE FUNCTION sqlflow_test_rss_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint
$$;
CREATE FUNCTION sqlflow_test_fds() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/fd')
$$;
CREATE FUNCTION sqlflow_test_mixed_calls(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  jobs text[] := ARRAY['c359aef4bd9641d697732422debd8055', 'fault-code401', 'fault-http500',
                       'fault-notjson', 'fault-truncated', 'fault-badutf8', 'fault-big-40000',
                       'fault-redirect-loop', 'fault-csvwrongcols', 'fault-code203',
                       '00000000000000000000000000000000', 'fault-emptybody'];
  fmts text[] := ARRAY['json', 'csv', 'graphml', 'jsonb', 'rows'];
  ok int := 0; j text; f text;
BEGIN
  PERFORM set_config('sqlflow.max_response_size', '32kB', true);
  PERFORM set_config('client_min_messages', 'error', true);
  FOR i IN 1 .. n LOOP
    j := jobs[1 + i % array_length(jobs, 1)];
    f := fmts[1 + (i / 7) % array_length(fmts, 1)];
    BEGIN
      IF f = 'jsonb' THEN PERFORM sqlflow_export_json(j);
      ELSIF f = 'rows' THEN PERFORM count(*) FROM sqlflow_lineage(j);
      ELSE PERFORM sqlflow_export(j, f);
      END IF;
      ok := ok + 1;
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END LOOP;
  RETURN ok;
END $$;
CREATE TEMP TABLE baseline AS SELECT sqlflow_test_mixed_calls(500) AS ok, sqlflow_test_rss_kb() AS rss, sqlflow_test_fds() AS fds;
SELECT sqlflow_test_mixed_calls(10000) > 0 AS some_succeeded;
-- (PostgreSQL's own file cache may open a few catalog files meanwhile; a
-- descriptor lost per call would show as thousands)
SELECT sqlflow_test_rss_kb() - rss < 2048 AS rss_growth_under_2mb,
       sqlflow_test_fds() - fds < 10 AS no_descriptor_leak
FROM baseline;
