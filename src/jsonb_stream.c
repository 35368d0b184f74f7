/*-------------------------------------------------------------------------
 *
 * jsonb_stream.c
 *	  The sink that builds the JSON export as jsonb while it streams in.
 *
 * It plugs into the input side (stream_in.c), which reads the body with
 * the streaming reader as it arrives and hands it over token by token,
 * outside libcurl.  The body itself is never held: each token goes to the
 * jsonb writer (src/jsonb_writer.c), which lays containers out in the
 * binary format as they close, so the memory a JSON export costs is about
 * twice its jsonb size, not the text plus a JsonbValue tree.
 *
 * The reader accepts exactly what jsonb_in accepts (checked by the
 * differential fuzzer in test/jsonb), decodes \u escapes into UTF-8 and
 * checks that the bytes are UTF-8; each key and string is then converted
 * to the database encoding on its own (stream_in_convert), and one it
 * cannot hold is an error naming its path in the document (as jsonb_io.c
 * does for small answers), or a \uXXXX escape when the caller prefers it.
 * The envelope ("code", "error", data.mode, data.summary) is noted on the
 * way (envelope.c).
 *
 * What it must not do: see HTTP or libcurl, read bytes itself (the input
 * side does), or hold the text of the document.
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
#include "stream_in.h"

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
	StreamIn   *in;
	const char *what;			/* for messages: "the JSON export of job ..." */
	MemoryContext cxt;			/* the places */
	MemoryContext resultcxt;	/* the writer and the document: the caller's */
	SqlflowConvMode conv;
	int			escaped;
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

/* a key or string as the database encoding has it (in the token's context) */
static const char *
jsonb_sink_convert(JsonbSink *js, const char *s, size_t len, size_t *outlen,
				   bool is_key)
{
	size_t		bad;
	char	   *out;

	out = stream_in_convert(js->in, s, len, outlen, &bad);
	if (out != NULL)
		return out;
	if (js->conv == SQLFLOW_CONV_ESCAPE)
	{
		out = sqlflow_from_utf8_escaped(s, len, &js->escaped);
		*outlen = strlen(out);
		return out;
	}
	sqlflow_untranslatable(js->what,
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
				 errmsg("%s is not a JSON object", js->what)));
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
				 errmsg("%s is not a JSON object", js->what)));
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

/* one token into the writer */
static void
jsonb_sink_token(void *arg, StreamIn *in, const JStreamEvent *ev)
{
	JsonbSink  *js = (JsonbSink *) arg;

	if (ev->token == JS_KEY)
		jsonb_sink_key(js, ev);
	else if (ev->token == JS_OBJECT_END || ev->token == JS_ARRAY_END)
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
		jsonb_sink_value(js, ev);
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
jsonb_sink_restart(void *arg)
{
	/* what the writer held stays with the caller's context: start anew */
	jsonb_sink_start((JsonbSink *) arg);
}

static const StreamSinkOps jsonb_sink_ops = {
	.token = jsonb_sink_token,
	.restart = jsonb_sink_restart
};

JsonbSink *
jsonb_sink_create(const char *what, SqlflowConvMode conv)
{
	JsonbSink  *js = palloc0(sizeof(JsonbSink));

	js->what = what;
	js->conv = conv;
	js->resultcxt = CurrentMemoryContext;
	js->cxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow JSON to jsonb",
									ALLOCSET_DEFAULT_SIZES);
	/* a string can be as long as jsonb allows; the body is bounded anyway */
	js->in = stream_in_json(what, JENTRY_OFFLENMASK, &jsonb_sink_ops, js);
	jsonb_sink_start(js);
	return js;
}

HttpSink *
jsonb_sink_http(JsonbSink *js)
{
	return stream_in_http(js->in);
}

void
jsonb_sink_envelope(JsonbSink *js, SqlflowEnvelope *env)
{
	if (js->result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not valid JSON", js->what),
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
	stream_in_destroy(js->in);
	MemoryContextDelete(js->cxt);
	pfree(js);
}
