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
 * body only, and any server text quoted in a message is scrubbed of them
 * (src/scrub.c): every piece of SCRUB_PIECE bytes or more of a credential,
 * in each form it was sent in, is blanked in the raw bytes before anything
 * else, and again after each step that could join pieces (tags dropped,
 * white space collapsed, control characters replaced), before the cut.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/xml.h"

#include "api.h"
#include "config.h"
#include "encoding.h"
#include "jsonb_io.h"
#include "jsonb_stream.h"
#include "jsonc.h"
#include "lineage.h"
#include "relationships.h"
#include "scrub.h"


/* tokens are renewed this long before they expire */
#define TOKEN_EXPIRY_MARGIN_S 60
/* a token's life when the server does not say (SQLFlow's default) */
#define TOKEN_DEFAULT_LIFE_S (24 * 3600)
/* the on-premise convention when the mapping has no credential */
#define ONPREMISE_TOKEN "token"
/* 9999-12-31 23:59:59 UTC: later JWT expiry times mean "never" */
#define TOKEN_EXP_MAX INT64CONST(253402300799)
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
	void	   *sink_state;		/* a streamed JSON sink, for read_envelope */
	SqlflowFormat format;		/* for the export readers */
	char		delimiter;		/* for the CSV export */
	bool		streamed;		/* the sink holds one record, not the body */
	const char *job_id;			/* the job the call is about, if any */
	SqlflowConvMode conv;		/* for jsonb answers */
	int			escaped;		/* characters written as \uXXXX escapes */
};

/* cached tokens, by user mapping */
typedef struct TokenEntry
{
	Oid			umid;			/* hash key */
	char	   *token;			/* in TopMemoryContext */
	TimestampTz expires;
} TokenEntry;

static HTAB *token_cache = NULL;

static void *api_buffered_call(const SqlflowEndpoint *ep, ApiCall *call,
							   void (*reader) (ApiCall *, const SqlflowEndpoint *, SqlflowEnvelope *));
static void api_read_small_json(ApiCall *call, const SqlflowEndpoint *ep,
								SqlflowEnvelope *env);
static void api_warn_summary(const SqlflowEndpoint *ep, const ApiCall *call,
							 const SqlflowEnvelope *env);

/* the token of the call under way, for scrubbing messages */
static const char *current_token = NULL;

/* whether the last error raised here may pass if the call is repeated */
static bool api_transient = false;

bool
sqlflow_api_error_is_transient(void)
{
	return api_transient;
}

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
			/* the scrubber must not look at freed memory */
			if (current_token == entry->token)
				current_token = NULL;
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

/* "the CSV export of job ... from sqlflow server "s"", for messages */
static char *
api_what(const SqlflowEndpoint *ep, const char *what)
{
	return psprintf("%s from sqlflow server \"%s\"", what, ep->server_name);
}

/* a value as application/x-www-form-urlencoded sends it */
static char *
api_urlencoded(const char *s, size_t len, size_t *outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	StringInfoData buf;

	initStringInfo(&buf);
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
			c == '~')
			appendStringInfoChar(&buf, (char) c);
		else
		{
			appendStringInfoChar(&buf, '%');
			appendStringInfoChar(&buf, hex[c >> 4]);
			appendStringInfoChar(&buf, hex[c & 15]);
		}
	}
	*outlen = buf.len;
	return buf.data;
}

/* one credential in the forms a server may echo: as given, as sent */
static void
api_add_secret(ScrubSecrets *ss, const char *secret)
{
	size_t		len;
	size_t		ulen;
	size_t		elen;
	const char *utf8;
	const char *encoded;

	/* the on-premise convention "token" is no secret; all else is */
	if (secret == NULL || (len = strlen(secret)) == 0 ||
		strcmp(secret, ONPREMISE_TOKEN) == 0)
		return;
	scrub_add(ss, secret, len);
	utf8 = sqlflow_to_utf8(secret, len, &ulen);
	scrub_add(ss, utf8, ulen);
	encoded = api_urlencoded(secret, len, &elen);
	scrub_add(ss, encoded, elen);
	if (utf8 != secret)
	{
		encoded = api_urlencoded(utf8, ulen, &elen);
		scrub_add(ss, encoded, elen);
	}
}

