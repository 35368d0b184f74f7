/*-------------------------------------------------------------------------
 *
 * api.c
 *	  The SQLFlow REST API: endpoints, token exchange, envelope, errors.
 *
 * Every call goes through api_call(): it adds the credentials, asks the
 * transport for one request, and turns what can go wrong into errors with
 * their SQLSTATE, in one place each: api_raise_transport() for failures
 * below HTTP and HTTP error statuses, api_raise_envelope() for the in-body
 * codes SQLFlow uses (it answers most errors with HTTP 200).
 *
 * Credentials: a token from the user mapping is sent as it is; a secret
 * key is exchanged for a token through /user/generateToken and the token
 * is cached in the backend until it expires or the server answers 401,
 * then fetched once more and the call retried.  With neither, the
 * on-premise convention sends the literal token "token".  No credential
 * ever goes into a URL, a message or the log: they travel in the request
 * body only, and any server text quoted in a message is scrubbed of them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xml.h"

#include "api.h"
#include "config.h"
#include "jsonb_io.h"
#include "jsonc.h"
#include "lineage.h"


/* tokens are renewed this long before they expire */
#define TOKEN_EXPIRY_MARGIN_S 60
/* a token's life when the server does not say (SQLFlow's default) */
#define TOKEN_DEFAULT_LIFE_S (24 * 3600)
/* the on-premise convention when the mapping has no credential */
#define ONPREMISE_TOKEN "token"
/* how much of a server's error text goes into a message */
#define SERVER_TEXT_MAX 300

typedef struct ApiCall ApiCall;

/* One request: where, what, into which sink, and how to read its envelope. */
struct ApiCall
{
	const char *path;			/* appended to the server's api_url */
	const char *what;			/* for messages: "the JSON export" */
	const HttpField *fields;	/* without the credentials */
	int			nfields;
	bool		multipart;
	HttpSink   *sink;
	/* after a 2xx answer: validate the body and find its envelope */
	void		(*read_envelope) (ApiCall *call, const SqlflowEndpoint *ep,
								  SqlflowEnvelope *env);
	void	   *result;			/* whatever read_envelope produced */
	SqlflowFormat format;		/* for the export readers */
	char		delimiter;		/* for the CSV export */
};

/* cached tokens, by user mapping */
typedef struct TokenEntry
{
	Oid			umid;			/* hash key */
	char	   *token;			/* in TopMemoryContext */
	TimestampTz expires;
} TokenEntry;

static HTAB *token_cache = NULL;

/* the token of the call under way, for scrubbing messages */
static const char *current_token = NULL;

/*
 * Forget every cached token when a server or user mapping changes: the
 * secret key or the endpoint they were made for may be different now.
 */
static void
api_token_cache_flush(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	TokenEntry *entry;

	if (token_cache == NULL)
		return;
	hash_seq_init(&status, token_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->token)
		{
			explicit_bzero(entry->token, strlen(entry->token));
			pfree(entry->token);
		}
		hash_search(token_cache, &entry->umid, HASH_REMOVE, NULL);
	}
}

static TokenEntry *
api_token_entry(Oid umid)
{
	bool		found;
	TokenEntry *entry;

	if (token_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(TokenEntry);
		token_cache = hash_create("sqlflow tokens", 8, &ctl,
								  HASH_ELEM | HASH_BLOBS);
		CacheRegisterSyscacheCallback(USERMAPPINGOID, api_token_cache_flush, (Datum) 0);
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID, api_token_cache_flush, (Datum) 0);
	}
	entry = hash_search(token_cache, &umid, HASH_ENTER, &found);
	if (!found)
	{
		entry->token = NULL;
		entry->expires = 0;
	}
	return entry;
}

/*
 * Copy server-provided text for a message: cut to a sane length, one line
 * per line, control characters replaced, and any credential of ours that
 * the server may have echoed blotted out.
 */
