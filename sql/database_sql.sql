--
-- database_sql: the script of the database's own SQL, in dependency order
--

-- 2,000 views created first, then replaced so that each reads views created
-- after it: neither OID nor name order is an order they can be created in
CREATE SCHEMA dbsql;
CREATE TABLE dbsql.base (x int);
DO $$
BEGIN
  FOR i IN 0 .. 1999 LOOP
    EXECUTE format('CREATE VIEW dbsql.v_%s AS SELECT 1 AS x', lpad(i::text, 4, '0'));
  END LOOP;
END $$;
-- v_i reads v_(i+1), a few read a second view further on (few: every path
-- through views is expanded when they are queried); v_1999 reads the table
CREATE TABLE dbsql_reads AS
SELECT i AS reader, i + 1 AS read FROM generate_series(0, 1998) i
UNION ALL
VALUES (0, 1000), (10, 1998), (500, 1500), (1200, 1990);
DO $$
DECLARE q text;
BEGIN
  FOR q IN
    SELECT format('CREATE OR REPLACE VIEW dbsql.v_%s AS SELECT %s AS x FROM %s',
                  lpad(r.reader::text, 4, '0'),
                  CASE WHEN count(*) = 1 THEN 'a.x' ELSE 'a.x + b.x' END,
                  string_agg(format('dbsql.v_%s %s', lpad(r.read::text, 4, '0'),
                                    CASE WHEN r.read = r.reader + 1 THEN 'a' ELSE 'b' END), ', '
                             ORDER BY r.read))
    FROM dbsql_reads r GROUP BY r.reader ORDER BY r.reader
  LOOP
    EXECUTE q;
  END LOOP;
END $$;
CREATE OR REPLACE VIEW dbsql.v_1999 AS SELECT x FROM dbsql.base;

-- routines: one that reads a view (BEGIN ATOMIC; the name sorts first), one a view calls, one a
-- view calls whose body is a string, one nothing reads whose body is a string
CREATE FUNCTION dbsql.a_reads_top() RETURNS int LANGUAGE sql
BEGIN ATOMIC SELECT x FROM dbsql.v_1990; END;
CREATE FUNCTION dbsql.z_called() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
CREATE VIEW dbsql.a_calls AS SELECT dbsql.z_called() AS y;
CREATE FUNCTION dbsql.z_called_string() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
CREATE VIEW dbsql.a_calls_string AS SELECT dbsql.z_called_string() AS y;
CREATE FUNCTION dbsql.a_unread_string() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;

-- the script, with the place of each object in it
CREATE TABLE dbsql_script AS SELECT sqlflow_database_sql(ARRAY['dbsql']) AS t;
CREATE TABLE dbsql_pos AS
SELECT i, strpos(t, format(e'\nCREATE VIEW dbsql.v_%s AS\n', lpad(i::text, 4, '0'))) AS p
FROM dbsql_script, generate_series(0, 1999) i;
CREATE FUNCTION dbsql_at(head text) RETURNS integer LANGUAGE sql
RETURN (SELECT strpos(t, e'\n' || head) FROM dbsql_script);

SELECT count(*) FILTER (WHERE p > 0) AS views_found,
       (SELECT regexp_count(t, e'\nCREATE VIEW dbsql\\.v_') FROM dbsql_script) AS view_statements,
       (SELECT count(*) FROM dbsql_reads) AS reads
FROM dbsql_pos;
-- every view comes after every view it reads
SELECT count(*) FILTER (WHERE a.p > b.p) AS reads_in_order,
       count(*) FILTER (WHERE a.p <= b.p) AS reads_out_of_order
FROM dbsql_reads r JOIN dbsql_pos a ON a.i = r.reader JOIN dbsql_pos b ON b.i = r.read;
-- the table first; routines after what they read, before what calls them;
-- a routine whose reads are unknown (a string body) at the end
SELECT dbsql_at('CREATE TABLE dbsql.base') < (SELECT min(p) FROM dbsql_pos) AS table_first,
       dbsql_at('CREATE OR REPLACE FUNCTION dbsql.a_reads_top()') > (SELECT p FROM dbsql_pos WHERE i = 1990) AS reader_after_view,
       dbsql_at('CREATE OR REPLACE FUNCTION dbsql.z_called()') < dbsql_at('CREATE VIEW dbsql.a_calls AS') AS called_before_view,
       dbsql_at('CREATE OR REPLACE FUNCTION dbsql.z_called_string()') < dbsql_at('CREATE VIEW dbsql.a_calls_string AS') AS called_string_before_view,
       dbsql_at('CREATE OR REPLACE FUNCTION dbsql.a_unread_string()') > greatest((SELECT max(p) FROM dbsql_pos), dbsql_at('CREATE OR REPLACE FUNCTION dbsql.a_reads_top()')) AS unread_string_last,
       (SELECT right(t, 200) LIKE '%FUNCTION dbsql.a_unread_string()%' FROM dbsql_script) AS ends_with_it;
