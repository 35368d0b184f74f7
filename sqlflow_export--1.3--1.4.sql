/* sqlflow_export--1.3--1.4.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION sqlflow_export UPDATE TO '1.4'" to load this file. \quit

-- Each part below belongs to one change; keep them apart (merges).

-- == OpenLineage =============================================================

-- == end ========================================================================
