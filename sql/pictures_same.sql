--
-- pictures_same: the C picture aggregates write byte for byte what the SQL
-- implementation of 1.2 wrote.  That implementation is kept in
-- sql/pictures_old.psql (schema pic_old), which also compares the two over
-- random rows with hostile names; here it runs in a database of each
-- encoding, and over every preloaded job.
--
\set regress_db :DBNAME
\set wide 'é ü ß 日本 😀 ÿ'
\i sql/pictures_old.psql

-- every preloaded job (the fixtures, and the real samples when present), as
-- columns and as tables, and trace rows (a job in summary mode warns, and
-- has no rows)
SET jit = off;
SET client_min_messages = error;
CREATE TEMP TABLE pic_jobs AS
SELECT job_id FROM sqlflow_jobs() WHERE create_time = '2024-01-02 03:04:05' AND status <> 'fail';
SELECT count(*) >= 3 AS jobs,
       count(*) FILTER (WHERE r <> 'same') AS differ,
       string_agg(DISTINCT r, '; ') FILTER (WHERE r <> 'same') AS how
FROM pic_jobs
CROSS JOIN (VALUES ('sqlflow_dot'), ('sqlflow_dot_tables'), ('sqlflow_mermaid'), ('sqlflow_mermaid_tables')) a(agg)
CROSS JOIN (VALUES (false), (true)) t(table_level)
CROSS JOIN LATERAL (SELECT pic_old.compare(a.agg, format('SELECT * FROM public.sqlflow_lineage(%L, %L)', job_id, table_level)) AS r) c;
RESET client_min_messages;
CREATE TABLE pic_same_lineage AS SELECT * FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
SELECT a.agg, pic_old.compare(a.agg, $$SELECT * FROM public.sqlflow_impact('pic_same_lineage', 'scott.emp', 'sal')$$) AS impact,
       pic_old.compare(a.agg, $$SELECT * FROM public.sqlflow_trace('pic_same_lineage', 'VSAL', 'SAL', 'upstream')$$) AS trace_upstream
FROM (VALUES ('sqlflow_dot'), ('sqlflow_dot_tables'), ('sqlflow_mermaid'), ('sqlflow_mermaid_tables')) a(agg)
ORDER BY 1;

-- rows of a table's row type, a NULL row among them (every column NULL)
SELECT pic_old.sqlflow_dot(l) = sqlflow_dot(l) AS dot, pic_old.sqlflow_mermaid(l) = sqlflow_mermaid(l) AS mermaid,
       pic_old.sqlflow_dot_tables(l) = sqlflow_dot_tables(l) AS dot_tables,
       pic_old.sqlflow_mermaid_tables(l) = sqlflow_mermaid_tables(l) AS mermaid_tables
FROM (SELECT 1) x LEFT JOIN pic_same_lineage l ON false;
SELECT pic_old.sqlflow_dot(l) = sqlflow_dot(l) AS dot, pic_old.sqlflow_mermaid(l) = sqlflow_mermaid(l) AS mermaid,
       pic_old.sqlflow_dot_tables(l) = sqlflow_dot_tables(l) AS dot_tables,
       pic_old.sqlflow_mermaid_tables(l) = sqlflow_mermaid_tables(l) AS mermaid_tables
FROM (SELECT l FROM pic_same_lineage l UNION ALL SELECT NULL::pic_same_lineage) s(l);
-- columns of other types: as their cast to text (char(n) without its
-- trailing blanks), names of tables as their output
SELECT sqlflow_dot(l) = sqlflow_dot(t) AS dot, sqlflow_mermaid(l) = sqlflow_mermaid(t) AS mermaid
FROM (SELECT 'd'::varchar AS source_db, 's'::name AS source_schema, 42 AS source_table,
             'c  '::char(3) AS source_column, 'DEFAULT'::varchar AS target_db, NULL::name AS target_schema,
             1.5 AS target_table, ''::char(2) AS target_column, 'fdd '::char(4) AS relation_type) l,
     LATERAL (SELECT l.source_db::text AS source_db, l.source_schema::text AS source_schema,
                     l.source_table::text AS source_table, l.source_column::text AS source_column,
                     l.target_db::text AS target_db, l.target_schema::text AS target_schema,
                     l.target_table::text AS target_table, l.target_column::text AS target_column,
                     l.relation_type::text AS relation_type) t
GROUP BY ();