-- asked again, the same script (ties are broken by schema, name and arguments)
SELECT (SELECT t FROM dbsql_script) = sqlflow_database_sql(ARRAY['dbsql']) AS stable;

-- a cycle PostgreSQL lets one make: both objects once, and the script ends
CREATE SCHEMA dbsql_cycle;
CREATE VIEW dbsql_cycle.c AS SELECT 1 AS x;
CREATE FUNCTION dbsql_cycle.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x FROM dbsql_cycle.c; END;
CREATE OR REPLACE VIEW dbsql_cycle.c AS SELECT dbsql_cycle.f() AS x;
SELECT regexp_count(s, 'CREATE VIEW dbsql_cycle\.c AS') AS views,
       regexp_count(s, 'FUNCTION dbsql_cycle\.f\(\)') AS functions
FROM sqlflow_database_sql(ARRAY['dbsql_cycle']) s;

-- it only reads: in a read-only transaction, with no search_path at all
BEGIN READ ONLY;
SET LOCAL search_path = '';
SELECT length(public.sqlflow_database_sql(ARRAY['dbsql'])) = (SELECT length(t) FROM public.dbsql_script) AS read_only;
COMMIT;

-- the levels themselves
SELECT sqlflow_dependency_levels(4, '{1,2,3}', '{2,3,4}') AS chain,
       sqlflow_dependency_levels(4, '{1,1,2}', '{2,3,4}') AS tree,
       sqlflow_dependency_levels(3, '{1,2,3}', '{2,3,1}') AS cycle,
       sqlflow_dependency_levels(0, '{}', '{}') AS none;
-- on a random graph without cycles (an edge from the lower number to the
-- higher): each level is 0 for an object that reads nothing, else one above
-- the highest it reads, exactly
SELECT setseed(0.25);
CREATE TABLE dbsql_random AS
SELECT DISTINCT least(a, b) AS reader, greatest(a, b) AS read
FROM (SELECT 1 + floor(random() * 300)::int AS a, 1 + floor(random() * 300)::int AS b
      FROM generate_series(1, 1500)) x
WHERE a <> b;
WITH l AS (SELECT sqlflow_dependency_levels(300, array_agg(reader ORDER BY reader, read),
                                            array_agg(read ORDER BY reader, read)) AS lv
           FROM dbsql_random)
SELECT bool_and(lv[i] = coalesce((SELECT max(lv[r.read]) + 1 FROM dbsql_random r WHERE r.reader = i), 0)) AS exact,
       max(lv[i]) > 10 AS deep
FROM l, generate_series(1, 300) i;
DROP TABLE dbsql_random;
SELECT sqlflow_test_try($$SELECT sqlflow_dependency_levels(2, '{1}', '{}')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_dependency_levels(2, '{1}', '{3}')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_dependency_levels(2, '{1}', '{NULL}')$$);
SELECT sqlflow_test_try($$SELECT sqlflow_dependency_levels(-1, '{}', '{}')$$);

-- sqlflow_submit_database still submits the script
CREATE SCHEMA dbsql_small;
CREATE TABLE dbsql_small.t (a int);
CREATE VIEW dbsql_small.v2 AS SELECT a FROM dbsql_small.t;
CREATE VIEW dbsql_small.v1 AS SELECT a FROM dbsql_small.v2;
SELECT sqlflow_submit_database('loose database_sql', ARRAY['dbsql_small']) IS NOT NULL AS submitted;
SELECT sqlflow_test_try($$SELECT sqlflow_submit_database(schemas => ARRAY['no_such_schema'])$$);

SET client_min_messages = warning;
DROP SCHEMA dbsql, dbsql_cycle, dbsql_small CASCADE;
DROP FUNCTION dbsql_at(text);
DROP TABLE dbsql_reads, dbsql_script, dbsql_pos;
RESET client_min_messages;
