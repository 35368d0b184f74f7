/*-------------------------------------------------------------------------
 *
 * sqlflow_export.c
 *	  The SQL-callable functions of sqlflow_export.
 *
 * Each function reads and checks its arguments, resolves the foreign server
 * (options.c), hands the request to the API layer (src/api.h) and turns
 * what comes back into a Datum.  The picture aggregates' functions hand
 * their state to src/pictures.c.  Nothing else lives here.
 *
 * What it must not do: hold logic beyond its arguments and the Datums it
 * returns (that goes into src/, one concern a file), talk to libcurl or
 * json-c, or read an answer itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "access/toast_compression.h"
#include "access/toast_internals.h"
#include "commands/event_trigger.h"
#include "commands/dbcommands.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"	/* get_database_name() from 19 on */
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "api.h"
#include "config.h"
#include "guard.h"
#include "depsort.h"
#include "names.h"
#include "openlineage.h"
#include "options.h"
#include "pictures.h"
#include "trace.h"
#include "wait.h"

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

/*
 * The export options, in the order every export function declares them
 * after its own arguments: relation_types, then the flags (ignore_record_set,
 * ignore_function, show_constant_table, show_transform, simple_output,
 * show_link_only, count_arguments_as_fdd: SqlflowExportFlag's order), then
 * the filters (database_name, schema_name, table_name, column_name).  A function declared by an older version of the extension's SQL
 * has fewer arguments; those it lacks are simply not given.
 */
static const char *const export_filter_args[SQLFLOW_NFILTERS] = {
	"database_name", "schema_name", "table_name", "column_name"
};
static const char *const relation_type_names[] = {
	"fdd", "fdr", "frd", "join", "call", NULL
};

/* relation_types text[] as showRelationType: checked, lower case, no repeats */
static const char *
arg_relation_types(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	StringInfoData buf;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation_types must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation_types must not be empty"),
				 errhint("Leave it NULL for the server's default (fdd).")));
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
	{
		const char *const *t;
		char	   *name;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("relation_types must not contain nulls")));
		name = TextDatumGetCString(elems[i]);
		for (t = relation_type_names; *t; t++)
			if (pg_strcasecmp(*t, name) == 0)
				break;
		if (*t == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized relation type \"%s\" in relation_types", name),
					 errhint("Relation types are fdd, fdr, frd, join and call.")));
		/* each once, in the order given */
		if (strstr(psprintf(",%s,", buf.data), psprintf(",%s,", *t)) == NULL)
			appendStringInfo(&buf, "%s%s", buf.len ? "," : "", *t);
	}
	return buf.data;
}

/* the export options from argument "first" on, as far as they are declared */
static void
arg_export_options(FunctionCallInfo fcinfo, int first, SqlflowExportRequest *req)
{
	int			arg = first;

	if (PG_NARGS() > arg && !PG_ARGISNULL(arg))
		req->relation_types = arg_relation_types(PG_GETARG_ARRAYTYPE_P(arg));
	arg++;
	for (int i = 0; i < SQLFLOW_NFLAGS; i++, arg++)
		if (PG_NARGS() > arg && !PG_ARGISNULL(arg))
			req->flags[i] = PG_GETARG_BOOL(arg) ? 1 : 0;
	for (int i = 0; i < SQLFLOW_NFILTERS; i++, arg++)
	{
		char	   *value = arg_cstring(fcinfo, arg);

		if (value == NULL)
			continue;
		if (value[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be empty", export_filter_args[i]),
					 errhint("Leave it NULL for the lineage of every %s.",
							 sqlflow_export_filter_field((SqlflowExportFilter) i))));
		req->filters[i] = value;
	}
	/* a column is named within a table */
	if (req->filters[SQLFLOW_FILTER_COLUMN] && !req->filters[SQLFLOW_FILTER_TABLE])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column_name needs table_name"),
				 errdetail("The filters narrow each other: database, schema, table, column.")));
}

/* the first export option's argument number, per function */
#define EXPORT_OPTIONS_ARG 5
#define EXPORT_JSON_OPTIONS_ARG 3
#define LINEAGE_OPTIONS_ARG 3

PG_FUNCTION_INFO_V1(sqlflow_export);

/*
 * sqlflow_export(job_id, format, table_to_table, delimiter, server,
 *				  options...) -> text
 */
