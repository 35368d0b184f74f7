--
-- jobs: submit, wait, look, list, delete; lineage without a job; this database
--
SET sqlflow.server = 'sqlflow_cloud';

-- submit SQL and wait for it
CREATE TABLE job_ids (name text PRIMARY KEY, id text);
INSERT INTO job_ids
SELECT 'views', sqlflow_submit($$
  CREATE VIEW vsal AS SELECT e.empno, e.sal AS salary FROM scott.emp e;
  INSERT INTO small_orders (oid, amount) SELECT o.order_id, o.amount FROM orders o;
$$, 'dbvoracle', 'regression views');
SELECT id ~ '^[0-9a-f]{32}$' AS looks_like_a_job_id FROM job_ids WHERE name = 'views';
SELECT sqlflow_job(id) ->> 'status' AS status_at_once, sqlflow_job(id) ->> 'jobName' AS job_name,
       sqlflow_job(id) ->> 'dbVendor' AS db_vendor
FROM job_ids WHERE name = 'views';
SELECT sqlflow_wait(id) AS final_status FROM job_ids WHERE name = 'views';
SELECT sqlflow_job(id) ->> 'status' AS status FROM job_ids WHERE name = 'views';

-- its lineage, as rows and as JSON
SELECT source_table, source_column, target_table, target_column, effect_type
FROM sqlflow_lineage((SELECT id FROM job_ids WHERE name = 'views')) ORDER BY 1, 2, 3, 4;
SELECT count(*) > 0 AS has_relationships
FROM sqlflow_relationships(sqlflow_export_json((SELECT id FROM job_ids WHERE name = 'views')));

-- a default job name names the database
INSERT INTO job_ids SELECT 'default name', sqlflow_submit('CREATE VIEW v1 AS SELECT a FROM t1;');
SELECT sqlflow_job(id) ->> 'jobName' LIKE current_database() || ' %' AS default_name,
       sqlflow_job(id) ->> 'dbVendor' AS default_vendor
FROM job_ids WHERE name = 'default name';

-- the job list
SELECT i.name, j.job_name = 'regression views' AS named, j.db_vendor, j.file_names, j.create_time IS NOT NULL AS has_time
FROM sqlflow_jobs() j JOIN job_ids i ON i.id = j.job_id ORDER BY 1;
SELECT job_name ~ '^contrib_regression \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$' AS default_name_format
FROM sqlflow_jobs() j JOIN job_ids i ON i.id = j.job_id WHERE i.name = 'default name';
SELECT sqlflow_jobs_json() -> 'data' ? 'jobDetails' AS has_details;

-- the latest job is what a NULL job id exports
-- (its id comes from its timestamped name: no status NOTICEs here)
SET client_min_messages = warning;
SELECT sqlflow_wait(id) FROM job_ids WHERE name = 'default name';
RESET client_min_messages;
SELECT (SELECT count(*) FROM sqlflow_lineage(NULL)) = (SELECT count(*) FROM sqlflow_lineage(id)) AS latest
FROM job_ids WHERE name = 'default name';

-- delete
SELECT sqlflow_delete_job(id) AS deleted FROM job_ids WHERE name = 'default name';
SELECT regexp_replace(sqlflow_test_try(format('SELECT sqlflow_job(%L)', id)), '[0-9a-f]{32}', '<id>') FROM job_ids WHERE name = 'default name';
SELECT count(*) AS still_listed FROM sqlflow_jobs() j JOIN job_ids i ON i.id = j.job_id WHERE i.name = 'default name';

-- failures: unknown job, failed job, timeout, bad vendor, empty SQL
SELECT sqlflow_test_try($$SELECT sqlflow_job('00000000000000000000000000000000')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_wait('00000000000000000000000000000000')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_delete_job('00000000000000000000000000000000')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_job('')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_job(NULL)$$);
INSERT INTO job_ids SELECT 'failing', sqlflow_submit('SELECT 1;', job_name => 'failing on purpose');
SELECT regexp_replace(sqlflow_test_try_detail(format('SELECT sqlflow_wait(%L)', id)), '[0-9a-f]{32}', '<id>') FROM job_ids WHERE name = 'failing';
SELECT sqlflow_test_try(format('SELECT count(*) FROM sqlflow_lineage(%L)', id)) FROM job_ids WHERE name = 'failing';
INSERT INTO job_ids SELECT 'slow', sqlflow_submit('CREATE VIEW v2 AS SELECT b FROM t2;', job_name => 'regression slow');
SELECT regexp_replace(sqlflow_test_try_detail(format('SELECT sqlflow_wait(%L, %L)', id, '0.2 s')), '[0-9a-f]{32}', '<id>') FROM job_ids WHERE name = 'slow';
SELECT sqlflow_test_try(format('SELECT sqlflow_export(%L)', id)) FROM job_ids WHERE name = 'slow';
SELECT sqlflow_test_try(format('SELECT sqlflow_wait(%L, %L)', id, '-1 s')) FROM job_ids WHERE name = 'slow';
SELECT sqlflow_test_try($$SELECT sqlflow_submit('SELECT 1', 'dbvnosuch')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_submit('SELECT 1', NULL)$$);
SELECT sqlflow_test_try($$SELECT sqlflow_submit('   ')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_submit(NULL)$$);
SELECT sqlflow_test_try($$SELECT sqlflow_lineage_of('')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_lineage_of('SELECT 1', 'oracle')$$);
-- the vendor name is case-insensitive
SELECT length(sqlflow_submit('SELECT 1;', 'DBVPostgreSQL')) AS submitted;

