/*-------------------------------------------------------------------------
 *
 * sqlflow_export.c
 *	  The SQL-callable functions of sqlflow_export.
 *
 * Each function reads and checks its arguments, resolves the foreign server
 * (options.c), hands the request to the API layer (src/api.c) and turns
 * what comes back into a Datum.  Nothing else lives here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "api.h"
#include "config.h"
#include "options.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	sqlflow_define_gucs();
}

/* a text argument as a C string, NULL if SQL NULL */
static char *
arg_cstring(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* reject NULL for an argument that has a default */
static void
arg_not_null(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

static SqlflowFormat
arg_format(const char *s)
{
	if (pg_strcasecmp(s, "json") == 0)
		return SQLFLOW_FORMAT_JSON;
	if (pg_strcasecmp(s, "csv") == 0)
		return SQLFLOW_FORMAT_CSV;
	if (pg_strcasecmp(s, "graphml") == 0)
		return SQLFLOW_FORMAT_GRAPHML;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized sqlflow export format \"%s\"", s),
			 errhint("Valid formats are \"json\", \"csv\" and \"graphml\".")));
	return SQLFLOW_FORMAT_JSON; /* keep compiler quiet */
}

static char
arg_delimiter(const char *s)
{
	if (strlen(s) != 1 || IS_HIGHBIT_SET(s[0]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("CSV delimiter must be a single one-byte character")));
	if (s[0] == '"' || s[0] == '\r' || s[0] == '\n')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("CSV delimiter cannot be a quote, carriage return or newline")));
	return s[0];
}

PG_FUNCTION_INFO_V1(sqlflow_export);

/*
 * sqlflow_export(job_id, format, table_to_table, delimiter, server) -> text
 */
Datum
sqlflow_export(PG_FUNCTION_ARGS)
{
	char	   *job_id = arg_cstring(fcinfo, 0);
	SqlflowFormat format;
	bool		table_to_table;
	char		delimiter;
	SqlflowEndpoint *ep;

	arg_not_null(fcinfo, 1, "format");
	arg_not_null(fcinfo, 2, "table_to_table");
	arg_not_null(fcinfo, 3, "delimiter");
	format = arg_format(arg_cstring(fcinfo, 1));
	table_to_table = PG_GETARG_BOOL(2);
	delimiter = arg_delimiter(arg_cstring(fcinfo, 3));
	if (format != SQLFLOW_FORMAT_CSV && delimiter != ',')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a delimiter applies only to the csv format")));

	ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 4));
	PG_RETURN_TEXT_P(sqlflow_api_export_text(ep, format, job_id,
											 table_to_table, delimiter));
}

PG_FUNCTION_INFO_V1(sqlflow_export_json);

/*
 * sqlflow_export_json(job_id, table_to_table, server) -> jsonb
 */
Datum
sqlflow_export_json(PG_FUNCTION_ARGS)
{
	char	   *job_id = arg_cstring(fcinfo, 0);
	SqlflowEndpoint *ep;

	arg_not_null(fcinfo, 1, "table_to_table");
	ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 2));
	PG_RETURN_JSONB_P(sqlflow_api_export_jsonb(ep, job_id, PG_GETARG_BOOL(1)));
}
