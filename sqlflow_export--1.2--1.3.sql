/* sqlflow_export--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.3'" to load this file. \quit

-- Each part below belongs to one change; keep them apart (merges).

-- == name keys and traces (read-only, in C) ==================================



-- == pictures (aggregates in C) ==============================================



-- == search_path: every reference qualified ===================================



-- == secrets, limits and loose ends ===========================================



-- == the database's own SQL, in dependency order =============================



-- == end ========================================================================
