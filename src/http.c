/*-------------------------------------------------------------------------
 *
 * http.c
 *	  The libcurl transport: one POST at a time, interruptible, capped.
 *
 * One multi handle and one easy handle live for the whole backend, so that
 * libcurl's connection cache keeps the TCP (and TLS) connection to the
 * SQLFlow server open between calls.  Every request starts with
 * curl_easy_reset(), so a failed call cannot leave options behind for the
 * next one.
 *
 * The transfer is driven with the multi interface: we call
 * curl_multi_perform() and wait in curl_multi_poll() for at most
 * HTTP_POLL_MS at a time, checking for interrupts in between.  That keeps
 * query cancel, statement_timeout and postmaster death working in every
 * phase (name lookup, connect, TLS handshake, waiting for the first byte,
 * reading the body) without installing signal handlers, and it gives sinks
 * a chance to process what has arrived between chunks, outside libcurl's
 * callbacks, where raising an error is safe.
 *
 * Redirects are not left to libcurl: a redirect is followed only to the
 * same scheme, host and port (the request body carries the user's token,
 * which must not travel anywhere else), and at most HTTP_MAX_REDIRECTS
 * times.
 *
 * What it must not do: know anything about SQLFlow (paths, envelopes,
 * credentials are just form fields to it), raise an error inside a curl
 * callback, or send a request anywhere the caller did not name.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/pmsignal.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "http.h"

#define HTTP_POLL_MS 100
#define HTTP_MAX_REDIRECTS 5
/* the Makefile passes the control file's default_version */
#ifndef SQLFLOW_EXPORT_VERSION
#error "SQLFLOW_EXPORT_VERSION is not defined: build with the project's Makefile"
#endif
#define HTTP_USER_AGENT "sqlflow_export/" SQLFLOW_EXPORT_VERSION

/* per-backend libcurl state */
static CURLM *http_multi = NULL;
static CURL *http_easy = NULL;

/*
 * The sockets libcurl opened through http_open_socket_cb() and has not yet
 * closed through http_close_socket_cb(), with the time until which each may
 * sit idle in libcurl's connection cache.  Between requests every one of
 * them is an idle kept-alive connection.
 *
 * Closing idle connections on time.  libcurl only looks at a cached
 * connection's age when a later request considers reusing it
 * (CURLOPT_MAXAGE_CONN), so a backend that stays idle would keep the
 * connection open for ever.  Instead, when a request leaves connections in
 * the cache, a PostgreSQL timeout (http_idle_timeout) is armed for the
 * earliest of their deadlines.  Its handler runs in signal context, so it
 * does nothing but shutdown(2) each tracked socket: the server sees the
 * connection close, and libcurl finds the connection dead at its next use
 * and discards it (closing the descriptor through our callback).  When the
 * earliest deadline passes, all idle connections are shut down at once; with
 * several servers in use, the younger ones are thus closed a little early,
 * which costs nothing but a new connection.
 *
 * Why the handler cannot hit a descriptor that is no longer ours: the
 * handler only touches descriptors in http_sockets, and the array only
 * changes inside libcurl calls, in our socket callbacks.  Every libcurl
 * call that can open or close a socket happens with the timeout disabled:
 * http_perform_once() disables it before its first libcurl call and arms it
 * again only after its last, and the exit callback disables it before
 * curl_multi_cleanup().  The close callback moreover disables the timeout
 * and removes the descriptor from the array before close(2).  So while the
 * timeout can fire, every descriptor in the array is open and owned by
 * libcurl's cache, and a descriptor number is never reused behind the
 * handler's back.  A shutdown() of a socket that libcurl is about to reuse
 * is harmless as well: libcurl checks a cached connection before reusing it
 * and opens a new one if the old one is dead.
 *
 * PostgreSQL's error recovery disables every timeout (disable_all_timeouts)
 * before aborting the transaction, and a request that ends with an error
 * does not reach the re-arming code; so the timeout is also re-armed at the
 * end of every transaction (http_xact_callback).
 */
#define HTTP_MAX_SOCKETS 32

