/*-------------------------------------------------------------------------
 *
 * jsonb_io.c
 *	  One pass over a JSON answer held whole: validate it or build jsonb
 *	  from it, and pick up the envelope on the way.
 *
 * Used for the answers that arrive whole in a buffer: the JSON export as
 * text (validated, envelope read) and the small answers returned as jsonb
 * (a job, the job list, the lineage of one SQL text).  The JSON export as
 * jsonb and as relationship rows is read while it streams in instead
 * (jsonb_stream.c, relationships.c).  We drive PostgreSQL's own JSON parser
 * with semantic actions that hand each value to the jsonb writer
 * (jsonb_writer.c) and note the envelope ("code", "error", data.mode,
 * data.summary; envelope.c) as it goes by.  When the caller wants text, the
 * same pass runs without building anything.
 *
 * The text is parsed as UTF-8, what SQLFlow sends, whatever the database
 * encoding, and each key and string is converted to the database encoding
 * as it becomes part of the jsonb value (see encoding.c).  PostgreSQL's
 * lexer decodes a \u escape straight into the database encoding (and
 * fails on a character it cannot hold), which would mix two encodings in
 * one string; so outside UTF8 databases the escapes of non-ASCII
 * characters are first rewritten as the UTF-8 characters they stand for,
 * an equivalent JSON text.  A string that encoding cannot hold is an error that
 * names its path in the document, or, for answers whose caller prefers it
 * (a job list), written with \uXXXX escapes.
 *
 * What it must not do: read an answer that streams in (stream_in.c does),
 * or use json-c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>


#include "common/jsonapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "compat.h"
#include "encoding.h"
#include "jsonb_io.h"
#include "jsonb_writer.h"

/* where the parser is: one element per open container */
typedef struct JsonbIoPlace
{
	const char *key;			/* current member name (objects) */
	int			index;			/* current element (arrays), -1 before */
	bool		is_array;
} JsonbIoPlace;

typedef struct JsonbIoState
{
	bool		build;
	bool		convert;		/* strings need converting to the database */
	SqlflowConvMode conv;
	int		   *escaped;
	const char *what;
	int			depth;			/* object/array nesting, 0 = top level */
	bool		top_is_object;
	JsonbIoPlace *place;		/* place[0 .. depth-1] */
	int			place_cap;
	SqlflowJsonbWriter *w;		/* the value being built */
	SqlflowEnvelope *env;
} JsonbIoState;

static void
jsonb_io_open(JsonbIoState *st, bool is_array)
{
	if (st->depth == st->place_cap)
	{
		st->place_cap = Max(16, st->place_cap * 2);
		st->place = st->place
			? repalloc(st->place, sizeof(JsonbIoPlace) * st->place_cap)
			: palloc(sizeof(JsonbIoPlace) * st->place_cap);
	}
	st->place[st->depth].key = NULL;
	st->place[st->depth].index = -1;
	st->place[st->depth].is_array = is_array;
	st->depth++;
}

/* the path to the current value, as data.sqlflow.dbobjs[3].name */
static char *
jsonb_io_path(JsonbIoState *st)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int d = 0; d < st->depth; d++)
	{
		if (st->place[d].is_array)
			appendStringInfo(&buf, "[%d]", st->place[d].index);
		else if (st->place[d].key)
			appendStringInfo(&buf, "%s%s", buf.len ? "." : "", st->place[d].key);
	}
	return buf.len ? buf.data : pstrdup("the top level");
}

/* a key or string as the database encoding has it */
static char *
jsonb_io_convert(JsonbIoState *st, char *s, size_t len, size_t *outlen,
				 bool is_key)
{
	size_t		bad;
	char	   *out;

	*outlen = len;
	if (!st->convert)
		return s;
	out = sqlflow_from_utf8_noerror(s, len, outlen, &bad);
	if (out == NULL)
	{
		if (st->conv == SQLFLOW_CONV_ESCAPE)
		{
			out = sqlflow_from_utf8_escaped(s, len, st->escaped);
			*outlen = strlen(out);
		}
		else
		{
			char	   *path = jsonb_io_path(st);

			sqlflow_untranslatable(st->what,
								   is_key
								   ? psprintf("The key \"%s\" in %s",
											  sqlflow_from_utf8_escaped(s, len, NULL), path)
								   : psprintf("The value of %s", path),
								   s, len, bad);
		}
	}
	if (out != s)
		pfree(s);
	return out;
}

static JsonActionResult
jsonb_io_object_start(void *arg)
{
	JsonbIoState *st = arg;

	if (st->depth == 0)
		st->top_is_object = true;
	jsonb_io_open(st, false);
	if (st->build)
		sqlflow_jbw_begin_object(st->w);
	JSON_ACTION_RETURN;
}

