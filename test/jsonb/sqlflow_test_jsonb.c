/*-------------------------------------------------------------------------
 *
 * sqlflow_test_jsonb.c
 *	  Test-only module: a differential fuzzer of the extension's JSON to
 *	  jsonb path (src/jsonb_io.c driving src/jsonb_writer.c) against
 *	  PostgreSQL's own jsonb_in.  Built by test/run, never installed.
 *
 * Two paths are checked: the streamed one sqlflow_export_json takes
 * (src/stream_in.c: the streaming reader, fed in chunks of random sizes,
 * handing tokens to the jsonb sink of src/jsonb_stream.c, which drives the
 * writer), and the one-piece parse small answers take
 * (src/jsonb_io.c: PostgreSQL's parser driving the writer).
 *
 * sqlflow_fuzz_jsonb(seed, runs) generates "runs" JSON texts from a seeded
 * generator (objects with duplicate keys, keys that differ only in their
 * spelling or length, arrays and objects past the JEntry offset stride,
 * deep nesting, numbers big and small, every escape, surrogate pairs,
 * characters of every UTF-8 length, empty containers, stray whitespace),
 * a tenth of them then mutated byte by byte into mostly invalid JSON.
 * Each text goes through both; they agree when both fail, or both give
 * the very same jsonb bytes.  (The extension accepts only an object at the
 * top level; a text jsonb_in reads as anything else must fail there.)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "jsonb_io.h"
#include "jsonb_stream.h"

PG_MODULE_MAGIC;

typedef struct FuzzGen
{
	uint64		s;
	StringInfoData buf;
	int			budget;			/* values left to generate */
} FuzzGen;

static uint64
fuzz_next(FuzzGen *g)
{
	/* xorshift64* */
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * UINT64CONST(2685821657736338717);
}

static int
fuzz_below(FuzzGen *g, int n)
{
	return (int) (fuzz_next(g) % (uint64) n);
}

static void
fuzz_space(FuzzGen *g)
{
	static const char ws[] = " \t\n\r";

	if (fuzz_below(g, 8) == 0)
	{
		int			n = 1 + fuzz_below(g, 3);

		while (n-- > 0)
			appendStringInfoChar(&g->buf, ws[fuzz_below(g, 4)]);
	}
}

/* one character of a string, raw or escaped */
static void
fuzz_char(FuzzGen *g)
{
	static const char *const pieces[] = {
		"a", "b", "Z", "0", " ", "_", "-", "\\n", "\\t", "\\\"", "\\\\", "\\/",
		"\\b", "\\f", "\\r", "\\u0041", "\\u00e9", "\\u00E9", "\u00e9", "\u00df",
		"\u4e2d", "\\u4e2d", "\U0001F600", "\\ud83d\\ude00", "\\uD83D\\uDE00",
		"\\u007f", "\\u0080", "\\u07ff", "\\u0800", "\\uffff", "\\uFFFD",
		"\\u001f", "\\u0001", "'", "\\u0022", "\\u005c", ":", ",", "{", "]"
	};
	int			r = fuzz_below(g, 20000);

	if (r == 0)
		appendStringInfoString(&g->buf, "\\u0000");	/* jsonb refuses it */
	else if (r == 1)
		appendStringInfoString(&g->buf, "\\ud800");	/* a lone surrogate */
	else if (r == 2)
		appendStringInfoString(&g->buf, "\\udc00x");
	else if (r == 3)
		appendStringInfoString(&g->buf, "\\x");	/* not an escape */
	else if (r < 400)
		appendStringInfo(&g->buf, "\\u%04x", 0x20 + fuzz_below(g, 0xD7FF - 0x20));
	else
		appendStringInfoString(&g->buf, pieces[fuzz_below(g, lengthof(pieces))]);
}

static void
fuzz_string_body(FuzzGen *g, int maxlen)
{
	int			n = fuzz_below(g, maxlen + 1);

	appendStringInfoChar(&g->buf, '"');
	for (int i = 0; i < n; i++)
		fuzz_char(g);
	appendStringInfoChar(&g->buf, '"');
}

