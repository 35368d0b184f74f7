/*-------------------------------------------------------------------------
 *
 * jsonb_stream.h
 *	  JSON exports read as they stream in (src/jsonstream.c): the input
 *	  side shared by the sinks, and the sink that builds jsonb.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_JSONB_STREAM_H
#define SQLFLOW_JSONB_STREAM_H

#include "utils/jsonb.h"

#include "envelope.h"
#include "http.h"
#include "jsonb_io.h"
#include "jsonstream.h"

/* the streaming reader with what every JSON sink needs around it */
typedef struct JsonIn
{
	JStreamReader *reader;
	JStreamAllocator alloc;
	const char *what;			/* for messages: "the JSON export of job ..." */
	size_t		max_token;
	int			bom;			/* bytes of a leading byte-order mark seen */
	unsigned long long bytes;
	unsigned long long nul_at;	/* offset of the first NUL byte, if any */
	bool		has_nul;
	bool		finished;
} JsonIn;

/* a reader allocating in cxt; strings longer than max_token are errors */
extern void sqlflow_json_in_init(JsonIn *in, MemoryContext cxt, const char *what,
								 size_t max_token);
extern void sqlflow_json_in_restart(JsonIn *in);
extern void sqlflow_json_in_destroy(JsonIn *in);

/* from libcurl's write callback: never raises; false when memory ran out */
extern bool sqlflow_json_in_write(JsonIn *in, const char *data, size_t len);

/*
 * From drain: the next token, or false when more input is needed (or the
 * document is complete).  A malformed document, bad UTF-8 or a string over
 * the limit is an error naming the byte offset.
 */
extern bool sqlflow_json_in_next_slow(JsonIn *in, bool finished, JStreamEvent *ev);

/* the common case inline: a token at hand, mid-document */
static inline bool
sqlflow_json_in_next(JsonIn *in, bool finished, JStreamEvent *ev)
{
	if (finished == in->finished)
	{
		JStreamResult r = jstream_reader_next(in->reader, ev);

		if (r != JS_ERROR)
			return r == JS_EVENT;
	}
	/* the end of the input, or an error (which stays) */
	return sqlflow_json_in_next_slow(in, finished, ev);
}

/* right after a container opened: its contents are checked, not handed out */
extern void sqlflow_json_in_skip(JsonIn *in);

/* right after a key: its value is checked, not handed out */
extern void sqlflow_json_in_skip_value(JsonIn *in);

/*
 * Right after an object opened: the wanted members of the whole object at
 * once, when it is of the common kind; -1 (nothing read) when its tokens
 * are to be taken one by one (jstream_reader_members)
 */
extern int	sqlflow_json_in_members(JsonIn *in, const char *const *keys,
									const size_t *keylens, int nkeys,
									JStreamMember *out, int max);

/* the sink that builds the export as jsonb */
typedef struct JsonbSink JsonbSink;

extern JsonbSink *jsonb_sink_create(const char *what, SqlflowConvMode conv);
extern HttpSink *jsonb_sink_http(JsonbSink *js);
/* after the transfer: the envelope, and the document (escaped: see conv) */
extern void jsonb_sink_envelope(JsonbSink *js, SqlflowEnvelope *env);
extern Jsonb *jsonb_sink_result(JsonbSink *js, int *escaped);
extern void jsonb_sink_destroy(JsonbSink *js);

#endif							/* SQLFLOW_JSONB_STREAM_H */
