/*-------------------------------------------------------------------------
 *
 * stream_in.c
 *	  The input side every streamed export shares: the transport's sink
 *	  (http.h), the reader of the format, the UTF-8 check, the conversion
 *	  of a value, and the errors of all of them.  The sinks plug into it
 *	  side by side (stream_in.h): the jsonb document (jsonb_stream.c), the
 *	  relationship rows of the JSON export (relationships.c), the lineage
 *	  rows of the CSV export (lineage.c).
 *
 * libcurl's write callback only appends bytes to the reader (pure C:
 * csv.c, jsonstream.c, allocating with MCXT_ALLOC_NO_OOM through
 * mcxt_alloc.c).  Between chunks the transport calls drain, outside
 * libcurl: there the complete tokens (JSON) or records (CSV) are handed to
 * the sink one by one, in a memory context reset as they go by, with a
 * check for interrupts, and every error of the input is raised with its
 * SQLSTATE.  Only the reader's unparsed tail and the token or record being
 * read are held, never the body.
 *
 * UTF-8, once: the JSON reader checks every byte as it decodes (\u
 * escapes become UTF-8, whatever the database encoding); a CSV field is
 * checked when its sink takes it (stream_in_utf8).  A NUL byte and a
 * leading byte-order mark are dealt with here.  Each value is converted to
 * the database encoding on its own when it becomes part of a Datum
 * (stream_in_convert); the sink names the place of a value that cannot be.
 *
 * What it must not do: raise an error, palloc without MCXT_ALLOC_NO_OOM or
 * longjmp in write() (libcurl's callback); know what a sink makes of the
 * document (rows, jsonb, the envelope); hold the body.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "encoding.h"
#include "mcxt_alloc.h"
#include "stream_in.h"

struct StreamIn
{
	HttpSink	sink;			/* must be first */
	const char *what;			/* for messages: "the JSON export of job ..." */
	const StreamSinkOps *ops;
	void	   *arg;
	bool		is_csv;
	bool		convert;		/* values need converting (not UTF8, SQL_ASCII) */
	size_t		max_token;		/* JSON: one string; CSV: one record */
	MemoryContext cxt;			/* the reader */
	MemoryContext unitcxt;		/* the sink's work, reset as tokens go by */
	ReaderAllocator alloc;
	bool		finished;

	/* JSON */
	JStreamReader *jreader;
	int			bom;			/* bytes of a leading byte-order mark seen */
	unsigned long long bytes;
	unsigned long long nul_at;	/* offset of the first NUL byte, if any */
	bool		has_nul;

	/* CSV */
	CsvReader  *creader;
	char		delimiter;
};

/* ----------------------------------------------------------------
 * JSON
 * ----------------------------------------------------------------
 */

static void
json_new_reader(StreamIn *in)
{
	/*
	 * Room for what the transport hands over between two drains, and the
	 * start of a token the last drain left, from the start: a buffer grown
	 * by doubling would touch twice the memory, page by page.
	 */
	in->jreader = jstream_reader_create(&in->alloc);
	if (in->jreader == NULL ||
		jstream_reader_reserve(in->jreader, HTTP_STREAM_BYTES + 64 * 1024) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	jstream_reader_set_max_token(in->jreader, in->max_token);
	in->bom = 0;
	in->bytes = 0;
	in->has_nul = false;
	in->finished = false;
}

/* libcurl's write callback lands here: no errors, just bytes */
static bool
json_write(HttpSink *sink, const char *data, size_t len)
{
	static const char bom[] = "\xEF\xBB\xBF";
	StreamIn   *in = (StreamIn *) sink;

	/* a byte-order mark at the start is skipped, as for the other answers */
	while (len > 0 && in->bytes < 3 && in->bom == (int) in->bytes &&
		   data[0] == bom[in->bom])
	{
		in->bom++;
		in->bytes++;
		data++;
		len--;
	}
	if (in->bom > 0 && in->bom < 3 && len > 0 && in->bytes < 3)
	{
		/* not a whole mark after all: what was held back is data */
		if (jstream_reader_feed(in->jreader, bom, in->bom) != 0)
			goto refused;
		in->bom = 0;
	}
	if (!in->has_nul)
	{
		const char *nul = memchr(data, '\0', len);

		if (nul != NULL)
		{
			in->has_nul = true;
			in->nul_at = in->bytes - in->bom + (nul - data);
		}
	}
	in->bytes += len;
	if (jstream_reader_feed(in->jreader, data, len) == 0)
		return true;

refused:
	sink->refused = "Memory ran out.";
	sink->refused_code = ERRCODE_OUT_OF_MEMORY;
	return false;
}

static void
json_error(StreamIn *in)
{
	const char *msg = jstream_reader_error(in->jreader);
	unsigned long long off = jstream_reader_error_offset(in->jreader);

	/* a NUL byte is no JSON anywhere; PostgreSQL's text cannot hold it */
	if (in->has_nul && in->nul_at <= off)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s is not valid UTF-8", in->what),
				 errdetail("There is a NUL byte at byte %llu.", in->nul_at)));
	if (strcmp(msg, "invalid UTF-8") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s is not valid UTF-8", in->what),
				 errdetail("The invalid byte sequence is at byte %llu.", off)));
	if (strstr(msg, "longer than the limit") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has a string larger than sqlflow.max_response_size", in->what),
				 errdetail("The string starts at byte %llu; the limit is %zu kB.",
						   off, in->max_token / 1024)));
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("%s is not valid JSON", in->what),
			 errdetail("At byte %llu: %s.", off, msg)));
}