Datum
sqlflow_export(PG_FUNCTION_ARGS)
{
	SqlflowExportRequest req;
	SqlflowEndpoint *ep;

	arg_not_null(fcinfo, 1, "format");
	arg_not_null(fcinfo, 2, "table_to_table");
	arg_not_null(fcinfo, 3, "delimiter");
	sqlflow_export_request_init(&req, arg_format(arg_cstring(fcinfo, 1)),
								arg_cstring(fcinfo, 0));
	req.table_to_table = PG_GETARG_BOOL(2);
	req.delimiter = arg_delimiter(arg_cstring(fcinfo, 3));
	if (req.format != SQLFLOW_FORMAT_CSV && req.delimiter != ',')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a delimiter applies only to the csv format")));
	arg_export_options(fcinfo, EXPORT_OPTIONS_ARG, &req);

	ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 4));
	PG_RETURN_TEXT_P(sqlflow_api_export_text(ep, &req));
}

/*
 * A jsonb value this large is handed back compressed, as a table would
 * store it (default_toast_compression).  Storing it then costs no second
 * full-size copy and no compression pass inside the INSERT: the executor
 * copies the compressed bytes and TOAST moves them out of line as they
 * are.  Every reader of a jsonb detoasts its argument, so nothing else
 * changes; pg_column_size() shows the compressed size, as for a stored
 * value.  Smaller values are left alone: for them the copy is cheap and
 * compression would only cost time.
 */
#define JSONB_COMPRESS_MIN (1024 * 1024)

static Datum
jsonb_result(Jsonb *jb)
{
	if (VARSIZE(jb) >= JSONB_COMPRESS_MIN)
	{
		Datum		compressed;

		compressed = toast_compress_datum(PointerGetDatum(jb),
										  InvalidCompressionMethod);
		if (DatumGetPointer(compressed) != NULL)
		{
			pfree(jb);
			return compressed;
		}
	}
	return JsonbPGetDatum(jb);
}

PG_FUNCTION_INFO_V1(sqlflow_export_json);

/*
 * sqlflow_export_json(job_id, table_to_table, server, options...) -> jsonb
 */
Datum
sqlflow_export_json(PG_FUNCTION_ARGS)
{
	SqlflowExportRequest req;
	SqlflowEndpoint *ep;

	arg_not_null(fcinfo, 1, "table_to_table");
	sqlflow_export_request_init(&req, SQLFLOW_FORMAT_JSON, arg_cstring(fcinfo, 0));
	req.table_to_table = PG_GETARG_BOOL(1);
	arg_export_options(fcinfo, EXPORT_JSON_OPTIONS_ARG, &req);
	ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 2));
	PG_RETURN_DATUM(jsonb_result(sqlflow_api_export_jsonb(ep, &req)));
}

/* a job id argument: required (22004), not empty (22023) */
static char *
arg_job_id(FunctionCallInfo fcinfo, int n)
{
	char	   *job_id;

	arg_not_null(fcinfo, n, "job_id");
	job_id = arg_cstring(fcinfo, n);
	if (job_id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a job id is required")));
	return job_id;
}

static const char *
arg_dbvendor(FunctionCallInfo fcinfo, int n)
{
	const char *vendor;

	arg_not_null(fcinfo, n, "dbvendor");
	vendor = sqlflow_api_dbvendor(arg_cstring(fcinfo, n));
	if (vendor == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized dbvendor \"%s\"", arg_cstring(fcinfo, n)),
				 errhint("Valid vendors are: %s.", sqlflow_api_dbvendor_list())));
	return vendor;
}

/* SQL text to send: required, not blank */
static text *
arg_sql(FunctionCallInfo fcinfo, int n)
{
	text	   *sql;
	const char *p;
	const char *end;

	arg_not_null(fcinfo, n, "sql");
	sql = PG_GETARG_TEXT_PP(n);
	p = VARDATA_ANY(sql);
	end = p + VARSIZE_ANY_EXHDR(sql);
	while (p < end && isspace((unsigned char) *p))
		p++;
	if (p == end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("SQL text is empty")));
	return sql;
}

PG_FUNCTION_INFO_V1(sqlflow_submit);

/*
 * sqlflow_submit(sql, dbvendor, job_name, server) -> job id
 */