-- statement_timeout and cancel reach a waiting sqlflow_wait
INSERT INTO job_ids SELECT 'slow2', sqlflow_submit('CREATE VIEW v3 AS SELECT c FROM t3;', job_name => 'regression slow2');
SET statement_timeout = '300ms';
SELECT sqlflow_wait(id) FROM job_ids WHERE name = 'slow2';
RESET statement_timeout;

-- lineage of one SQL text, without a job
SELECT jsonb_typeof(l -> 'data' -> 'relationships') AS relationships,
       (SELECT count(*) FROM sqlflow_relationships(l)) > 0 AS has_rows
FROM sqlflow_lineage_of('CREATE VIEW vemp AS SELECT ename, sal FROM emp;') l;
SELECT source_parent, source_column, target_parent, target_column
FROM sqlflow_relationships(sqlflow_lineage_of('CREATE VIEW vemp AS SELECT ename, sal FROM emp;'))
ORDER BY 1, 2, 3, 4;

-- the lineage of this database
CREATE SCHEMA shop;
CREATE TABLE shop.orders (order_id int, customer text, amount numeric);
CREATE VIEW shop.big_orders AS SELECT order_id, amount FROM shop.orders WHERE amount > 100;
CREATE MATERIALIZED VIEW shop.totals AS SELECT customer, sum(amount) AS total FROM shop.orders GROUP BY customer;
CREATE FUNCTION shop.order_total(c text) RETURNS numeric LANGUAGE sql AS $$ SELECT sum(amount) FROM shop.orders WHERE customer = c $$;
CREATE PROCEDURE shop.archive() LANGUAGE plpgsql AS $$ BEGIN INSERT INTO shop.orders SELECT * FROM shop.orders WHERE false; END $$;
SELECT sqlflow_database_sql(ARRAY['shop']);
-- by default: every user schema, but not the extension's own objects
SELECT position('sqlflow_export' IN sqlflow_database_sql()) = 0 AS no_extension_objects,
       position('shop.big_orders' IN sqlflow_database_sql()) > 0 AS has_views;
INSERT INTO job_ids SELECT 'database', sqlflow_submit_database('regression database', ARRAY['shop']);
SELECT sqlflow_wait(id) FROM job_ids WHERE name = 'database';
SELECT DISTINCT source_table, target_table FROM sqlflow_lineage((SELECT id FROM job_ids WHERE name = 'database'), true) ORDER BY 1, 2;
SELECT sqlflow_test_try($$SELECT sqlflow_submit_database(schemas => ARRAY['no_such_schema'])$$);

-- in a procedure: submit, wait, store the rows
CREATE TABLE lineage_store AS SELECT now() AS loaded_at, * FROM sqlflow_lineage('x') WITH NO DATA;
CREATE PROCEDURE refresh_lineage(sql text) LANGUAGE plpgsql AS $$
DECLARE job text;
BEGIN
  job := sqlflow_submit(sql, job_name => 'from a procedure');
  PERFORM sqlflow_wait(job, '1 minute');
  DELETE FROM lineage_store;
  INSERT INTO lineage_store SELECT now(), * FROM sqlflow_lineage(job);
  COMMIT;
END $$;
CALL refresh_lineage('CREATE VIEW vp AS SELECT x, y FROM base_table;');
SELECT source_table, source_column, target_table, target_column FROM lineage_store ORDER BY 1, 2, 3, 4;

DROP PROCEDURE refresh_lineage(text);
DROP TABLE lineage_store;
DROP SCHEMA shop CASCADE;
DROP TABLE job_ids;
RESET sqlflow.server;
