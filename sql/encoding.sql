--
-- encoding: one policy in UTF8, LATIN1, EUC_JP and SQL_ASCII databases
--
-- What goes to SQLFlow is UTF-8; what comes back is checked as UTF-8 once
-- and converted to the database encoding value by value.  The same cases
-- (sql/encoding_cases.psql) run in a database of each encoding, made here.
\getenv sqlflow_url SQLFLOW_TEST_URL
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS sqlflow_enc_utf8;
DROP DATABASE IF EXISTS sqlflow_enc_latin1;
DROP DATABASE IF EXISTS sqlflow_enc_euc_jp;
DROP DATABASE IF EXISTS sqlflow_enc_sql_ascii;
RESET client_min_messages;
CREATE DATABASE sqlflow_enc_utf8 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE sqlflow_enc_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE sqlflow_enc_euc_jp ENCODING 'EUC_JP' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE sqlflow_enc_sql_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;

\c sqlflow_enc_utf8
\i sql/encoding_cases.psql
\c sqlflow_enc_latin1
\i sql/encoding_cases.psql
\c sqlflow_enc_euc_jp
\i sql/encoding_cases.psql
\c sqlflow_enc_sql_ascii
\i sql/encoding_cases.psql

\c :regress_db
DROP DATABASE sqlflow_enc_utf8;
DROP DATABASE sqlflow_enc_latin1;
DROP DATABASE sqlflow_enc_euc_jp;
DROP DATABASE sqlflow_enc_sql_ascii;