static void
jsonb_io_close(JsonbIoState *st)
{
	st->depth--;
	if (st->place[st->depth].key)
		pfree((char *) st->place[st->depth].key);
	if (st->build)
		sqlflow_jbw_end(st->w);
}

static JsonActionResult
jsonb_io_object_end(void *arg)
{
	jsonb_io_close((JsonbIoState *) arg);
	JSON_ACTION_RETURN;
}

static JsonActionResult
jsonb_io_array_start(void *arg)
{
	JsonbIoState *st = arg;

	jsonb_io_open(st, true);
	if (st->build)
		sqlflow_jbw_begin_array(st->w);
	JSON_ACTION_RETURN;
}

static JsonActionResult
jsonb_io_array_end(void *arg)
{
	jsonb_io_close((JsonbIoState *) arg);
	JSON_ACTION_RETURN;
}

static JsonActionResult
jsonb_io_array_element_start(void *arg, bool isnull)
{
	JsonbIoState *st = arg;

	st->place[st->depth - 1].index++;
	JSON_ACTION_RETURN;
}

static void
jsonb_io_check_len(size_t len)
{
	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string too long to represent as jsonb string"),
				 errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
						   JENTRY_OFFLENMASK)));
}

static JsonActionResult
jsonb_io_object_field_start(void *arg, char *fname, bool isnull)
{
	JsonbIoState *st = arg;
	JsonbIoPlace *place = &st->place[st->depth - 1];

	if (st->build)
	{
		size_t		len;

		fname = jsonb_io_convert(st, fname, strlen(fname), &len, true);
		jsonb_io_check_len(len);
		sqlflow_jbw_key(st->w, fname, len);
	}
	/* the key stays until the next one: paths and the envelope use it */
	if (place->key)
		pfree((char *) place->key);
	place->key = fname;
	JSON_ACTION_RETURN;
}

/* note the envelope's members: the token is still UTF-8 here */
static void
jsonb_io_note_envelope(JsonbIoState *st, const char *token, JsonTokenType type)
{
	const char *keys[3];

	if (st->depth < 1 || st->depth > 3)
		return;
	for (int d = 0; d < st->depth; d++)
		keys[d] = st->place[d].is_array ? NULL : st->place[d].key;
	sqlflow_envelope_note(st->env, sqlflow_envelope_field(st->depth, keys), token,
						  type == JSON_TOKEN_STRING, type == JSON_TOKEN_NUMBER,
						  CurrentMemoryContext);
}