Datum
sqlflow_submit(PG_FUNCTION_ARGS)
{
	text	   *sql = arg_sql(fcinfo, 0);
	const char *vendor = arg_dbvendor(fcinfo, 1);
	char	   *job_name = arg_cstring(fcinfo, 2);
	SqlflowEndpoint *ep;

	/* a readable default: the database and the local time of submission */
	if (job_name == NULL || job_name[0] == '\0')
	{
		pg_time_t	now = (pg_time_t) time(NULL);
		char		when[32];

		pg_strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
					pg_localtime(&now, session_timezone));
		job_name = psprintf("%s %s", get_database_name(MyDatabaseId), when);
	}

	ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 3));

	/* the API layer sends every value as UTF-8 */
	PG_RETURN_TEXT_P(cstring_to_text(sqlflow_api_submit(ep, VARDATA_ANY(sql),
														VARSIZE_ANY_EXHDR(sql),
														vendor, job_name,
														"query.sql")));
}

PG_FUNCTION_INFO_V1(sqlflow_job);

/*
 * sqlflow_job(job_id, server) -> the job object
 */
Datum
sqlflow_job(PG_FUNCTION_ARGS)
{
	char	   *job_id = arg_job_id(fcinfo, 0);
	SqlflowEndpoint *ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 1));
	Jsonb	   *answer = sqlflow_api_job(ep, job_id);
	JsonbValue *data;

	data = getKeyJsonValueFromContainer(&answer->root, "data", 4, NULL);
	if (data == NULL || data->type != jbvBinary)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("the job summary from sqlflow server \"%s\" has no job object",
						ep->server_name)));
	PG_RETURN_JSONB_P(JsonbValueToJsonb(data));
}

PG_FUNCTION_INFO_V1(sqlflow_jobs_json);

/*
 * sqlflow_jobs_json(server) -> the whole job list answer
 */
Datum
sqlflow_jobs_json(PG_FUNCTION_ARGS)
{
	SqlflowEndpoint *ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 0));

	PG_RETURN_JSONB_P(sqlflow_api_jobs(ep));
}

PG_FUNCTION_INFO_V1(sqlflow_delete_job);

/*
 * sqlflow_delete_job(job_id, server) -> whether the server deleted it
 */
Datum
sqlflow_delete_job(PG_FUNCTION_ARGS)
{
	char	   *job_id = arg_job_id(fcinfo, 0);
	SqlflowEndpoint *ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 1));
	char	   *status = sqlflow_api_delete_job(ep, job_id);

	PG_RETURN_BOOL(status != NULL && strcmp(status, "delete") == 0);
}

PG_FUNCTION_INFO_V1(sqlflow_lineage_of);

/*
 * sqlflow_lineage_of(sql, dbvendor, server) -> lineage without a job
 */
Datum
sqlflow_lineage_of(PG_FUNCTION_ARGS)
{
	text	   *sql = arg_sql(fcinfo, 0);
	const char *vendor = arg_dbvendor(fcinfo, 1);
	SqlflowEndpoint *ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 2));

	PG_RETURN_JSONB_P(sqlflow_api_lineage_of(ep, text_to_cstring(sql), vendor));
}

/* an interval as microseconds, saturating instead of overflowing */
static int64
interval_usecs_saturated(const Interval *iv)
{
	int64		days;
	int64		us;

	if (pg_mul_s64_overflow((int64) iv->month, DAYS_PER_MONTH, &days) ||
		pg_add_s64_overflow(days, (int64) iv->day, &days) ||
		pg_mul_s64_overflow(days, USECS_PER_DAY, &us) ||
		pg_add_s64_overflow(us, iv->time, &us))
		return (iv->month < 0 || iv->day < 0 || iv->time < 0) ? PG_INT64_MIN : PG_INT64_MAX;
	return us;
}

PG_FUNCTION_INFO_V1(sqlflow_wait);

/*
 * sqlflow_wait(job_id, timeout, server) -> final status (src/wait.c)
 */
Datum
sqlflow_wait(PG_FUNCTION_ARGS)
{
	char	   *job_id = arg_job_id(fcinfo, 0);
	int64		timeout_us;

	arg_not_null(fcinfo, 1, "timeout");
	timeout_us = interval_usecs_saturated(PG_GETARG_INTERVAL_P(1));
	if (timeout_us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("timeout must not be negative")));
	PG_RETURN_TEXT_P(cstring_to_text(sqlflow_wait_job(sqlflow_endpoint_lookup(arg_cstring(fcinfo, 2)),
													  job_id, timeout_us)));
}

