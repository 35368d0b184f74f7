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

/* the export endpoints' boolean options, in the order of their fields */
typedef enum SqlflowExportFlag
{
	SQLFLOW_IGNORE_RECORD_SET,
	SQLFLOW_IGNORE_FUNCTION,
	SQLFLOW_SHOW_CONSTANT_TABLE,
	SQLFLOW_SHOW_TRANSFORM,
	SQLFLOW_SIMPLE_OUTPUT,
	SQLFLOW_SHOW_LINK_ONLY,
	SQLFLOW_COUNT_ARGUMENTS_AS_FDD,
	SQLFLOW_NFLAGS
} SqlflowExportFlag;

/* and its filters: only the lineage that touches this object */
typedef enum SqlflowExportFilter
{
	SQLFLOW_FILTER_DATABASE,
	SQLFLOW_FILTER_SCHEMA,
	SQLFLOW_FILTER_TABLE,
	SQLFLOW_FILTER_COLUMN,
	SQLFLOW_NFILTERS
} SqlflowExportFilter;

/*
 * One export: which job, which format, and the options the caller gave.
 * An option not given is not sent, so the server's own default applies.
 */
typedef struct SqlflowExportRequest
{
	SqlflowFormat format;
	const char *job_id;			/* NULL or "": the user's latest job */
	bool		table_to_table;
	char		delimiter;		/* CSV only */
	const char *relation_types; /* showRelationType: "fdd,fdr", NULL = not given */
	int			flags[SQLFLOW_NFLAGS];	/* -1 = not given, else 0 or 1 */
	const char *filters[SQLFLOW_NFILTERS];	/* NULL = not given */
} SqlflowExportRequest;

/* a request with no option given */
extern void sqlflow_export_request_init(SqlflowExportRequest *req,
										SqlflowFormat format,
										const char *job_id);

/* the form field name of a flag or filter, for messages */
extern const char *sqlflow_export_flag_field(SqlflowExportFlag flag);
extern const char *sqlflow_export_filter_field(SqlflowExportFilter filter);

/* One export, as text in the database encoding. */
extern text *sqlflow_api_export_text(const SqlflowEndpoint *ep,
									 const SqlflowExportRequest *req);

/* The JSON export as jsonb, parsed once. */
extern Jsonb *sqlflow_api_export_jsonb(const SqlflowEndpoint *ep,
									   const SqlflowExportRequest *req);

/*
 * The CSV export streamed into a tuplestore as it arrives (see lineage.c);
 * returns the number of rows.
 */
extern int64 sqlflow_api_export_rows(const SqlflowEndpoint *ep,
									 const SqlflowExportRequest *req,
									 Tuplestorestate *tupstore,
									 TupleDesc tupdesc);

/*
 * The JSON export's relationships streamed into rows as it arrives (see
 * relationships.c): a tuplestore made in store_cxt; *rows its row count.
 */
extern Tuplestorestate *sqlflow_api_export_relationships(const SqlflowEndpoint *ep,
														 const SqlflowExportRequest *req,
														 MemoryContext store_cxt,
														 bool random_access,
														 TupleDesc tupdesc,
														 int64 *rows);

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
