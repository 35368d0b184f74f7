--
-- transport_dns: a request stopped during name resolution.  test/run starts
-- the cluster with a resolver that sends every query to a name server on
-- 127.0.0.1:53 that never answers (skipped where that is not possible).
-- The system resolver then retries for about 10 s per lookup; before
-- CURLOPT_QUICK_EXIT, libcurl waited for its resolver thread to give up
-- when the transfer was removed, so a cancel took that long.
--
CREATE SERVER sqlflow_blackhole FOREIGN DATA WRAPPER sqlflow
  OPTIONS (api_url 'http://never-answers.sqlflow.test:8080/gspLive_backend');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_blackhole OPTIONS (user_id 'gudu|0123456789');

-- run q; its SQLSTATE (or ok) and whether it ended within the bound
CREATE FUNCTION sqlflow_test_timed(q text, bound interval, OUT result text, OUT in_time boolean)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  BEGIN
    EXECUTE q;
    result := 'ok';
  EXCEPTION
    WHEN query_canceled THEN result := SQLSTATE || ': ' || SQLERRM;
    WHEN OTHERS THEN result := SQLSTATE || ': ' || SQLERRM;
  END;
  in_time := clock_timestamp() - t0 < bound;
  RAISE LOG 'sqlflow_test_timed: % took %', q, clock_timestamp() - t0;
END $$;

-- statement_timeout during name resolution
SET statement_timeout = '1s';
SELECT * FROM sqlflow_test_timed($$SELECT sqlflow_export('x', server => 'sqlflow_blackhole')$$, '8 s');
RESET statement_timeout;

-- sqlflow.timeout during name resolution
SET sqlflow.timeout = '1s';
SELECT * FROM sqlflow_test_timed($$SELECT sqlflow_export('x', server => 'sqlflow_blackhole')$$, '8 s');
RESET sqlflow.timeout;

-- sqlflow.connect_timeout covers name resolution too
SET sqlflow.connect_timeout = '1s';
SELECT * FROM sqlflow_test_timed($$SELECT sqlflow_export('x', server => 'sqlflow_blackhole')$$, '8 s');
RESET sqlflow.connect_timeout;

-- the backend goes on: the loopback server still answers
SELECT sqlflow_export_json('c359aef4bd9641d697732422debd8055') ->> 'code' AS still_working;
