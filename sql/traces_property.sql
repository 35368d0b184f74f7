--
-- traces_property: sqlflow_trace against a breadth-first walk written here
-- (PL/pgSQL over arrays, not calling sqlflow_trace), over a random cyclic
-- lineage with names in every spelling SQLFlow uses; deterministic (setseed)
--
SELECT setseed(0.4242);
-- a name of pool kind k, number i, in one of its spellings
CREATE FUNCTION prop_spell(base text, i int) RETURNS text LANGUAGE sql VOLATILE
RETURN (ARRAY[base || i, upper(base) || i, '"' || upper(base) || i || '"', '[' || base || i || ']',
              '"' || base || i || '"'])[1 + floor(random() * 5)::int];
CREATE TABLE prop AS SELECT * FROM sqlflow_lineage('x') WITH NO DATA;
INSERT INTO prop (source_db, source_schema, source_table, source_column,
                  target_db, target_schema, target_table, target_column, relation_type, effect_type)
SELECT CASE WHEN r1 < 0.6 THEN 'DEFAULT' WHEN r1 < 0.8 THEN prop_spell('db', 1) WHEN r1 < 0.9 THEN 'default' END,
       CASE WHEN r2 < 0.1 THEN NULL WHEN r2 < 0.25 THEN 'DEFAULT' ELSE prop_spell('s', floor(r2 * 3)::int) END,
       CASE WHEN r3 < 0.02 THEN NULL ELSE prop_spell('t', floor(r3 * 12)::int) END,
       CASE WHEN r4 < 0.02 THEN NULL ELSE prop_spell('c', floor(r4 * 4)::int) END,
       CASE WHEN r5 < 0.6 THEN 'DEFAULT' WHEN r5 < 0.8 THEN prop_spell('db', 1) WHEN r5 < 0.9 THEN 'default' END,
       CASE WHEN r6 < 0.1 THEN NULL WHEN r6 < 0.25 THEN 'DEFAULT' ELSE prop_spell('s', floor(r6 * 3)::int) END,
       CASE WHEN r7 < 0.02 THEN NULL ELSE prop_spell('t', floor(r7 * 12)::int) END,
       CASE WHEN r8 < 0.02 THEN NULL ELSE prop_spell('c', floor(r8 * 4)::int) END,
       (ARRAY['fdd', 'fdr', 'join'])[1 + floor(random() * 3)::int],
       (ARRAY['insert', 'select', 'create_view'])[1 + floor(random() * 3)::int]
FROM (SELECT random() r1, random() r2, random() r3, random() r4,
             random() r5, random() r6, random() r7, random() r8
      FROM generate_series(1, 400)) r;
-- a few duplicates (the same relation twice)
INSERT INTO prop SELECT * FROM prop WHERE random() < 0.03;
SELECT count(*) AS rows, count(DISTINCT source_table) AS source_spellings FROM prop;