PG_FUNCTION_INFO_V1(sqlflow_lineage);

/*
 * sqlflow_lineage(job_id, table_to_table, server, options...) -> the CSV
 * export as rows
 *
 * Rows go into the tuplestore while the body is still arriving.
 */
Datum
sqlflow_lineage(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SqlflowExportRequest req;
	SqlflowEndpoint *ep;

	arg_not_null(fcinfo, 1, "table_to_table");
	sqlflow_export_request_init(&req, SQLFLOW_FORMAT_CSV, arg_cstring(fcinfo, 0));
	req.table_to_table = PG_GETARG_BOOL(1);
	arg_export_options(fcinfo, LINEAGE_OPTIONS_ARG, &req);
	ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 2));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	(void) sqlflow_api_export_rows(ep, &req, rsinfo->setResult, rsinfo->setDesc);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sqlflow_relationships_job);

/*
 * sqlflow_relationships(job_id, table_to_table, server, options...) -> the
 * JSON export's relationships as rows, one per source
 *
 * The rows of sqlflow_relationships(sqlflow_export_json(job_id)), read
 * from the export as it arrives: the document is never held whole.
 */
Datum
sqlflow_relationships_job(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SqlflowExportRequest req;
	SqlflowEndpoint *ep;
	char	   *job_id = arg_cstring(fcinfo, 0);
	int64		rows;
	Tuplestorestate *result;

	/*
	 * NULL is no document and no job: no rows, and nothing is asked.  An
	 * untyped NULL resolves to this overload, not to the jsonb one, and must
	 * mean what sqlflow_relationships(NULL::jsonb) means.  The latest job is
	 * asked for with '' (as in every export function).
	 */
	if (job_id == NULL)
	{
		InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
		return (Datum) 0;
	}

	/* from 1.2 an untyped literal means a job id: say so if it is JSON */
	if (job_id != NULL && (job_id[strspn(job_id, " \t\r\n")] == '{' ||
						   job_id[strspn(job_id, " \t\r\n")] == '['))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("job id \"%.20s...\" looks like a JSON document", job_id),
				 errhint("To flatten a JSON document, cast it to jsonb: sqlflow_relationships('...'::jsonb).")));
	arg_not_null(fcinfo, 1, "table_to_table");
	sqlflow_export_request_init(&req, SQLFLOW_FORMAT_JSON, job_id);
	req.table_to_table = PG_GETARG_BOOL(1);
	arg_export_options(fcinfo, LINEAGE_OPTIONS_ARG, &req);
	ep = sqlflow_endpoint_lookup(arg_cstring(fcinfo, 2));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	result = sqlflow_api_export_relationships(ep, &req,
											  rsinfo->econtext->ecxt_per_query_memory,
											  (rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
											  rsinfo->setDesc, &rows);
	tuplestore_end(rsinfo->setResult);
	rsinfo->setResult = result;
	return (Datum) 0;
}

/*
 * sqlflow_guard_ddl() RETURNS event_trigger: the lineage guard, fired at
 * ddl_command_start for the commands the extension's event trigger names.
 */
PG_FUNCTION_INFO_V1(sqlflow_guard_ddl);

Datum
sqlflow_guard_ddl(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sqlflow_guard_ddl can only be called by an event trigger")));
	/* the trace it asks is the one beside this function */
	sqlflow_guard_command(((EventTriggerData *) fcinfo->context)->parsetree,
						  get_func_namespace(fcinfo->flinfo->fn_oid));
	PG_RETURN_VOID();
}

/* an int4[] argument: one-dimensional, no nulls */
static int *
arg_int_array(FunctionCallInfo fcinfo, int n, const char *name, int *count)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(n);

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name)));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain nulls", name)));
	*count = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	return (int *) ARR_DATA_PTR(arr);
}

PG_FUNCTION_INFO_V1(sqlflow_dependency_levels_sql);

/*
 * sqlflow_dependency_levels(n, reader, read) -> the level of each of the
 * objects 1..n, where object reader[k] reads object read[k] (src/depsort.c)
 */
