/*-------------------------------------------------------------------------
 *
 * http.h
 *	  The libcurl transport: one POST at a time, interruptible, capped.
 *
 * This layer knows HTTP and libcurl and nothing about SQLFlow.  Failures
 * come back as values in HttpResult; the only errors raised here are
 * PostgreSQL's own (query cancel, statement_timeout, out of memory outside
 * callbacks) and whatever a sink's drain function raises.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_HTTP_H
#define SQLFLOW_HTTP_H

/*
 * Where the body of a successful (2xx) answer goes.
 *
 * write() runs inside libcurl's write callback: it must not raise an error,
 * allocate with palloc's error-throwing variants or longjmp in any other
 * way.  It returns false to stop the transfer (the sink remembers why).
 * drain() runs outside libcurl after each round of progress and at the end,
 * and may raise errors: that is where a sink does its real work.  reset()
 * forgets everything received, before a redirected request starts over.
 * A sink that refuses data may say why in "refused", with a SQLSTATE in
 * "refused_code" (a limit, bad data); 0 means it ran out of memory.
 */
typedef struct HttpSink HttpSink;
struct HttpSink
{
	bool		(*write) (HttpSink *sink, const char *data, size_t len);
	void		(*drain) (HttpSink *sink, bool finished);
	void		(*reset) (HttpSink *sink);
	const char *refused;		/* why write() returned false, for errdetail */
	int			refused_code;	/* and its SQLSTATE (0: out of memory) */
	bool		streaming;		/* wants drain() at least every HTTP_DRAIN_BYTES */
};

/* libcurl hands the body over in pieces of at most this much */
#define HTTP_CHUNK_BYTES (256 * 1024)

/*
 * A streaming sink is drained once this much has come since its last
 * drain; with the piece that crosses the line, it is handed at most
 * HTTP_STREAM_BYTES between two drains.
 */
#define HTTP_DRAIN_BYTES (1024 * 1024)
#define HTTP_STREAM_BYTES (HTTP_DRAIN_BYTES + HTTP_CHUNK_BYTES)

/* The simplest sink: the whole body in one palloc'd buffer. */
typedef struct HttpBuffer
{
	HttpSink	sink;
	MemoryContext cxt;
	char	   *data;			/* NUL-terminated once the transfer is over */
	size_t		len;
	size_t		cap;
} HttpBuffer;

extern void http_buffer_init(HttpBuffer *buf);

/* One form field; with a filename it is sent as a file part. */
typedef struct HttpField
{
	const char *name;
	const char *value;
	size_t		len;			/* 0: value is NUL-terminated */
	const char *filename;
} HttpField;

typedef struct HttpRequest
{
	const char *url;
	const char *ca_file;		/* NULL: the system's CA store */
	bool		multipart;		/* else application/x-www-form-urlencoded */
	const HttpField *fields;
	int			nfields;
	HttpSink   *sink;
	size_t		max_body;		/* bytes */
	long		timeout_ms;		/* whole request, 0 = none */
	long		connect_timeout_ms;
	long		keepalive_idle_s;	/* reuse a connection idle this long, 0 = never */
	/*
	 * A raw body instead of fields (OpenLineage): sent as is with its
	 * content type; authorization, if set, is the value of the
	 * Authorization header (a secret: never shown).
	 */
	const char *body;
	size_t		body_len;
	const char *content_type;
	const char *authorization;
} HttpRequest;

typedef enum HttpFailure
{
	HTTP_FAIL_NONE = 0,
	HTTP_FAIL_CONNECT,			/* name lookup, TCP connect, TLS handshake */
	HTTP_FAIL_TIMEOUT,
	HTTP_FAIL_TRANSFER,			/* connection broke, or not HTTP */
	HTTP_FAIL_TOO_LARGE,		/* body over max_body */
	HTTP_FAIL_SINK,				/* the sink refused the data */
	HTTP_FAIL_REDIRECT			/* redirect refused or too many */
} HttpFailure;

#define HTTP_ERROR_BODY_MAX 4096

typedef struct HttpResult
{
	HttpFailure failure;
	long		status;			/* HTTP status of the last answer, 0 if none */
	char	   *content_type;	/* palloc'd, NULL if none */
	size_t		body_bytes;		/* bytes handed to the sink */
	/*
	 * Start of the body of a non-2xx answer, NUL-terminated.  Reading such
	 * a body stops once HTTP_ERROR_BODY_MAX bytes are kept; error_body_cut
	 * says that more was coming (or that the body was never read, being
	 * announced larger than max_body), so the text ends mid-way.
	 */
	char		error_body[HTTP_ERROR_BODY_MAX + 1];
	bool		error_body_cut;
	/* libcurl's or our own explanation of a failure, for errdetail */
	char		detail[512];

	/*
	 * With HTTP_FAIL_CONNECT: no socket could be opened because the
	 * backend's share of max_files_per_process for external descriptors
	 * (AcquireExternalFD) is spent.
	 */
	bool		no_fd;
} HttpResult;

extern void http_perform(const HttpRequest *req, HttpResult *res);

/* true if url is http(s) with a host and no user name or password */
extern bool http_url_acceptable(const char *url, const char **why);

#endif							/* SQLFLOW_HTTP_H */