/*
 * Blank every credential of the call under way out of server text (in
 * place); "cut" says the text is the start of a longer body.
 */
static void
api_scrub(const SqlflowEndpoint *ep, char *text, size_t len, bool cut)
{
	ScrubSecrets ss;

	memset(&ss, 0, sizeof(ss));
	api_add_secret(&ss, ep->token);
	api_add_secret(&ss, ep->secret_key);
	api_add_secret(&ss, current_token);
	(void) scrub_blank(&ss, text, len, cut);
}

/*
 * Copy server-provided text (UTF-8, or bytes that should be) for a message:
 * every credential of ours blanked out of the raw bytes, then in the
 * database encoding (characters it cannot hold as \uXXXX escapes),
 * control characters replaced, blanked again (dropping a CR may have
 * joined two pieces), and cut to a sane length.  Since pieces are blanked
 * before the cut, no cut can leave one behind.
 */
static char *
api_server_text(const SqlflowEndpoint *ep, const char *s)
{
	StringInfoData clean;
	StringInfoData buf;
	char	   *raw;
	char	   *text;
	size_t		len;
	int			cut;

	if (s == NULL)
		return pstrdup("(no error text)");

	len = strlen(s);
	raw = pnstrdup(s, len);
	api_scrub(ep, raw, len, false);

	/* whatever the server sent, make it valid UTF-8 */
	initStringInfo(&clean);
	for (size_t i = 0; i < len;)
	{
		int			n = pg_encoding_verifymbchar(PG_UTF8, raw + i, (int) Min(len - i, 4));

		if (n <= 0)
		{
			appendStringInfoChar(&clean, '?');
			i++;
			continue;
		}
		appendBinaryStringInfo(&clean, raw + i, n);
		i += n;
	}
	text = sqlflow_from_utf8_escaped(clean.data, clean.len, NULL);

	/* one line per line, control characters replaced, then cut */
	initStringInfo(&buf);
	for (const char *p = text; *p; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c == '\r')
			continue;
		appendStringInfoChar(&buf, (c < 0x20 && c != '\n' && c != '\t') ? '?' : (char) c);
	}
	api_scrub(ep, buf.data, buf.len, false);
	len = buf.len;
	cut = pg_mbcharcliplen(buf.data, (int) len, SERVER_TEXT_MAX);
	buf.data[cut] = '\0';
	buf.len = cut;
	if ((size_t) cut < len)
		appendStringInfoString(&buf, "...");
	return buf.data;
}

/*
 * The start of an HTML or text error page, for errdetail: credentials
 * blanked in the raw bytes (including a tail that starts one, when the
 * body was cut), then tags dropped and white space collapsed so that an
 * HTML page reads as its text, then api_server_text().
 */
