--
-- traces_names: sqlflow_name_key in C against the SQL rule of 1.2, and how
-- a dotted table_name splits into name parts
--
-- the rule of 1.2, written out
CREATE FUNCTION old_name_key(name text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN lower(CASE WHEN name ~ '^".*"$' OR name ~ '^\[.*\]$'
                  THEN substr(name, 2, length(name) - 2) ELSE name END);

-- every prefix x middle x suffix: quotes, brackets, dots, newlines, multibyte
CREATE TABLE name_cases AS
SELECT p || m || s AS n
FROM unnest(ARRAY['', '"', '[', ']', 'x', 'É', '.', ' ', E'\n', '""', '[]', 'ǅ']) p,
     unnest(ARRAY['', 'a', 'ÄBC', '"', '[x]', 'a"b', 'Straße', 'İSTANBUL', 'ΣΑΣ', '日本', '"a"b"', '.']) m,
     unnest(ARRAY['', '"', ']', '[', 'y', 'Ö', '.', E'\n', '""']) s
UNION ALL
SELECT n FROM unnest(ARRAY['', '"', '""', '"""', '[x]', '[]', '[', ']', '"a"b"', '"EMP"', '[Emp]',
                           'EMP', '"ÉMP"', '[ÅÄÖ]', '"x]', '[x"', E'"a\nb"', NULL]) n;

SELECT count(*) AS cases,
       count(*) FILTER (WHERE sqlflow_name_key(n) IS NOT DISTINCT FROM old_name_key(n)) AS same
FROM name_cases;
-- the cases that differ (none)
SELECT n, sqlflow_name_key(n), old_name_key(n) FROM name_cases
WHERE sqlflow_name_key(n) IS DISTINCT FROM old_name_key(n);
-- a few by name
SELECT n, sqlflow_name_key(n) FROM unnest(ARRAY['', '"', '""', '[x]', '"a"b"', '"ÉMP"', '[Emp]', 'x"']) n;

-- immutable, strict, parallel safe; no regular expressions, no search_path
SELECT provolatile, proisstrict, proparallel, prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') AS is_c,
       proconfig FROM pg_proc WHERE oid = 'sqlflow_name_key(text)'::regprocedure;

-- an expression index on it is used and answers as a scan does
CREATE TABLE key_idx AS SELECT n FROM name_cases;
CREATE INDEX ON key_idx (sqlflow_name_key(n));
ANALYZE key_idx;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM key_idx WHERE sqlflow_name_key(n) = 'emp';
SELECT count(*) AS by_index FROM key_idx WHERE sqlflow_name_key(n) = 'emp';
RESET enable_seqscan;
SELECT count(*) AS by_scan FROM key_idx WHERE old_name_key(n) = 'emp';

-- name parts: a trace asks for db.schema.table by the regular expression
-- ("[^"]*"|\[[^\]]*\]|[^.]+), the longest token at each place; traced over
-- a table of one relation per spelling, the C split must find what the
-- regular expression's split finds
CREATE TABLE part_lineage AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
INSERT INTO part_lineage (source_db, source_schema, source_table, source_column,
                          target_db, target_schema, target_table, target_column)
SELECT d, s, t, 'c', 'DEFAULT', 'out', d || '|' || s || '|' || t, 'c'
FROM unnest(ARRAY['db', '"DB"', 'a.b', 'DEFAULT', '']) d,
     unnest(ARRAY['sch', '"S.x"', '[s]', 'DEFAULT', 'x"y']) s,
     unnest(ARRAY['t', '"T.1"', '[t]', '"a"b', 't"', 'x.y']) t;
CREATE FUNCTION old_parts(n text) RETURNS text[] LANGUAGE sql IMMUTABLE
RETURN ARRAY(SELECT old_name_key(m[1]) FROM regexp_matches(n, '("[^"]*"|\[[^\]]*\]|[^.]+)', 'g') AS m);
-- what the old walk's depth 0 would match, by the regular expression's parts
CREATE FUNCTION old_start(n text) RETURNS SETOF text LANGUAGE sql STABLE AS $$
  SELECT l.target_table FROM part_lineage l, (SELECT old_parts(n) AS p) x
  WHERE old_name_key(l.source_table) = p[cardinality(p)]
    AND (p[cardinality(p) - 1] IS NULL OR old_name_key(l.source_schema) IN (p[cardinality(p) - 1], 'default', ''))
    AND (p[cardinality(p) - 2] IS NULL OR old_name_key(l.source_db) IN (p[cardinality(p) - 2], 'default', ''))
$$;
CREATE TABLE part_names AS
SELECT DISTINCT n FROM (
  SELECT concat_ws('.', d, s, t) AS n
  FROM unnest(ARRAY[NULL, 'db', '"DB"', '[db]', 'DEFAULT']) d,
       unnest(ARRAY[NULL, 'sch', '"S.x"', '[S]', 'default', 'x"y', '"S"x']) s,
       unnest(ARRAY['t', '"T.1"', '[T]', '"a"b', 't"', '"t"', 'x.y', '"x.y"', '..t', 't..']) t) x;
SELECT count(*) AS names,
       count(*) FILTER (WHERE (SELECT array_agg(x ORDER BY x) FROM old_start(n) x)
                              IS NOT DISTINCT FROM
                              (SELECT array_agg(target_table ORDER BY target_table)
                               FROM sqlflow_impact('part_lineage', n, 'c', 1))) AS same,
       count(*) FILTER (WHERE EXISTS (SELECT FROM old_start(n))) AS reaching
FROM part_names;

DROP TABLE name_cases, key_idx, part_lineage, part_names;
DROP FUNCTION old_name_key(text), old_parts(text), old_start(text);
