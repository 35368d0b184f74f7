--
-- guard: the lineage guard warns about, or refuses, DDL that breaks what
-- lineage shows depends on a table or column
--
-- The lineage here is written by hand as SQLFlow spells it ("KRAW".ORDERS.
-- AMOUNT for kraw.orders.amount): a PL/pgSQL procedure reads a column that
-- no view reads, so PostgreSQL's own dependencies know nothing of it.
\set VERBOSITY default
CREATE SCHEMA kraw;
CREATE SCHEMA mart;
CREATE TABLE kraw.orders (id int, amount numeric, customer text, note text);
CREATE TABLE mart.revenue (total numeric, customers bigint);
CREATE PROCEDURE mart.refresh_revenue() LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mart.revenue;
  INSERT INTO mart.revenue SELECT sum(amount), count(DISTINCT customer) FROM kraw.orders;
END $$;
-- the procedure reads kraw.orders.amount; PostgreSQL records no dependency
SELECT count(*) AS pg_depend_rows FROM pg_depend d
WHERE d.refobjid = 'kraw.orders'::regclass AND d.classid = 'pg_proc'::regclass;
CREATE VIEW mart.kpi AS SELECT total AS eur FROM mart.revenue;
CREATE MATERIALIZED VIEW mart.kpi_snapshot AS SELECT eur FROM mart.kpi;
CREATE TABLE kraw.events (id int, payload text, at date) PARTITION BY RANGE (at);
CREATE TABLE kraw.events_2026 PARTITION OF kraw.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE FOREIGN TABLE kraw.remote_orders (amount numeric) SERVER sqlflow;

CREATE TABLE guard_lineage AS SELECT * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055') WITH NO DATA;
INSERT INTO guard_lineage (source_db, source_schema, source_table, source_column,
                           target_db, target_schema, target_table, target_column, relation_type, effect_type)
VALUES ('DEFAULT', '"KRAW"', 'ORDERS', 'AMOUNT', 'DEFAULT', 'DEFAULT', 'RS-1', 'SUM(AMOUNT)', 'fdd', 'select'),
       ('DEFAULT', 'DEFAULT', 'RS-1', 'SUM(AMOUNT)', 'DEFAULT', 'MART', 'REVENUE', 'TOTAL', 'fdd', 'insert'),
       ('DEFAULT', 'kraw', 'orders', 'customer', 'DEFAULT', 'MART', 'REVENUE', 'CUSTOMERS', 'fdd', 'insert'),
       ('DEFAULT', 'MART', 'REVENUE', 'TOTAL', 'DEFAULT', 'mart', 'kpi', 'eur', 'fdd', 'create_view'),
       ('DEFAULT', 'mart', 'kpi', 'eur', 'DEFAULT', 'mart', 'kpi_snapshot', 'eur', 'fdd', 'create_view'),
       ('DEFAULT', 'mart', 'kpi_snapshot', 'eur', 'DEFAULT', 'mart', 'board', 'eur', 'fdd', 'insert'),
       ('DEFAULT', 'DEFAULT', 'scratch', 'amount', 'DEFAULT', 'mart', 'scratch_sum', 'amount', 'fdd', 'insert'),
       ('DEFAULT', 'kraw', 'events_2026', 'payload', 'DEFAULT', 'mart', 'event_log', 'text', 'fdd', 'insert'),
       ('DEFAULT', 'kraw', 'remote_orders', 'amount', 'DEFAULT', 'mart', 'remote_sum', 'amount', 'fdd', 'insert'),
       -- the same names in another database do not count here
       ('elsewhere', 'kraw', 'orders', 'note', 'elsewhere', 'x', 'y', 'z', 'fdd', 'insert');
CREATE INDEX ON guard_lineage (sqlflow_name_key(source_table), sqlflow_name_key(source_column));

-- off (the default): silent
SHOW sqlflow.guard;
BEGIN;
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;

