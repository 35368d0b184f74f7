/*-------------------------------------------------------------------------
 *
 * jsonb_stream.c
 *	  JSON exports read as they stream in: the input side every JSON sink
 *	  shares, and the sink that builds the export as jsonb.
 *
 * libcurl's write callback only appends bytes to the streaming reader
 * (src/jsonstream.c, pure C); between chunks the transport calls the
 * sink's drain function, outside libcurl, which takes the tokens and may
 * raise errors.  The body itself is never held: the jsonb sink hands each
 * token to the jsonb writer (src/jsonb_writer.c), which lays containers out
 * in the binary format as they close, so the memory a JSON export costs is
 * about twice its jsonb size, not the text plus a JsonbValue tree.
 *
 * The reader accepts exactly what jsonb_in accepts (checked by the
 * differential fuzzer in test/jsonb), decodes \u escapes into UTF-8 and
 * checks that the bytes are UTF-8; each key and string is then converted
 * to the database encoding on its own, and one it cannot hold is an error
 * naming its path in the document (as jsonb_io.c does for small answers).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"


#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "encoding.h"
#include "jsonb_stream.h"
#include "jsonb_writer.h"
#include "mcxt_alloc.h"

/* ----------------------------------------------------------------
 * The input side
 * ----------------------------------------------------------------
 */

