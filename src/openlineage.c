/*-------------------------------------------------------------------------
 *
 * openlineage.c
 *	  OpenLineage out: name-based (version 5) UUIDs for deterministic run
 *	  ids, and the transport of RunEvents to an OpenLineage HTTP receiver
 *	  (Marquez's POST /api/v1/lineage and the catalogs that take the same
 *	  body).
 *
 * The events themselves are built by openlineage_events.c and
 * openlineage_write.c from the JSON export; this file only names runs and
 * sends.  Each event is one POST with a JSON body; a 2xx answer counts it
 * as accepted.  The receiver's api_key goes into an Authorization header
 * and nowhere else: no message, detail or hint repeats it, and the text
 * of a receiver's error page is cut short, restricted to printable ASCII
 * and scrubbed of every piece of the key (src/scrub.c) should the
 * receiver echo it.
 *
 * Must not: put the api_key anywhere but the Authorization header, or raise
 * inside a libcurl callback (http.c reports after the transfer).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "lib/stringinfo.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "config.h"
#include "http.h"
#include "openlineage.h"
#include "scrub.h"

/* how much of a receiver's error page a message shows */
#define OPENLINEAGE_ERROR_TEXT_MAX 200

/*
 * RFC 9562 version 5: SHA-1 over the namespace's 16 bytes and the name;
 * the first 16 bytes of the digest, with version 5 and the RFC's variant.
 */
void
openlineage_uuid_v5(const pg_uuid_t *ns, const char *name, size_t len,
					pg_uuid_t *out)
{
	pg_cryptohash_ctx *ctx;
	uint8		digest[20];

	ctx = pg_cryptohash_create(PG_SHA1);
	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, ns->data, UUID_LEN) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) name, len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
	{
		if (ctx)
			pg_cryptohash_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a SHA-1 digest for a name-based UUID")));
	}
	pg_cryptohash_free(ctx);

	memcpy(out->data, digest, UUID_LEN);
	out->data[6] = (out->data[6] & 0x0f) | 0x50;
	out->data[8] = (out->data[8] & 0x3f) | 0x80;
}

/*
 * A receiver's error page, safe to show: every piece of the api_key (as
 * given and as UTF-8) blanked by the scrubber (src/scrub.c) in the raw
 * bytes, then cut short and restricted to printable ASCII, then blanked
 * again (replacing bytes can join pieces); "cut" says the body is the
 * start of a longer one.
 */
static char *
openlineage_error_text(const SqlflowOpenLineageTarget *t, const char *body,
					   bool cut)
{
	StringInfoData buf;
	ScrubSecrets ss;
	char	   *raw = pstrdup(body ? body : "");
	size_t		rawlen = strlen(raw);

	memset(&ss, 0, sizeof(ss));
	if (t->api_key != NULL && t->api_key[0] != '\0')
	{
		size_t		len = strlen(t->api_key);

		const char *utf8;

		scrub_add(&ss, t->api_key, len);
		utf8 = (const char *) pg_do_encoding_conversion((unsigned char *) t->api_key, len,
														GetDatabaseEncoding(), PG_UTF8);
		scrub_add(&ss, utf8, strlen(utf8));
	}
	(void) scrub_blank(&ss, raw, rawlen, cut);
	initStringInfo(&buf);
	for (const char *p = raw; *p && buf.len < OPENLINEAGE_ERROR_TEXT_MAX; p++)
	{
		if (*p == '\n' || *p == '\r' || *p == '\t')
			appendStringInfoChar(&buf, ' ');
		else if ((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7f)
			appendStringInfoChar(&buf, *p);
		else
			appendStringInfoChar(&buf, '?');
	}
	(void) scrub_blank(&ss, buf.data, buf.len,
					   cut || (size_t) buf.len < rawlen);
	if (buf.len == 0)
		appendStringInfoString(&buf, "(no text)");
	return buf.data;
}

/*
 * A failed POST of event number "n" (0-based): the error says which server,
 * what went wrong and how many events were accepted before.
 */
static void
openlineage_raise(const SqlflowOpenLineageTarget *t, const HttpResult *res,
				  int n, int nevents)
{
	const char *before = psprintf(ngettext("%d event of %d was accepted before it.",
										   "%d events of %d were accepted before it.",
										   n), n, nevents);

	switch (res->failure)
	{
		case HTTP_FAIL_NONE:
			break;
		case HTTP_FAIL_CONNECT:
			ereport(ERROR,
					(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
					 errmsg("could not connect to the OpenLineage endpoint of server \"%s\"",
							t->server_name),
					 errdetail("%s %s", res->detail, before)));
			break;
		case HTTP_FAIL_TIMEOUT:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("request to the OpenLineage endpoint of server \"%s\" timed out",
							t->server_name),
					 errdetail("%s %s", res->detail, before),
					 errhint("sqlflow.timeout and sqlflow.connect_timeout set the limits.")));
			break;
		case HTTP_FAIL_TRANSFER:
		case HTTP_FAIL_SINK:
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("connection to the OpenLineage endpoint of server \"%s\" failed during the request",
							t->server_name),
					 errdetail("%s %s", res->detail, before)));
			break;
		case HTTP_FAIL_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("answer from the OpenLineage endpoint of server \"%s\" exceeds sqlflow.max_response_size",
							t->server_name),
					 errdetail("%s", before)));
			break;
		case HTTP_FAIL_REDIRECT:
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("the OpenLineage endpoint of server \"%s\" sent a redirect that is not followed",
							t->server_name),
					 errdetail("%s %s", res->detail, before),
					 errhint("Give the final URL of the lineage endpoint as openlineage_url.")));
			break;
	}
	if (res->status >= 200 && res->status <= 299)
		return;
	ereport(ERROR,
			(errcode(res->status == 401 || res->status == 403
					 ? ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION
					 : ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("the OpenLineage endpoint of server \"%s\" answered HTTP status %ld",
					t->server_name, res->status),
			 errdetail("%s The answer: %s", before,
					   openlineage_error_text(t, res->error_body, res->error_body_cut)),
			 res->status == 401 || res->status == 403
			 ? errhint("Check the api_key of the user mapping for server \"%s\".", t->server_name)
			 : res->status == 404
			 ? errhint("openlineage_url is the full URL of the lineage endpoint, for example http://marquez:5000/api/v1/lineage.")
			 : 0));
}

