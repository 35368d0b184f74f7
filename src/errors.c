/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  What can go wrong in a call of the SQLFlow API, as errors with their
 *	  SQLSTATE, and server text fit to be quoted in them.
 *
 * api_raise_transport() covers failures below HTTP and HTTP error
 * statuses, api_raise_envelope() the in-body codes SQLFlow uses (it
 * answers most errors with HTTP 200); a generic code about a job is
 * explained by asking the job list (jobs.c).  api_transient records
 * whether the last error may pass if the call is repeated (sqlflow_wait).
 *
 * No credential ever goes into a message: any server text quoted is
 * scrubbed of them (src/scrub.c): every piece of SCRUB_PIECE bytes or more
 * of a credential, in each form it was sent in, is blanked in the raw
 * bytes before anything else, and again after each step that could join
 * pieces (tags dropped, white space collapsed, control characters
 * replaced), before the cut.
 *
 * What it must not do: make a request of its own (jobs.c asks), or quote
 * server text anywhere but through api_server_text().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "mb/pg_wchar.h"

#include "api_call.h"
#include "config.h"
#include "encoding.h"
#include "scrub.h"

/* how much of a server's error text goes into a message */
#define SERVER_TEXT_MAX 300

/* whether the last error raised here may pass if the call is repeated */
bool		api_transient = false;

bool
sqlflow_api_error_is_transient(void)
{
	return api_transient;
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
	api_add_secret(&ss, api_current_token);
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
char *
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
void
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
 * The in-body codes.  Returns normally for 200, and for 203 after a
 * WARNING with the server's parse errors.
 */
void
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
