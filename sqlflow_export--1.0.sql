/* sqlflow_export--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION sqlflow_export" to load this file. \quit

CREATE FUNCTION sqlflow_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

COMMENT ON FUNCTION sqlflow_fdw_validator(text[], oid) IS
'checks the options of sqlflow foreign servers (api_url, ca_file) and user mappings (user_id, token, secret_key, token_required)';

-- The wrapper only carries configuration: servers hold the endpoint, user
-- mappings the credentials.  There are no foreign tables.
CREATE FOREIGN DATA WRAPPER sqlflow VALIDATOR sqlflow_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER sqlflow IS
'SQLFlow endpoints: CREATE SERVER ... OPTIONS (api_url ...) and CREATE USER MAPPING ... OPTIONS (user_id ..., secret_key or token ...)';

CREATE FUNCTION sqlflow_export(job_id text,
                               format text DEFAULT 'json',
                               table_to_table boolean DEFAULT false,
                               delimiter text DEFAULT ',',
                               server text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sqlflow_export'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_export(text, text, boolean, text, text) IS
'exports the lineage of a SQLFlow job as json, csv or graphml text; a null or empty job_id means the latest job';

CREATE FUNCTION sqlflow_export_json(job_id text,
                                    table_to_table boolean DEFAULT false,
                                    server text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'sqlflow_export_json'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sqlflow_export_json(text, boolean, text) IS
'exports the lineage of a SQLFlow job as jsonb (the whole answer: code, data, sessionId, ...)';