static JsonActionResult
jsonb_io_scalar(void *arg, char *token, JsonTokenType type)
{
	JsonbIoState *st = arg;

	jsonb_io_note_envelope(st, token, type);
	if (!st->build)
	{
		if (token)
			pfree(token);
		JSON_ACTION_RETURN;
	}

	switch (type)
	{
		case JSON_TOKEN_STRING:
			{
				size_t		len;

				token = jsonb_io_convert(st, token, strlen(token), &len, false);
				jsonb_io_check_len(len);
				sqlflow_jbw_string(st->w, token, len);
			}
			break;
		case JSON_TOKEN_NUMBER:
			{
				Numeric		n;

				n = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(token),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
				sqlflow_jbw_numeric(st->w, n);
				pfree(n);
			}
			break;
		case JSON_TOKEN_TRUE:
			sqlflow_jbw_bool(st->w, true);
			break;
		case JSON_TOKEN_FALSE:
			sqlflow_jbw_bool(st->w, false);
			break;
		default:
			sqlflow_jbw_null(st->w);
			break;
	}
	if (token)
		pfree(token);
	JSON_ACTION_RETURN;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* the code unit of a \uXXXX escape at p (p[0] == '\\'), or -1 */
static int
escape_unit(const char *p, const char *end)
{
	int			v = 0;

	if (end - p < 6 || p[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++)
	{
		int			h = hexval(p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Rewrite the \u escapes of non-ASCII characters inside strings as UTF-8
 * (a surrogate pair as one character).  Escapes of ASCII characters,
 * broken escapes and lone surrogates stay as they are, for the lexer to
 * decode or reject.  Works in place when "in_place" (the text only
 * shrinks); else returns a copy if anything changed.  Returns json itself
 * when there was nothing to rewrite.
 */
static char *
jsonb_io_unescape_non_ascii(char *json, size_t *len, bool in_place)
{
	const char *end = json + *len;
	const char *p;
	char	   *out = NULL;
	char	   *o = NULL;
	bool		in_string = false;

	for (p = json; p < end; p++)
	{
		int			u;
		pg_wchar	c;
		int			n = 6;

		if (*p == '"')
			in_string = !in_string;
		if (!in_string || *p != '\\')
		{
			if (o)
				*o++ = *p;
			continue;
		}
		/* a backslash in a string: an escape, of a non-ASCII character? */
		u = escape_unit(p, end);
		c = (pg_wchar) u;
		if (u >= 0xD800 && u <= 0xDBFF)
		{
			int			lo = escape_unit(p + 6, end);

			if (p + 6 < end && p[6] == '\\' && lo >= 0xDC00 && lo <= 0xDFFF)
			{
				c = 0x10000 + (((pg_wchar) u - 0xD800) << 10) + ((pg_wchar) lo - 0xDC00);
				n = 12;
			}
			else
				u = -1;
		}
		else if (u >= 0xDC00 && u <= 0xDFFF)
			u = -1;
		if (u < 0x80)
		{
			/* keep the escape, and never read its second byte as a quote */
			if (o)
			{
				*o++ = p[0];
				if (p + 1 < end)
					*o++ = p[1];
			}
			p++;
			continue;
		}
		if (o == NULL)
		{
			size_t		done = p - json;

			out = in_place ? json : palloc(*len + 1);
			if (!in_place)
				memcpy(out, json, done);
			o = out + done;
		}
		o = (char *) unicode_to_utf8(c, (unsigned char *) o);
		o += pg_utf_mblen((unsigned char *) o);
		p += n - 1;
	}
	if (o == NULL)
		return json;
	*o = '\0';
	*len = o - out;
	return out;
}

/*
 * A document that is not JSON.  PostgreSQL's own detail for a bad token
 * quotes the token, which may be anything the server sent, a credential
 * echoed back included: for those kinds the detail says where, not what.
 */
static void
jsonb_io_parse_error(JsonParseErrorType rc, JsonLexContext *lex, const char *json,
					 const char *what)
{
	const char *detail;

	switch (rc)
	{
		case JSON_ESCAPING_INVALID:
		case JSON_EXPECTED_ARRAY_FIRST:
		case JSON_EXPECTED_ARRAY_NEXT:
		case JSON_EXPECTED_COLON:
		case JSON_EXPECTED_END:
		case JSON_EXPECTED_JSON:
		case JSON_EXPECTED_OBJECT_FIRST:
		case JSON_EXPECTED_OBJECT_NEXT:
		case JSON_EXPECTED_STRING:
		case JSON_INVALID_TOKEN:
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is not valid JSON", what),
					 errdetail("The token at byte %d (line %d) is not valid there.",
							   lex->token_start ? (int) (lex->token_start - json) : 0,
							   lex->line_number)));
			break;
		default:
			detail = json_errdetail(rc, lex);
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is not valid JSON", what),
					 errdetail("%s", sqlflow_from_utf8_escaped(detail, strlen(detail), NULL))));
	}
}

Jsonb *
sqlflow_parse_json(char *json, size_t len, bool build,
				   SqlflowConvMode conv, int *escaped,
				   SqlflowEnvelope *env, const char *what)
{
	JsonbIoState st;
	JsonSemAction sem;
	JsonLexContext *lex;
	JsonParseErrorType rc;

	if (len > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large to parse", what)));

	memset(env, 0, sizeof(SqlflowEnvelope));
	memset(&st, 0, sizeof(st));
	st.build = build;
	st.convert = build && !sqlflow_db_takes_utf8();
	st.conv = conv;
	st.escaped = escaped;
	st.what = what;
	st.env = env;
	if (build)
		st.w = sqlflow_jbw_create();

	memset(&sem, 0, sizeof(sem));
	sem.semstate = &st;
	sem.object_start = jsonb_io_object_start;
	sem.object_end = jsonb_io_object_end;
	sem.array_start = jsonb_io_array_start;
	sem.array_end = jsonb_io_array_end;
	sem.array_element_start = jsonb_io_array_element_start;
	sem.object_field_start = jsonb_io_object_field_start;
	sem.scalar = jsonb_io_scalar;

	/* SQLFlow's text is UTF-8, whatever the database: lex it as such */
	if (GetDatabaseEncoding() != PG_UTF8)
		json = jsonb_io_unescape_non_ascii(json, &len, build);
	lex = sqlflow_json_lexer(json, (int) len, PG_UTF8);
	rc = pg_parse_json(lex, &sem);
	if (rc != JSON_SUCCESS)
		jsonb_io_parse_error(rc, lex, json, what);
	if (!st.top_is_object)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not a JSON object", what)));

	return build ? sqlflow_jbw_finish(st.w) : NULL;
}