-- warn: one WARNING per changed object, the change goes through
SET sqlflow.guard_lineage = 'guard_lineage';
SET sqlflow.guard = warn;
BEGIN;
ALTER TABLE kraw.orders DROP COLUMN amount;
SELECT count(*) AS columns_left FROM pg_attribute WHERE attrelid = 'kraw.orders'::regclass AND attnum > 0 AND NOT attisdropped;
ROLLBACK;
BEGIN;
ALTER TABLE kraw.orders ALTER COLUMN amount TYPE float8;
ROLLBACK;
BEGIN;
ALTER TABLE kraw.orders RENAME COLUMN customer TO client;
ROLLBACK;
BEGIN;
ALTER TABLE kraw.orders RENAME TO orders_old;
ROLLBACK;
BEGIN;
ALTER TABLE kraw.orders SET SCHEMA mart;
ROLLBACK;
BEGIN;
DROP TABLE kraw.orders;
ROLLBACK;
-- two changes in one command: one WARNING each
BEGIN;
ALTER TABLE kraw.orders DROP COLUMN amount, DROP COLUMN customer, DROP COLUMN note;
ROLLBACK;
-- views, materialized views, CASCADE, foreign tables
BEGIN;
ALTER VIEW mart.kpi RENAME COLUMN eur TO euros;
ROLLBACK;
BEGIN;
DROP VIEW mart.kpi CASCADE;
ROLLBACK;
BEGIN;
ALTER MATERIALIZED VIEW mart.kpi_snapshot RENAME TO kpi_snap;
ROLLBACK;
BEGIN;
ALTER FOREIGN TABLE kraw.remote_orders DROP COLUMN amount;
ROLLBACK;
-- a partitioned table: the change reaches the partition lineage names
BEGIN;
ALTER TABLE kraw.events DROP COLUMN payload;
ROLLBACK;
BEGIN;
DROP TABLE kraw.events;
ROLLBACK;
-- depth: only the first step
SET sqlflow.guard_depth = 1;
BEGIN;
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;
RESET sqlflow.guard_depth;