static char *
api_error_page_text(const SqlflowEndpoint *ep, const HttpResult *res)
{
	StringInfoData buf;
	bool		in_tag = false;
	size_t		len = strlen(res->error_body);
	char	   *raw = pnstrdup(res->error_body, len);

	api_scrub(ep, raw, len, res->error_body_cut);
	if (len == 0 && res->error_body_cut)
		return pstrdup("(the page was not read: it was announced larger than sqlflow.max_response_size)");

	initStringInfo(&buf);
	for (const char *p = raw; *p && buf.len < SERVER_TEXT_MAX; p++)
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

/* libcurl's or the transport's explanation, credentials blanked */
static char *
api_transport_detail(const SqlflowEndpoint *ep, const HttpResult *res)
{
	size_t		len = strlen(res->detail);
	char	   *detail = pnstrdup(res->detail, len);

	api_scrub(ep, detail, len, false);
	return detail;
}

/*
 * Failures below HTTP, and HTTP error statuses.
 */
static void
api_raise_transport(const SqlflowEndpoint *ep, const ApiCall *call,
					const HttpResult *res)
{
	/* unreachable, reset, timed out, overloaded: worth another try later */
	api_transient = (res->failure == HTTP_FAIL_CONNECT ||
					 res->failure == HTTP_FAIL_TIMEOUT ||
					 res->failure == HTTP_FAIL_TRANSFER ||
					 (res->failure == HTTP_FAIL_NONE &&
					  (res->status >= 500 || res->status == 429)));
	switch (res->failure)
	{
		case HTTP_FAIL_NONE:
			break;
		case HTTP_FAIL_CONNECT:
			ereport(ERROR,
					(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
					 errmsg("could not connect to sqlflow server \"%s\"", ep->server_name),
					 errdetail("%s", api_transport_detail(ep, res)),
					 res->no_fd
					 ? errhint("Raise the server's max_files_per_process and/or \"ulimit -n\" limits.")
					 : 0));
			break;
		case HTTP_FAIL_TIMEOUT:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("request to sqlflow server \"%s\" timed out", ep->server_name),
					 errdetail("%s", api_transport_detail(ep, res)),
					 errhint("sqlflow.timeout and sqlflow.connect_timeout set the limits.")));
			break;
		case HTTP_FAIL_TRANSFER:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("connection to sqlflow server \"%s\" failed during the request", ep->server_name),
					 errdetail("%s", api_transport_detail(ep, res))));
			break;
		case HTTP_FAIL_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("answer from sqlflow server \"%s\" exceeds sqlflow.max_response_size", ep->server_name),
					 errdetail("The limit is %d kB.", sqlflow_max_response_size),
					 errhint("A superuser can raise sqlflow.max_response_size (up to 1GB), also per role or database with ALTER ROLE or ALTER DATABASE ... SET.")));
			break;
		case HTTP_FAIL_SINK:
			/* the sink says why it refused: a limit, bad data, or memory */
			if (call->sink->refused_code == 0 ||
				call->sink->refused_code == ERRCODE_OUT_OF_MEMORY)
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory"),
						 errdetail("Could not store %s.", api_what(ep, call->what))));
			ereport(ERROR,
					(errcode(call->sink->refused_code),
					 errmsg("%s was refused", api_what(ep, call->what)),
					 call->sink->refused ? errdetail("%s", call->sink->refused) : 0,
					 call->sink->refused_code == ERRCODE_PROGRAM_LIMIT_EXCEEDED
					 ? errhint("sqlflow.max_response_size sets the limit.") : 0));
			break;
		case HTTP_FAIL_REDIRECT:
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("sqlflow server \"%s\" sent a redirect that is not followed", ep->server_name),
					 errdetail("%s", api_transport_detail(ep, res))));
			break;
	}

	if (res->status >= 200 && res->status <= 299)
		return;

	if (res->status == 429)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("sqlflow server \"%s\" is refusing requests: too many requests", ep->server_name),
				 errdetail("HTTP status 429: %s", api_error_page_text(ep, res)),
				 errhint("Try again later.")));
	if (res->status == 401 || res->status == 403)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("sqlflow server \"%s\" refused the credentials", ep->server_name),
				 errdetail("HTTP status %ld: %s", res->status, api_error_page_text(ep, res))));
	if (res->status >= 300 && res->status <= 399)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("sqlflow server \"%s\" sent a redirect without a location", ep->server_name),
				 errdetail("HTTP status %ld.", res->status)));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("sqlflow server \"%s\" answered HTTP status %ld", ep->server_name, res->status),
			 errdetail("%s: %s", call->path, api_error_page_text(ep, res)),
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
 * SQLFlow answers an unknown (or deleted) job, and an export of a job that
 * has not finished, with the same generic code and free text whose wording
 * is not documented.  Rather than read the wording, ask: the user's job
 * list says whether the job exists and what its status is.  This costs one
 * more request, on the error path only.  Returns if the job is there and
 * finished (the original error stands), and also if the question itself
 * fails (then the original error is the better one to report), except for
 * a cancel, which goes on.  The question runs in a subtransaction of its
 * own, so that an error in it is rolled back properly (what it holds is
 * released) before we go on, as a PL/pgSQL exception block does.
 */