static char *
api_server_text(const SqlflowEndpoint *ep, const char *s)
{
	StringInfoData buf;
	const char *secrets[3];

	if (s == NULL)
		return pstrdup("(no error text)");

	initStringInfo(&buf);
	for (const char *p = s; *p && buf.len < SERVER_TEXT_MAX; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c == '\r')
			continue;
		appendStringInfoChar(&buf, (c < 0x20 && c != '\n' && c != '\t') ? '?' : (char) c);
	}
	if (strlen(s) > SERVER_TEXT_MAX)
		appendStringInfoString(&buf, "...");

	secrets[0] = ep->token;
	secrets[1] = ep->secret_key;
	secrets[2] = current_token;
	for (int i = 0; i < 3; i++)
	{
		char	   *hit;
		size_t		n;

		/* short ones (the on-premise "token") are conventions, not secrets */
		if (secrets[i] == NULL || (n = strlen(secrets[i])) < 8)
			continue;
		while ((hit = strstr(buf.data, secrets[i])) != NULL)
			memset(hit, '*', n);
	}
	return buf.data;
}

/* the first line of an HTML or text error page, for errdetail */
static char *
api_error_page_text(const SqlflowEndpoint *ep, const char *body)
{
	StringInfoData buf;
	bool		in_tag = false;

	/* drop tags so an HTML error page reads as its text */
	initStringInfo(&buf);
	for (const char *p = body; *p && buf.len < SERVER_TEXT_MAX; p++)
	{
		if (*p == '<')
			in_tag = true;
		else if (*p == '>')
			in_tag = false;
		else if (!in_tag)
		{
			if (isspace((unsigned char) *p))
			{
				if (buf.len > 0 && buf.data[buf.len - 1] != ' ')
					appendStringInfoChar(&buf, ' ');
			}
			else
				appendStringInfoChar(&buf, *p);
		}
	}
	return api_server_text(ep, buf.data);
}

/*
 * Failures below HTTP, and HTTP error statuses.
 */
static void
api_raise_transport(const SqlflowEndpoint *ep, const ApiCall *call,
					const HttpResult *res)
{
	switch (res->failure)
	{
		case HTTP_FAIL_NONE:
			break;
		case HTTP_FAIL_CONNECT:
			ereport(ERROR,
					(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
					 errmsg("could not connect to sqlflow server \"%s\"", ep->server_name),
					 errdetail("%s", res->detail)));
			break;
		case HTTP_FAIL_TIMEOUT:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("request to sqlflow server \"%s\" timed out", ep->server_name),
					 errdetail("%s", res->detail),
					 errhint("sqlflow.timeout and sqlflow.connect_timeout set the limits.")));
			break;
		case HTTP_FAIL_TRANSFER:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("connection to sqlflow server \"%s\" failed during the request", ep->server_name),
					 errdetail("%s", res->detail)));
			break;
		case HTTP_FAIL_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("answer from sqlflow server \"%s\" exceeds sqlflow.max_response_size", ep->server_name),
					 errdetail("The limit is %d kB.", sqlflow_max_response_size),
					 errhint("Raise sqlflow.max_response_size, up to 1GB.")));
			break;
		case HTTP_FAIL_SINK:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 call->sink->refused
					 ? errdetail("%s", call->sink->refused)
					 : errdetail("Could not store the answer from sqlflow server \"%s\".", ep->server_name)));
			break;
		case HTTP_FAIL_REDIRECT:
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("sqlflow server \"%s\" sent a redirect that is not followed", ep->server_name),
					 errdetail("%s", res->detail)));
			break;
	}

	if (res->status >= 200 && res->status <= 299)
		return;

	if (res->status == 429)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("sqlflow server \"%s\" is refusing requests: too many requests", ep->server_name),
				 errdetail("HTTP status 429: %s", api_error_page_text(ep, res->error_body)),
				 errhint("Try again later.")));
	if (res->status == 401 || res->status == 403)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("sqlflow server \"%s\" refused the credentials", ep->server_name),
				 errdetail("HTTP status %ld: %s", res->status, api_error_page_text(ep, res->error_body))));
	if (res->status >= 300 && res->status <= 399)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("sqlflow server \"%s\" sent a redirect without a location", ep->server_name),
				 errdetail("HTTP status %ld.", res->status)));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("sqlflow server \"%s\" answered HTTP status %ld", ep->server_name, res->status),
			 errdetail("%s: %s", call->path, api_error_page_text(ep, res->error_body)),
			 res->status == 404
			 ? errhint("Check the api_url of the server: it is the base URL ending in /gspLive_backend.")
			 : 0));
}

/*
 * SQLFlow's in-body codes and what they become here.  Codes not listed are
 * external_routine_exception.
 */
typedef struct SqlflowCodeMap
{
	int			lo;				/* code range, inclusive */
	int			hi;
	int			sqlstate;
	const char *message;		/* takes the server name */
	const char *hint;
} SqlflowCodeMap;