static volatile int http_sockets[HTTP_MAX_SOCKETS];
static TimestampTz http_socket_deadline[HTTP_MAX_SOCKETS];
static int	http_nsockets = 0;	/* slots in use */

/* the open callback refused a socket: PostgreSQL's descriptor budget is spent */
static bool http_no_fd = false;
static TimeoutId http_idle_timeout = MAX_TIMEOUTS;

/*
 * Set by the handler: every idle socket has been shut down, so there is
 * nothing to arm the timeout for until the next request.
 */
static volatile sig_atomic_t http_idle_fired = false;

/* what the write callback needs; lives in palloc'd memory for PG_TRY */
typedef struct HttpTransfer
{
	HttpSink   *sink;
	size_t		max_body;
	size_t		received;
	size_t		undrained;		/* bytes handed to the sink since its drain */
	bool		paused;			/* we paused the transfer for the sink */
	long		status;			/* looked up at the first body byte */
	HttpFailure failure;		/* set by the callback */
	bool		error_cut;		/* we stopped reading a non-2xx body */
	size_t		error_len;
	char		error_body[HTTP_ERROR_BODY_MAX + 1];
} HttpTransfer;

static void http_global_cleanup(int code, Datum arg);
static void http_idle_timeout_handler(void);
static void http_xact_callback(XactEvent event, void *arg);

/*
 * The idle timeout's handler.  Signal context: only async-signal-safe calls,
 * no PostgreSQL functions.  See the comment on http_sockets.
 */
static void
http_idle_timeout_handler(void)
{
	int			save_errno = errno;

	for (int i = 0; i < HTTP_MAX_SOCKETS; i++)
	{
		int			fd = http_sockets[i];

		if (fd >= 0)
			(void) shutdown(fd, SHUT_RDWR);
	}
	http_idle_fired = true;
	errno = save_errno;
}

static void
http_idle_disarm(void)
{
	if (http_idle_timeout != MAX_TIMEOUTS &&
		get_timeout_active(http_idle_timeout))
		disable_timeout(http_idle_timeout, false);
}

/*
 * Arm the idle timeout for the earliest deadline of the sockets in the
 * cache, if there are any.  Only called while no libcurl call is running.
 */
static void
http_idle_arm(void)
{
	TimestampTz earliest = 0;

	if (http_idle_timeout == MAX_TIMEOUTS || http_nsockets == 0 ||
		http_idle_fired)
		return;
	for (int i = 0; i < HTTP_MAX_SOCKETS; i++)
	{
		if (http_sockets[i] >= 0 &&
			(earliest == 0 || http_socket_deadline[i] < earliest))
			earliest = http_socket_deadline[i];
	}
	if (earliest != 0)
		enable_timeout_at(http_idle_timeout, earliest);
}

/* error recovery disables all timeouts: arm ours again */
static void
http_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			if (!get_timeout_active(http_idle_timeout))
				http_idle_arm();
			break;
		default:
			break;
	}
}

/*
 * libcurl opens every connection's socket here, so that we know which
 * descriptors sit in its cache, and so that they count against
 * PostgreSQL's descriptor budget as postgres_fdw's and dblink's
 * connections do (fd.c keeps the backend's own files within
 * max_files_per_process minus what is reserved this way).  Never raises an
 * error: AcquireExternalFD() only counts and, if need be, closes cached
 * relation files.  A refusal is recorded and reported after the transfer.
 */
static curl_socket_t
http_open_socket_cb(void *clientp, curlsocktype purpose,
					struct curl_sockaddr *address)
{
	int			slot;
	int			fd;

	for (slot = 0; slot < HTTP_MAX_SOCKETS; slot++)
		if (http_sockets[slot] < 0)
			break;
	if (slot == HTTP_MAX_SOCKETS || !AcquireExternalFD())
	{
		http_no_fd = true;
		return CURL_SOCKET_BAD;
	}

	fd = socket(address->family, address->socktype, address->protocol);
	if (fd < 0)
	{
		ReleaseExternalFD();
		return CURL_SOCKET_BAD;
	}
	http_sockets[slot] = fd;
	http_socket_deadline[slot] = 0;
	http_nsockets++;
	return fd;
}