static void
api_diagnose_job(const SqlflowEndpoint *ep, const ApiCall *call, int code,
				 const char *server_text)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	const char *job_id = call->job_id;
	char	   *status = NULL;
	char	   *error_message = NULL;
	volatile bool found = false;
	volatile bool asked = false;

	BeginInternalSubTransaction(NULL);
	/* what the question returns outlives the subtransaction */
	MemoryContextSwitchTo(oldcxt);

	PG_TRY();
	{
		ApiCall		list;
		char	   *answer;
		size_t		len;
		char	   *id_utf8 = sqlflow_to_utf8(job_id, strlen(job_id), &len);

		memset(&list, 0, sizeof(list));
		list.path = "/sqlflow/job/displayUserJobsSummary";
		list.what = "the job list";
		answer = api_buffered_call(ep, &list, api_read_small_json);
		found = sqlflow_jsonc_find_job(answer, strlen(answer), pnstrdup(id_utf8, len),
									   &status, &error_message);
		asked = true;

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
		FreeErrorData(edata);
	}
	PG_END_TRY();

	api_transient = false;
	if (!asked)
		return;
	if (status)
		status = api_server_text(ep, status);
	if (!found || (status && strcmp(status, "delete") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("sqlflow job %s does not exist on server \"%s\"", job_id, ep->server_name),
				 errdetail("The user's job list does not have it (it may have been deleted). The server answered code %d: %s",
						   code, server_text)));
	if (status == NULL)
		return;
	if (strcmp(status, "fail") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("sqlflow job %s failed", job_id),
				 errdetail("%s", error_message ? api_server_text(ep, error_message)
						   : "The server gave no reason.")));
	/* the job runs: the server is only not answering for it yet */
	api_transient = true;
	if (strcmp(status, "success") != 0 && strcmp(status, "partial_success") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("sqlflow job %s is not finished", job_id),
				 errdetail("Its status is \"%s\".", status),
				 errhint("Wait for it with sqlflow_wait().")));
}

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
				 errmsg("%s has no \"code\"", api_what(ep, call->what))));
	if (env->code == 200)
		return;

	text = api_server_text(ep, env->error);
	if (env->code == 203)
	{
		if (call->job_id && call->job_id[0])
			ereport(WARNING,
					(errmsg("sqlflow server \"%s\" reports SQL parse errors in job %s",
							ep->server_name, call->job_id),
					 errdetail("%s", text)));
		else
			ereport(WARNING,
					(errmsg("sqlflow server \"%s\" reports SQL parse errors",
							ep->server_name),
					 errdetail("%s", text)));
		return;
	}

	for (m = sqlflow_code_map; env->code < m->lo || env->code > m->hi; m++)
		;
	/* a generic code about a job: ask the server what is wrong with it */
	if (m->lo == 0 && call->job_id && call->job_id[0])
		api_diagnose_job(ep, call, env->code, text);
	/* a quota, or a generic code the job's state does not explain ("busy") */
	api_transient = (env->code == 429 || m->lo == 0);
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
 * Check an answer once, as it arrived: UTF-8 without NUL bytes.  A
 * byte-order mark is no part of the content: the answer returned starts
 * after it.  Nothing is converted here; values are, when they become
 * Datums (encoding.c).
 */
static char *
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
static text *
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
static char *
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
	char	   *body;
	size_t		body_len;
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

	body_len = buf.len;
	body = api_body_utf8(ep, call.what, buf.data, &body_len);
	if (!sqlflow_jsonc_envelope(body, body_len, &env))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not a JSON object", api_what(ep, call.what))));
	if (env.has_code && env.code == 401)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("sqlflow server \"%s\" refused the user id or secret key", ep->server_name),
				 errdetail("SQLFlow code %d: %s", env.code, api_server_text(ep, env.error)),
				 errhint("Check user_id and secret_key in the user mapping.")));
	api_raise_envelope(ep, &call, &env);

	token = sqlflow_jsonc_string(body, body_len, "token");
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
	{
		/* beyond year 9999 is "never" (and would overflow a timestamp) */
		if (exp >= TOKEN_EXP_MAX)
			entry->expires = DT_NOEND;
		else
			entry->expires = time_t_to_timestamptz((pg_time_t) exp) -
				(TimestampTz) TOKEN_EXPIRY_MARGIN_S * USECS_PER_SEC;
	}
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
 * generated one is refused (in-body 401, or HTTP 401 or 403).  Returns with
 * *env holding a 200 or 203 envelope; raises an error for anything else.
 *
 * Every value goes out as UTF-8, converted here and nowhere else.
 */