Datum
sqlflow_dependency_levels_sql(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	int			nreader;
	int			nread;
	int		   *reader = arg_int_array(fcinfo, 1, "reader", &nreader);
	int		   *readobj = arg_int_array(fcinfo, 2, "read", &nread);
	int		   *level;
	Datum	   *elems;

	if (n < 0 || n > (int32) (MaxAllocSize / sizeof(Datum)) - 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of objects %d is out of range", n)));
	if (nreader != nread)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("reader and read must have the same length"),
				 errdetail("reader has %d elements, read has %d.", nreader, nread)));
	for (int k = 0; k < nreader; k++)
		if (reader[k] < 1 || reader[k] > n || readobj[k] < 1 || readobj[k] > n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("edge %d names an object outside 1..%d", k + 1, n)));

	level = sqlflow_dependency_levels(n, reader, readobj, nreader);
	elems = palloc(sizeof(Datum) * Max(n, 1));
	for (int i = 0; i < n; i++)
		elems[i] = Int32GetDatum(level[i + 1]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, INT4OID, sizeof(int32),
										  true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(sqlflow_edge_collect);

/*
 * sqlflow_edge_collect(state internal, row record) -> internal: the
 * transition of the four picture aggregates
 */
Datum
sqlflow_edge_collect(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(pic_collect(fcinfo));
}

/* a picture of the state in argument 0 (NULL without rows) */
static Datum
picture_final(FunctionCallInfo fcinfo, PicKind kind)
{
	PicState   *state = PG_ARGISNULL(0) ? NULL : (PicState *) PG_GETARG_POINTER(0);

	PG_RETURN_TEXT_P(pic_render(state, kind));
}

PG_FUNCTION_INFO_V1(sqlflow_dot_final);
PG_FUNCTION_INFO_V1(sqlflow_dot_tables_final);
PG_FUNCTION_INFO_V1(sqlflow_mermaid_final);
PG_FUNCTION_INFO_V1(sqlflow_mermaid_tables_final);

/* the final functions of sqlflow_dot, sqlflow_dot_tables, sqlflow_mermaid and sqlflow_mermaid_tables */
Datum
sqlflow_dot_final(PG_FUNCTION_ARGS)
{
	return picture_final(fcinfo, PIC_DOT);
}

Datum
sqlflow_dot_tables_final(PG_FUNCTION_ARGS)
{
	return picture_final(fcinfo, PIC_DOT_TABLES);
}

Datum
sqlflow_mermaid_final(PG_FUNCTION_ARGS)
{
	return picture_final(fcinfo, PIC_MERMAID);
}

Datum
sqlflow_mermaid_tables_final(PG_FUNCTION_ARGS)
{
	return picture_final(fcinfo, PIC_MERMAID_TABLES);
}

PG_FUNCTION_INFO_V1(sqlflow_name_key);

/*
 * sqlflow_name_key(name) -> the form in which traces compare a name
 */
Datum
sqlflow_name_key(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	char	   *key = name_key(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));

	PG_RETURN_TEXT_P(cstring_to_text(key));
}

/* the arguments a trace shares, from argument first (table_name) on */
static void
arg_trace(FunctionCallInfo fcinfo, int first, const char *direction,
		  TraceRequest *req)
{
	trace_request_init(req, arg_cstring(fcinfo, first),
					   arg_cstring(fcinfo, first + 1), direction,
					   PG_ARGISNULL(first + 2),
					   PG_ARGISNULL(first + 2) ? 0 : PG_GETARG_INT32(first + 2));
}

/* the lineage relation argument */
static Oid
arg_lineage(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("lineage must not be null")));
	return PG_GETARG_OID(0);
}

PG_FUNCTION_INFO_V1(sqlflow_trace);

/*
 * sqlflow_trace(lineage, table_name, column_name, direction, max_depth)
 * -> the relations reached from a table or column
 */
Datum
sqlflow_trace(PG_FUNCTION_ARGS)
{
	TraceRequest req;
	Oid			lineage = arg_lineage(fcinfo);

	/* direction sits between column_name and max_depth */
	trace_request_init(&req, arg_cstring(fcinfo, 1), arg_cstring(fcinfo, 2),
					   arg_cstring(fcinfo, 3), PG_ARGISNULL(4),
					   PG_ARGISNULL(4) ? 0 : PG_GETARG_INT32(4));
	trace_relation(fcinfo, lineage, &req);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sqlflow_impact);

/* sqlflow_impact(lineage, table_name, column_name, max_depth): downstream */
Datum
sqlflow_impact(PG_FUNCTION_ARGS)
{
	TraceRequest req;
	Oid			lineage = arg_lineage(fcinfo);

	arg_trace(fcinfo, 1, "downstream", &req);
	trace_relation(fcinfo, lineage, &req);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sqlflow_provenance);

