/*-------------------------------------------------------------------------
 *
 * api_call.h
 *	  One call of the SQLFlow API, as the files of the API layer share it
 *	  (api.c, token.c, errors.c, exports.c, jobs.c).  Not for anyone else:
 *	  the rest of the extension goes through api.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_API_CALL_H
#define SQLFLOW_API_CALL_H

#include "api.h"
#include "envelope.h"
#include "http.h"
#include "jsonb_io.h"

/* the on-premise convention when the mapping has no credential */
#define ONPREMISE_TOKEN "token"

typedef struct ApiCall ApiCall;

/* after a 2xx answer: validate the body and find its envelope */
typedef void (*ApiReader) (ApiCall *call, const SqlflowEndpoint *ep,
						   SqlflowEnvelope *env);

/* One request: where, what, into which sink, and how to read its envelope. */
struct ApiCall
{
	const char *path;			/* appended to the server's api_url */
	const char *what;			/* for messages: "the JSON export" */
	const HttpField *fields;	/* without the credentials */
	int			nfields;
	bool		multipart;
	HttpSink   *sink;
	ApiReader	read_envelope;
	void	   *result;			/* whatever read_envelope produced */
	void	   *sink_state;		/* a streamed sink, for read_envelope */
	SqlflowFormat format;		/* for the export readers */
	char		delimiter;		/* for the CSV export */
	bool		streamed;		/* the sink holds one record, not the body */
	const char *job_id;			/* the job the call is about, if any */
	SqlflowConvMode conv;		/* for jsonb answers */
	int			escaped;		/* characters written as \uXXXX escapes */
};

/* api.c: the call, and whole answers */
extern void api_call(const SqlflowEndpoint *ep, ApiCall *call, SqlflowEnvelope *env);
extern void *api_buffered_call(const SqlflowEndpoint *ep, ApiCall *call,
							   ApiReader reader);
extern void api_request_defaults(HttpRequest *hreq, const SqlflowEndpoint *ep);
extern char *api_what(const SqlflowEndpoint *ep, const char *what);
extern char *api_body_utf8(const SqlflowEndpoint *ep, const char *what, char *data,
						   size_t *len);
extern text *api_text_result(const SqlflowEndpoint *ep, const char *what,
							 const char *data, size_t len);
extern char *api_value(const SqlflowEndpoint *ep, const char *what, const char *key,
					   const char *utf8);
extern char *api_json_body(ApiCall *call, const SqlflowEndpoint *ep,
						   size_t *len);
extern void api_read_small_json(ApiCall *call, const SqlflowEndpoint *ep,
								SqlflowEnvelope *env);
extern void api_read_json_jsonb(ApiCall *call, const SqlflowEndpoint *ep,
								SqlflowEnvelope *env);

/* token.c: the token to send, and the one of the call under way */
extern const char *api_current_token;
extern const char *api_token(const SqlflowEndpoint *ep, bool refresh, bool *generated);
extern void api_token_forget(const SqlflowEndpoint *ep);

/* errors.c: what went wrong, as errors; server text fit for a message */
extern bool api_transient;
extern char *api_server_text(const SqlflowEndpoint *ep, const char *s);
extern void api_raise_transport(const SqlflowEndpoint *ep, const ApiCall *call,
								const HttpResult *res);
extern void api_raise_envelope(const SqlflowEndpoint *ep, const ApiCall *call,
							   const SqlflowEnvelope *env);

/* jobs.c: what the job list says of a job a generic error code was about */
extern void api_diagnose_job(const SqlflowEndpoint *ep, const ApiCall *call, int code,
							 const char *server_text);

#endif							/* SQLFLOW_API_CALL_H */
