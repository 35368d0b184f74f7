/* sqlflow_export--1.1--1.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.2'" to load this file. \quit

-- The JSON export's relationships as rows, streamed.  From 1.2 an untyped
-- literal given to sqlflow_relationships is a job id; a JSON document
-- needs a cast to jsonb.
CREATE FUNCTION sqlflow_relationships(job_id text,
                                      table_to_table boolean DEFAULT false,
                                      server text DEFAULT NULL,
                                      relation_types text[] DEFAULT NULL,
                                      ignore_record_set boolean DEFAULT NULL,
                                      ignore_function boolean DEFAULT NULL,
                                      show_constant_table boolean DEFAULT NULL,
                                      show_transform boolean DEFAULT NULL,
                                      simple_output boolean DEFAULT NULL,
                                      show_link_only boolean DEFAULT NULL,
                                      count_arguments_as_fdd boolean DEFAULT NULL,
                                      database_name text DEFAULT NULL,
                                      schema_name text DEFAULT NULL,
                                      table_name text DEFAULT NULL,
                                      column_name text DEFAULT NULL)
RETURNS TABLE (relationship_id text, relation_type text, effect_type text,
               source_parent text, source_column text,
               target_parent text, target_column text, process_id text)
AS 'MODULE_PATHNAME', 'sqlflow_relationships_job'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1000;

COMMENT ON FUNCTION sqlflow_relationships(text, boolean, text, text[], boolean, boolean, boolean, boolean, boolean, boolean, boolean, text, text, text, text) IS
'the JSON lineage export of a SQLFlow job as relationship rows (those of sqlflow_relationships(jsonb)), read as it arrives without holding the document (options as for sqlflow_lineage)';