static const SqlflowCodeMap sqlflow_code_map[] = {
	{400, 400, ERRCODE_INVALID_PARAMETER_VALUE,
	"sqlflow server \"%s\" rejected the request", NULL},
	{401, 401, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
		"sqlflow server \"%s\" refused the credentials",
	"Check user_id and token or secret_key in the user mapping."},
	{403, 403, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"sqlflow account or session has expired on server \"%s\"", NULL},
	{404, 404, ERRCODE_UNDEFINED_OBJECT,
	"sqlflow job not found on server \"%s\"", NULL},
	{409, 409, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		"sqlflow job is not finished on server \"%s\"",
	"Wait for the job with sqlflow_wait()."},
	{410, 410, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
	"sqlflow job on server \"%s\" was made by an older server version and must be rerun", NULL},
	{411, 417, ERRCODE_EXTERNAL_ROUTINE_EXCEPTION,
	"sqlflow server \"%s\" reports a licence problem", NULL},
	{426, 426, ERRCODE_INSUFFICIENT_PRIVILEGE,
	"sqlflow server \"%s\" requires a premium account for this request", NULL},
	{429, 429, ERRCODE_CONFIGURATION_LIMIT_EXCEEDED,
	"sqlflow quota exceeded on server \"%s\"", "Try again later."},
	{0, INT_MAX, ERRCODE_EXTERNAL_ROUTINE_EXCEPTION,
	"sqlflow server \"%s\" reported an error", NULL}
};

/*
 * The in-body codes.  Returns normally for 200, and for 203 after a
 * WARNING with the server's parse errors.
 */
static void
api_raise_envelope(const SqlflowEndpoint *ep, const ApiCall *call,
				   const SqlflowEnvelope *env)
{
	const SqlflowCodeMap *m;
	char	   *text;

	if (!env->has_code)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" has no \"code\"",
						call->what, ep->server_name)));
	if (env->code == 200)
		return;

	text = api_server_text(ep, env->error);
	if (env->code == 203)
	{
		ereport(WARNING,
				(errmsg("sqlflow server \"%s\" reports SQL parse errors in the job",
						ep->server_name),
				 errdetail("%s", text)));
		return;
	}

	for (m = sqlflow_code_map; env->code < m->lo || env->code > m->hi; m++)
		;
	ereport(ERROR,
			(errcode(m->sqlstate),
			 errmsg_internal(m->message, ep->server_name),
			 errdetail("SQLFlow code %d: %s", env->code, text),
			 m->hint ? errhint("%s", m->hint) : 0));
}

static long
api_ms(int seconds)
{
	return (long) seconds * 1000L;
}

static void
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
 * Check that an answer is UTF-8 without NUL bytes and convert it to the
 * database encoding.  Returns a NUL-terminated string (possibly data).
 */
static char *
api_body_to_server(const SqlflowEndpoint *ep, const char *what,
				   char *data, size_t len)
{
	int			valid;

	if (len > MaxAllocSize - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s from sqlflow server \"%s\" is too large", what, ep->server_name)));
	valid = pg_encoding_verifymbstr(PG_UTF8, data, (int) len);
	if (valid != (int) len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s from sqlflow server \"%s\" is not valid UTF-8", what, ep->server_name),
				 data[valid] == '\0'
				 ? errdetail("It has a NUL byte at offset %d.", valid)
				 : errdetail("It has an invalid byte sequence at offset %d.", valid)));
	return pg_any_to_server(data, (int) len, PG_UTF8);
}

/*
 * The token to send, from the mapping, the cache, or a fresh exchange of
 * the secret key.  *generated says whether a 401 may be cured by asking
 * again.
 */
