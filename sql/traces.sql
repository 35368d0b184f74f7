--
-- traces: impact (downstream) and provenance (upstream) over lineage rows
--
\set demo 'c359aef4bd9641d697732422debd8055'
CREATE TABLE chain AS SELECT * FROM sqlflow_lineage(:'demo') WITH NO DATA;
INSERT INTO chain (source_db, source_schema, source_table, source_column,
                   target_db, target_schema, target_table, target_column, relation_type, effect_type)
VALUES ('DEFAULT', 'raw', 'orders', 'amount', 'DEFAULT', 'stage', 'orders_clean', 'amount', 'fdd', 'insert'),
       ('DEFAULT', 'raw', 'orders', 'customer', 'DEFAULT', 'stage', 'orders_clean', 'customer', 'fdd', 'insert'),
       ('DEFAULT', 'stage', 'orders_clean', 'amount', 'DEFAULT', 'DEFAULT', 'RS-1', 'amount', 'fdd', 'select'),
       ('DEFAULT', 'DEFAULT', 'RS-1', 'amount', 'DEFAULT', 'MART', '"REVENUE"', 'TOTAL_EUR', 'fdd', 'insert'),
       -- a second way to the same column (a diamond) and a relation back into itself (a cycle)
       ('DEFAULT', 'stage', 'orders_clean', 'amount', 'DEFAULT', 'mart', 'revenue', 'total_eur', 'fdr', 'insert'),
       ('DEFAULT', 'mart', 'revenue', 'total_eur', 'DEFAULT', 'mart', 'revenue', 'total_eur', 'fdd', 'insert'),
       ('DEFAULT', 'mart', 'revenue', 'total_eur', 'DEFAULT', 'report', 'kpi', 'eur', 'fdd', 'create_view'),
       ('DEFAULT', 'stage', 'orders_clean', 'customer', 'DEFAULT', 'report', 'kpi', 'customers', 'fdd', 'create_view'),
       ('DEFAULT', 'other', 'orders', 'amount', 'DEFAULT', 'other', 'sink', 'x', 'fdd', 'insert');

-- "If I change raw.orders.amount, what breaks?"
SELECT depth, source_table, source_column, target_schema, target_table, target_column, relation_type, path
FROM sqlflow_impact('chain', 'raw.orders', 'amount');
-- "Where does mart.revenue.total_eur come from?" (MART."REVENUE".TOTAL_EUR is the same column)
SELECT depth, source_schema, source_table, source_column, target_table, target_column, path
FROM sqlflow_provenance('chain', 'mart.revenue', 'total_eur');
-- table level: every relation out of a table, transitively
SELECT depth, source_table, target_table, count(*) AS relations
FROM sqlflow_impact('chain', 'raw.orders') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- an unqualified name matches it in every schema; a depth limit
SELECT DISTINCT source_schema FROM sqlflow_impact('chain', 'orders', 'amount') WHERE depth = 1 ORDER BY 1;
SELECT max(depth) AS deepest FROM sqlflow_impact('chain', 'raw.orders', 'amount', 2);
-- rows to filter and join like any others
SELECT t.target_table, t.target_column FROM sqlflow_impact('chain', 'raw.orders') t
WHERE t.target_table !~ '^RS-' AND t.depth > 1 ORDER BY 1, 2;
-- nothing reached, and bad arguments
SELECT count(*) AS nothing FROM sqlflow_impact('chain', 'report.kpi', 'eur');
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_trace('chain', 'raw.orders', direction => 'sideways')$$);
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_trace('chain', '', 'x')$$);
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_trace('chain', 'raw.orders', max_depth => 0)$$);
SELECT sqlflow_test_try($$SELECT * FROM sqlflow_trace('no_such_table', 'raw.orders')$$);

-- over a job directly, and over a stored table of its rows: the same answer
CREATE TABLE demo_lineage AS SELECT * FROM sqlflow_lineage(:'demo');
SELECT depth, source_table, source_column, target_table, target_column, path
FROM sqlflow_trace_job(:'demo', 'scott.emp', 'sal');
SELECT (SELECT array_agg(t ORDER BY t::text) FROM sqlflow_trace_job(:'demo', 'EMP', NULL, 'downstream') t)
     = (SELECT array_agg(t ORDER BY t::text) FROM sqlflow_impact('demo_lineage', 'EMP') t) AS same_answer;
-- with the recommended indexes the plan finds the next hop by index
CREATE INDEX ON demo_lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_column));
CREATE INDEX ON demo_lineage (sqlflow_name_key(target_table), sqlflow_name_key(target_column));
SELECT count(*) AS upstream_of_vsal FROM sqlflow_provenance('demo_lineage', 'vsal');

DROP TABLE chain, demo_lineage;