-- silent where nothing depends on the object (and for other databases' lineage)
BEGIN;
ALTER TABLE kraw.orders DROP COLUMN note;
ALTER TABLE kraw.orders ADD COLUMN extra int;
ALTER TABLE kraw.orders DROP COLUMN extra;
ROLLBACK;

-- CASCADE: the views a drop takes with it are dropped objects too
CREATE TABLE kraw.plain (x numeric, y numeric);
CREATE VIEW mart.kpi2 AS SELECT x AS eur FROM kraw.plain;
CREATE VIEW mart.kpi3 AS SELECT eur FROM mart.kpi2;
CREATE VIEW mart.kpi4 AS SELECT y FROM kraw.plain;
INSERT INTO guard_lineage (source_db, source_schema, source_table, source_column,
                           target_db, target_schema, target_table, target_column, relation_type, effect_type)
VALUES ('DEFAULT', 'mart', 'kpi3', 'eur', 'DEFAULT', 'mart', 'board3', 'eur', 'fdd', 'insert'),
       ('DEFAULT', 'mart', 'kpi4', 'y', 'DEFAULT', 'mart', 'board4', 'y', 'fdd', 'insert');
-- nothing in lineage reads kraw.plain itself: silent without CASCADE
-- (PostgreSQL refuses the drop on its own)
SELECT sqlflow_test_try('DROP TABLE kraw.plain') AS without_cascade;
BEGIN;
DROP TABLE kraw.plain CASCADE;
ROLLBACK;
-- a column: only the views that read that column
BEGIN;
ALTER TABLE kraw.plain DROP COLUMN x CASCADE;
ROLLBACK;

-- error: refused with 2BP01, until the guard is set to warn for the transaction
SET sqlflow.guard = error;
SELECT sqlflow_test_try('DROP TABLE kraw.plain CASCADE') AS cascade;
SELECT sqlflow_test_try('ALTER TABLE kraw.plain DROP COLUMN y CASCADE') AS cascade_column;
BEGIN;
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;
BEGIN;
DROP TABLE kraw.events_2026;
ROLLBACK;
SELECT sqlflow_test_try('ALTER TABLE kraw.orders RENAME COLUMN customer TO client') AS rename_column;
SELECT sqlflow_test_try('ALTER TABLE kraw.orders SET SCHEMA mart') AS set_schema;
SELECT sqlflow_test_try('DROP MATERIALIZED VIEW mart.kpi_snapshot') AS drop_matview;
-- every other watched command, refused the same way
SELECT c AS command, sqlflow_test_try(c) AS refused
FROM unnest(ARRAY['ALTER TABLE kraw.orders ALTER COLUMN amount TYPE float8',
                  'ALTER TABLE kraw.orders RENAME TO orders_old',
                  'DROP TABLE kraw.orders',
                  'DROP TABLE kraw.orders CASCADE',
                  'ALTER VIEW mart.kpi RENAME COLUMN eur TO euros',
                  'ALTER VIEW mart.kpi RENAME TO kpi_old',
                  'ALTER VIEW mart.kpi SET SCHEMA kraw',
                  'DROP VIEW mart.kpi CASCADE',
                  'ALTER MATERIALIZED VIEW mart.kpi_snapshot RENAME TO kpi_snap',
                  'ALTER MATERIALIZED VIEW mart.kpi_snapshot RENAME COLUMN eur TO euros',
                  'ALTER FOREIGN TABLE kraw.remote_orders DROP COLUMN amount',
                  'ALTER FOREIGN TABLE kraw.remote_orders RENAME TO remote_old',
                  'DROP FOREIGN TABLE kraw.remote_orders',
                  'ALTER TABLE kraw.events DROP COLUMN payload',
                  'ALTER TABLE kraw.events_2026 RENAME COLUMN payload TO body',
                  'DROP TABLE kraw.events']) c;
SELECT count(*) AS orders_columns_kept FROM pg_attribute WHERE attrelid = 'kraw.orders'::regclass AND attnum > 0 AND NOT attisdropped;
BEGIN;
SET LOCAL sqlflow.guard = warn;
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;
-- temporary tables are not watched (a lineage row names scratch in any schema)
CREATE TEMP TABLE scratch (amount numeric);
ALTER TABLE pg_temp.scratch DROP COLUMN amount;
DROP TABLE pg_temp.scratch;
CREATE TABLE public.scratch (amount numeric);
SELECT sqlflow_test_try('ALTER TABLE public.scratch DROP COLUMN amount') AS not_temporary;
DROP TABLE public.scratch;

-- a guard that cannot work warns once and never blocks, in error mode too
BEGIN;
SET LOCAL sqlflow.guard_lineage = '';
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;
BEGIN;
SET LOCAL sqlflow.guard_lineage = 'no_such_lineage';
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;
CREATE TABLE not_lineage (a int);
BEGIN;
SET LOCAL sqlflow.guard_lineage = 'not_lineage';
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;
-- a role that may change the table but not read the lineage
CREATE ROLE guard_owner;
ALTER TABLE kraw.orders OWNER TO guard_owner;
GRANT USAGE ON SCHEMA kraw TO guard_owner;
SET ROLE guard_owner;
BEGIN;
ALTER TABLE kraw.orders DROP COLUMN amount;
ROLLBACK;
RESET ROLE;
-- the setting's values are checked
SET sqlflow.guard = maybe;
SET sqlflow.guard_depth = 0;

-- CREATE EXTENSION, ALTER EXTENSION ... UPDATE and a dump and restore of a
-- database with the guard on
RESET sqlflow.guard;
RESET sqlflow.guard_lineage;
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS sqlflow_guard_db;
DROP DATABASE IF EXISTS sqlflow_guard_restored;
RESET client_min_messages;
CREATE DATABASE sqlflow_guard_db TEMPLATE template0;
CREATE DATABASE sqlflow_guard_restored TEMPLATE template0;
ALTER DATABASE sqlflow_guard_db SET sqlflow.guard = error;
ALTER DATABASE sqlflow_guard_db SET sqlflow.guard_lineage = 'public.lineage';
ALTER DATABASE sqlflow_guard_restored SET sqlflow.guard = error;
ALTER DATABASE sqlflow_guard_restored SET sqlflow.guard_lineage = 'public.lineage';
\c sqlflow_guard_db
SHOW sqlflow.guard;
CREATE EXTENSION sqlflow_export VERSION '1.2';
ALTER EXTENSION sqlflow_export UPDATE;
SELECT count(*) AS guard_trigger FROM pg_event_trigger WHERE evtname = 'sqlflow_guard';
CREATE TABLE public.orders (amount numeric, note text);
CREATE TABLE public.lineage AS
  SELECT 'DEFAULT' AS source_db, 'public' AS source_schema, 'orders' AS source_table, 'amount' AS source_column,
         'DEFAULT' AS target_db, 'public' AS target_schema, 'report' AS target_table, 'amount' AS target_column,
         'fdd' AS relation_type, 'insert' AS effect_type;
ALTER TABLE public.orders DROP COLUMN amount;
\c :regress_db
\! pg_dump -Fc -d sqlflow_guard_db -f "$SQLFLOW_TEST_WORK/guard.dump" && pg_restore -d sqlflow_guard_restored "$SQLFLOW_TEST_WORK/guard.dump" && echo dump and restore: exit 0
\c sqlflow_guard_restored
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'sqlflow_export') AS restored_extension FROM pg_extension WHERE extname = 'sqlflow_export';
SELECT count(*) AS restored_lineage_rows FROM public.lineage;
ALTER TABLE public.orders DROP COLUMN amount;
DROP EXTENSION sqlflow_export;
SELECT count(*) AS guard_trigger_after_drop FROM pg_event_trigger WHERE evtname = 'sqlflow_guard';
ALTER TABLE public.orders DROP COLUMN note;
\c :regress_db
DROP DATABASE sqlflow_guard_db;
DROP DATABASE sqlflow_guard_restored;

DROP SCHEMA kraw, mart CASCADE;
DROP TABLE guard_lineage, not_lineage;
DROP ROLE guard_owner;