static const char *
api_token(const SqlflowEndpoint *ep, bool refresh, bool *generated)
{
	TokenEntry *entry;
	HttpBuffer	buf;
	HttpRequest hreq;
	HttpResult *res;
	HttpField	fields[2];
	SqlflowEnvelope env;
	ApiCall		call;
	char	   *token;
	int64		exp;
	TimestampTz now = GetCurrentTimestamp();
	MemoryContext oldcxt;

	*generated = false;
	if (ep->token)
		return ep->token;
	if (ep->secret_key == NULL)
		return ONPREMISE_TOKEN;

	*generated = true;
	entry = api_token_entry(ep->umid);
	if (!refresh && entry->token && now < entry->expires)
		return entry->token;

	memset(&call, 0, sizeof(call));
	memset(fields, 0, sizeof(fields));
	call.path = "/user/generateToken";
	call.what = "the token answer";

	fields[0].name = "userId";
	fields[0].value = ep->user_id;
	fields[1].name = "secretKey";
	fields[1].value = ep->secret_key;

	http_buffer_init(&buf);
	api_request_defaults(&hreq, ep);
	hreq.url = psprintf("%s%s", ep->api_url, call.path);
	hreq.fields = fields;
	hreq.nfields = 2;
	hreq.sink = &buf.sink;
	/* a token answer is small; anything large is not one */
	hreq.max_body = Min(hreq.max_body, 1024 * 1024);

	res = palloc0(sizeof(HttpResult));
	http_perform(&hreq, res);
	api_raise_transport(ep, &call, res);

	api_body_to_server(ep, call.what, buf.data, buf.len);
	if (!sqlflow_jsonc_envelope(buf.data, buf.len, &env))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" is not a JSON object", call.what, ep->server_name)));
	if (env.has_code && env.code == 401)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("sqlflow server \"%s\" refused the user id or secret key", ep->server_name),
				 errdetail("SQLFlow code %d: %s", env.code, api_server_text(ep, env.error)),
				 errhint("Check user_id and secret_key in the user mapping.")));
	api_raise_envelope(ep, &call, &env);

	token = sqlflow_jsonc_string(buf.data, buf.len, "token");
	explicit_bzero(buf.data, buf.len);
	if (token == NULL || token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" has no token", call.what, ep->server_name)));

	/* the JWT's own expiry if it has one, SQLFlow's default life if not */
	if (entry->token)
	{
		explicit_bzero(entry->token, strlen(entry->token));
		pfree(entry->token);
		entry->token = NULL;
	}
	if (sqlflow_jsonc_jwt_expiry(token, &exp) && exp > 0)
		entry->expires = time_t_to_timestamptz((pg_time_t) exp) -
			(TimestampTz) TOKEN_EXPIRY_MARGIN_S * USECS_PER_SEC;
	else
		entry->expires = now +
			(TimestampTz) (TOKEN_DEFAULT_LIFE_S - TOKEN_EXPIRY_MARGIN_S) * USECS_PER_SEC;
	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	entry->token = pstrdup(token);
	MemoryContextSwitchTo(oldcxt);
	explicit_bzero(token, strlen(token));
	return entry->token;
}

static void
api_token_forget(const SqlflowEndpoint *ep)
{
	TokenEntry *entry = api_token_entry(ep->umid);

	entry->expires = 0;
}

/*
 * Perform one authenticated call, retrying once with a fresh token when a
 * generated one is refused.  Returns with *env holding a 200 or 203
 * envelope; raises an error for anything else.
 */
static void
api_call(const SqlflowEndpoint *ep, ApiCall *call, SqlflowEnvelope *env)
{
	HttpField  *fields = palloc0(sizeof(HttpField) * (call->nfields + 2));
	HttpRequest hreq;
	HttpResult *res = palloc0(sizeof(HttpResult));

	fields[0].name = "userId";
	fields[0].value = ep->user_id;
	fields[1].name = "token";
	if (call->nfields > 0)
		memcpy(fields + 2, call->fields, sizeof(HttpField) * call->nfields);

	api_request_defaults(&hreq, ep);
	hreq.url = psprintf("%s%s", ep->api_url, call->path);
	hreq.multipart = call->multipart;
	hreq.fields = fields;
	hreq.nfields = call->nfields + 2;
	hreq.sink = call->sink;

	for (int attempt = 0;; attempt++)
	{
		bool		generated;

		current_token = NULL;
		fields[1].value = api_token(ep, attempt > 0, &generated);
		current_token = fields[1].value;
		http_perform(&hreq, res);
		api_raise_transport(ep, call, res);
		call->read_envelope(call, ep, env);
		if (env->has_code && env->code == 401 && generated && attempt == 0)
		{
			api_token_forget(ep);
			call->sink->reset(call->sink);
			continue;
		}
		api_raise_envelope(ep, call, env);
		current_token = NULL;
		break;
	}
	pfree(res);
}

