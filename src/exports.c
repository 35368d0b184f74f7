/*-------------------------------------------------------------------------
 *
 * exports.c
 *	  The export endpoints: the JSON, CSV and GraphML exports of a job, as
 *	  text, as jsonb, or streamed into rows.
 *
 * An export held whole (as text) is read here once it has arrived.  An
 * export streamed in goes through one input side (stream_in.c: the reader
 * of its format, UTF-8 checked once, values converted one by one), into
 * one of three sinks standing side by side over it: the jsonb document
 * (jsonb_stream.c), the lineage rows of the CSV export (lineage.c), the
 * relationship rows of the JSON export (relationships.c).  On success
 * SQLFlow sends the CSV document, on an error a JSON envelope (still HTTP
 * 200): sniff.c tells them apart before the bytes reach the CSV reader.
 *
 * What it must not do: parse a document itself (the readers and sinks
 * do), or raise from inside a sink's write (libcurl's callback).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/xml.h"

#include "api_call.h"
#include "config.h"
#include "encoding.h"
#include "jsonb_stream.h"
#include "jsonc.h"
#include "lineage.h"
#include "relationships.h"
#include "sniff.h"
#include "subxact.h"

/* first byte that is not white space or a byte-order mark */
static char
api_first_char(const char *s, size_t len)
{
	size_t		i = 0;

	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char) s[i]))
		i++;
	return i < len ? s[i] : '\0';
}

/* JSON export as text: validated and its envelope read in one pass */
static void
api_read_json_text(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	size_t		len;
	char	   *json = api_json_body(call, ep, &len);

	sqlflow_parse_json(json, len, false, SQLFLOW_CONV_STRICT, NULL, env,
					   api_what(ep, call->what));
	call->result = api_text_result(ep, call->what, json, len);
}

/* JSON export read for its envelope only (data.mode) */
static void
api_read_json_check(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	size_t		len = buf->len;
	char	   *json = api_body_utf8(ep, call->what, buf->data, &len);

	sqlflow_parse_json(json, len, false, SQLFLOW_CONV_STRICT, NULL, env,
					   api_what(ep, call->what));
}

/* an error envelope that came instead of a document (CSV, GraphML) */
static void
api_read_error_envelope(ApiCall *call, const SqlflowEndpoint *ep,
						const char *json, size_t len, SqlflowEnvelope *env)
{
	const char *kind = call->format == SQLFLOW_FORMAT_CSV ? "CSV" : "GraphML";

	if (!sqlflow_jsonc_envelope(json, len, env) || !env->has_code)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is neither %s nor an error envelope",
						api_what(ep, call->what), kind)));
	if (env->code == 200 || env->code == 203)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is JSON, not %s", api_what(ep, call->what), kind)));
}

/*
 * CSV and GraphML: the export itself on success, a JSON envelope on an
 * error (still HTTP 200).  The document is checked as the UTF-8 that came,
 * then converted to the database encoding as a whole.
 */