-- the reference: keys by the rule of 1.2, computed once
CREATE FUNCTION prop_key(name text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN lower(CASE WHEN name ~ '^".*"$' OR name ~ '^\[.*\]$'
                  THEN substr(name, 2, length(name) - 2) ELSE name END);
CREATE TABLE prop_k AS
SELECT l.*, prop_key(source_db) AS k_sdb, prop_key(source_schema) AS k_ssch,
       prop_key(source_table) AS k_stbl, prop_key(source_column) AS k_scol,
       prop_key(target_db) AS k_tdb, prop_key(target_schema) AS k_tsch,
       prop_key(target_table) AS k_ttbl, prop_key(target_column) AS k_tcol
FROM prop l;
CREATE TYPE prop_node AS (db text, sch text, tbl text, col text, path text[]);
CREATE TYPE prop_hit AS (depth int, source_db text, source_schema text, source_table text,
  source_column text, target_db text, target_schema text, target_table text, target_column text,
  relation_type text, effect_type text, path text[]);

-- the walk: nodes and frontier in arrays, one join per depth
CREATE FUNCTION prop_trace(table_name text, column_name text, down boolean, max_depth int)
RETURNS SETOF prop_hit LANGUAGE plpgsql AS $$
DECLARE
  parts text[] := ARRAY(SELECT prop_key(m[1]) FROM regexp_matches(table_name, '("[^"]*"|\[[^\]]*\]|[^.]+)', 'g') m);
  np int := cardinality(parts);
  wt text := parts[np];
  ws text := parts[np - 1];
  wd text := parts[np - 2];
  wc text := prop_key(column_name);
  lvl boolean := column_name IS NOT NULL;
  seen prop_node[];
  front prop_node[];
  hits prop_hit[];
BEGIN
  IF np = 0 THEN RETURN; END IF;
  -- near side, far side as (db, sch, tbl, col keys, row, label)
  front := ARRAY(
    SELECT ROW(n.db, n.sch, n.tbl, n.col, ARRAY[n.label])::prop_node FROM (
      SELECT DISTINCT ON (db, sch, tbl, col) * FROM (
        SELECT CASE WHEN down THEN k_sdb ELSE k_tdb END AS db,
               CASE WHEN down THEN k_ssch ELSE k_tsch END AS sch,
               CASE WHEN down THEN k_stbl ELSE k_ttbl END AS tbl,
               CASE WHEN NOT lvl THEN '' WHEN down THEN k_scol ELSE k_tcol END AS col,
               CASE WHEN down THEN concat_ws('.', source_schema, source_table, CASE WHEN lvl THEN source_column END)
                    ELSE concat_ws('.', target_schema, target_table, CASE WHEN lvl THEN target_column END) END AS label
        FROM prop_k) x
      WHERE tbl = wt AND (ws IS NULL OR sch IN (ws, 'default', '')) AND (wd IS NULL OR db IN (wd, 'default', ''))
        AND (NOT lvl OR col = wc)
      ORDER BY db, sch, tbl, col, label) n);
  seen := front;
  FOR d IN 1 .. max_depth LOOP
    EXIT WHEN cardinality(front) = 0;
    hits := ARRAY(
      SELECT ROW(d, l.source_db, l.source_schema, l.source_table, l.source_column, l.target_db,
                 l.target_schema, l.target_table, l.target_column, l.relation_type, l.effect_type,
                 f.path || CASE WHEN down THEN concat_ws('.', l.target_schema, l.target_table, CASE WHEN lvl THEN l.target_column END)
                                ELSE concat_ws('.', l.source_schema, l.source_table, CASE WHEN lvl THEN l.source_column END) END)::prop_hit
      FROM unnest(front) f JOIN prop_k l
        ON (CASE WHEN down THEN l.k_stbl ELSE l.k_ttbl END) = f.tbl
       AND (CASE WHEN down THEN l.k_ssch ELSE l.k_tsch END) IS NOT DISTINCT FROM f.sch
       AND (CASE WHEN down THEN l.k_sdb ELSE l.k_tdb END) IS NOT DISTINCT FROM f.db
       AND (NOT lvl OR (CASE WHEN down THEN l.k_scol ELSE l.k_tcol END) = f.col));
    RETURN QUERY SELECT * FROM unnest(hits);
    front := ARRAY(
      SELECT ROW(db, sch, tbl, col, path)::prop_node FROM (
        SELECT DISTINCT ON (db, sch, tbl, col) * FROM (
          SELECT prop_key(CASE WHEN down THEN h.target_db ELSE h.source_db END) AS db,
                 prop_key(CASE WHEN down THEN h.target_schema ELSE h.source_schema END) AS sch,
                 prop_key(CASE WHEN down THEN h.target_table ELSE h.source_table END) AS tbl,
                 CASE WHEN lvl THEN prop_key(CASE WHEN down THEN h.target_column ELSE h.source_column END) ELSE '' END AS col,
                 h.path
          FROM unnest(hits) h) x
        WHERE NOT EXISTS (SELECT FROM unnest(seen) s WHERE s.db IS NOT DISTINCT FROM x.db
                            AND s.sch IS NOT DISTINCT FROM x.sch AND s.tbl = x.tbl AND s.col = x.col)
        ORDER BY db, sch, tbl, col, array_to_string(path, ' '), path) y);
    seen := seen || front;
  END LOOP;
END $$;

-- start points: every spelling of a table, qualified or not, with quoted dots
CREATE TABLE prop_starts AS
SELECT t, c FROM
  (SELECT DISTINCT t FROM (
     SELECT source_table AS t FROM prop WHERE source_table IS NOT NULL AND random() < 0.05
     UNION ALL SELECT concat_ws('.', source_schema, source_table) FROM prop WHERE random() < 0.03
     UNION ALL SELECT concat_ws('.', target_db, target_schema, target_table) FROM prop WHERE random() < 0.03
     UNION ALL VALUES ('"S1".t2'), ('[db1].[s2].T3'), ('"a.b".t1'), ('DEFAULT.t4'), ('default.DEFAULT.t5'),
                      ('t1..'), ('.'), ('"T6"x')) u WHERE t IS NOT NULL) ts,
  (VALUES (NULL), ('c1'), ('"C2"'), ('[c0]')) cs(c);
SELECT count(*) AS start_points FROM prop_starts;

-- the same lineage read through indexes (the probes go straight through
-- the index, trace_index.c): prop_ix with the README's index downstream
-- (table, schema, column keys) and 1.4's upstream (table, column, schema),
-- prop_ix2 with others whose probes return more rows
-- than asked (table and schema keys upstream, table key only downstream),
-- which the walk must filter; prop itself has none (the queries run)
CREATE TABLE prop_ix AS SELECT * FROM prop;
CREATE INDEX ON prop_ix (sqlflow_name_key(source_table), sqlflow_name_key(source_schema), sqlflow_name_key(source_column));
CREATE INDEX ON prop_ix (sqlflow_name_key(target_table), sqlflow_name_key(target_column), sqlflow_name_key(target_schema));
CREATE TABLE prop_ix2 AS SELECT * FROM prop;
CREATE INDEX ON prop_ix2 (sqlflow_name_key(target_table), sqlflow_name_key(target_schema));
CREATE INDEX ON prop_ix2 (sqlflow_name_key(source_table));
ANALYZE prop_ix, prop_ix2;
CREATE FUNCTION prop_got(rel regclass, t text, c text, dir text, md int) RETURNS prop_hit[]
LANGUAGE sql STABLE
RETURN (SELECT coalesce(array_agg(ROW(x.depth, x.source_db, x.source_schema, x.source_table, x.source_column,
                        x.target_db, x.target_schema, x.target_table, x.target_column, x.relation_type,
                        x.effect_type, x.path)::prop_hit ORDER BY x.depth, x.path, ROW(x.depth, x.source_db, x.source_schema, x.source_table, x.source_column,
                        x.target_db, x.target_schema, x.target_table, x.target_column, x.relation_type,
                        x.effect_type, x.path)::prop_hit::text), '{}')
        FROM sqlflow_trace(rel, t, c, dir, md) x);

CREATE TABLE prop_runs AS
SELECT s.t, s.c, dir, md,
       (SELECT coalesce(array_agg(h ORDER BY h.depth, h.path, h::text), '{}')
        FROM prop_trace(s.t, s.c, dir = 'downstream', md) h) AS expected,
       (SELECT coalesce(array_agg(ROW(x.depth, x.source_db, x.source_schema, x.source_table, x.source_column,
                        x.target_db, x.target_schema, x.target_table, x.target_column, x.relation_type,
                        x.effect_type, x.path)::prop_hit ORDER BY x.depth, x.path, ROW(x.depth, x.source_db, x.source_schema, x.source_table, x.source_column,
                        x.target_db, x.target_schema, x.target_table, x.target_column, x.relation_type,
                        x.effect_type, x.path)::prop_hit::text), '{}')
        FROM sqlflow_trace('prop', s.t, s.c, dir, md) x) AS got,
       (SELECT coalesce(bool_and(ok), true) FROM (
          SELECT (depth, path) >= (lag(depth, 1, 0) OVER w, lag(path, 1, '{}') OVER w) AS ok
          FROM sqlflow_trace('prop', s.t, s.c, dir, md) WITH ORDINALITY AS y
          WINDOW w AS (ORDER BY ordinality)) o) AS ordered,
       prop_got('prop_ix', s.t, s.c, dir, md) AS got_ix,
       prop_got('prop_ix2', s.t, s.c, dir, md) AS got_ix2
FROM prop_starts s, (VALUES ('downstream'), ('upstream')) d(dir), (VALUES (1), (3), (10)) m(md);

SELECT count(*) AS traces,
       count(*) FILTER (WHERE got = expected) AS same,
       count(*) FILTER (WHERE got_ix = expected) AS same_ix,
       count(*) FILTER (WHERE got_ix2 = expected) AS same_ix2,
       count(*) FILTER (WHERE ordered) AS ordered,
       count(*) FILTER (WHERE cardinality(expected) > 0) AS nonempty,
       count(*) FILTER (WHERE md = 10 AND cardinality(expected) > 0 AND c IS NOT NULL) AS nonempty_column_level,
       sum(cardinality(expected)) AS rows_compared,
       max((SELECT max(h.depth) FROM unnest(expected) h)) AS deepest
FROM prop_runs;
SELECT bool_and(got = expected AND got_ix = expected AND got_ix2 = expected AND ordered) AS all_same FROM prop_runs;
-- the first that differs, if any
SELECT t, c, dir, md, cardinality(expected) AS expected, cardinality(got) AS got,
       cardinality(got_ix) AS got_ix, cardinality(got_ix2) AS got_ix2
FROM prop_runs WHERE got <> expected OR got_ix <> expected OR got_ix2 <> expected OR NOT ordered
ORDER BY 1, 2, 3, 4 LIMIT 5;

DROP TABLE prop, prop_ix, prop_ix2, prop_k, prop_starts, prop_runs;
DROP FUNCTION prop_trace(text, text, boolean, int), prop_key(text), prop_spell(text, int),
  prop_got(regclass, text, text, text, int);
DROP TYPE prop_node, prop_hit;