static int
http_close_socket_cb(void *clientp, curl_socket_t fd)
{
	bool		ours = false;
	int			rc;

	/* the timeout must not fire once the number may be reused */
	http_idle_disarm();
	for (int i = 0; i < HTTP_MAX_SOCKETS; i++)
	{
		if (http_sockets[i] == fd)
		{
			http_sockets[i] = -1;
			http_nsockets--;
			ours = true;
			break;
		}
	}
	rc = close(fd);
	/* every socket we opened was counted once, whatever close() says */
	if (ours)
		ReleaseExternalFD();
	return rc;
}

/*
 * After a request: the connection it used (if it stays in the cache) may
 * sit idle until now + idle_s; connections opened during the request
 * that stay in the cache get the same deadline.  Older idle connections
 * keep theirs.
 */
static void
http_idle_note(curl_socket_t used, long idle_s)
{
	TimestampTz deadline;

	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										   (int64) idle_s * 1000);
	for (int i = 0; i < HTTP_MAX_SOCKETS; i++)
	{
		if (http_sockets[i] < 0)
			continue;
		if (http_sockets[i] == used || http_socket_deadline[i] == 0)
			http_socket_deadline[i] = deadline;
	}
}

/*
 * Create the backend's handles on first use.
 */
static void
http_init(void)
{
	if (http_multi != NULL)
		return;

	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not initialize libcurl")));

	http_easy = curl_easy_init();
	http_multi = curl_multi_init();
	if (http_easy == NULL || http_multi == NULL)
	{
		if (http_easy)
			curl_easy_cleanup(http_easy);
		if (http_multi)
			curl_multi_cleanup(http_multi);
		http_easy = NULL;
		http_multi = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not create a libcurl handle.")));
	}
	for (int i = 0; i < HTTP_MAX_SOCKETS; i++)
		http_sockets[i] = -1;
	http_idle_timeout = RegisterTimeout(USER_TIMEOUT, http_idle_timeout_handler);
	RegisterXactCallback(http_xact_callback, NULL);
	on_proc_exit(http_global_cleanup, (Datum) 0);
}

/* close kept-alive connections politely when the backend exits */
static void
http_global_cleanup(int code, Datum arg)
{
	http_idle_disarm();
	if (http_easy)
		curl_easy_cleanup(http_easy);
	if (http_multi)
		curl_multi_cleanup(http_multi);
	http_easy = NULL;
	http_multi = NULL;
}

/*
 * libcurl write callback.  Never raises an error: failures are recorded in
 * the transfer and returned as a short count, which makes libcurl stop with
 * CURLE_WRITE_ERROR.
 */
static size_t
http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	HttpTransfer *t = (HttpTransfer *) userdata;
	size_t		n = size * nmemb;

	if (t->status == 0)
		curl_easy_getinfo(http_easy, CURLINFO_RESPONSE_CODE, &t->status);

	/*
	 * The body of an error or redirect is kept only as far as messages
	 * need, and not read any further: a page that goes on (or never ends)
	 * must not hold the call until sqlflow.timeout.  The short count stops
	 * the transfer with CURLE_WRITE_ERROR, which http_perform_once() then
	 * knows for ours and reports as the HTTP status it is.
	 */
	if (t->status < 200 || t->status > 299)
	{
		size_t		room = HTTP_ERROR_BODY_MAX - t->error_len;
		size_t		take = Min(room, n);

		memcpy(t->error_body + t->error_len, ptr, take);
		t->error_len += take;
		t->error_body[t->error_len] = '\0';
		if (take < n)
		{
			t->error_cut = true;
			return 0;
		}
		return n;
	}

	/*
	 * A streaming sink gets to work through what it has before more comes:
	 * pausing here (the bytes are handed over again on resume) keeps its
	 * memory bounded however fast the server sends.
	 */
	if (t->sink->streaming && t->undrained >= HTTP_DRAIN_BYTES)
	{
		t->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}

	if (n > t->max_body - t->received)
	{
		t->failure = HTTP_FAIL_TOO_LARGE;
		return 0;
	}
	t->received += n;
	t->undrained += n;
	if (!t->sink->write(t->sink, ptr, n))
	{
		t->failure = HTTP_FAIL_SINK;
		return 0;
	}
	return n;
}