/* ----------------------------------------------------------------
 * Exports
 * ----------------------------------------------------------------
 */

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
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	char	   *json = api_body_to_server(ep, call->what, buf->data, buf->len);
	size_t		len = (json == buf->data) ? buf->len : strlen(json);

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" is empty", call->what, ep->server_name)));
	sqlflow_parse_json(json, len, false, env,
					   psprintf("%s from sqlflow server \"%s\"", call->what, ep->server_name));
	call->result = cstring_to_text_with_len(json, len);
}

/* JSON export as jsonb: built in the same single pass */
static void
api_read_json_jsonb(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	char	   *json = api_body_to_server(ep, call->what, buf->data, buf->len);
	size_t		len = (json == buf->data) ? buf->len : strlen(json);

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" is empty", call->what, ep->server_name)));
	call->result = sqlflow_parse_json(json, len, true, env,
									  psprintf("%s from sqlflow server \"%s\"", call->what, ep->server_name));
}

/*
 * CSV and GraphML: the export itself on success, a JSON envelope on an
 * error (still HTTP 200).
 */
static void
api_read_document(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	char	   *doc = api_body_to_server(ep, call->what, buf->data, buf->len);
	size_t		len = (doc == buf->data) ? buf->len : strlen(doc);

	memset(env, 0, sizeof(SqlflowEnvelope));
	if (api_first_char(doc, len) == '{')
	{
		if (!sqlflow_jsonc_envelope(doc, len, env) || !env->has_code)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s from sqlflow server \"%s\" is neither %s nor an error envelope",
							call->what, ep->server_name,
							call->format == SQLFLOW_FORMAT_CSV ? "CSV" : "GraphML")));
		if (env->code == 200 || env->code == 203)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s from sqlflow server \"%s\" is JSON, not %s", call->what,
							ep->server_name,
							call->format == SQLFLOW_FORMAT_CSV ? "CSV" : "GraphML")));
		return;
	}

	env->has_code = true;
	env->code = 200;
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" is empty", call->what, ep->server_name)));

	if (call->format == SQLFLOW_FORMAT_GRAPHML)
	{
		text	   *t = cstring_to_text_with_len(doc, len);

		if (!DatumGetBool(DirectFunctionCall1(xml_is_well_formed_document,
											  PointerGetDatum(t))) ||
			strstr(doc, "<graphml") == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s from sqlflow server \"%s\" is not well-formed GraphML",
							call->what, ep->server_name)));
		call->result = t;
		return;
	}
	lineage_check_csv(psprintf("%s from sqlflow server \"%s\"", call->what, ep->server_name),
					  doc, len, call->delimiter);
	call->result = cstring_to_text_with_len(doc, len);
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

static const char *
api_export_what(SqlflowFormat format)
{
	switch (format)
	{
		case SQLFLOW_FORMAT_CSV:
			return "the CSV export";
		case SQLFLOW_FORMAT_GRAPHML:
			return "the GraphML export";
		default:
			return "the JSON export";
	}
}

static int
api_export_fields(HttpField *fields, SqlflowFormat format, const char *job_id,
				  bool table_to_table, char *delimiter)
{
	int			n = 0;

	memset(fields, 0, sizeof(HttpField) * 3);
	fields[n].name = "jobId";
	fields[n++].value = job_id ? job_id : "";
	fields[n].name = "tableToTable";
	fields[n++].value = table_to_table ? "true" : "false";
	if (format == SQLFLOW_FORMAT_CSV)
	{
		fields[n].name = "delimiter";
		fields[n++].value = delimiter;
	}
	return n;
}

text *
sqlflow_api_export_text(const SqlflowEndpoint *ep, SqlflowFormat format,
						const char *job_id, bool table_to_table, char delimiter)
{
	HttpBuffer	buf;
	HttpField	fields[3];
	char		delim[2] = {delimiter, '\0'};
	ApiCall		call;
	SqlflowEnvelope env;

	http_buffer_init(&buf);
	memset(&call, 0, sizeof(call));
	call.format = format;
	call.path = api_export_path(format);
	call.what = api_export_what(format);
	call.fields = fields;
	call.nfields = api_export_fields(fields, format, job_id, table_to_table, delim);
	call.sink = &buf.sink;
	call.delimiter = delimiter;
	call.read_envelope = (format == SQLFLOW_FORMAT_JSON)
		? api_read_json_text : api_read_document;

	api_call(ep, &call, &env);
	return (text *) call.result;
}