/*
 * POST each event (a JSON text) to the receiver, in order.  Returns how
 * many were accepted, which is all of them: the first failure is an error
 * that says how many went before it.
 */
int
sqlflow_openlineage_post(const SqlflowOpenLineageTarget *target,
						 const char *const *events, int nevents)
{
	char	   *authorization = NULL;
	int			accepted = 0;

	if (target->api_key != NULL)
		authorization = psprintf("Bearer %s", target->api_key);

	PG_TRY();
	{
		for (int i = 0; i < nevents; i++)
		{
			HttpRequest req;
			HttpResult	res;
			HttpBuffer	answer;

			CHECK_FOR_INTERRUPTS();
			http_buffer_init(&answer);
			memset(&req, 0, sizeof(req));
			memset(&res, 0, sizeof(res));
			req.url = target->url;
			req.ca_file = target->ca_file;
			req.sink = &answer.sink;
			req.max_body = (size_t) sqlflow_max_response_size * 1024;
			req.timeout_ms = (long) sqlflow_timeout * 1000L;
			req.connect_timeout_ms = (long) sqlflow_connect_timeout * 1000L;
			req.keepalive_idle_s = sqlflow_keepalive_idle;
			req.body = events[i];
			req.body_len = strlen(events[i]);
			req.content_type = "application/json";
			req.authorization = authorization;

			http_perform(&req, &res);
			openlineage_raise(target, &res, accepted, nevents);
			accepted++;
			if (answer.data)
				pfree(answer.data);
		}
	}
	PG_FINALLY();
	{
		if (authorization)
		{
			explicit_bzero(authorization, strlen(authorization));
			pfree(authorization);
		}
	}
	PG_END_TRY();

	return accepted;
}

/* the version 5 UUID of a text name, taken as UTF-8 */
pg_uuid_t *
openlineage_uuid_v5_text(const pg_uuid_t *ns, const text *name)
{
	const char *data = VARDATA_ANY(name);
	int			len = VARSIZE_ANY_EXHDR(name);
	char	   *utf8;
	pg_uuid_t  *out = palloc(sizeof(pg_uuid_t));

	utf8 = (char *) pg_do_encoding_conversion((unsigned char *) data, len,
											  GetDatabaseEncoding(), PG_UTF8);
	openlineage_uuid_v5(ns, utf8, utf8 == data ? (size_t) len : strlen(utf8), out);
	return out;
}

/*
 * POST the events of a jsonb[] (one-dimensional, no nulls, each an object)
 * to the receiver of the server named target; the number accepted
 */
int
openlineage_send_array(const char *target_name, ArrayType *arr)
{
	SqlflowOpenLineageTarget *target;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const char **events;

	target = sqlflow_openlineage_target_lookup(target_name);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("events must be a one-dimensional array")));
	deconstruct_array(arr, JSONBOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	events = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *jb;
		char	   *json;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("events must not contain nulls")));
		jb = DatumGetJsonbP(elems[i]);
		if (!JB_ROOT_IS_OBJECT(jb))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("OpenLineage event %d is not a JSON object", i + 1)));
		json = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
		/* the body is JSON: UTF-8 on the wire */
		events[i] = (const char *) pg_do_encoding_conversion((unsigned char *) json,
															 strlen(json),
															 GetDatabaseEncoding(),
															 PG_UTF8);
	}
	return sqlflow_openlineage_post(target, events, n);
}
