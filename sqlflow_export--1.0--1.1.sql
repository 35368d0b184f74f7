/* sqlflow_export--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.1'" to load this file. \quit

-- A lineage in summary mode (more relationships than the server's
-- relation_limit) has counts and no relationships: say so rather than
-- return no rows without a word.
CREATE OR REPLACE FUNCTION sqlflow_relationships(lineage jsonb)
RETURNS TABLE (relationship_id text, relation_type text, effect_type text,
               source_parent text, source_column text,
               target_parent text, target_column text, process_id text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  payload jsonb := CASE WHEN jsonb_typeof(lineage -> 'data') = 'object' THEN lineage -> 'data' ELSE lineage END;
BEGIN
  IF payload ->> 'mode' = 'summary' THEN
    RAISE WARNING 'the lineage is in summary mode: the server sent counts, no relationships'
      USING DETAIL = CASE WHEN payload -> 'summary' ->> 'relationship' IS NULL
                          THEN 'The document gives no counts.'
                          ELSE format('Summary mode: %s relationships, %s tables.',
                                      payload -> 'summary' ->> 'relationship',
                                      coalesce(payload -> 'summary' ->> 'table', '?')) END,
            HINT = 'Submit the SQL in smaller jobs, or raise relation_limit (1000 by default) on an on-premise server.';
  END IF;
  RETURN QUERY
    -- the envelope or its data alone; data.sqlflow (exports) or data itself
    -- (the generation endpoint); relationships, relationship or relations
    WITH doc AS (
      SELECT coalesce(d -> 'sqlflow', d) AS s
      FROM (SELECT CASE WHEN jsonb_typeof(lineage -> 'data') = 'object'
                        THEN lineage -> 'data' ELSE lineage END AS d) x
    ), rels AS (
      SELECT coalesce(s -> 'relationships', s -> 'relationship', s -> 'relations') AS r,
             s -> 'dbobjs' AS dbobjs
      FROM doc
    )
    SELECT rel ->> 'id', rel ->> 'type', rel ->> 'effectType',
           coalesce(src ->> 'parentName',
                    (SELECT o ->> 'name'
                     FROM jsonb_path_query(rels.dbobjs, 'lax $.** ? (exists(@.id) && exists(@.name))') o
                     WHERE o ->> 'id' = src ->> 'parentId' LIMIT 1)),
           src ->> 'column',
           coalesce(rel -> 'target' ->> 'parentName',
                    (SELECT o ->> 'name'
                     FROM jsonb_path_query(rels.dbobjs, 'lax $.** ? (exists(@.id) && exists(@.name))') o
                     WHERE o ->> 'id' = rel -> 'target' ->> 'parentId' LIMIT 1)),
           rel -> 'target' ->> 'column',
           rel ->> 'processId'
    FROM rels,
         jsonb_array_elements(CASE jsonb_typeof(rels.r)
                                WHEN 'array' THEN rels.r
                                WHEN 'object' THEN jsonb_build_array(rels.r)
                                ELSE '[]'::jsonb END) WITH ORDINALITY AS r1(rel, n),
         jsonb_array_elements(CASE jsonb_typeof(rel -> 'sources')
                                WHEN 'array' THEN rel -> 'sources'
                                ELSE '[]'::jsonb END) WITH ORDINALITY AS r2(src, m)
    ORDER BY r1.n, r2.m;
END
$$;

COMMENT ON FUNCTION sqlflow_relationships(jsonb) IS
'flattens a SQLFlow JSON export (any variant: relationships, relationship or relations; envelope or data) into one row per source of each relationship; warns when the export is in summary mode';
