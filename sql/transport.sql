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