/* the end of the input, or an error (which stays) */
static pg_noinline bool
json_next_slow(StreamIn *in, bool finished, JStreamEvent *ev)
{
	JStreamResult r;

	if (finished && !in->finished)
	{
		if (in->bytes == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is empty", in->what)));
		jstream_reader_finish(in->jreader);
		in->finished = true;
	}
	r = jstream_reader_next(in->jreader, ev);
	if (r == JS_ERROR)
		json_error(in);
	return r == JS_EVENT;
}

/*
 * The next token, or false when more input is needed (or the document is
 * complete).  The common case inline: a token at hand, mid-document.
 */
static inline bool
json_next(StreamIn *in, bool finished, JStreamEvent *ev)
{
	if (finished == in->finished)
	{
		JStreamResult r = jstream_reader_next(in->jreader, ev);

		if (r != JS_ERROR)
			return r == JS_EVENT;
	}
	return json_next_slow(in, finished, ev);
}

/* between chunks and at the end: the tokens to the sink */
static void
json_drain(HttpSink *sink, bool finished)
{
	StreamIn   *in = (StreamIn *) sink;
	JStreamEvent ev;
	int			n = 0;
	MemoryContext old = MemoryContextSwitchTo(in->unitcxt);

	while (json_next(in, finished, &ev))
	{
		if ((++n & 255) == 0)
		{
			MemoryContextReset(in->unitcxt);
			CHECK_FOR_INTERRUPTS();
		}
		in->ops->token(in->arg, in, &ev);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(in->unitcxt);
}

/* ----------------------------------------------------------------
 * CSV
 * ----------------------------------------------------------------
 */

static void
csv_new_reader(StreamIn *in)
{
	in->creader = csv_reader_create(in->delimiter, &in->alloc);
	if (in->creader == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	csv_reader_set_max_record(in->creader, in->max_token);
	in->finished = false;
}

/* libcurl's write callback lands here: no errors, just bytes */
static bool
csv_write(HttpSink *sink, const char *data, size_t len)
{
	StreamIn   *in = (StreamIn *) sink;

	if (csv_reader_feed(in->creader, data, len) != 0)
	{
		sink->refused = "A CSV record is larger than sqlflow.max_response_size, or memory ran out.";
		sink->refused_code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		return false;
	}
	return true;
}

/* between chunks and at the end: the complete records to the sink */
static void
csv_drain(HttpSink *sink, bool finished)
{
	StreamIn   *in = (StreamIn *) sink;

	if (finished && !in->finished)
	{
		csv_reader_finish(in->creader);
		in->finished = true;
	}

	for (;;)
	{
		const CsvField *fields;
		int			nfields;
		CsvResult	r;
		MemoryContext oldcxt;

		CHECK_FOR_INTERRUPTS();
		r = csv_reader_next(in->creader, &fields, &nfields);
		if (r == CSV_NEED_MORE || r == CSV_EOF)
			break;
		if (r == CSV_ERROR && strcmp(csv_reader_error(in->creader), "NUL byte in input") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("%s is not valid UTF-8", in->what),
					 errdetail("Line %ld has a NUL byte.", csv_reader_record_line(in->creader))));
		if (r == CSV_ERROR && strcmp(csv_reader_error(in->creader), "record too large") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s has a record larger than sqlflow.max_response_size", in->what),
					 errdetail("The record starts at line %ld; the limit is %zu kB.",
							   csv_reader_record_line(in->creader), in->max_token / 1024),
					 errhint("Rows are streamed: the limit applies to one record, not to the whole export.")));
		if (r == CSV_ERROR)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is malformed", in->what),
					 errdetail("Line %ld: %s.", csv_reader_record_line(in->creader),
							   csv_reader_error(in->creader))));
		oldcxt = MemoryContextSwitchTo(in->unitcxt);
		in->ops->record(in->arg, in, fields, nfields,
						csv_reader_record_line(in->creader));
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(in->unitcxt);
	}

	if (in->finished && in->ops->end)
		in->ops->end(in->arg, in);
}