-- the same errors: a missing column (the first one missing is named), a
-- NULL row of no known shape
\set VERBOSITY terse
SELECT pic_old.sqlflow_dot(l) FROM (VALUES ('a', 'b')) l(source_table, target_table);
SELECT sqlflow_dot(l) FROM (VALUES ('a', 'b')) l(source_table, target_table);
SELECT pic_old.sqlflow_mermaid(l) FROM (VALUES ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')) l(source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column);
SELECT sqlflow_mermaid(l) FROM (VALUES ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')) l(source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column);
SELECT pic_old.sqlflow_dot_tables(NULL::record);
SELECT sqlflow_dot_tables(NULL::record);
\set VERBOSITY default

-- as a window aggregate the final function runs again after more rows
SELECT count(*) AS rows,
       count(*) FILTER (WHERE o IS DISTINCT FROM n) AS differ
FROM (SELECT pic_old.sqlflow_dot(l) OVER w AS o, sqlflow_dot(l) OVER w AS n
      FROM pic_same_lineage l WINDOW w AS (ORDER BY target_table, target_column, source_table, source_column)) x;
SELECT count(*) FILTER (WHERE o IS DISTINCT FROM n) AS differ
FROM (SELECT pic_old.sqlflow_mermaid_tables(l) OVER w AS o, sqlflow_mermaid_tables(l) OVER w AS n
      FROM pic_same_lineage l WINDOW w AS (ORDER BY target_table, source_table ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)) x;

-- qualified, with nothing but pg_catalog on the search path, in a read-only
-- transaction
BEGIN READ ONLY;
SET LOCAL search_path = pg_catalog;
SELECT public.sqlflow_dot(l) = pic_old.sqlflow_dot(l) AS dot,
       public.sqlflow_dot_tables(l) = pic_old.sqlflow_dot_tables(l) AS dot_tables,
       public.sqlflow_mermaid(l) = pic_old.sqlflow_mermaid(l) AS mermaid,
       public.sqlflow_mermaid_tables(l) = pic_old.sqlflow_mermaid_tables(l) AS mermaid_tables
FROM public.pic_same_lineage l;
SELECT public.sqlflow_dot_html(E'a<b>&"c\td\r\ne'), public.sqlflow_dot_string(E'a\\"b\nc\rd'),
       public.sqlflow_mermaid_text('a"b<c>é'), public.sqlflow_mermaid_text('');
COMMIT;
DROP TABLE pic_same_lineage;
DROP SCHEMA pic_old CASCADE;

-- other encodings: the character codes of Mermaid labels are ascii()'s
-- (the byte in LATIN1 and SQL_ASCII; in EUC_JP a character beyond ASCII is
-- an error, the same one)
SET client_min_messages = warning;
DROP DATABASE IF EXISTS sqlflow_pic_latin1;
DROP DATABASE IF EXISTS sqlflow_pic_euc_jp;
DROP DATABASE IF EXISTS sqlflow_pic_sql_ascii;
RESET client_min_messages;
CREATE DATABASE sqlflow_pic_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE sqlflow_pic_euc_jp ENCODING 'EUC_JP' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE sqlflow_pic_sql_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;

\c sqlflow_pic_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION sqlflow_export;
\set wide 'é ü ß ÿ Ä ¤'
\i sql/pictures_old.psql
SELECT pic_old.compare('sqlflow_mermaid', $$SELECT 'db' source_db, 's' source_schema, 'tä' source_table, 'ÿ' source_column,
  '' target_db, 'DEFAULT' target_schema, 'u' target_table, 'v' target_column, 'fdd' relation_type$$) AS mermaid_latin1,
  public.sqlflow_mermaid_text('äÿ') AS codes;

\c sqlflow_pic_euc_jp
SET client_encoding = 'UTF8';
CREATE EXTENSION sqlflow_export;
\set wide '日本 ア 表'
\i sql/pictures_old.psql
SELECT pic_old.compare('sqlflow_mermaid', $$SELECT 'db' source_db, 's' source_schema, 't日' source_table, 'c' source_column,
  '' target_db, 'DEFAULT' target_schema, 'u' target_table, 'v' target_column, 'fdd' relation_type$$) AS mermaid_euc_jp,
  pic_old.compare('sqlflow_dot', $$SELECT 'db' source_db, 's' source_schema, 't日' source_table, 'c' source_column,
  '' target_db, 'DEFAULT' target_schema, 'u' target_table, 'v' target_column, 'fdd' relation_type$$) AS dot_euc_jp;
\set VERBOSITY terse
SELECT sqlflow_mermaid_tables(l) FROM (VALUES ('db', 's', '日本', 'c', '', 'DEFAULT', 'u', 'v', 'fdd'))
  l(source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type);
\set VERBOSITY default

\c sqlflow_pic_sql_ascii
SET client_encoding = 'UTF8';
CREATE EXTENSION sqlflow_export;
\set wide 'é 日本 😀'
\i sql/pictures_old.psql
SELECT pic_old.compare('sqlflow_mermaid', $$SELECT 'db' source_db, 's' source_schema, 'té' source_table, 'c' source_column,
  '' target_db, 'DEFAULT' target_schema, 'u' target_table, 'v' target_column, 'fdd' relation_type$$) AS mermaid_sql_ascii,
  public.sqlflow_mermaid_text('é') AS codes;

\c :regress_db
DROP DATABASE sqlflow_pic_latin1;
DROP DATABASE sqlflow_pic_euc_jp;
DROP DATABASE sqlflow_pic_sql_ascii;