/*
 * Percent-encode a form value (application/x-www-form-urlencoded).  Done by
 * hand rather than with curl_easy_escape() so no malloc'd string can leak if
 * an error is raised in between.
 */
static void
http_append_urlencoded(StringInfo buf, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
			c == '~')
			appendStringInfoChar(buf, (char) c);
		else
		{
			appendStringInfoChar(buf, '%');
			appendStringInfoChar(buf, hex[c >> 4]);
			appendStringInfoChar(buf, hex[c & 15]);
		}
	}
}

static size_t
http_field_len(const HttpField *f)
{
	return f->len ? f->len : strlen(f->value);
}

/*
 * Split a URL into scheme, host and port; false if libcurl cannot parse it.
 * The parts are palloc'd.
 */
static bool
http_url_origin(const char *url, char **scheme, char **host, char **port)
{
	CURLU	   *u = curl_url();
	char	   *part;
	bool		ok = false;

	if (u == NULL)
		return false;
	*scheme = *host = *port = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
	{
		ok = true;
		if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK)
		{
			*scheme = pstrdup(part);
			curl_free(part);
		}
		if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK)
		{
			*host = pstrdup(part);
			curl_free(part);
		}
		if (curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK)
		{
			*port = pstrdup(part);
			curl_free(part);
		}
		if (!*scheme || !*host || !*port)
			ok = false;
	}
	curl_url_cleanup(u);
	return ok;
}

bool
http_url_acceptable(const char *url, const char **why)
{
	CURLU	   *u = curl_url();
	char	   *part = NULL;
	bool		ok = true;

	*why = NULL;
	if (u == NULL)
	{
		*why = "out of memory";
		return false;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
	{
		*why = "It is not a valid URL.";
		ok = false;
	}
	else if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) != CURLUE_OK ||
			 (pg_strcasecmp(part, "http") != 0 &&
			  pg_strcasecmp(part, "https") != 0))
	{
		*why = "Only http and https URLs are supported.";
		ok = false;
	}
	if (part)
		curl_free(part);
	part = NULL;
	if (ok && (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
			   curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK))
	{
		*why = "Credentials belong in the user mapping, not in the URL.";
		ok = false;
	}
	if (part)
		curl_free(part);
	part = NULL;
	if (ok && (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
			   curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK))
	{
		*why = "The URL must not have a query string or fragment: it is the base to which endpoint paths are appended.";
		ok = false;
	}
	if (part)
		curl_free(part);
	curl_url_cleanup(u);
	return ok;
}

/*
 * Decide whether to follow a redirect to "target" from "current".
 */
static bool
http_redirect_allowed(const char *current, const char *target,
					  char *detail, size_t detail_size)
{
	char	   *s1,
			   *h1,
			   *p1,
			   *s2,
			   *h2,
			   *p2;

	if (!http_url_origin(current, &s1, &h1, &p1) ||
		!http_url_origin(target, &s2, &h2, &p2))
	{
		snprintf(detail, detail_size,
				 "The server redirected to a URL that could not be parsed.");
		return false;
	}
	if (pg_strcasecmp(s1, s2) != 0 || pg_strcasecmp(h1, h2) != 0 ||
		strcmp(p1, p2) != 0)
	{
		snprintf(detail, detail_size,
				 "The server redirected from %s://%s:%s to %s://%s:%s; only redirects to the same scheme, host and port are followed.",
				 s1, h1, p1, s2, h2, p2);
		return false;
	}
	return true;
}

