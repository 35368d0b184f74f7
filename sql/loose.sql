--
-- loose: what NULL means, the summary check that fails, token_required
--
\set demo '''c359aef4bd9641d697732422debd8055'''

-- 1. NULL and '' as a job id or a document
-- an untyped NULL resolves to the text overload of sqlflow_relationships:
-- no rows and no request, as for a NULL document
SELECT sqlflow_test_reset_stats();
SELECT count(*) AS untyped_null FROM sqlflow_relationships(NULL);
SELECT count(*) AS null_text FROM sqlflow_relationships(NULL::text);
SELECT count(*) AS null_text_named FROM sqlflow_relationships(job_id => NULL, table_to_table => true);
SELECT count(*) AS null_document FROM sqlflow_relationships(NULL::jsonb);
SELECT coalesce(sqlflow_test_stats() -> 'requests', '{}') AS requests_made;
-- '' is the latest job (the loopback server's latest for this user: the demo)
SELECT (SELECT count(*) FROM sqlflow_relationships('')) =
       (SELECT count(*) FROM sqlflow_relationships(:demo)) AS empty_is_latest;
-- the export functions keep NULL as the latest job (as since 1.0)
SELECT (SELECT count(*) FROM sqlflow_lineage(NULL)) =
       (SELECT count(*) FROM sqlflow_lineage(:demo)) AS lineage_null_is_latest,
       sqlflow_export(NULL, 'csv') = sqlflow_export(:demo, 'csv') AS export_null_is_latest,
       sqlflow_export_json(NULL) = sqlflow_export_json(:demo) AS export_json_null_is_latest;
-- and so does sqlflow_trace_job, which reads the job with sqlflow_lineage
SELECT (SELECT array_agg(t::text ORDER BY t::text) FROM sqlflow_trace_job(NULL, 'scott.emp', 'sal') t) =
       (SELECT array_agg(t::text ORDER BY t::text) FROM sqlflow_trace_job(:demo, 'scott.emp', 'sal') t) AS trace_job_null_is_latest,
       (SELECT array_agg(t::text ORDER BY t::text) FROM sqlflow_trace_job('', 'scott.emp', 'sal') t) =
       (SELECT array_agg(t::text ORDER BY t::text) FROM sqlflow_trace_job(:demo, 'scott.emp', 'sal') t) AS trace_job_empty_is_latest,
       (SELECT count(*) FROM sqlflow_trace_job(:demo, 'scott.emp', 'sal')) AS rows;
-- the job life needs a job id
SELECT sqlflow_test_try($$SELECT sqlflow_job(NULL)$$);
SELECT sqlflow_test_try($$SELECT sqlflow_wait('')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_delete_job(NULL)$$);
-- and the comments say so
SELECT p.oid::regprocedure AS function,
       CASE WHEN d LIKE '%a null or empty job_id means the latest job%' THEN 'null or empty: latest'
            WHEN d LIKE '%an empty job_id means the latest job, a null one gives no rows%' THEN 'empty: latest, null: no rows'
            WHEN d LIKE '%a null document gives no rows%' THEN 'null document: no rows'
            WHEN d LIKE '%job_id is required%' THEN 'required'
            ELSE 'not said' END AS null_means
FROM pg_proc p, obj_description(p.oid, 'pg_proc') d
WHERE p.proname IN ('sqlflow_export', 'sqlflow_export_json', 'sqlflow_lineage', 'sqlflow_relationships',
                    'sqlflow_job', 'sqlflow_wait', 'sqlflow_delete_job')
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- 2. sqlflow_lineage: the CSV export has no rows, the JSON export asked
-- after it fails; the rows stand, with a WARNING saying why the summary
-- mode could not be checked
SELECT count(*) AS rows FROM sqlflow_lineage('fault-emptycsv-notjson');
SELECT count(*) AS rows FROM sqlflow_lineage('fault-emptycsv-code500');
-- the server's text in the cause is cut as in any error, and the token it
-- echoes is not shown
\getenv sqlflow_url SQLFLOW_TEST_URL
CREATE SERVER sqlflow_loose_static FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'sqlflow_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow_loose_static
  OPTIONS (user_id 'auth0|static', token 's3cr3t-static-token-0123456789');
SELECT count(*) AS rows FROM sqlflow_lineage('fault-emptycsv-echotoken', server => 'sqlflow_loose_static');
DROP SERVER sqlflow_loose_static CASCADE;
-- the transaction goes on after the check was rolled back
BEGIN;
SELECT count(*) AS rows FROM sqlflow_lineage('fault-emptycsv-truncated');
SELECT 'still in the transaction' AS state;
COMMIT;
-- a JSON export that answers: no warning but the summary's own (none here)
SELECT count(*) AS rows FROM sqlflow_lineage('csvfile-header_only');
-- the CSV export failing is still an error
SELECT sqlflow_test_try($$SELECT count(*) FROM sqlflow_lineage('fault-csvunterminated')$$);

-- 4. token_required: what it refuses from a non-superuser
CREATE ROLE sqlflow_loose;
GRANT USAGE ON FOREIGN SERVER sqlflow TO sqlflow_loose;
GRANT SELECT ON sqlflow_test_env TO sqlflow_loose;
SET ROLE sqlflow_loose;
CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789', token 'token');
SELECT sqlflow_test_try_all($$SELECT sqlflow_export(NULL)$$);
-- the placeholder in another case, or with white space, is the same placeholder
ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (SET token 'TOKEN');
SELECT sqlflow_test_try($$SELECT sqlflow_export(NULL)$$);
ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (SET token ' Token ');
SELECT sqlflow_test_try($$SELECT sqlflow_export(NULL)$$);
ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (SET token '   ');
SELECT sqlflow_test_try($$SELECT sqlflow_export(NULL)$$);
-- any other value passes: whether the server checks it cannot be seen here
ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (SET token 'tokens');
SELECT sqlflow_test_try($$SELECT sqlflow_export(NULL)$$);
RESET ROLE;
DROP USER MAPPING FOR sqlflow_loose SERVER sqlflow;
REVOKE USAGE ON FOREIGN SERVER sqlflow FROM sqlflow_loose;
REVOKE SELECT ON sqlflow_test_env FROM sqlflow_loose;
DROP ROLE sqlflow_loose;
-- a superuser's own mapping is not held to it
SELECT sqlflow_export_json(:demo) ->> 'code' AS superuser_without_credential;
