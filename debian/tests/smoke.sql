-- The installed extension, without any SQLFlow server: created at its
-- default version, created at the first release and updated to it, and one
-- request to a port where nothing listens (127.0.0.1:9), which must fail to
-- connect: that proves the library, libcurl and the request path are there.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION sqlflow_export;
DO $$
DECLARE v text; d text;
BEGIN
  SELECT extversion INTO v FROM pg_extension WHERE extname = 'sqlflow_export';
  SELECT default_version INTO d FROM pg_available_extensions WHERE name = 'sqlflow_export';
  IF v IS DISTINCT FROM d THEN
    RAISE EXCEPTION 'sqlflow_export % created, the control file says %', v, d;
  END IF;
  PERFORM FROM pg_foreign_data_wrapper WHERE fdwname = 'sqlflow';
  IF NOT FOUND THEN RAISE EXCEPTION 'no foreign-data wrapper sqlflow'; END IF;
END $$;
DROP EXTENSION sqlflow_export;
CREATE EXTENSION sqlflow_export VERSION '1.0';
ALTER EXTENSION sqlflow_export UPDATE;
DO $$
BEGIN
  IF (SELECT extversion FROM pg_extension WHERE extname = 'sqlflow_export')
     IS DISTINCT FROM (SELECT default_version FROM pg_available_extensions WHERE name = 'sqlflow_export') THEN
    RAISE EXCEPTION 'ALTER EXTENSION sqlflow_export UPDATE from 1.0 did not reach the default version';
  END IF;
END $$;
CREATE SERVER smoke FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'http://127.0.0.1:9/gspLive_backend');
CREATE USER MAPPING FOR CURRENT_USER SERVER smoke OPTIONS (user_id 'gudu|0123456789');
SET sqlflow.connect_timeout = '5s';
DO $$
BEGIN
  PERFORM sqlflow_export('c359aef4bd9641d697732422debd8055', server => 'smoke');
  RAISE EXCEPTION 'sqlflow_export returned from a server that does not listen';
EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection THEN
  NULL;   -- 08001, as documented
END $$;
SELECT 'sqlflow_export ' || extversion || ': smoke ok' FROM pg_extension WHERE extname = 'sqlflow_export';
