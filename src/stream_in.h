/*-------------------------------------------------------------------------
 *
 * stream_in.h
 *	  The input side of a streamed export, which the sinks plug into: the
 *	  body as it arrives, read with the reader of its format, its UTF-8
 *	  checked once, its values converted one by one (see stream_in.c).
 *
 * A sink never sees libcurl or HTTP: it is handed one JSON token or one
 * CSV record at a time, outside libcurl's callbacks, where it may raise
 * errors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_STREAM_IN_H
#define SQLFLOW_STREAM_IN_H

#include "csv.h"
#include "http.h"
#include "jsonstream.h"

typedef struct StreamIn StreamIn;

/*
 * What a sink gives the input side.  Each runs with CurrentMemoryContext
 * set to a context the input side resets as tokens or records go by, and
 * may raise errors.  "arg" is the sink's own state.
 */
typedef struct StreamSinkOps
{
	/* JSON: one token; its data stays valid until the next one */
	void		(*token) (void *arg, StreamIn *in, const JStreamEvent *ev);
	/* CSV: one record, starting at the 1-based line "line" */
	void		(*record) (void *arg, StreamIn *in, const CsvField *fields,
						   int nfields, long line);
	/* CSV: every record has been read (NULL: nothing to say) */
	void		(*end) (void *arg, StreamIn *in);
	/* the body starts over (a redirect, a token renewal) */
	void		(*restart) (void *arg);
} StreamSinkOps;

/*
 * The input side of a JSON export: a string longer than max_token is an
 * error.  "what" names the export (and its job) in messages.
 */
extern StreamIn *stream_in_json(const char *what, size_t max_token,
								const StreamSinkOps *ops, void *arg);

/* of a CSV export: a record longer than max_record is an error */
extern StreamIn *stream_in_csv(const char *what, char delimiter, size_t max_record,
							   const StreamSinkOps *ops, void *arg);

/* what the transport writes into and drains */
extern HttpSink *stream_in_http(StreamIn *in);

extern void stream_in_destroy(StreamIn *in);

/*
 * From a JSON sink's token(), right after a container opened: its contents
 * are checked, not handed out.
 */
extern void stream_in_skip(StreamIn *in);

/* right after a key: its value is checked, not handed out */
extern void stream_in_skip_value(StreamIn *in);

/*
 * Right after an object opened: the wanted members of the whole object at
 * once, when it is of the common kind; -1 (nothing read) when its tokens
 * are to come one by one (jstream_reader_members)
 */
extern int	stream_in_members(StreamIn *in, const char *const *keys,
							  const size_t *keylens, int nkeys,
							  JStreamMember *out, int max);

/*
 * Values.  A JSON value was checked to be UTF-8 by the reader; a CSV field
 * is checked by stream_in_utf8 when the sink takes it.
 */
extern bool stream_in_utf8(const char *s, size_t len);

/* whether stream_in_convert changes anything (not in UTF8 or SQL_ASCII) */
extern bool stream_in_converts(const StreamIn *in);

/*
 * A value (checked UTF-8) as the database encoding has it: s itself when
 * nothing needs converting, else palloc'd; NULL when a character has no
 * equivalent there, *bad its byte offset (sqlflow_untranslatable says so).
 */
extern char *stream_in_convert(const StreamIn *in, const char *s, size_t len,
							   size_t *outlen, size_t *bad);

#endif							/* SQLFLOW_STREAM_IN_H */
