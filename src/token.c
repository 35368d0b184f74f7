/*-------------------------------------------------------------------------
 *
 * token.c
 *	  The token a call sends: from the user mapping, from the backend's
 *	  cache, or exchanged for the secret key through /user/generateToken.
 *
 * A token from the user mapping is sent as it is; a secret key is
 * exchanged for a token and the token is cached in the backend (by user
 * mapping, in TopMemoryContext) until it expires or the server answers
 * 401, then fetched once more and the call retried (api.c).  With neither,
 * the on-premise convention sends the literal token "token".  A change to
 * any foreign server or user mapping empties the cache.
 *
 * What it must not do: let a token reach a URL, a message or the log (it
 * travels in the request body only; api_api_current_token tells errors.c what
 * to blank), or leave a token in memory it gives back (explicit_bzero).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "api_call.h"
#include "config.h"
#include "jsonc.h"

/* tokens are renewed this long before they expire */
#define TOKEN_EXPIRY_MARGIN_S 60
/* a token's life when the server does not say (SQLFlow's default) */
#define TOKEN_DEFAULT_LIFE_S (24 * 3600)
/* 9999-12-31 23:59:59 UTC: later JWT expiry times mean "never" */
#define TOKEN_EXP_MAX INT64CONST(253402300799)

/* cached tokens, by user mapping */
typedef struct TokenEntry
{
	Oid			umid;			/* hash key */
	char	   *token;			/* in TopMemoryContext */
	TimestampTz expires;
} TokenEntry;

static HTAB *token_cache = NULL;

/* the token of the call under way, for scrubbing messages */
const char *api_current_token = NULL;

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
			if (api_current_token == entry->token)
				api_current_token = NULL;
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
 * The token to send, from the mapping, the cache, or a fresh exchange of
 * the secret key.  *generated says whether a 401 may be cured by asking
 * again.
 */
const char *
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

void
api_token_forget(const SqlflowEndpoint *ep)
{
	TokenEntry *entry = api_token_entry(ep->umid);

	entry->expires = 0;
}