/* ----------------------------------------------------------------
 * Both
 * ----------------------------------------------------------------
 */

/* a redirect or a token renewal starts the body over */
static void
stream_in_reset(HttpSink *sink)
{
	StreamIn   *in = (StreamIn *) sink;

	/* the sink first: it may refuse, having handed rows out */
	in->ops->restart(in->arg);
	if (in->is_csv)
	{
		csv_reader_destroy(in->creader);
		csv_new_reader(in);
	}
	else
	{
		jstream_reader_destroy(in->jreader);
		json_new_reader(in);
	}
}

static StreamIn *
stream_in_create(const char *what, size_t max_token, const StreamSinkOps *ops,
				 void *arg)
{
	StreamIn   *in = palloc0(sizeof(StreamIn));

	in->sink.reset = stream_in_reset;
	in->sink.streaming = true;
	in->what = what;
	in->ops = ops;
	in->arg = arg;
	in->max_token = max_token;
	in->convert = !sqlflow_db_takes_utf8();
	in->cxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow export reader",
									ALLOCSET_DEFAULT_SIZES);
	in->unitcxt = AllocSetContextCreate(in->cxt, "sqlflow export token",
										ALLOCSET_DEFAULT_SIZES);
	in->alloc.alloc = sqlflow_mcxt_alloc;
	in->alloc.realloc = sqlflow_mcxt_realloc;
	in->alloc.free = sqlflow_mcxt_free;
	in->alloc.arg = in->cxt;
	return in;
}

StreamIn *
stream_in_json(const char *what, size_t max_token, const StreamSinkOps *ops,
			   void *arg)
{
	StreamIn   *in = stream_in_create(what, max_token, ops, arg);

	in->sink.write = json_write;
	in->sink.drain = json_drain;
	json_new_reader(in);
	return in;
}

StreamIn *
stream_in_csv(const char *what, char delimiter, size_t max_record,
			  const StreamSinkOps *ops, void *arg)
{
	StreamIn   *in = stream_in_create(what, max_record, ops, arg);

	in->is_csv = true;
	in->delimiter = delimiter;
	in->sink.write = csv_write;
	in->sink.drain = csv_drain;
	csv_new_reader(in);
	return in;
}

HttpSink *
stream_in_http(StreamIn *in)
{
	return &in->sink;
}

void
stream_in_destroy(StreamIn *in)
{
	if (in->is_csv)
		csv_reader_destroy(in->creader);
	else
		jstream_reader_destroy(in->jreader);
	MemoryContextDelete(in->cxt);
	pfree(in);
}

void
stream_in_skip(StreamIn *in)
{
	jstream_reader_skip(in->jreader);
}

void
stream_in_skip_value(StreamIn *in)
{
	jstream_reader_skip_value(in->jreader);
}

int
stream_in_members(StreamIn *in, const char *const *keys, const size_t *keylens,
				  int nkeys, JStreamMember *out, int max)
{
	return jstream_reader_members(in->jreader, keys, keylens, nkeys, out, max);
}

/* ----------------------------------------------------------------
 * Values
 * ----------------------------------------------------------------
 */

bool
stream_in_utf8(const char *s, size_t len)
{
	return pg_verify_mbstr(PG_UTF8, s, (int) len, true);
}

bool
stream_in_converts(const StreamIn *in)
{
	return in->convert;
}

char *
stream_in_convert(const StreamIn *in, const char *s, size_t len, size_t *outlen,
				  size_t *bad)
{
	if (!in->convert)
	{
		*outlen = len;
		*bad = len;
		return unconstify(char *, s);
	}
	return sqlflow_from_utf8_noerror(s, len, outlen, bad);
}
