/*-------------------------------------------------------------------------
 *
 * api.c
 *	  One call of the SQLFlow REST API: the request with its credentials,
 *	  the retry with a fresh token, and reading an answer held whole.
 *
 * Every call goes through api_call(): it adds the credentials (token.c),
 * converts every form field to UTF-8 (here and nowhere else), asks the
 * transport (http.c) for one request, and hands what can go wrong to
 * errors.c, which turns it into errors with their SQLSTATE:
 * api_raise_transport() for failures below HTTP and HTTP error statuses,
 * api_raise_envelope() for the in-body codes SQLFlow uses (it answers most
 * errors with HTTP 200).  The endpoints themselves are in exports.c (the
 * exports) and jobs.c (jobs, the lineage of one SQL text).
 *
 * A whole answer is checked to be UTF-8 once, here (api_body_utf8); its
 * values are converted to the database encoding one by one (encoding.c).
 *
 * What it must not do: know an endpoint's path or fields, quote server
 * text in a message without errors.c's api_server_text() (credentials are
 * blanked there), or read the streamed exports (stream_in.c does).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "api_call.h"
#include "config.h"
#include "encoding.h"
#include "jsonc.h"

static void api_warn_summary(const SqlflowEndpoint *ep, const ApiCall *call,
							 const SqlflowEnvelope *env);

/* "the CSV export of job ... from sqlflow server "s"", for messages */
char *
api_what(const SqlflowEndpoint *ep, const char *what)
{
	return psprintf("%s from sqlflow server \"%s\"", what, ep->server_name);
}

static long
api_ms(int seconds)
{
	return (long) seconds * 1000L;
}

void
api_request_defaults(HttpRequest *hreq, const SqlflowEndpoint *ep)
{
	memset(hreq, 0, sizeof(HttpRequest));
	hreq->ca_file = ep->ca_file;
	hreq->max_body = (size_t) sqlflow_max_response_size * 1024;
	hreq->timeout_ms = api_ms(sqlflow_timeout);
	hreq->connect_timeout_ms = api_ms(sqlflow_connect_timeout);
	hreq->keepalive_idle_s = sqlflow_keepalive_idle;
}

/*
 * Check an answer once, as it arrived: UTF-8 without NUL bytes.  A
 * byte-order mark is no part of the content: the answer returned starts
 * after it.  Nothing is converted here; values are, when they become
 * Datums (encoding.c).
 */