/* sqlflow_provenance(lineage, table_name, column_name, max_depth): upstream */
Datum
sqlflow_provenance(PG_FUNCTION_ARGS)
{
	TraceRequest req;
	Oid			lineage = arg_lineage(fcinfo);

	arg_trace(fcinfo, 1, "upstream", &req);
	trace_relation(fcinfo, lineage, &req);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sqlflow_trace_job);

/*
 * sqlflow_trace_job(job_id, table_name, column_name, direction, max_depth,
 * server) -> sqlflow_trace over the rows of a job
 */
Datum
sqlflow_trace_job(PG_FUNCTION_ARGS)
{
	TraceRequest req;

	trace_request_init(&req, arg_cstring(fcinfo, 1), arg_cstring(fcinfo, 2),
					   arg_cstring(fcinfo, 3), PG_ARGISNULL(4),
					   PG_ARGISNULL(4) ? 0 : PG_GETARG_INT32(4));
	/* NULL or '' is the latest job, as for sqlflow_lineage, which reads it */
	trace_job(fcinfo, arg_cstring(fcinfo, 0), arg_cstring(fcinfo, 5), &req);
	return (Datum) 0;
}

/*
 * OpenLineage (src/openlineage*.c): sqlflow_uuid_v5(namespace, name), the
 * name-based UUID of the name as UTF-8; sqlflow_openlineage(jsonb, ...), a
 * JSON export as RunEvents; sqlflow_openlineage_send(target, events), the
 * number the receiver accepted; sqlflow_lineage_json(record), stored rows
 * as a JSON export (transition, final); sqlflow_lineage_json_name(parts)
 * and sqlflow_quote_name_part(part), the names that export writes.
 */
PG_FUNCTION_INFO_V1(sqlflow_uuid_v5);
PG_FUNCTION_INFO_V1(sqlflow_openlineage_jsonb);
PG_FUNCTION_INFO_V1(sqlflow_openlineage_send);
PG_FUNCTION_INFO_V1(sqlflow_lineage_json_collect);
PG_FUNCTION_INFO_V1(sqlflow_lineage_json_final);
PG_FUNCTION_INFO_V1(sqlflow_lineage_json_name);
PG_FUNCTION_INFO_V1(sqlflow_quote_name_part);
PG_FUNCTION_INFO_V1(sqlflow_name_parts);
PG_FUNCTION_INFO_V1(sqlflow_openlineage_dataset_name);

Datum
sqlflow_uuid_v5(PG_FUNCTION_ARGS)
{
	PG_RETURN_UUID_P(openlineage_uuid_v5_text(PG_GETARG_UUID_P(0), PG_GETARG_TEXT_PP(1)));
}

Datum
sqlflow_openlineage_jsonb(PG_FUNCTION_ARGS)
{
	openlineage_events_srf(fcinfo);
	return (Datum) 0;
}

Datum
sqlflow_openlineage_send(PG_FUNCTION_ARGS)
{
	arg_not_null(fcinfo, 0, "target");
	if (PG_ARGISNULL(1))
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(openlineage_send_array(arg_cstring(fcinfo, 0), PG_GETARG_ARRAYTYPE_P(1)));
}

Datum
sqlflow_lineage_json_collect(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(openlineage_rows_collect(fcinfo,
											   PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0)));
}

Datum
sqlflow_lineage_json_final(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(openlineage_rows_document(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0)));
}

Datum
sqlflow_lineage_json_name(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(openlineage_table_name_array(PG_GETARG_ARRAYTYPE_P(0))));
}

Datum
sqlflow_quote_name_part(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(openlineage_quoted_part(arg_cstring(fcinfo, 0))));
}

/* sqlflow_name_parts(name) -> text[] (STRICT) */
Datum
sqlflow_name_parts(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(openlineage_name_parts_array(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}

/*
 * sqlflow_openlineage_dataset_name(dbvendor, name, default_database,
 * default_schema) -> text; NULL for a NULL name, a NULL vendor as one of
 * three levels
 */
Datum
sqlflow_openlineage_dataset_name(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(openlineage_dataset_name(arg_cstring(fcinfo, 0),
															  arg_cstring(fcinfo, 1),
															  arg_cstring(fcinfo, 2),
															  arg_cstring(fcinfo, 3))));
}
