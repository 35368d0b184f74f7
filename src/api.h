/*-------------------------------------------------------------------------
 *
 * api.h
 *	  The SQLFlow REST API: endpoints, token exchange, envelope, errors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_API_H
#define SQLFLOW_API_H

#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "http.h"
#include "options.h"

typedef enum SqlflowFormat
{
	SQLFLOW_FORMAT_JSON,
	SQLFLOW_FORMAT_CSV,
	SQLFLOW_FORMAT_GRAPHML
} SqlflowFormat;

/* One export, as text in the database encoding. */
extern text *sqlflow_api_export_text(const SqlflowEndpoint *ep,
									 SqlflowFormat format,
									 const char *job_id,
									 bool table_to_table,
									 char delimiter);

/* The JSON export as jsonb, parsed once. */
extern Jsonb *sqlflow_api_export_jsonb(const SqlflowEndpoint *ep,
									   const char *job_id,
									   bool table_to_table);



/*
 * The CSV export streamed into a tuplestore as it arrives (see lineage.c);
 * returns the number of rows.
 */
extern int64 sqlflow_api_export_rows(const SqlflowEndpoint *ep,
									 const char *job_id, bool table_to_table,
									 char delimiter, Tuplestorestate *tupstore,
									 TupleDesc tupdesc);

/* Jobs: submit SQL, look at one job or all, delete one. */
extern char *sqlflow_api_submit(const SqlflowEndpoint *ep, const char *sql,
								size_t len, const char *dbvendor,
								const char *job_name, const char *file_name);
extern Jsonb *sqlflow_api_job(const SqlflowEndpoint *ep, const char *job_id);
extern void sqlflow_api_job_status(const SqlflowEndpoint *ep, const char *job_id,
								   char **status, char **error_message);
extern Jsonb *sqlflow_api_jobs(const SqlflowEndpoint *ep);
extern char *sqlflow_api_delete_job(const SqlflowEndpoint *ep, const char *job_id);

/* Lineage of one SQL text without a job. */
extern Jsonb *sqlflow_api_lineage_of(const SqlflowEndpoint *ep, const char *sql,
									 const char *dbvendor);

/*
 * Whether the last error raised by this layer may pass if the call is
 * repeated later (the server unreachable, timed out, overloaded, busy).
 */
extern bool sqlflow_api_error_is_transient(void);

/* the documented spelling of a dbvendor name, NULL if unknown */
extern const char *sqlflow_api_dbvendor(const char *name);
extern char *sqlflow_api_dbvendor_list(void);

#endif							/* SQLFLOW_API_H */