/* keys from a small pool, so that objects repeat and reorder them */
static void
fuzz_key(FuzzGen *g)
{
	static const char *const keys[] = {
		"\"\"", "\"a\"", "\"b\"", "\"ab\"", "\"ba\"", "\"aa\"", "\"id\"",
		"\"name\"", "\"code\"", "\"data\"", "\"\u00e9\"", "\"\\u00e9\"",
		"\"e\"", "\"\\u0061\"", "\"A\"", "\"\u4e2d\"", "\"\\ud83d\\ude00\"",
		"\"sqlflow\"", "\"relationships\"", "\"a b\"", "\"\\n\""
	};

	if (fuzz_below(g, 4) == 0)
		appendStringInfo(&g->buf, "\"k%d\"", fuzz_below(g, 50));
	else if (fuzz_below(g, 10) == 0)
		fuzz_string_body(g, 6);
	else
		appendStringInfoString(&g->buf, keys[fuzz_below(g, lengthof(keys))]);
}

static void
fuzz_number(FuzzGen *g)
{
	static const char *const nums[] = {
		"0", "-0", "1", "-1", "42", "3.14", "-2.50", "1.000", "0.0", "-0.0",
		"1e5", "1E5", "1e+5", "1e-5", "2.5E-3", "-7e0", "0e0", "0.000001",
		"123456789012345678901234567890", "-99999999999999999999.99999",
		"1e300", "1e-300", "1e1000", "1e-1000", "9007199254740993",
		"18446744073709551616", "1.7976931348623157e308", "5e-324",
		"100000000000000000000000000000000000000000000000000000",
		"0.1234567890123456789012345678901234567890"
	};
	int			r = fuzz_below(g, 10);

	if (r < 5)
		appendStringInfoString(&g->buf, nums[fuzz_below(g, lengthof(nums))]);
	else if (r < 8)
		appendStringInfo(&g->buf, "%d", (int) (fuzz_next(g) >> 33) - (1 << 30));
	else if (r < 9)
	{
		/* random digits, a fraction, an exponent */
		if (fuzz_below(g, 2))
			appendStringInfoChar(&g->buf, '-');
		appendStringInfoChar(&g->buf, '1' + fuzz_below(g, 9));
		for (int i = fuzz_below(g, 40); i > 0; i--)
			appendStringInfoChar(&g->buf, '0' + fuzz_below(g, 10));
		if (fuzz_below(g, 2))
		{
			appendStringInfoChar(&g->buf, '.');
			for (int i = 1 + fuzz_below(g, 30); i > 0; i--)
				appendStringInfoChar(&g->buf, '0' + fuzz_below(g, 10));
		}
		if (fuzz_below(g, 3) == 0)
			appendStringInfo(&g->buf, "e%s%d", fuzz_below(g, 2) ? "-" : "",
							 fuzz_below(g, 400));
	}
	else
		appendStringInfo(&g->buf, "%d.%de%d", fuzz_below(g, 10), fuzz_below(g, 1000),
						 fuzz_below(g, 2000) - 1000);
}

static int
fuzz_count(FuzzGen *g)
{
	int			r = fuzz_below(g, 100);

	if (r < 15)
		return 0;
	if (r < 75)
		return 1 + fuzz_below(g, 5);
	if (r < 95)
		return 6 + fuzz_below(g, 30);
	return 30 + fuzz_below(g, 50);	/* past JB_OFFSET_STRIDE */
}

static void fuzz_value(FuzzGen *g, int depth);

static void
fuzz_object(FuzzGen *g, int depth)
{
	int			n = fuzz_count(g);

	appendStringInfoChar(&g->buf, '{');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&g->buf, ',');
		fuzz_space(g);
		fuzz_key(g);
		fuzz_space(g);
		appendStringInfoChar(&g->buf, ':');
		fuzz_space(g);
		fuzz_value(g, depth + 1);
		fuzz_space(g);
	}
	appendStringInfoChar(&g->buf, '}');
}

