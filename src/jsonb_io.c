/*-------------------------------------------------------------------------
 *
 * jsonb_io.c
 *	  One pass over a JSON export: validate it or build jsonb from it, and
 *	  pick up the envelope on the way.
 *
 * A JSON export can be hundreds of megabytes.  Parsing it once with json-c
 * to read "code" and again with jsonb_in to return it would double the
 * work, so we drive PostgreSQL's own JSON parser with semantic actions that
 * build the jsonb value directly (the way jsonb_in does internally) and
 * note the top-level "code" and "error" as they go by.  When the caller
 * wants text, the same pass runs without building anything: it only
 * validates and reads the envelope.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "jsonb_io.h"

typedef struct JsonbIoState
{
	bool		build;
	int			depth;			/* object/array nesting, 0 = top level */
	bool		top_is_object;
	const char *top_key;		/* member name being parsed at depth 1 */
	JsonbParseState *parse;
	JsonbValue *result;
	SqlflowEnvelope *env;
} JsonbIoState;

#if PG_VERSION_NUM >= 160000
#define JSON_ACTION_RETURN return JSON_SUCCESS
typedef JsonParseErrorType JsonActionResult;
#else
#define JSON_ACTION_RETURN return
typedef void JsonActionResult;
#endif

static void
jsonb_io_push(JsonbIoState *st, JsonbIteratorToken tok, JsonbValue *v)
{
	st->result = pushJsonbValue(&st->parse, tok, v);
}

static JsonActionResult
jsonb_io_object_start(void *arg)
{
	JsonbIoState *st = arg;

	if (st->depth == 0)
		st->top_is_object = true;
	st->depth++;
	if (st->build)
		jsonb_io_push(st, WJB_BEGIN_OBJECT, NULL);
	JSON_ACTION_RETURN;
}

static JsonActionResult
jsonb_io_object_end(void *arg)
{
	JsonbIoState *st = arg;

	st->depth--;
	if (st->build)
		jsonb_io_push(st, WJB_END_OBJECT, NULL);
	JSON_ACTION_RETURN;
}

static JsonActionResult
jsonb_io_array_start(void *arg)
{
	JsonbIoState *st = arg;

	st->depth++;
	if (st->build)
		jsonb_io_push(st, WJB_BEGIN_ARRAY, NULL);
	JSON_ACTION_RETURN;
}

static JsonActionResult
jsonb_io_array_end(void *arg)
{
	JsonbIoState *st = arg;

	st->depth--;
	if (st->build)
		jsonb_io_push(st, WJB_END_ARRAY, NULL);
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

	if (st->depth == 1)
	{
		if (!st->build && st->top_key)
			pfree((char *) st->top_key);
		st->top_key = fname;
	}
	if (st->build)
	{
		JsonbValue	v;

		jsonb_io_check_len(strlen(fname));
		v.type = jbvString;
		v.val.string.len = strlen(fname);
		v.val.string.val = fname;
		jsonb_io_push(st, WJB_KEY, &v);
	}
	else if (st->depth != 1)
		pfree(fname);			/* validating only: keep memory flat */
	JSON_ACTION_RETURN;
}

/* the envelope's "code" is a number, except where it is a numeric string */
static void
jsonb_io_note_envelope(JsonbIoState *st, const char *token, JsonTokenType type)
{
	if (st->depth != 1 || st->top_key == NULL)
		return;
	if (strcmp(st->top_key, "code") == 0 &&
		(type == JSON_TOKEN_NUMBER || type == JSON_TOKEN_STRING))
	{
		char	   *endp;
		long		v;

		errno = 0;
		v = strtol(token, &endp, 10);
		if (errno == 0 && endp != token && *endp == '\0' &&
			v >= INT_MIN && v <= INT_MAX)
		{
			st->env->has_code = true;
			st->env->code = (int) v;
		}
	}
	else if (strcmp(st->top_key, "error") == 0 && type == JSON_TOKEN_STRING)
		st->env->error = pstrdup(token);
}

static JsonActionResult
jsonb_io_scalar(void *arg, char *token, JsonTokenType type)
{
	JsonbIoState *st = arg;
	JsonbValue	v;

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
			jsonb_io_check_len(strlen(token));
			v.type = jbvString;
			v.val.string.len = strlen(token);
			v.val.string.val = token;
			break;
		case JSON_TOKEN_NUMBER:
			v.type = jbvNumeric;
			v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																CStringGetDatum(token),
																ObjectIdGetDatum(InvalidOid),
																Int32GetDatum(-1)));
			break;
		case JSON_TOKEN_TRUE:
			v.type = jbvBool;
			v.val.boolean = true;
			break;
		case JSON_TOKEN_FALSE:
			v.type = jbvBool;
			v.val.boolean = false;
			break;
		default:
			v.type = jbvNull;
			break;
	}

	if (st->parse == NULL)
	{
		/* a scalar document is stored as a one-element raw-scalar array */
		JsonbValue	va;

		va.type = jbvArray;
		va.val.array.rawScalar = true;
		va.val.array.nElems = 1;
		jsonb_io_push(st, WJB_BEGIN_ARRAY, &va);
		jsonb_io_push(st, WJB_ELEM, &v);
		jsonb_io_push(st, WJB_END_ARRAY, NULL);
	}
	else if (st->parse->contVal.type == jbvArray)
		jsonb_io_push(st, WJB_ELEM, &v);
	else
		jsonb_io_push(st, WJB_VALUE, &v);
	JSON_ACTION_RETURN;
}

Jsonb *
sqlflow_parse_json(char *json, size_t len, bool build,
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
	st.env = env;

	memset(&sem, 0, sizeof(sem));
	sem.semstate = &st;
	sem.object_start = jsonb_io_object_start;
	sem.object_end = jsonb_io_object_end;
	sem.array_start = jsonb_io_array_start;
	sem.array_end = jsonb_io_array_end;
	sem.object_field_start = jsonb_io_object_field_start;
	sem.scalar = jsonb_io_scalar;

#if PG_VERSION_NUM >= 170000
	lex = makeJsonLexContextCstringLen(NULL, json, (int) len, GetDatabaseEncoding(), true);
#else
	lex = makeJsonLexContextCstringLen(json, (int) len, GetDatabaseEncoding(), true);
#endif
	rc = pg_parse_json(lex, &sem);
	if (rc != JSON_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not valid JSON", what),
				 errdetail("%s", json_errdetail(rc, lex))));
	if (!st.top_is_object)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not a JSON object", what)));

	return build ? JsonbValueToJsonb(st.result) : NULL;
}
