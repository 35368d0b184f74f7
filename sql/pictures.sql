--
-- pictures: Graphviz DOT and Mermaid from lineage and trace rows
--
\set demo 'c359aef4bd9641d697732422debd8055'
\set hostile 'ba5eba11ba5eba11ba5eba11ba5eba11'
-- a WHERE clause chooses what is drawn
SELECT sqlflow_dot(l) FROM sqlflow_lineage(:'demo') l WHERE target_table = 'VSAL';
SELECT sqlflow_mermaid(l) FROM sqlflow_lineage(:'demo') l WHERE target_table = 'VSAL';
-- table level
SELECT sqlflow_dot_tables(l) FROM sqlflow_lineage(:'demo') l;
SELECT sqlflow_mermaid_tables(l) FROM sqlflow_lineage(:'demo') l;
-- hostile names: quotes, <, >, |, braces, backslashes, newlines, non-ASCII, keywords
SELECT sqlflow_dot(l) FROM sqlflow_lineage(:'hostile') l;
SELECT sqlflow_mermaid(l) FROM sqlflow_lineage(:'hostile') l;
SELECT sqlflow_dot_tables(l) FROM (VALUES ('DEFAULT', 'DEFAULT', 'subgraph', 'end', 'DEFAULT', 'DEFAULT', 'node', 'edge', 'fdd')) AS l(source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type);
SELECT sqlflow_mermaid(l) FROM (VALUES ('DEFAULT', 'graph', 'end', 'click', 'DEFAULT', 'style', '{x}|<y>', 'a"b\c', 'fdd')) AS l(source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type);
-- the same rows in another order draw the same picture
SELECT (SELECT sqlflow_dot(l ORDER BY target_column DESC) FROM sqlflow_lineage(:'demo') l)
     = (SELECT sqlflow_dot(l ORDER BY source_column) FROM sqlflow_lineage(:'demo') l) AS stable;
-- trace rows draw too
CREATE TABLE pic_lineage AS SELECT * FROM sqlflow_lineage(:'demo');
SELECT sqlflow_mermaid_tables(t) FROM sqlflow_impact('pic_lineage', 'scott.emp', 'sal') t;
-- no rows, no relations
SELECT sqlflow_dot(l) FROM sqlflow_lineage(:'demo') l WHERE false;
DROP TABLE pic_lineage;