static void
fuzz_array(FuzzGen *g, int depth)
{
	int			n = fuzz_count(g);

	appendStringInfoChar(&g->buf, '[');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&g->buf, ',');
		fuzz_space(g);
		fuzz_value(g, depth + 1);
		fuzz_space(g);
	}
	appendStringInfoChar(&g->buf, ']');
}

static void
fuzz_value(FuzzGen *g, int depth)
{
	int			r = fuzz_below(g, 100);

	g->budget--;
	if (r == 0 && depth < 3)
	{
		/* a deep chain of containers */
		int			n = 20 + fuzz_below(g, 300);

		for (int i = 0; i < n; i++)
			appendStringInfoString(&g->buf, (i % 3) ? "[" : "{\"d\":");
		fuzz_value(g, 1000);
		for (int i = n - 1; i >= 0; i--)
			appendStringInfoChar(&g->buf, (i % 3) ? ']' : '}');
		return;
	}
	if (g->budget > 0 && depth < 12 && r < 22)
		fuzz_object(g, depth);
	else if (g->budget > 0 && depth < 12 && r < 40)
		fuzz_array(g, depth);
	else if (r < 65)
		fuzz_string_body(g, 12);
	else if (r < 88)
		fuzz_number(g);
	else if (r < 92)
		appendStringInfoString(&g->buf, "true");
	else if (r < 96)
		appendStringInfoString(&g->buf, "false");
	else
		appendStringInfoString(&g->buf, "null");
}

/* a few byte edits on ASCII bytes only, so the text stays UTF-8 */
static void
fuzz_mutate(FuzzGen *g)
{
	static const char bytes[] = "{}[],:\"\\ 0123456789eE.-+tfnu\x01x";
	int			edits = 1 + fuzz_below(g, 3);

	for (int e = 0; e < edits && g->buf.len > 0; e++)
	{
		int			pos = fuzz_below(g, g->buf.len);
		int			kind = fuzz_below(g, 3);

		if ((unsigned char) g->buf.data[pos] >= 0x80)
			continue;
		if (kind == 0)
			g->buf.data[pos] = bytes[fuzz_below(g, sizeof(bytes) - 1)];
		else if (kind == 1)
		{
			memmove(g->buf.data + pos, g->buf.data + pos + 1, g->buf.len - pos);
			g->buf.len--;
		}
		else
		{
			enlargeStringInfo(&g->buf, 1);
			memmove(g->buf.data + pos + 1, g->buf.data + pos, g->buf.len - pos + 1);
			g->buf.data[pos] = bytes[fuzz_below(g, sizeof(bytes) - 1)];
			g->buf.len++;
		}
	}
}

/* run one parser in a subtransaction; NULL if it raised an error */
typedef Jsonb *(*FuzzParser) (const char *doc, int len);

static Jsonb *
fuzz_ours(const char *doc, int len)
{
	SqlflowEnvelope env;
	char	   *copy = pnstrdup(doc, len);

	return sqlflow_parse_json(copy, len, true, SQLFLOW_CONV_STRICT, NULL, &env,
							  "the fuzz document");
}

/* the chunk sizes of the next streamed parse */
static uint64 fuzz_chunk_seed;

static Jsonb *
fuzz_streamed(const char *doc, int len)
{
	JsonbSink  *js = jsonb_sink_create("the fuzz document", SQLFLOW_CONV_STRICT);
	HttpSink   *sink = jsonb_sink_http(js);
	SqlflowEnvelope env;
	uint64		s = fuzz_chunk_seed;
	int			off = 0;

	while (off < len)
	{
		int			n;

		s = s * UINT64CONST(6364136223846793005) + 1;
		n = ((s >> 33) % 4 == 0) ? len - off : 1 + (int) ((s >> 40) % 64);
		n = Min(n, len - off);
		if (!sink->write(sink, doc + off, n))
			elog(ERROR, "the sink refused the data");
		sink->drain(sink, false);
		off += n;
	}
	sink->drain(sink, true);
	jsonb_sink_envelope(js, &env);
	return jsonb_sink_result(js, NULL);
}

