-- The installed extension, without any SQLFlow server: created at its
-- default version, created at the first release and updated to it, and one
-- request to a port where nothing listens (127.0.0.1:9), which must fail to
-- connect: that proves the library, libcurl and the request path are there.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION sqlflow_export;
-- (pg_available_extensions does not see a package's build directory, which
-- the build-time run loads the extension from: compare with what CREATE made)
SELECT extversion AS default_version FROM pg_extension WHERE extname = 'sqlflow_export' \gset
DO $$
BEGIN
  PERFORM FROM pg_foreign_data_wrapper WHERE fdwname = 'sqlflow';
  IF NOT FOUND THEN RAISE EXCEPTION 'no foreign-data wrapper sqlflow'; END IF;
END $$;
DROP EXTENSION sqlflow_export;
CREATE EXTENSION sqlflow_export VERSION '1.0';
ALTER EXTENSION sqlflow_export UPDATE;
SELECT extversion = :'default_version' AS updated
  FROM pg_extension WHERE extname = 'sqlflow_export' \gset
\if :updated
\else
  \echo 'ALTER EXTENSION sqlflow_export UPDATE from 1.0 did not reach' :default_version
  SELECT 1/0 AS not_updated;
\endif
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