Jsonb *
sqlflow_api_export_jsonb(const SqlflowEndpoint *ep, const char *job_id,
						 bool table_to_table)
{
	HttpBuffer	buf;
	HttpField	fields[3];
	ApiCall		call;
	SqlflowEnvelope env;

	http_buffer_init(&buf);
	memset(&call, 0, sizeof(call));
	call.format = SQLFLOW_FORMAT_JSON;
	call.path = api_export_path(SQLFLOW_FORMAT_JSON);
	call.what = api_export_what(SQLFLOW_FORMAT_JSON);
	call.fields = fields;
	call.nfields = api_export_fields(fields, SQLFLOW_FORMAT_JSON, job_id,
									 table_to_table, NULL);
	call.sink = &buf.sink;
	call.read_envelope = api_read_json_jsonb;

	api_call(ep, &call, &env);
	return (Jsonb *) call.result;
}

/*
 * A document export streamed into a sink.  On success SQLFlow sends the
 * document (CSV, GraphML); on an error it sends a JSON envelope, still
 * with HTTP 200.  The sniffer looks at the first significant byte: "{"
 * means an envelope, kept whole in a small buffer for api_read_sniffed();
 * anything else is the document and goes straight through to the inner
 * sink.  Runs inside libcurl's callback, so it never raises errors.
 */
#define SNIFF_PREFIX_MAX 64
#define SNIFF_ENVELOPE_MAX (1024 * 1024)

typedef enum SniffState
{
	SNIFF_UNDECIDED,
	SNIFF_DOCUMENT,
	SNIFF_ENVELOPE
} SniffState;

typedef struct SniffSink
{
	HttpSink	sink;
	HttpSink   *inner;
	SniffState	state;
	char		prefix[SNIFF_PREFIX_MAX];	/* byte-order mark, white space */
	size_t		prefix_len;
	HttpBuffer	envelope;
} SniffSink;

static bool
sniff_write(HttpSink *sink, const char *data, size_t len)
{
	SniffSink  *ss = (SniffSink *) sink;
	HttpSink   *target;
	size_t		i = 0;

	if (ss->state == SNIFF_UNDECIDED)
	{
		/* hold back the BOM and white space until the first real byte */
		while (i < len && ss->prefix_len < SNIFF_PREFIX_MAX &&
			   ((unsigned char) data[i] >= 0x80 || isspace((unsigned char) data[i])))
			ss->prefix[ss->prefix_len++] = data[i++];
		if (i == len && ss->prefix_len < SNIFF_PREFIX_MAX)
			return true;
		ss->state = (i < len && data[i] == '{') ? SNIFF_ENVELOPE : SNIFF_DOCUMENT;
		target = (ss->state == SNIFF_ENVELOPE) ? &ss->envelope.sink : ss->inner;
		if (!target->write(target, ss->prefix, ss->prefix_len))
			goto refused;
	}
	if (ss->state == SNIFF_ENVELOPE)
	{
		if (ss->envelope.len + (len - i) > SNIFF_ENVELOPE_MAX)
		{
			sink->refused = "An error envelope over 1 MB arrived instead of the export.";
			return false;
		}
		if (!ss->envelope.sink.write(&ss->envelope.sink, data + i, len - i))
			goto refused;
		return true;
	}
	if (!ss->inner->write(ss->inner, data + i, len - i))
		goto refused;
	return true;

refused:
	sink->refused = ss->inner->refused;
	return false;
}

static void
sniff_drain(HttpSink *sink, bool finished)
{
	SniffSink  *ss = (SniffSink *) sink;

	if (finished && ss->state == SNIFF_UNDECIDED && ss->prefix_len > 0)
	{
		/* nothing but white space: let the document sink judge it */
		ss->state = SNIFF_DOCUMENT;
		if (!ss->inner->write(ss->inner, ss->prefix, ss->prefix_len))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
	}
	if (ss->state == SNIFF_DOCUMENT || (finished && ss->state == SNIFF_UNDECIDED))
		ss->inner->drain(ss->inner, finished);
	else if (ss->state == SNIFF_ENVELOPE)
		ss->envelope.sink.drain(&ss->envelope.sink, finished);
}

static void
sniff_reset(HttpSink *sink)
{
	SniffSink  *ss = (SniffSink *) sink;

	ss->state = SNIFF_UNDECIDED;
	ss->prefix_len = 0;
	ss->envelope.sink.reset(&ss->envelope.sink);
	ss->inner->reset(ss->inner);
}