static void
http_set_options(const HttpRequest *req, const char *url, HttpTransfer *t,
				 curl_mime *mime, const StringInfo form,
				 struct curl_slist *headers, char *errbuf)
{
	CURL	   *e = http_easy;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
	/*
	 * When a transfer is removed during name resolution (cancel,
	 * statement_timeout, sqlflow.timeout), do not wait for the resolver
	 * thread, which may sit in getaddrinfo() for as long as the system's
	 * resolver retries: detach it, it cleans up after itself.
	 */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
	curl_easy_setopt(e, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) req->max_body);
	if (req->keepalive_idle_s > 0)
		curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, req->keepalive_idle_s);
	else
	{
		/* neither reuse a cached connection nor leave this one behind */
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, http_open_socket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, NULL);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, http_close_socket_cb);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, NULL);
	/* fewer, larger chunks: less per-chunk work for the sinks */
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long) HTTP_CHUNK_BYTES);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	if (mime)
		curl_easy_setopt(e, CURLOPT_MIMEPOST, mime);
	else
	{
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) form->len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, form->data);
	}
}

/*
 * Build the multipart form.  Returns NULL if libcurl could not allocate.
 */
static curl_mime *
http_build_mime(const HttpRequest *req)
{
	curl_mime  *mime = curl_mime_init(http_easy);

	if (mime == NULL)
		return NULL;
	for (int i = 0; i < req->nfields; i++)
	{
		const HttpField *f = &req->fields[i];
		curl_mimepart *part = curl_mime_addpart(mime);

		if (part == NULL ||
			curl_mime_name(part, f->name) != CURLE_OK ||
			curl_mime_data(part, f->value, http_field_len(f)) != CURLE_OK ||
			(f->filename &&
			 (curl_mime_filename(part, f->filename) != CURLE_OK ||
			  curl_mime_type(part, "application/sql") != CURLE_OK)))
		{
			curl_mime_free(mime);
			return NULL;
		}
	}
	return mime;
}

static HttpFailure
http_classify(CURLcode rc)
{
	switch (rc)
	{
		case CURLE_OK:
			return HTTP_FAIL_NONE;
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_CONNECT:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_UNSUPPORTED_PROTOCOL:
		case CURLE_URL_MALFORMAT:
			return HTTP_FAIL_CONNECT;
		case CURLE_OPERATION_TIMEDOUT:
			return HTTP_FAIL_TIMEOUT;
		case CURLE_FILESIZE_EXCEEDED:
			return HTTP_FAIL_TOO_LARGE;
		default:
			return HTTP_FAIL_TRANSFER;
	}
}

/*
 * Run one request to completion on the backend's handles.  Interrupts are
 * serviced while waiting; an error raised by them (or by the sink's drain
 * function) still detaches the handle and frees what libcurl allocated.
 * Returns the URL to go to next if the answer was a redirect we follow,
 * else NULL.
 */