char *
api_body_utf8(const SqlflowEndpoint *ep, const char *what, char *data,
			  size_t *len)
{
	size_t		bom;

	if (*len > MaxAllocSize - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large", api_what(ep, what))));
	bom = sqlflow_check_utf8(api_what(ep, what), data, *len);
	*len -= bom;
	return data + bom;
}

/* a whole UTF-8 text answer as text in the database encoding */
text *
api_text_result(const SqlflowEndpoint *ep, const char *what, const char *data,
				size_t len)
{
	size_t		outlen;
	size_t		bad;
	char	   *out = sqlflow_from_utf8_noerror(data, len, &outlen, &bad);

	if (out == NULL)
		sqlflow_untranslatable(api_what(ep, what),
							   psprintf("Line %ld", sqlflow_line_of(data, bad)),
							   data, len, bad);
	return cstring_to_text_with_len(out, (int) outlen);
}

/* a value picked from a small answer, in the database encoding */
char *
api_value(const SqlflowEndpoint *ep, const char *what, const char *key,
		  const char *utf8)
{
	size_t		outlen;
	char	   *out;

	if (utf8 == NULL)
		return NULL;
	out = sqlflow_from_utf8(utf8, strlen(utf8), &outlen, api_what(ep, what),
							psprintf("The value of %s", key));
	return (out == utf8) ? pstrdup(out) : out;
}

/*
 * Perform one authenticated call, retrying once with a fresh token when a
 * generated one is refused (in-body 401, or HTTP 401 or 403).  Returns with
 * *env holding a 200 or 203 envelope; raises an error for anything else.
 *
 * Every value goes out as UTF-8, converted here and nowhere else.
 */
void
api_call(const SqlflowEndpoint *ep, ApiCall *call, SqlflowEnvelope *env)
{
	HttpField  *fields = palloc0(sizeof(HttpField) * (call->nfields + 2));
	HttpRequest hreq;
	HttpResult *res = palloc0(sizeof(HttpResult));

	api_transient = false;
	fields[0].name = "userId";
	fields[0].value = ep->user_id;
	fields[1].name = "token";
	if (call->nfields > 0)
		memcpy(fields + 2, call->fields, sizeof(HttpField) * call->nfields);
	for (int i = 0; i < call->nfields + 2; i++)
	{
		size_t		len;

		if (i == 1)
			continue;			/* the token, converted below */
		fields[i].value = sqlflow_to_utf8(fields[i].value,
										  fields[i].len ? fields[i].len : strlen(fields[i].value),
										  &len);
		fields[i].len = len;
	}

	api_request_defaults(&hreq, ep);
	hreq.url = psprintf("%s%s", ep->api_url, call->path);
	hreq.multipart = call->multipart;
	hreq.fields = fields;
	hreq.nfields = call->nfields + 2;
	hreq.sink = call->sink;
	/* a streamed answer is bounded per record by its sink, not in total */
	if (call->streamed)
		hreq.max_body = (size_t) PG_INT64_MAX;

	for (int attempt = 0;; attempt++)
	{
		bool		generated;
		const char *token;
		size_t		len;

		api_current_token = NULL;
		token = api_token(ep, attempt > 0, &generated);
		api_current_token = token;
		fields[1].value = sqlflow_to_utf8(token, strlen(token), &len);
		fields[1].len = len;
		http_perform(&hreq, res);
		if (generated && attempt == 0 && res->failure == HTTP_FAIL_NONE &&
			(res->status == 401 || res->status == 403))
		{
			api_token_forget(ep);
			call->sink->reset(call->sink);
			continue;
		}
		api_raise_transport(ep, call, res);
		call->read_envelope(call, ep, env);
		if (env->has_code && env->code == 401 && generated && attempt == 0)
		{
			api_token_forget(ep);
			call->sink->reset(call->sink);
			continue;
		}
		api_raise_envelope(ep, call, env);
		api_current_token = NULL;
		break;
	}
	api_warn_summary(ep, call, env);
	pfree(res);
}

/*
 * A job with more relationships than the server's relation_limit is
 * exported in "summary" mode: counts, and no lineage at all.  An empty
 * answer must not pass for an empty lineage.
 */
static void
api_warn_summary(const SqlflowEndpoint *ep, const ApiCall *call,
				 const SqlflowEnvelope *env)
{
	if (env->mode == NULL || strcmp(env->mode, "summary") != 0)
		return;
	ereport(WARNING,
			(errmsg("sqlflow job %s has too many relationships to export: the server sent counts, no lineage",
					call->job_id && call->job_id[0] ? call->job_id : "(the latest)"),
			 env->relationships
			 ? errdetail("The export is in summary mode: %s relationships, %s tables.",
						 env->relationships, env->tables ? env->tables : "?")
			 : errdetail("The export is in summary mode; the server gave no counts."),
			 errhint("Submit the SQL in smaller jobs, or raise relation_limit (1000 by default) on an on-premise server.")));
}

/* the buffered answer, checked as UTF-8 and not empty (08P01) */
char *
api_json_body(ApiCall *call, const SqlflowEndpoint *ep, size_t *len)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	char	   *json;

	*len = buf->len;
	json = api_body_utf8(ep, call->what, buf->data, len);
	if (*len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is empty", api_what(ep, call->what))));
	return json;
}

/* a small JSON answer (job, job list, lineage_of) as jsonb, in one pass */
void
api_read_json_jsonb(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	size_t		len;
	char	   *json = api_json_body(call, ep, &len);

	call->result = sqlflow_parse_json(json, len, true, call->conv, &call->escaped,
									  env, api_what(ep, call->what));
	/* the text (json points into it) is done with: give its memory back */
	pfree(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

/*
 * A small JSON answer: checked, envelope read with json-c.  The result is
 * the UTF-8 text (NUL-terminated), for lookups whose values api_value()
 * converts.
 */
void
api_read_small_json(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	size_t		len = buf->len;
	char	   *json = api_body_utf8(ep, call->what, buf->data, &len);

	if (!sqlflow_jsonc_envelope(json, len, env))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not a JSON object", api_what(ep, call->what))));
	call->result = json;
}

/*
 * A call whose whole answer is buffered, then read by "reader": as jsonb
 * (api_read_json_jsonb: one parse, envelope included) or as UTF-8 text for
 * json-c lookups (api_read_small_json).  Returns what the reader produced.
 */
void *
api_buffered_call(const SqlflowEndpoint *ep, ApiCall *call,
				  ApiReader reader)
{
	HttpBuffer	buf;
	SqlflowEnvelope env;

	http_buffer_init(&buf);
	call->sink = &buf.sink;
	call->read_envelope = reader;
	api_call(ep, call, &env);
	return call->result;
}