static void
api_read_document(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	size_t		len = buf->len;
	char	   *doc = api_body_utf8(ep, call->what, buf->data, &len);

	memset(env, 0, sizeof(SqlflowEnvelope));
	if (api_first_char(doc, len) == '{')
	{
		api_read_error_envelope(call, ep, doc, len, env);
		return;
	}

	env->has_code = true;
	env->code = 200;
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is empty", api_what(ep, call->what))));

	if (call->format == SQLFLOW_FORMAT_GRAPHML)
	{
		text	   *t = api_text_result(ep, call->what, doc, len);

		if (!DatumGetBool(DirectFunctionCall1(xml_is_well_formed_document,
											  PointerGetDatum(t))) ||
			strstr(doc, "<graphml") == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is not well-formed GraphML", api_what(ep, call->what))));
		call->result = t;
		return;
	}
	lineage_check_csv(api_what(ep, call->what), doc, len, call->delimiter);
	call->result = api_text_result(ep, call->what, doc, len);
}

static const char *
api_export_path(SqlflowFormat format)
{
	switch (format)
	{
		case SQLFLOW_FORMAT_CSV:
			return "/sqlflow/job/exportFullLineageAsCsv";
		case SQLFLOW_FORMAT_GRAPHML:
			return "/sqlflow/job/exportLineageAsGraphml";
		default:
			return "/sqlflow/job/exportLineageAsJson";
	}
}

/* "the CSV export of job ...", for messages */
static const char *
api_export_what(SqlflowFormat format, const char *job_id)
{
	const char *kind;

	switch (format)
	{
		case SQLFLOW_FORMAT_CSV:
			kind = "CSV";
			break;
		case SQLFLOW_FORMAT_GRAPHML:
			kind = "GraphML";
			break;
		default:
			kind = "JSON";
			break;
	}
	if (job_id == NULL || job_id[0] == '\0')
		return psprintf("the %s export of the latest job", kind);
	return psprintf("the %s export of job %s", kind, job_id);
}

/* the form fields of the options, as the API reference names them */
static const char *const export_flag_fields[SQLFLOW_NFLAGS] = {
	"ignoreRecordSet", "ignoreFunction", "showConstantTable", "showTransform",
	"simpleOutput", "showLinkOnly", "treatArgumentsInCountFunctionAsDirectDataflow"
};
static const char *const export_filter_fields[SQLFLOW_NFILTERS] = {
	"database", "schema", "table", "column"
};

/* jobId, tableToTable, delimiter, showRelationType, the flags, the filters */
#define EXPORT_MAX_FIELDS (4 + SQLFLOW_NFLAGS + SQLFLOW_NFILTERS)

const char *
sqlflow_export_flag_field(SqlflowExportFlag flag)
{
	return export_flag_fields[flag];
}

const char *
sqlflow_export_filter_field(SqlflowExportFilter filter)
{
	return export_filter_fields[filter];
}

void
sqlflow_export_request_init(SqlflowExportRequest *req, SqlflowFormat format,
							const char *job_id)
{
	memset(req, 0, sizeof(SqlflowExportRequest));
	req->format = format;
	req->job_id = job_id;
	req->delimiter = ',';
	for (int i = 0; i < SQLFLOW_NFLAGS; i++)
		req->flags[i] = -1;
}

/*
 * The form fields of an export: the job, tableToTable, the CSV delimiter,
 * and only the options the caller gave (so the server's defaults apply to
 * the others).  "delim" is the delimiter's storage, two bytes.
 */
static int
api_export_fields(HttpField *fields, const SqlflowExportRequest *req,
				  SqlflowFormat format, char *delim)
{
	int			n = 0;

	memset(fields, 0, sizeof(HttpField) * EXPORT_MAX_FIELDS);
	fields[n].name = "jobId";
	fields[n++].value = req->job_id ? req->job_id : "";
	fields[n].name = "tableToTable";
	fields[n++].value = req->table_to_table ? "true" : "false";
	if (format == SQLFLOW_FORMAT_CSV)
	{
		delim[0] = req->delimiter;
		delim[1] = '\0';
		fields[n].name = "delimiter";
		fields[n++].value = delim;
	}
	if (req->relation_types)
	{
		fields[n].name = "showRelationType";
		fields[n++].value = req->relation_types;
	}
	for (int i = 0; i < SQLFLOW_NFLAGS; i++)
	{
		if (req->flags[i] < 0)
			continue;
		fields[n].name = export_flag_fields[i];
		fields[n++].value = req->flags[i] ? "true" : "false";
	}
	for (int i = 0; i < SQLFLOW_NFILTERS; i++)
	{
		if (req->filters[i] == NULL)
			continue;
		fields[n].name = export_filter_fields[i];
		fields[n++].value = req->filters[i];
	}
	return n;
}

/*
 * An export call: path, fields and names for messages; the caller adds the
 * sink.  "format" may differ from the request's (the JSON check after an
 * empty CSV export asks with the same options).
 */
static void
api_export_init(ApiCall *call, HttpField *fields, char *delim,
				const SqlflowExportRequest *req, SqlflowFormat format)
{
	memset(call, 0, sizeof(ApiCall));
	call->format = format;
	call->path = api_export_path(format);
	call->what = api_export_what(format, req->job_id);
	call->job_id = req->job_id;
	call->fields = fields;
	call->nfields = api_export_fields(fields, req, format, delim);
	call->delimiter = req->delimiter;
}

text *
sqlflow_api_export_text(const SqlflowEndpoint *ep, const SqlflowExportRequest *req)
{
	HttpBuffer	buf;
	HttpField	fields[EXPORT_MAX_FIELDS];
	char		delim[2];
	ApiCall		call;
	SqlflowEnvelope env;

	http_buffer_init(&buf);
	api_export_init(&call, fields, delim, req, req->format);
	call.sink = &buf.sink;
	call.read_envelope = (req->format == SQLFLOW_FORMAT_JSON)
		? api_read_json_text : api_read_document;

	api_call(ep, &call, &env);
	return (text *) call.result;
}

/* the streamed JSON export as jsonb: its envelope, noted on the way */
static void
api_read_jsonb_stream(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	jsonb_sink_envelope((JsonbSink *) call->sink_state, env);
}

/*
 * The JSON export as jsonb, built while it arrives (jsonb_stream.c): the
 * text is never held.  The body is still bounded as a whole, since the
 * value will be.
 */
Jsonb *
sqlflow_api_export_jsonb(const SqlflowEndpoint *ep, const SqlflowExportRequest *req)
{
	HttpField	fields[EXPORT_MAX_FIELDS];
	char		delim[2];
	ApiCall		call;
	SqlflowEnvelope env;
	JsonbSink  *js;
	Jsonb	   *result;

	api_export_init(&call, fields, delim, req, SQLFLOW_FORMAT_JSON);
	js = jsonb_sink_create(api_what(ep, call.what), SQLFLOW_CONV_STRICT);
	call.sink = jsonb_sink_http(js);
	call.sink_state = js;
	call.read_envelope = api_read_jsonb_stream;

	api_call(ep, &call, &env);
	result = jsonb_sink_result(js, NULL);
	jsonb_sink_destroy(js);
	return result;
}

static void
api_read_sniffed(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	SniffSink  *ss = (SniffSink *) call->sink;
	char	   *json;
	size_t		len;

	memset(env, 0, sizeof(SqlflowEnvelope));
	if (ss->state != SNIFF_ENVELOPE)
	{
		/* the document sink has seen it all and found it good */
		env->has_code = true;
		env->code = 200;
		return;
	}
	len = ss->envelope.len;
	json = api_body_utf8(ep, call->what, ss->envelope.data, &len);
	api_read_error_envelope(call, ep, json, len, env);
}

/*
 * After a CSV export without rows: ask the JSON export whether the job is
 * in summary mode (api_call warns then).  The rows already read are right
 * whatever the answer, so a failure of this question does not fail them:
 * it is rolled back in a subtransaction of its own (subxact.c), as in
 * api_diagnose_job, and reported as a WARNING with the cause.  A cancel
 * still goes on.
 */
typedef struct SummaryQuestion
{
	const SqlflowEndpoint *ep;
	const SqlflowExportRequest *req;
} SummaryQuestion;

/* the question: the JSON export with the same options (api_call warns) */
static void
api_ask_json_export(void *arg)
{
	SummaryQuestion *q = (SummaryQuestion *) arg;
	HttpField	fields[EXPORT_MAX_FIELDS];
	char		delim[2];
	ApiCall		call;
	SqlflowEnvelope env;
	HttpBuffer	buf;

	http_buffer_init(&buf);
	api_export_init(&call, fields, delim, q->req, SQLFLOW_FORMAT_JSON);
	call.sink = &buf.sink;
	call.read_envelope = api_read_json_check;
	api_call(q->ep, &call, &env);
}

static void
api_summary_check(const SqlflowEndpoint *ep, const SqlflowExportRequest *req)
{
	SummaryQuestion q;
	ErrorData  *edata;

	q.ep = ep;
	q.req = req;
	edata = sqlflow_subxact_try(api_ask_json_export, &q);

	api_transient = false;
	if (edata == NULL)
		return;
	ereport(WARNING,
			(errmsg("could not check whether sqlflow job %s is in summary mode",
					req->job_id && req->job_id[0] ? req->job_id : "(the latest)"),
			 edata->detail
			 ? errdetail("The CSV export had no rows, so the JSON export was asked, which failed: %s (%s)",
						 edata->message, edata->detail)
			 : errdetail("The CSV export had no rows, so the JSON export was asked, which failed: %s",
						 edata->message),
			 errhint("The result (no rows) stands. A job with more relationships than the server's relation_limit is exported without lineage (summary mode); this one may be such a job.")));
	FreeErrorData(edata);
}

int64
sqlflow_api_export_rows(const SqlflowEndpoint *ep, const SqlflowExportRequest *req,
						Tuplestorestate *tupstore, TupleDesc tupdesc)
{
	HttpField	fields[EXPORT_MAX_FIELDS];
	char		delim[2];
	ApiCall		call;
	SqlflowEnvelope env;
	SniffSink	sniff;
	LineageSink *rows;
	int64		n;

	api_export_init(&call, fields, delim, req, SQLFLOW_FORMAT_CSV);
	call.streamed = true;
	rows = lineage_sink_create(api_what(ep, call.what), req->delimiter,
							   (size_t) sqlflow_max_response_size * 1024,
							   tupstore, tupdesc);
	sniff_init(&sniff, lineage_sink_http(rows));
	call.sink = &sniff.sink;
	call.read_envelope = api_read_sniffed;

	api_call(ep, &call, &env);
	n = lineage_sink_rows(rows);
	lineage_sink_destroy(rows);

	/*
	 * No rows: an empty lineage, or a job in summary mode, whose CSV export
	 * is as empty.  Only the JSON export tells; in either case it is small.
	 */
	if (n == 0)
		api_summary_check(ep, req);
	return n;
}

/* the streamed JSON export: its envelope, noted on the way */
static void
api_read_relationships(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	rel_sink_envelope((RelSink *) call->sink_state, env);
}

Tuplestorestate *
sqlflow_api_export_relationships(const SqlflowEndpoint *ep,
								 const SqlflowExportRequest *req,
								 MemoryContext store_cxt, bool random_access,
								 TupleDesc tupdesc, int64 *rows)
{
	HttpField	fields[EXPORT_MAX_FIELDS];
	char		delim[2];
	ApiCall		call;
	SqlflowEnvelope env;
	RelSink    *rs;
	Tuplestorestate *result;

	api_export_init(&call, fields, delim, req, SQLFLOW_FORMAT_JSON);
	call.streamed = true;
	rs = rel_sink_create(api_what(ep, call.what),
						 (size_t) sqlflow_max_response_size * 1024,
						 store_cxt, random_access, tupdesc);
	call.sink = rel_sink_http(rs);
	call.sink_state = rs;
	call.read_envelope = api_read_relationships;

	api_call(ep, &call, &env);
	result = rel_sink_result(rs, rows);
	rel_sink_destroy(rs);
	return result;
}