static char *
http_perform_once(const HttpRequest *req, const char *url, HttpResult *res)
{
	HttpTransfer *t = palloc0(sizeof(HttpTransfer));
	char	   *errbuf = palloc0(CURL_ERROR_SIZE);
	StringInfoData form;
	curl_mime  *volatile mime = NULL;
	struct curl_slist *volatile headers = NULL;
	CURLcode	rc = CURLE_OK;
	char	   *next_url = NULL;

	t->sink = req->sink;
	t->max_body = req->max_body;

	initStringInfo(&form);
	if (req->body != NULL)
		appendBinaryStringInfo(&form, req->body, req->body_len);
	else if (!req->multipart)
	{
		for (int i = 0; i < req->nfields; i++)
		{
			if (i > 0)
				appendStringInfoChar(&form, '&');
			http_append_urlencoded(&form, req->fields[i].name,
								   strlen(req->fields[i].name));
			appendStringInfoChar(&form, '=');
			http_append_urlencoded(&form, req->fields[i].value,
								   http_field_len(&req->fields[i]));
		}
	}

	/* no libcurl call may run while the idle timeout can fire */
	http_idle_disarm();
	http_idle_fired = false;
	http_no_fd = false;
	curl_easy_reset(http_easy);

	PG_TRY();
	{
		struct curl_slist *h;
		int			running = 1;
		CURLMsg    *msg;
		int			msgs_left;

		/* "Expect: 100-continue" would cost a round trip on large uploads */
		h = curl_slist_append(NULL, "Expect:");
		if (h)
			headers = h;
		h = h ? curl_slist_append(headers, "Accept: application/json, text/csv, application/xml, */*") : NULL;
		if (h)
			headers = h;
		if (h && req->body != NULL && req->content_type != NULL)
		{
			char	   *line = psprintf("Content-Type: %s", req->content_type);

			h = curl_slist_append(headers, line);
			if (h)
				headers = h;
			pfree(line);
		}
		if (h && req->authorization != NULL)
		{
			char	   *line = psprintf("Authorization: %s", req->authorization);

			/* libcurl keeps its own copy: wipe ours */
			h = curl_slist_append(headers, line);
			if (h)
				headers = h;
			explicit_bzero(line, strlen(line));
			pfree(line);
		}
		if (req->multipart)
			mime = http_build_mime(req);
		if (h == NULL || (req->multipart && mime == NULL))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("libcurl could not allocate the request.")));

		http_set_options(req, url, t, mime, &form, headers, errbuf);

		if (curl_multi_add_handle(http_multi, http_easy) != CURLM_OK)
			ereport(ERROR,
					(errcode(ERRCODE_SYSTEM_ERROR),
					 errmsg("could not start a libcurl transfer")));

		while (running)
		{
			CURLMcode	mc;

			CHECK_FOR_INTERRUPTS();
			if (!PostmasterIsAlive())
				proc_exit(1);

			mc = curl_multi_perform(http_multi, &running);
			if (mc != CURLM_OK)
			{
				snprintf(res->detail, sizeof(res->detail), "%s",
						 curl_multi_strerror(mc));
				res->failure = HTTP_FAIL_TRANSFER;
				break;
			}

			/* let the sink consume what arrived, outside the callback */
			if (t->undrained > 0 && t->failure == HTTP_FAIL_NONE)
			{
				req->sink->drain(req->sink, false);
				t->undrained = 0;
			}
			if (t->paused)
			{
				t->paused = false;
				curl_easy_pause(http_easy, CURLPAUSE_CONT);
				continue;
			}

			if (!running)
				break;

			pgstat_report_wait_start(PG_WAIT_EXTENSION);
			mc = curl_multi_poll(http_multi, NULL, 0, HTTP_POLL_MS, NULL);
			pgstat_report_wait_end();
			if (mc != CURLM_OK)
			{
				snprintf(res->detail, sizeof(res->detail), "%s",
						 curl_multi_strerror(mc));
				res->failure = HTTP_FAIL_TRANSFER;
				break;
			}
		}

		while ((msg = curl_multi_info_read(http_multi, &msgs_left)) != NULL)
		{
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == http_easy)
				rc = msg->data.result;
		}
	}
	PG_FINALLY();
	{
		curl_socket_t used;

		/* the connection this request used, if libcurl keeps it */
		if (curl_easy_getinfo(http_easy, CURLINFO_ACTIVESOCKET, &used) != CURLE_OK)
			used = CURL_SOCKET_BAD;
		curl_multi_remove_handle(http_multi, http_easy);
		/* last libcurl call of the request that may close a socket */
		http_idle_note(used, req->keepalive_idle_s);
		http_idle_arm();
		if (mime)
			curl_mime_free(mime);
		if (headers)
			curl_slist_free_all(headers);
	}
	PG_END_TRY();

	curl_easy_getinfo(http_easy, CURLINFO_RESPONSE_CODE, &res->status);
	res->body_bytes = t->received;
	memcpy(res->error_body, t->error_body, t->error_len + 1);
	res->error_body_cut = t->error_cut;

	/*
	 * Not reading the rest of a non-2xx body is no failure: the answer is
	 * its HTTP status.  Nor is the size of such a body: libcurl refuses one
	 * announced larger than max_body before its first byte, but the answer
	 * is still the status, not "too large".
	 */
	if (res->status != 0 && (res->status < 200 || res->status > 299) &&
		((t->error_cut && rc == CURLE_WRITE_ERROR) ||
		 rc == CURLE_FILESIZE_EXCEEDED))
	{
		if (rc == CURLE_FILESIZE_EXCEEDED)
			res->error_body_cut = true;
		rc = CURLE_OK;
	}

	if (res->failure == HTTP_FAIL_NONE)
	{
		if (t->failure != HTTP_FAIL_NONE)
			res->failure = t->failure;
		else
			res->failure = http_classify(rc);
		if (res->failure == HTTP_FAIL_CONNECT && http_no_fd)
		{
			res->no_fd = true;
			snprintf(res->detail, sizeof(res->detail),
					 "There are too many open files on the local server.");
		}
		if (res->failure != HTTP_FAIL_NONE && res->detail[0] == '\0')
			snprintf(res->detail, sizeof(res->detail), "%s",
					 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}

	if (res->failure == HTTP_FAIL_NONE)
	{
		char	   *ct = NULL;

		if (curl_easy_getinfo(http_easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
			res->content_type = pstrdup(ct);

		if (res->status >= 300 && res->status <= 399)
		{
			char	   *location = NULL;

			if (curl_easy_getinfo(http_easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
				location != NULL)
				next_url = pstrdup(location);
		}
		else if (res->status >= 200 && res->status <= 299)
			req->sink->drain(req->sink, true);
	}

	/* the connection stays in the multi handle's cache for the next call */
	curl_easy_setopt(http_easy, CURLOPT_ERRORBUFFER, NULL);
	pfree(errbuf);
	pfree(t);
	pfree(form.data);
	return next_url;
}

void
http_perform(const HttpRequest *req, HttpResult *res)
{
	const char *url = req->url;
	int			redirects = 0;

	http_init();

	for (;;)
	{
		char	   *next;

		memset(res, 0, sizeof(HttpResult));
		next = http_perform_once(req, url, res);
		if (next == NULL)
			return;
		if (!http_redirect_allowed(url, next, res->detail, sizeof(res->detail)))
		{
			res->failure = HTTP_FAIL_REDIRECT;
			return;
		}
		if (++redirects > HTTP_MAX_REDIRECTS)
		{
			res->failure = HTTP_FAIL_REDIRECT;
			snprintf(res->detail, sizeof(res->detail),
					 "The server redirected more than %d times.", HTTP_MAX_REDIRECTS);
			return;
		}
		req->sink->reset(req->sink);
		url = next;
	}
}

/*
 * The whole-body sink.  Its buffer grows by doubling in the memory context
 * that was current at init time; allocation failures inside the callback
 * are reported, not raised.
 */
static bool
http_buffer_write(HttpSink *sink, const char *data, size_t len)
{
	HttpBuffer *buf = (HttpBuffer *) sink;

	if (buf->len + len + 1 > buf->cap)
	{
		size_t		newcap = Max(buf->cap * 2, 8192);
		char	   *newdata;

		while (newcap < buf->len + len + 1)
			newcap *= 2;
		newcap = Min(newcap, MaxAllocHugeSize);
		if (newcap < buf->len + len + 1)
			return false;
		newdata = MemoryContextAllocExtended(buf->cxt, newcap,
											 MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
		if (newdata == NULL)
			return false;
		if (buf->data)
		{
			memcpy(newdata, buf->data, buf->len);
			pfree(buf->data);
		}
		buf->data = newdata;
		buf->cap = newcap;
	}
	memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return true;
}

static void
http_buffer_drain(HttpSink *sink, bool finished)
{
	HttpBuffer *buf = (HttpBuffer *) sink;

	/* an empty body still reads as an empty C string */
	if (finished && buf->data == NULL)
		buf->data = MemoryContextAllocZero(buf->cxt, 1);
}

static void
http_buffer_reset(HttpSink *sink)
{
	HttpBuffer *buf = (HttpBuffer *) sink;

	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

void
http_buffer_init(HttpBuffer *buf)
{
	memset(buf, 0, sizeof(HttpBuffer));
	buf->sink.write = http_buffer_write;
	buf->sink.drain = http_buffer_drain;
	buf->sink.reset = http_buffer_reset;
	buf->cxt = CurrentMemoryContext;
}