static void
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

		current_token = NULL;
		token = api_token(ep, attempt > 0, &generated);
		current_token = token;
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
		current_token = NULL;
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
	size_t		len = buf->len;
	char	   *json = api_body_utf8(ep, call->what, buf->data, &len);

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is empty", api_what(ep, call->what))));
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

/* a small JSON answer (job, job list, lineage_of) as jsonb, in one pass */
static void
api_read_json_jsonb(ApiCall *call, const SqlflowEndpoint *ep, SqlflowEnvelope *env)
{
	HttpBuffer *buf = (HttpBuffer *) call->sink;
	size_t		len = buf->len;
	char	   *json = api_body_utf8(ep, call->what, buf->data, &len);

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is empty", api_what(ep, call->what))));
	call->result = sqlflow_parse_json(json, len, true, call->conv, &call->escaped,
									  env, api_what(ep, call->what));
	/* the text (json points into it) is done with: give its memory back */
	pfree(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
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
			sink->refused = "An answer over 1 MB that starts like a JSON error envelope arrived instead of the export.";
			sink->refused_code = ERRCODE_PROTOCOL_VIOLATION;
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
	sink->refused_code = ss->inner->refused_code;
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
					(errcode(ss->inner->refused_code ? ss->inner->refused_code : ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not store the answer"),
					 ss->inner->refused ? errdetail("%s", ss->inner->refused) : 0));
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
 * it is rolled back in a subtransaction of its own, as in api_diagnose_job,
 * and reported as a WARNING with the cause.  A cancel still goes on.
 */
static void
api_summary_check(const SqlflowEndpoint *ep, const SqlflowExportRequest *req)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);

	PG_TRY();
	{
		HttpField	fields[EXPORT_MAX_FIELDS];
		char		delim[2];
		ApiCall		call;
		SqlflowEnvelope env;
		HttpBuffer	buf;

		http_buffer_init(&buf);
		api_export_init(&call, fields, delim, req, SQLFLOW_FORMAT_JSON);
		call.sink = &buf.sink;
		call.read_envelope = api_read_json_check;
		api_call(ep, &call, &env);

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
	}
	PG_END_TRY();

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

/* ----------------------------------------------------------------
 * Jobs
 * ----------------------------------------------------------------
 */

/*
 * A small JSON answer: checked, envelope read with json-c.  The result is
 * the UTF-8 text (NUL-terminated), for lookups whose values api_value()
 * converts.
 */
static void
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
static void *
api_buffered_call(const SqlflowEndpoint *ep, ApiCall *call,
				  void (*reader) (ApiCall *, const SqlflowEndpoint *, SqlflowEnvelope *))
{
	HttpBuffer	buf;
	SqlflowEnvelope env;

	http_buffer_init(&buf);
	call->sink = &buf.sink;
	call->read_envelope = reader;
	api_call(ep, call, &env);
	return call->result;
}

/* a call about one job: the job id is its only field */
static char *
api_job_call(const SqlflowEndpoint *ep, const char *path, const char *what,
			 const char *job_id)
{
	HttpField	field = {"jobId", job_id, 0, NULL};
	ApiCall		call;

	memset(&call, 0, sizeof(call));
	call.path = path;
	call.what = psprintf("%s of job %s", what, job_id);
	call.fields = &field;
	call.nfields = 1;
	call.job_id = job_id;
	return (char *) api_buffered_call(ep, &call, api_read_small_json);
}

char *
sqlflow_api_submit(const SqlflowEndpoint *ep, const char *sql, size_t len,
				   const char *dbvendor, const char *job_name,
				   const char *file_name)
{
	HttpField	fields[3];
	ApiCall		call;
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

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/job/submitUserJob";
	call.what = "the job submission answer";
	call.fields = fields;
	call.nfields = 3;
	call.multipart = true;
	answer = api_buffered_call(ep, &call, api_read_small_json);
	job_id = api_value(ep, call.what, "data.jobId",
					   sqlflow_jsonc_string(answer, strlen(answer), "data.jobId"));
	if (job_id == NULL || job_id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s has no data.jobId", api_what(ep, call.what))));
	return job_id;
}

Jsonb *
sqlflow_api_job(const SqlflowEndpoint *ep, const char *job_id)
{
	HttpField	field = {"jobId", job_id, 0, NULL};
	ApiCall		call;

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/job/displayUserJobSummary";
	call.what = psprintf("the job summary of job %s", job_id);
	call.fields = &field;
	call.nfields = 1;
	call.job_id = job_id;
	return (Jsonb *) api_buffered_call(ep, &call, api_read_json_jsonb);
}

void
sqlflow_api_job_status(const SqlflowEndpoint *ep, const char *job_id,
					   char **status, char **error_message)
{
	const char *what = psprintf("the job summary of job %s", job_id);
	char	   *answer;

	answer = api_job_call(ep, "/sqlflow/job/displayUserJobSummary", "the job summary",
						  job_id);
	*status = api_value(ep, what, "data.status",
						sqlflow_jsonc_string(answer, strlen(answer), "data.status"));
	*error_message = sqlflow_jsonc_string(answer, strlen(answer), "data.errorMessage");
	if (*error_message)
		*error_message = api_server_text(ep, *error_message);
	if (*status == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s has no data.status", api_what(ep, what))));
}

/*
 * The job list.  One job whose name the database encoding cannot hold must
 * not hide all the others: such characters are written as \uXXXX escapes,
 * and a WARNING says so once.
 */
Jsonb *
sqlflow_api_jobs(const SqlflowEndpoint *ep)
{
	ApiCall		call;
	Jsonb	   *jobs;

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/job/displayUserJobsSummary";
	call.what = "the job list";
	call.conv = SQLFLOW_CONV_ESCAPE;
	jobs = (Jsonb *) api_buffered_call(ep, &call, api_read_json_jsonb);
	if (call.escaped > 0)
		ereport(WARNING,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg_plural("%d character in the job list from sqlflow server \"%s\" has no equivalent in database encoding \"%s\"",
							   "%d characters in the job list from sqlflow server \"%s\" have no equivalent in database encoding \"%s\"",
							   call.escaped,
							   call.escaped, ep->server_name, GetDatabaseEncodingName()),
				 errdetail("They are shown as \\uXXXX escapes, as in JSON."),
				 errhint("A database in encoding UTF8 shows every job name as it is.")));
	return jobs;
}

char *
sqlflow_api_delete_job(const SqlflowEndpoint *ep, const char *job_id)
{
	char	   *answer;

	answer = api_job_call(ep, "/sqlflow/job/deleteUserJob", "the job deletion answer",
						  job_id);
	return api_value(ep, "the job deletion answer", "data.status",
					 sqlflow_jsonc_string(answer, strlen(answer), "data.status"));
}

Jsonb *
sqlflow_api_lineage_of(const SqlflowEndpoint *ep, const char *sql,
					   const char *dbvendor)
{
	HttpField	fields[3];
	ApiCall		call;

	memset(fields, 0, sizeof(fields));
	fields[0].name = "dbvendor";
	fields[0].value = dbvendor;
	fields[1].name = "sqltext";
	fields[1].value = sql;
	fields[2].name = "showRelationType";
	fields[2].value = "fdd";

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/generation/sqlflow";
	call.what = "the lineage answer";
	call.fields = fields;
	call.nfields = 3;
	return (Jsonb *) api_buffered_call(ep, &call, api_read_json_jsonb);
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