static void
sniff_init(SniffSink *ss, HttpSink *inner)
{
	memset(ss, 0, sizeof(SniffSink));
	ss->sink.write = sniff_write;
	ss->sink.drain = sniff_drain;
	ss->sink.reset = sniff_reset;
	ss->sink.streaming = inner->streaming;
	ss->inner = inner;
	http_buffer_init(&ss->envelope);
}

static void
api_read_sniffed(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	SniffSink  *ss = (SniffSink *) call->sink;
	char	   *json;

	memset(env, 0, sizeof(SqlflowEnvelope));
	if (ss->state != SNIFF_ENVELOPE)
	{
		/* the document sink has seen it all and found it good */
		env->has_code = true;
		env->code = 200;
		return;
	}
	json = api_body_to_server(ep, call->what, ss->envelope.data, ss->envelope.len);
	if (!sqlflow_jsonc_envelope(json, strlen(json), env) || !env->has_code)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" is neither CSV nor an error envelope",
						call->what, ep->server_name)));
	if (env->code == 200 || env->code == 203)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" is JSON, not CSV",
						call->what, ep->server_name)));
}

int64
sqlflow_api_export_rows(const SqlflowEndpoint *ep, const char *job_id,
						bool table_to_table, char delimiter,
						Tuplestorestate *tupstore, TupleDesc tupdesc)
{
	HttpField	fields[3];
	char		delim[2] = {delimiter, '\0'};
	ApiCall		call;
	SqlflowEnvelope env;
	SniffSink	sniff;
	LineageSink *rows;
	int64		n;

	memset(&call, 0, sizeof(call));
	call.format = SQLFLOW_FORMAT_CSV;
	call.path = api_export_path(SQLFLOW_FORMAT_CSV);
	call.what = api_export_what(SQLFLOW_FORMAT_CSV);
	call.fields = fields;
	call.nfields = api_export_fields(fields, SQLFLOW_FORMAT_CSV, job_id,
									 table_to_table, delim);
	rows = lineage_sink_create(psprintf("the CSV export from sqlflow server \"%s\"",
										ep->server_name),
							   delimiter, tupstore, tupdesc);
	sniff_init(&sniff, lineage_sink_http(rows));
	call.sink = &sniff.sink;
	call.read_envelope = api_read_sniffed;

	api_call(ep, &call, &env);
	n = lineage_sink_rows(rows);
	lineage_sink_destroy(rows);
	return n;
}

/* ----------------------------------------------------------------
 * Jobs
 * ----------------------------------------------------------------
 */

/* A small JSON answer: checked, converted, envelope read with json-c. */
static void
api_read_small_json(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	char	   *json = api_body_to_server(ep, call->what, buf->data, buf->len);

	if (!sqlflow_jsonc_envelope(json, strlen(json), env))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s from sqlflow server \"%s\" is not a JSON object",
						call->what, ep->server_name)));
	call->result = json;
}

/*
 * A call whose whole answer is buffered, then read by "reader": as jsonb
 * (api_read_json_jsonb: one parse, envelope included) or as text for json-c
 * lookups (api_read_small_json).  Returns what the reader produced.
 */
static void *
api_buffered_call(const SqlflowEndpoint *ep, const char *path, const char *what,
				  const HttpField *fields, int nfields, bool multipart,
				  void (*reader) (ApiCall *, const SqlflowEndpoint *, SqlflowEnvelope *))
{
	HttpBuffer	buf;
	ApiCall		call;
	SqlflowEnvelope env;

	http_buffer_init(&buf);
	memset(&call, 0, sizeof(call));
	call.path = path;
	call.what = what;
	call.fields = fields;
	call.nfields = nfields;
	call.multipart = multipart;
	call.sink = &buf.sink;
	call.read_envelope = reader;
	api_call(ep, &call, &env);
	return call.result;
}

static Jsonb *
api_jsonb_call(const SqlflowEndpoint *ep, const char *path, const char *what,
			   const HttpField *fields, int nfields)
{
	return (Jsonb *) api_buffered_call(ep, path, what, fields, nfields, false,
									   api_read_json_jsonb);
}

static char *
api_small_call(const SqlflowEndpoint *ep, const char *path, const char *what,
			   const HttpField *fields, int nfields, bool multipart)
{
	return (char *) api_buffered_call(ep, path, what, fields, nfields, multipart,
									  api_read_small_json);
}