static void
json_in_new_reader(JsonIn *in)
{
	/*
	 * Room for what the transport hands over between two drains, and the
	 * start of a token the last drain left, from the start: a buffer grown
	 * by doubling would touch twice the memory, page by page.
	 */
	in->reader = jstream_reader_create(&in->alloc);
	if (in->reader == NULL ||
		jstream_reader_reserve(in->reader, HTTP_STREAM_BYTES + 64 * 1024) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	jstream_reader_set_max_token(in->reader, in->max_token);
	in->bom = 0;
	in->bytes = 0;
	in->has_nul = false;
	in->finished = false;
}

void
sqlflow_json_in_init(JsonIn *in, MemoryContext cxt, const char *what,
					 size_t max_token)
{
	memset(in, 0, sizeof(JsonIn));
	in->alloc.alloc = sqlflow_mcxt_alloc;
	in->alloc.realloc = sqlflow_mcxt_realloc;
	in->alloc.free = sqlflow_mcxt_free;
	in->alloc.arg = cxt;
	in->what = what;
	in->max_token = max_token;
	json_in_new_reader(in);
}

void
sqlflow_json_in_restart(JsonIn *in)
{
	jstream_reader_destroy(in->reader);
	json_in_new_reader(in);
}

void
sqlflow_json_in_destroy(JsonIn *in)
{
	jstream_reader_destroy(in->reader);
	in->reader = NULL;
}

bool
sqlflow_json_in_write(JsonIn *in, const char *data, size_t len)
{
	static const char bom[] = "\xEF\xBB\xBF";

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
		if (jstream_reader_feed(in->reader, bom, in->bom) != 0)
			return false;
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
	return jstream_reader_feed(in->reader, data, len) == 0;
}

static void
json_in_error(JsonIn *in)
{
	const char *msg = jstream_reader_error(in->reader);
	unsigned long long off = jstream_reader_error_offset(in->reader);

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

bool
sqlflow_json_in_next_slow(JsonIn *in, bool finished, JStreamEvent *ev)
{
	JStreamResult r;

	if (finished && !in->finished)
	{
		if (in->bytes == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is empty", in->what)));
		jstream_reader_finish(in->reader);
		in->finished = true;
	}
	r = jstream_reader_next(in->reader, ev);
	if (r == JS_ERROR)
		json_in_error(in);
	return r == JS_EVENT;
}

void
sqlflow_json_in_skip(JsonIn *in)
{
	jstream_reader_skip(in->reader);
}

void
sqlflow_json_in_skip_value(JsonIn *in)
{
	jstream_reader_skip_value(in->reader);
}

int
sqlflow_json_in_members(JsonIn *in, const char *const *keys, const size_t *keylens,
						int nkeys, JStreamMember *out, int max)
{
	return jstream_reader_members(in->reader, keys, keylens, nkeys, out, max);
}

/* ----------------------------------------------------------------
 * The jsonb sink
 * ----------------------------------------------------------------
 */

/* where the document is: one element per open container */
typedef struct JsonbPlace
{
	bool		is_array;
	int			index;			/* arrays: current element, -1 before */
	char	   *key;			/* objects: current member (database encoding) */
	size_t		keycap;
	bool		has_key;
} JsonbPlace;

struct JsonbSink
{
	HttpSink	sink;
	JsonIn		in;
	MemoryContext cxt;			/* the reader, the places */
	MemoryContext tmpcxt;		/* one token's conversions */
	MemoryContext resultcxt;	/* the writer and the document: the caller's */
	SqlflowConvMode conv;
	int			escaped;
	bool		convert;
	SqlflowJsonbWriter *w;
	Jsonb	   *result;
	JsonbPlace *place;
	int			depth;
	int			maxdepth;
	SqlflowEnvelope env;
};

/* the path to the current value, as data.sqlflow.dbobjs[3].name */
static char *
jsonb_sink_path(JsonbSink *js)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int d = 0; d < js->depth; d++)
	{
		if (js->place[d].is_array)
			appendStringInfo(&buf, "[%d]", js->place[d].index);
		else if (js->place[d].has_key)
			appendStringInfo(&buf, "%s%s", buf.len ? "." : "", js->place[d].key);
	}
	return buf.len ? buf.data : pstrdup("the top level");
}

/* a key or string as the database encoding has it (in tmpcxt) */
static const char *
jsonb_sink_convert(JsonbSink *js, const char *s, size_t len, size_t *outlen,
				   bool is_key)
{
	size_t		bad;
	char	   *out;

	*outlen = len;
	if (!js->convert)
		return s;
	out = sqlflow_from_utf8_noerror(s, len, outlen, &bad);
	if (out != NULL)
		return out;
	if (js->conv == SQLFLOW_CONV_ESCAPE)
	{
		out = sqlflow_from_utf8_escaped(s, len, &js->escaped);
		*outlen = strlen(out);
		return out;
	}
	sqlflow_untranslatable(js->in.what,
						   is_key
						   ? psprintf("The key \"%s\" in %s",
									  sqlflow_from_utf8_escaped(s, len, NULL),
									  jsonb_sink_path(js))
						   : psprintf("The value of %s", jsonb_sink_path(js)),
						   s, len, bad);
	return NULL;				/* not reached */
}

/* the envelope's members: "code", "error", data.mode, data.summary */
static void
jsonb_sink_note(JsonbSink *js, const JStreamEvent *ev)
{
	const char *keys[3];

	if (js->depth < 1 || js->depth > 3)
		return;
	for (int d = 0; d < js->depth; d++)
		keys[d] = (js->place[d].is_array || !js->place[d].has_key) ? NULL : js->place[d].key;
	sqlflow_envelope_note(&js->env, sqlflow_envelope_field(js->depth, keys), ev->data,
						  ev->token == JS_STRING, ev->token == JS_NUMBER, js->cxt);
}

static void
jsonb_sink_open(JsonbSink *js, bool is_array)
{
	JsonbPlace *p;

	if (js->depth == 0 && is_array)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not a JSON object", js->in.what)));
	if (js->depth == js->maxdepth)
	{
		int			n = Max(16, js->maxdepth * 2);

		js->place = js->place
			? repalloc(js->place, n * sizeof(JsonbPlace))
			: MemoryContextAlloc(js->cxt, n * sizeof(JsonbPlace));
		memset(js->place + js->maxdepth, 0, (n - js->maxdepth) * sizeof(JsonbPlace));
		js->maxdepth = n;
	}
	p = &js->place[js->depth++];
	p->is_array = is_array;
	p->index = -1;
	p->has_key = false;
	if (is_array)
		sqlflow_jbw_begin_array(js->w);
	else
		sqlflow_jbw_begin_object(js->w);
}

static void
jsonb_sink_key(JsonbSink *js, const JStreamEvent *ev)
{
	JsonbPlace *p = &js->place[js->depth - 1];
	size_t		len;
	const char *k = jsonb_sink_convert(js, ev->data, ev->len, &len, true);

	sqlflow_jbw_key(js->w, k, len);
	if (len + 1 > p->keycap)
	{
		size_t		cap = Max(len + 1, 32);

		if (p->key)
			pfree(p->key);
		p->key = MemoryContextAlloc(js->cxt, cap);
		p->keycap = cap;
	}
	memcpy(p->key, k, len);
	p->key[len] = '\0';
	p->has_key = true;
}

static void
jsonb_sink_value(JsonbSink *js, const JStreamEvent *ev)
{
	size_t		len;
	const char *s;

	if (js->depth == 0 && ev->token != JS_OBJECT_START)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not a JSON object", js->in.what)));
	if (js->depth > 0 && js->place[js->depth - 1].is_array)
		js->place[js->depth - 1].index++;
	jsonb_sink_note(js, ev);
	switch (ev->token)
	{
		case JS_OBJECT_START:
		case JS_ARRAY_START:
			jsonb_sink_open(js, ev->token == JS_ARRAY_START);
			break;
		case JS_STRING:
			s = jsonb_sink_convert(js, ev->data, ev->len, &len, false);
			sqlflow_jbw_string(js->w, s, len);
			break;
		case JS_NUMBER:
			sqlflow_jbw_numeric(js->w,
								DatumGetNumeric(DirectFunctionCall3(numeric_in,
																	CStringGetDatum(ev->data),
																	ObjectIdGetDatum(InvalidOid),
																	Int32GetDatum(-1))));
			break;
		case JS_TRUE:
		case JS_FALSE:
			sqlflow_jbw_bool(js->w, ev->token == JS_TRUE);
			break;
		default:
			sqlflow_jbw_null(js->w);
			break;
	}
}

/* between chunks and at the end: tokens into the writer */
static void
jsonb_sink_drain(HttpSink *sink, bool finished)
{
	JsonbSink  *js = (JsonbSink *) sink;
	JStreamEvent ev;
	int			n = 0;
	MemoryContext old = MemoryContextSwitchTo(js->tmpcxt);

	while (sqlflow_json_in_next(&js->in, finished, &ev))
	{
		if (ev.token == JS_KEY)
			jsonb_sink_key(js, &ev);
		else if (ev.token == JS_OBJECT_END || ev.token == JS_ARRAY_END)
		{
			sqlflow_jbw_end(js->w);
			js->depth--;
			if (js->depth == 0)
			{
				js->result = sqlflow_jbw_finish(js->w);
				js->w = NULL;
			}
		}
		else
			jsonb_sink_value(js, &ev);
		if ((++n & 255) == 0)
		{
			MemoryContextReset(js->tmpcxt);
			CHECK_FOR_INTERRUPTS();
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(js->tmpcxt);
}

static bool
jsonb_sink_write(HttpSink *sink, const char *data, size_t len)
{
	JsonbSink  *js = (JsonbSink *) sink;

	if (!sqlflow_json_in_write(&js->in, data, len))
	{
		sink->refused = "Memory ran out.";
		sink->refused_code = ERRCODE_OUT_OF_MEMORY;
		return false;
	}
	return true;
}

static void
jsonb_sink_start(JsonbSink *js)
{
	MemoryContext old = MemoryContextSwitchTo(js->resultcxt);

	js->w = sqlflow_jbw_create();
	MemoryContextSwitchTo(old);
	js->result = NULL;
	js->depth = 0;
	js->escaped = 0;
	memset(&js->env, 0, sizeof(SqlflowEnvelope));
}

/* a redirect or a token renewal starts the body over */
static void
jsonb_sink_reset(HttpSink *sink)
{
	JsonbSink  *js = (JsonbSink *) sink;

	/* what the writer held stays with the caller's context: start anew */
	sqlflow_json_in_restart(&js->in);
	jsonb_sink_start(js);
}

JsonbSink *
jsonb_sink_create(const char *what, SqlflowConvMode conv)
{
	JsonbSink  *js = palloc0(sizeof(JsonbSink));

	js->sink.write = jsonb_sink_write;
	js->sink.drain = jsonb_sink_drain;
	js->sink.reset = jsonb_sink_reset;
	js->sink.streaming = true;
	js->conv = conv;
	js->convert = !sqlflow_db_takes_utf8();
	js->resultcxt = CurrentMemoryContext;
	js->cxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow JSON to jsonb",
									ALLOCSET_DEFAULT_SIZES);
	js->tmpcxt = AllocSetContextCreate(js->cxt, "sqlflow JSON token",
									   ALLOCSET_DEFAULT_SIZES);
	/* a string can be as long as jsonb allows; the body is bounded anyway */
	sqlflow_json_in_init(&js->in, js->cxt, what, JENTRY_OFFLENMASK);
	jsonb_sink_start(js);
	return js;
}

HttpSink *
jsonb_sink_http(JsonbSink *js)
{
	return &js->sink;
}

void
jsonb_sink_envelope(JsonbSink *js, SqlflowEnvelope *env)
{
	if (js->result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not valid JSON", js->in.what),
				 errdetail("The document ended early.")));
	*env = js->env;
}

/* the document, in the memory context the sink was created in */
Jsonb *
jsonb_sink_result(JsonbSink *js, int *escaped)
{
	if (escaped)
		*escaped = js->escaped;
	return js->result;
}

void
jsonb_sink_destroy(JsonbSink *js)
{
	sqlflow_json_in_destroy(&js->in);
	MemoryContextDelete(js->cxt);
	pfree(js);
}