static Jsonb *
fuzz_theirs(const char *doc, int len)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(doc)));
}

static Jsonb *
fuzz_try(FuzzParser parser, const char *doc, int len, MemoryContext cxt)
{
	ResourceOwner owner = CurrentResourceOwner;
	Jsonb	   *volatile result = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		result = parser(doc, len);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		result = NULL;
	}
	PG_END_TRY();
	return result;
}

/* NULL if they agree, else how they differ */
static const char *
fuzz_compare(Jsonb *ours, Jsonb *theirs, const char *path)
{
	if (theirs == NULL)
		return ours == NULL ? NULL : psprintf("%s: only jsonb_in failed", path);
	if (!JB_ROOT_IS_OBJECT(theirs) || JB_ROOT_IS_SCALAR(theirs))
		return ours == NULL ? NULL : psprintf("%s: a non-object document was accepted", path);
	if (ours == NULL)
		return psprintf("%s: only the extension failed", path);
	if (VARSIZE(ours) != VARSIZE(theirs) || memcmp(ours, theirs, VARSIZE(ours)) != 0)
		return psprintf("%s: different jsonb bytes", path);
	return NULL;
}

PG_FUNCTION_INFO_V1(sqlflow_fuzz_jsonb);

/*
 * sqlflow_fuzz_jsonb(seed bigint, runs bigint)
 *	 -> (executions, both_valid, both_invalid, differences, first_difference)
 */
Datum
sqlflow_fuzz_jsonb(PG_FUNCTION_ARGS)
{
	uint64		seed = (uint64) PG_GETARG_INT64(0);
	int64		runs = PG_GETARG_INT64(1);
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext cxt;
	FuzzGen		g;
	int64		both_valid = 0;
	int64		both_invalid = 0;
	int64		differences = 0;
	int64		i;
	char	   *first = NULL;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the jsonb fuzzer runs in UTF8 databases only")));

	cxt = AllocSetContextCreate(CurrentMemoryContext, "jsonb fuzz",
								ALLOCSET_DEFAULT_SIZES);
	g.s = seed * UINT64CONST(0x9E3779B97F4A7C15) + 1;
	for (i = 0; i < runs; i++)
	{
		Jsonb	   *ours;
		Jsonb	   *theirs;
		const char *why = NULL;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(cxt);
		MemoryContextSwitchTo(cxt);
		initStringInfo(&g.buf);
		g.budget = 1 + fuzz_below(&g, 200);
		fuzz_space(&g);
		if (fuzz_below(&g, 20) == 0)
			fuzz_value(&g, 0);	/* mostly not an object */
		else
			fuzz_object(&g, 0);
		fuzz_space(&g);
		if (fuzz_below(&g, 10) == 0)
			fuzz_mutate(&g);

		fuzz_chunk_seed = fuzz_next(&g);
		theirs = fuzz_try(fuzz_theirs, g.buf.data, g.buf.len, cxt);
		ours = fuzz_try(fuzz_streamed, g.buf.data, g.buf.len, cxt);
		why = fuzz_compare(ours, theirs, "streamed");
		if (why == NULL)
		{
			ours = fuzz_try(fuzz_ours, g.buf.data, g.buf.len, cxt);
			why = fuzz_compare(ours, theirs, "parsed whole");
		}
		if (why == NULL)
		{
			if (ours != NULL)
				both_valid++;
			else
				both_invalid++;
		}

		if (why)
		{
			differences++;
			if (first == NULL)
			{
				MemoryContextSwitchTo(outer);
				first = psprintf("%s: %.2000s", why, g.buf.data);
			}
		}
		MemoryContextSwitchTo(outer);
	}
	MemoryContextDelete(cxt);

	values[0] = Int64GetDatum(runs);
	values[1] = Int64GetDatum(both_valid);
	values[2] = Int64GetDatum(both_invalid);
	values[3] = Int64GetDatum(differences);
	if (first)
		values[4] = CStringGetTextDatum(first);
	else
		nulls[4] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}
