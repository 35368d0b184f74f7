--
-- cron: pg_cron keeps a lineage table fresh (background worker mode)
--
\getenv sqlflow_url SQLFLOW_TEST_URL
\c sqlflow_cron
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS sqlflow_export;
RESET client_min_messages;
SHOW cron.use_background_workers;
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');

-- the README's recipe: a table, a procedure that refreshes it, a schedule
CREATE TABLE lineage AS
  SELECT now() AS refreshed_at, * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055') WITH NO DATA;
CREATE PROCEDURE refresh_lineage() LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM lineage;
  INSERT INTO lineage SELECT now(), * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
END $$;
SELECT cron.schedule('refresh-lineage', '* * * * *', 'CALL refresh_lineage()') > 0 AS scheduled;

-- pg_cron 1.4 runs a job at the start of a minute: wait for the first run
DO $$
DECLARE n int := 0;
BEGIN
  LOOP
    PERFORM 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
    WHERE j.jobname = 'refresh-lineage' AND d.status IN ('succeeded', 'failed');
    EXIT WHEN FOUND OR n > 1000;
    PERFORM pg_sleep(0.1);
    n := n + 1;
  END LOOP;
END $$;
SELECT d.status, d.return_message
FROM cron.job_run_details d JOIN cron.job j USING (jobid)
WHERE j.jobname = 'refresh-lineage' ORDER BY d.runid LIMIT 1;
SELECT count(*) > 0 AS refreshed, count(DISTINCT refreshed_at) AS refreshes FROM lineage;
SELECT cron.unschedule('refresh-lineage');