char *
sqlflow_api_submit(const SqlflowEndpoint *ep, const char *sql, size_t len,
				   const char *dbvendor, const char *job_name,
				   const char *file_name)
{
	HttpField	fields[3];
	char	   *answer;
	char	   *job_id;

	memset(fields, 0, sizeof(fields));
	fields[0].name = "jobName";
	fields[0].value = job_name;
	fields[1].name = "dbvendor";
	fields[1].value = dbvendor;
	fields[2].name = "sqlfiles";
	fields[2].value = sql;
	fields[2].len = len;
	fields[2].filename = file_name;

	answer = api_small_call(ep, "/sqlflow/job/submitUserJob", "the job submission answer",
							fields, 3, true);
	job_id = sqlflow_jsonc_string(answer, strlen(answer), "data.jobId");
	if (job_id == NULL || job_id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("the job submission answer from sqlflow server \"%s\" has no data.jobId",
						ep->server_name)));
	return job_id;
}

Jsonb *
sqlflow_api_job(const SqlflowEndpoint *ep, const char *job_id)
{
	HttpField	field = {"jobId", job_id, 0, NULL};

	return api_jsonb_call(ep, "/sqlflow/job/displayUserJobSummary", "the job summary",
						  &field, 1);
}

void
sqlflow_api_job_status(const SqlflowEndpoint *ep, const char *job_id,
					   char **status, char **error_message)
{
	HttpField	field = {"jobId", job_id, 0, NULL};
	char	   *answer;

	answer = api_small_call(ep, "/sqlflow/job/displayUserJobSummary", "the job summary",
							&field, 1, false);
	*status = sqlflow_jsonc_string(answer, strlen(answer), "data.status");
	*error_message = sqlflow_jsonc_string(answer, strlen(answer), "data.errorMessage");
	if (*error_message)
		*error_message = api_server_text(ep, *error_message);
	if (*status == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("the job summary from sqlflow server \"%s\" has no data.status",
						ep->server_name)));
}

Jsonb *
sqlflow_api_jobs(const SqlflowEndpoint *ep)
{
	return api_jsonb_call(ep, "/sqlflow/job/displayUserJobsSummary", "the job list",
						  NULL, 0);
}

char *
sqlflow_api_delete_job(const SqlflowEndpoint *ep, const char *job_id)
{
	HttpField	field = {"jobId", job_id, 0, NULL};
	char	   *answer;

	answer = api_small_call(ep, "/sqlflow/job/deleteUserJob", "the job deletion answer",
							&field, 1, false);
	return sqlflow_jsonc_string(answer, strlen(answer), "data.status");
}

Jsonb *
sqlflow_api_lineage_of(const SqlflowEndpoint *ep, const char *sql,
					   const char *dbvendor)
{
	HttpField	fields[3];

	memset(fields, 0, sizeof(fields));
	fields[0].name = "dbvendor";
	fields[0].value = dbvendor;
	fields[1].name = "sqltext";
	fields[1].value = sql;
	fields[2].name = "showRelationType";
	fields[2].value = "fdd";
	return api_jsonb_call(ep, "/sqlflow/generation/sqlflow", "the lineage answer",
						  fields, 3);
}

/* the database vendors SQLFlow documents for dbvendor */
static const char *const sqlflow_dbvendors[] = {
	"dbvansi", "dbvathena", "dbvazuresql", "dbvbigquery", "dbvcouchbase",
	"dbvdb2", "dbvgaussdb", "dbvgreenplum", "dbvhana", "dbvhive",
	"dbvimpala", "dbvinformix", "dbvmdx", "dbvmssql", "dbvmysql",
	"dbvnetezza", "dbvopenedge", "dbvoracle", "dbvpostgresql", "dbvpresto",
	"dbvredshift", "dbvsnowflake", "dbvsparksql", "dbvsybase", "dbvteradata",
	"dbvvertica", NULL
};

const char *
sqlflow_api_dbvendor(const char *name)
{
	for (const char *const *v = sqlflow_dbvendors; *v; v++)
		if (pg_strcasecmp(*v, name) == 0)
			return *v;
	return NULL;
}

char *
sqlflow_api_dbvendor_list(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (const char *const *v = sqlflow_dbvendors; *v; v++)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", *v);
	return buf.data;
}
