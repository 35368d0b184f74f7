/*
 * jstream_test: unit tests of the incremental JSON reader (src/jsonstream.c).
 *
 * Every case is parsed whole, byte by byte, in every two-chunk split and
 * in a few random chunkings; all must give the same events (or the same
 * error at the same offset).  Prints "ok N - name" / "not ok N - name" and
 * a last line "N passed, N failed"; exits non-zero if anything failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstream.h"

static int	passed;
static int	failed;

/* a growing string */
typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_add(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		if (b->data == NULL)
			abort();
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
buf_str(Buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static const char *const token_names[] = {
	"{", "}", "[", "]", "key", "str", "num", "true", "false", "null"
};

/*
 * Events as lines "name@offset/depth" with the data after a space for
 * keys, strings and numbers; then "eof" or "error@offset: message".
 */
/*
 * 1: drain skips every container that is a member of the top-level one;
 * 2: drain skips the value of every member of the top-level object;
 * 3: drain reads every object with jstream_reader_members (keys "a" and
 * "bb", at most 3), and where that gives -1, member by member with the
 * other keys' values skipped; a wanted member is one line either way
 */
static int	skip_members;
static int	pending_member = -1;

static const char *const wanted_keys[2] = {"a", "bb"};
static const size_t wanted_lens[2] = {1, 2};

static void
member_line(Buf *out, int key, const JStreamEvent *ev)
{
	char		tmp[160];

	snprintf(tmp, sizeof(tmp), "member %d %s@%llu/%d", key, token_names[ev->token],
			 ev->offset, ev->depth);
	buf_str(out, tmp);
	if (ev->token == JS_STRING)
	{
		buf_str(out, " ");
		buf_add(out, ev->data, ev->len);
		if (strlen(ev->data) != ev->len)
			buf_str(out, "<len mismatch>");
	}
	else if (ev->data != NULL || ev->len != 0)
		buf_str(out, "<data on a word>");
	buf_str(out, "\n");
}

/* mode 3: true if the event is taken care of */
static int
drain_members(JStreamReader *r, const JStreamEvent *ev, Buf *out)
{
	int			key = pending_member;
	char		tmp[64];

	pending_member = -1;
	if (ev->token == JS_KEY)
	{
		for (int k = 0; k < 2; k++)
			if (ev->len == wanted_lens[k] && memcmp(ev->data, wanted_keys[k], ev->len) == 0)
				pending_member = k;
		if (pending_member < 0)
			jstream_reader_skip_value(r);
		return 1;
	}
	if (key >= 0 && (ev->token == JS_STRING || ev->token == JS_TRUE ||
					 ev->token == JS_FALSE || ev->token == JS_NULL))
	{
		member_line(out, key, ev);
		return 1;
	}
	if (ev->token == JS_OBJECT_END)
	{
		snprintf(tmp, sizeof(tmp), "}/%d\n", ev->depth);
		buf_str(out, tmp);
		return 1;
	}
	return 0;
}

static int
drain(JStreamReader *r, Buf *out)
{
	JStreamEvent ev;
	JStreamResult res;
	char		tmp[160];

	while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
	{
		if (skip_members == 3 && drain_members(r, &ev, out))
			continue;
		snprintf(tmp, sizeof(tmp), "%s@%llu/%d", token_names[ev.token],
				 ev.offset, ev.depth);
		buf_str(out, tmp);
		if (skip_members == 1 && ev.depth == 1 &&
			(ev.token == JS_OBJECT_START || ev.token == JS_ARRAY_START))
			jstream_reader_skip(r);
		if (skip_members == 2 && ev.depth == 1 && ev.token == JS_KEY)
			jstream_reader_skip_value(r);
		if (ev.token == JS_KEY || ev.token == JS_STRING || ev.token == JS_NUMBER)
		{
			buf_str(out, " ");
			buf_add(out, ev.data, ev.len);
			if (strlen(ev.data) != ev.len)
				buf_str(out, "<len mismatch>");
		}
		else if (ev.data != NULL || ev.len != 0)
			buf_str(out, "<data on a structural token>");
		buf_str(out, "\n");
		if (skip_members == 3 && ev.token == JS_OBJECT_START)
		{
			JStreamMember m[8];
			int			n = jstream_reader_members(r, wanted_keys, wanted_lens, 2, m, 3);

			if (n > 3)
				buf_str(out, "<more members than asked for>\n");
			for (int i = 0; i < n; i++)
				member_line(out, m[i].key, &m[i].value);
			if (n >= 0)
			{
				snprintf(tmp, sizeof(tmp), "}/%d\n", ev.depth);
				buf_str(out, tmp);
			}
		}
	}
	if (res == JS_ERROR)
	{
		snprintf(tmp, sizeof(tmp), "error@%llu: %s\n",
				 jstream_reader_error_offset(r), jstream_reader_error(r));
		buf_str(out, tmp);
		return 1;
	}
	if (res == JS_EOF)
	{
		buf_str(out, "eof\n");
		return 1;
	}
	return 0;
}

static unsigned long long rng_state;

static size_t
rng(size_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (size_t) ((rng_state >> 33) % n);
}

/*
 * Parse input fed in pieces: step 0 = two chunks split at "split", step
 * (size_t) -1 = random sizes from 1 to 64, else chunks of "step" bytes.
 */
static char *
parse_with(const char *in, size_t len, size_t split, size_t step,
		   size_t max_token, int max_depth)
{
	JStreamReader *r = jstream_reader_create(NULL);
	Buf			out = {0};
	int			done = 0;
	size_t		off = 0;

	if (r == NULL)
		abort();
	pending_member = -1;
	if (max_token)
		jstream_reader_set_max_token(r, max_token);
	if (max_depth)
		jstream_reader_set_max_depth(r, max_depth);
	buf_str(&out, "");
	while (off < len && !done)
	{
		size_t		n;

		if (step == (size_t) -1)
			n = 1 + rng(64);
		else if (step)
			n = step;
		else
			n = off < split ? split - off : len - off;
		if (off + n > len)
			n = len - off;
		if (jstream_reader_feed(r, in + off, n) != 0)
		{
			buf_str(&out, "feed failed\n");
			break;
		}
		off += n;
		done = drain(r, &out);
	}
	jstream_reader_finish(r);
	if (!done)
		drain(r, &out);
	/* the end is sticky */
	{
		JStreamEvent ev;
		JStreamResult res = jstream_reader_next(r, &ev);

		if (res != JS_EOF && res != JS_ERROR)
			buf_str(&out, "end not sticky\n");
	}
	jstream_reader_destroy(r);
	return out.data;
}

static char *
parse(const char *in, size_t len, size_t split, size_t step)
{
	return parse_with(in, len, split, step, 0, 0);
}

/* a test name on one printable line */
static void
printable(char *name)
{
	for (char *c = name; *c; c++)
		if ((unsigned char) *c < 0x20 || (unsigned char) *c >= 0x7F)
			*c = '?';
}

static void
report(int ok, const char *name)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", passed + failed, name);
}

/* the depth of an event line "name@offset/depth...", -1 if it is none */
static int
line_depth(const char *line)
{
	for (size_t t = 0; t < sizeof(token_names) / sizeof(token_names[0]); t++)
	{
		size_t		n = strlen(token_names[t]);
		unsigned long long off;
		int			depth;
		int			used;

		if (strncmp(line, token_names[t], n) == 0 && line[n] == '@' &&
			sscanf(line + n, "@%llu/%d%n", &off, &depth, &used) == 2 &&
			(line[n + used] == ' ' || line[n + used] == '\n'))
			return depth;
	}
	return -1;
}

/*
 * What skipping the top-level container's member containers must give:
 * the events without those inside them (depth 2 and deeper); error and
 * eof lines as they are.  A line that is no event line (a string with a
 * newline in it) goes with the line before.
 */
static char *
without_inner(const char *whole, int mode)
{
	Buf			out = {0};
	int			keep = 1;
	int			object = strncmp(whole, "{@0/0", 5) == 0;

	buf_str(&out, "");
	for (const char *line = whole; *line;)
	{
		const char *nl = strchr(line, '\n');
		size_t		n = nl ? (size_t) (nl - line) + 1 : strlen(line);
		int			depth = line_depth(line);

		if (depth >= 0 && mode == 1)
			keep = depth < 2;
		else if (depth >= 0)
			/* the members' values go: only the document's brackets and keys stay */
			keep = !object || depth == 0 || (depth == 1 && strncmp(line, "key@", 4) == 0);
		else if (strncmp(line, "error@", 6) == 0 || strncmp(line, "eof\n", 4) == 0)
			keep = 1;
		if (keep)
			buf_add(&out, line, n);
		line += n;
	}
	return out.data;
}

/*
 * Skipping: whole, byte by byte and in random chunks, the events outside
 * the skipped containers and the same end (the same error at the same
 * byte) as reading everything.
 */
static int
same_when_skipping(const char *name, const char *in, size_t len, const char *whole)
{
	int			ok = 1;

	for (int mode = 1; mode <= 2 && ok; mode++)
	{
		char	   *expected = without_inner(whole, mode);

		skip_members = mode;
		for (int way = 0; way < 5 && ok; way++)
		{
			char	   *part;

			rng_state = way + 11;
			part = way == 0 ? parse(in, len, len, 0)
				: way == 1 ? parse(in, len, 0, 1)
				: parse(in, len, 0, (size_t) -1);
			if (strcmp(part, expected) != 0)
			{
				fprintf(stderr, "# %s: skipping (mode %d, way %d) gives\n%s# instead of\n%s",
						name, mode, way, part, expected);
				ok = 0;
			}
			free(part);
		}
		skip_members = 0;
		free(expected);
	}

	/*
	 * Objects read whole (mode 3): whole, where they mostly lie whole in the
	 * buffer, as byte by byte, where they never do, and in random chunks;
	 * and the same end as reading everything
	 */
	skip_members = 3;
	{
		char	   *ref = parse(in, len, len, 0);
		const char *end_whole = strrchr(whole, '\n');
		const char *end_ref = strrchr(ref, '\n');

		while (end_whole > whole && end_whole[-1] != '\n')
			end_whole--;
		while (end_ref > ref && end_ref[-1] != '\n')
			end_ref--;
		if (ok && strcmp(end_whole, end_ref) != 0)
		{
			fprintf(stderr, "# %s: reading objects whole ends with %s# instead of %s",
					name, end_ref, end_whole);
			ok = 0;
		}
		for (int way = 1; way < 5 && ok; way++)
		{
			char	   *part;

			rng_state = way + 11;
			part = way == 1 ? parse(in, len, 0, 1) : parse(in, len, 0, (size_t) -1);
			if (strcmp(part, ref) != 0)
			{
				fprintf(stderr, "# %s: reading objects whole (way %d) gives\n%s# instead of\n%s",
						name, way, part, ref);
				ok = 0;
			}
			free(part);
		}
		free(ref);
	}
	skip_members = 0;
	return ok;
}

/* the result of every way of feeding must equal the whole one */
static int
same_when_split(const char *name, const char *in, size_t len, const char *whole)
{
	char	   *part;

	if (!same_when_skipping(name, in, len, whole))
		return 0;

	for (size_t split = 1; split < len; split++)
	{
		part = parse(in, len, split, 0);
		if (strcmp(part, whole) != 0)
		{
			fprintf(stderr, "# %s: split at %zu gives\n%s", name, split, part);
			free(part);
			return 0;
		}
		free(part);
	}
	part = parse(in, len, 0, 1);
	if (strcmp(part, whole) != 0)
	{
		fprintf(stderr, "# %s: byte by byte gives\n%s", name, part);
		free(part);
		return 0;
	}
	free(part);
	for (int i = 0; i < 3; i++)
	{
		rng_state = i + 1;
		part = parse(in, len, 0, (size_t) -1);
		if (strcmp(part, whole) != 0)
		{
			fprintf(stderr, "# %s: random chunks give\n%s", name, part);
			free(part);
			return 0;
		}
		free(part);
	}
	return 1;
}

/* the case, whole and in every split, must give "expected" */
static void
check(const char *name, const char *in, size_t len, const char *expected)
{
	char	   *whole = parse(in, len, len, 0);
	int			ok = strcmp(whole, expected) == 0;

	if (!ok)
		fprintf(stderr, "# %s: expected\n%s# got\n%s", name, expected, whole);
	ok = ok && same_when_split(name, in, len, whole);
	free(whole);
	report(ok, name);
}

#define CHECK(name, in, expected) check(name, in, sizeof(in) - 1, expected)

/* accepted: the result ends in eof */
static void
accept_len(const char *in, size_t len)
{
	char	   *whole = parse(in, len, len, 0);
	size_t		n = strlen(whole);
	int			ok = n >= 4 && strcmp(whole + n - 4, "eof\n") == 0;
	char		name[200];

	snprintf(name, sizeof(name), "accepts %.*s", (int) (len > 60 ? 60 : len), in);
	printable(name);
	if (!ok)
		fprintf(stderr, "# %s: got\n%s", name, whole);
	ok = ok && same_when_split(name, in, len, whole);
	free(whole);
	report(ok, name);
}

#define ACCEPT(in) accept_len(in, sizeof(in) - 1)

/* rejected with this message at this offset */
static void
reject_len(const char *in, size_t len, const char *msg, unsigned long long offset)
{
	char	   *whole = parse(in, len, len, 0);
	char		expected[200];
	char		name[200];
	const char *last;
	int			ok;

	snprintf(expected, sizeof(expected), "error@%llu: %s\n", offset, msg);
	last = whole + strlen(whole);
	while (last > whole && last[-1] == '\n')
		last--;
	while (last > whole && last[-1] != '\n')
		last--;
	ok = strcmp(last, expected) == 0;
	snprintf(name, sizeof(name), "rejects %.*s", (int) (len > 60 ? 60 : len), in);
	printable(name);
	if (!ok)
		fprintf(stderr, "# %s: expected %s# got\n%s", name, expected, whole);
	ok = ok && same_when_split(name, in, len, whole);
	free(whole);
	report(ok, name);
}

#define REJECT(in, msg, offset) reject_len(in, sizeof(in) - 1, msg, offset)

static void
test_accept_reject(void)
{
	/* values and whitespace */
	ACCEPT("1");
	ACCEPT("0");
	ACCEPT("-0");
	ACCEPT("-1");
	ACCEPT("1.5");
	ACCEPT("-1.5e10");
	ACCEPT("0.0");
	ACCEPT("0e0");
	ACCEPT("0E+1");
	ACCEPT("1e-5");
	ACCEPT("1E+5");
	ACCEPT("123456789012345678901234567890.123456789e-300");
	ACCEPT("true");
	ACCEPT("false");
	ACCEPT("null");
	ACCEPT("\"\"");
	ACCEPT("[]");
	ACCEPT("{}");
	ACCEPT(" \t\n\r[ \t\n\r] \t\n\r");
	ACCEPT("[1,2,3]");
	ACCEPT("[true,false,null]");
	ACCEPT("[[],{},[[]],{\"a\":[]}]");
	ACCEPT("{\"a\":{\"b\":[1,{\"c\":null}]}}");
	ACCEPT("{\"a\":1,\"a\":2}");
	ACCEPT("{ \"a\" : 1 , \"b\" : [ 1 , 2 ] }");
	ACCEPT("1 ");
	ACCEPT("[1]\n");
	ACCEPT("[-1,0,1e5,-0.5E-3]");
	ACCEPT("{\"\":\"\"}");
	ACCEPT("[1,true]");
	ACCEPT("[\"a\"]");

	/* strings, escapes, UTF-8 */
	ACCEPT("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"");
	ACCEPT("\"\\u0041\\u00e9\\u00E9\\u20AC\\uffff\"");
	ACCEPT("\"\\ud83d\\ude00\"");
	ACCEPT("\"\\uDBFF\\uDFFF\"");
	ACCEPT("\"\\u0001\"");
	ACCEPT("\"Stra\xC3\x9F" "e \xE8\xA1\xA8 \xF0\x9F\x98\x80\"");
	ACCEPT("\"\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF\"");
	ACCEPT("\"\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF\"");
	ACCEPT("\"\x7F\"");
	ACCEPT("\"'\"");

	/* empty input, several values, trailing text */
	REJECT("", "unexpected end of input", 0);
	REJECT("   ", "unexpected end of input", 3);
	REJECT("1 2", "unexpected character \"2\"", 2);
	REJECT("[] x", "unexpected character \"x\"", 3);
	REJECT("{}{}", "unexpected character \"{\"", 2);
	REJECT("[]]", "unexpected character \"]\"", 2);
	REJECT("\xEF\xBB\xBF{}", "unexpected byte 0xEF", 0);
	REJECT("\x0B" "1", "unexpected byte 0x0B", 0);
	REJECT("\x0C" "1", "unexpected byte 0x0C", 0);
	REJECT("1\x00", "unexpected byte 0x00", 1);
	REJECT("\xC3\xA9", "unexpected byte 0xC3", 0);
	REJECT("/**/1", "unexpected character \"/\"", 0);
	REJECT("'a'", "unexpected character \"'\"", 0);

	/* literals */
	REJECT("truex", "invalid token", 0);
	REJECT("true1", "invalid token", 0);
	REJECT("true_", "invalid token", 0);
	REJECT("nul", "invalid token", 0);
	REJECT("nulll", "invalid token", 0);
	REJECT("tru", "invalid token", 0);
	REJECT("[tru]", "invalid token", 1);
	REJECT("True", "invalid token", 0);
	REJECT("NULL", "invalid token", 0);
	REJECT("NaN", "invalid token", 0);
	REJECT("Infinity", "invalid token", 0);
	REJECT("undefined", "invalid token", 0);
	REJECT("[1,fals]", "invalid token", 3);
	REJECT("true\xC3\xA9", "invalid token", 0);

	/* numbers */
	REJECT("01", "invalid number", 0);
	REJECT("-01", "invalid number", 0);
	REJECT("00", "invalid number", 0);
	REJECT("1x", "invalid number", 0);
	REJECT("1.e5", "invalid number", 0);
	REJECT("1.", "invalid number", 0);
	REJECT("[1.]", "invalid number", 1);
	REJECT("-", "invalid number", 0);
	REJECT("[-]", "invalid number", 1);
	REJECT("- 1", "invalid number", 0);
	REJECT("+1", "unexpected character \"+\"", 0);
	REJECT(".5", "unexpected character \".\"", 0);
	REJECT("1e", "invalid number", 0);
	REJECT("1e+", "invalid number", 0);
	REJECT("1e+x", "invalid number", 0);
	REJECT("1E5x", "invalid number", 0);
	REJECT("0x10", "invalid number", 0);
	REJECT("1_", "invalid number", 0);
	REJECT("-Infinity", "invalid number", 0);
	REJECT("1.5.5", "unexpected character \".\"", 3);
	REJECT("1-2", "unexpected character \"-\"", 1);
	REJECT("[1e5e5]", "invalid number", 1);
	REJECT("12\xC3\xA9", "invalid number", 0);

	/* the range of PostgreSQL's numeric */
	ACCEPT("1e131071");
	ACCEPT("-9.999e131071");
	ACCEPT("0.0001e131075");
	ACCEPT("1e-16383");
	ACCEPT("0.5e-16382");
	ACCEPT("1.0e-16382");
	ACCEPT("0e100000");
	ACCEPT("0e1073741822");
	ACCEPT("-0.0e+00000000000000000000000000000000001");
	ACCEPT("100000000000000000000000000000000000000000000000000000000000e-60");
	REJECT("1e131072", "number out of range", 0);
	REJECT("[10e131071]", "number out of range", 1);
	REJECT("0.1e131073", "number out of range", 0);
	REJECT("1e-16384", "number out of range", 0);
	REJECT("1.0e-16383", "number out of range", 0);
	REJECT("0.0e-16383", "number out of range", 0);
	REJECT("0e1073741823", "number out of range", 0);
	REJECT("0e-1073741823", "number out of range", 0);
	REJECT("1e99999999999999999999", "number out of range", 0);

	/* structure */
	REJECT("[", "unexpected end of input", 1);
	REJECT("{", "unexpected end of input", 1);
	REJECT("]", "unexpected character \"]\"", 0);
	REJECT("}", "unexpected character \"}\"", 0);
	REJECT("[1,]", "unexpected character \"]\"", 3);
	REJECT("[,1]", "unexpected character \",\"", 1);
	REJECT("[1,,2]", "unexpected character \",\"", 3);
	REJECT("{\"a\":1,}", "unexpected character \"}\"", 7);
	REJECT("[1 2]", "unexpected character \"2\"", 3);
	REJECT("{\"a\" 1}", "unexpected character \"1\"", 5);
	REJECT("{\"a\"}", "unexpected character \"}\"", 4);
	REJECT("{\"a\":}", "unexpected character \"}\"", 5);
	REJECT("{1:2}", "unexpected character \"1\"", 1);
	REJECT("{a:2}", "unexpected character \"a\"", 1);
	REJECT("{\"a\":1 \"b\":2}", "unexpected character \"\"\"", 7);
	REJECT("{\"a\"::1}", "unexpected character \":\"", 5);
	REJECT("[1}", "unexpected character \"}\"", 2);
	REJECT("{]", "unexpected character \"]\"", 1);
	REJECT("{\"a\":1]", "unexpected character \"]\"", 6);
	REJECT("[1]]", "unexpected character \"]\"", 3);
	REJECT("[1", "unexpected end of input", 2);
	REJECT("{\"a\":", "unexpected end of input", 5);
	REJECT("{\"a\"", "unexpected end of input", 4);
	REJECT("[1,", "unexpected end of input", 3);
	REJECT("{\"a\":1,", "unexpected end of input", 7);

	/* strings */
	REJECT("\"abc", "unterminated string", 0);
	REJECT("[\"abc\\\"]", "unterminated string", 1);
	REJECT("\"a\\", "unterminated string", 0);
	REJECT("\"\\u12", "unterminated string", 0);
	REJECT("\"a\\x\"", "invalid escape sequence", 2);
	REJECT("\"\\a\"", "invalid escape sequence", 1);
	REJECT("\"\\'\"", "invalid escape sequence", 1);
	REJECT("\"\\U0041\"", "invalid escape sequence", 1);
	REJECT("\"\\u12\"", "invalid escape sequence", 1);
	REJECT("\"\\u12g4\"", "invalid escape sequence", 1);
	REJECT("\"\\u0000\"", "unsupported Unicode escape sequence", 1);
	REJECT("\"a\\u0000b\"", "unsupported Unicode escape sequence", 2);
	REJECT("\"\\ud800\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\udc00\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\uDFFF\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\ud800\\u0041\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\ud800\\ud800\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\ud800x\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\ud800\\n\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\ud800\\udc0g\"", "invalid escape sequence", 1);
	REJECT("\"\\ude00\\ud83d\"", "invalid Unicode surrogate pair", 1);
	REJECT("\"\\ud800", "unterminated string", 0);
	REJECT("\"\\ud800\\u", "unterminated string", 0);
	REJECT("\"a\x01\"", "control character in string", 2);
	REJECT("\"\t\"", "control character in string", 1);
	REJECT("\"\n\"", "control character in string", 1);
	REJECT("\"\r\"", "control character in string", 1);
	REJECT("\"a\x00" "b\"", "control character in string", 2);
	REJECT("\"\x1F\"", "control character in string", 1);

	/* UTF-8 */
	REJECT("\"\x80\"", "invalid UTF-8", 1);
	REJECT("\"\xBF\"", "invalid UTF-8", 1);
	REJECT("\"\xC0\xAF\"", "invalid UTF-8", 1);
	REJECT("\"\xC1\xBF\"", "invalid UTF-8", 1);
	REJECT("\"\xE0\x80\xAF\"", "invalid UTF-8", 1);
	REJECT("\"\xE0\x9F\xBF\"", "invalid UTF-8", 1);
	REJECT("\"\xED\xA0\x80\"", "invalid UTF-8", 1);
	REJECT("\"\xED\xBF\xBF\"", "invalid UTF-8", 1);
	REJECT("\"\xF0\x80\x80\x80\"", "invalid UTF-8", 1);
	REJECT("\"\xF0\x8F\xBF\xBF\"", "invalid UTF-8", 1);
	REJECT("\"\xF4\x90\x80\x80\"", "invalid UTF-8", 1);
	REJECT("\"\xF5\x80\x80\x80\"", "invalid UTF-8", 1);
	REJECT("\"\xF8\x88\x80\x80\x80\"", "invalid UTF-8", 1);
	REJECT("\"\xFE\"", "invalid UTF-8", 1);
	REJECT("\"\xFF\"", "invalid UTF-8", 1);
	REJECT("\"ab\xC3\"", "invalid UTF-8", 3);
	REJECT("\"\xC3(\"", "invalid UTF-8", 1);
	REJECT("\"\xE2\x82\"", "invalid UTF-8", 1);
	REJECT("\"\xE2\x82(\"", "invalid UTF-8", 1);
	REJECT("\"\xF0\x9F\x98\"", "invalid UTF-8", 1);
	REJECT("\"\xC3", "unterminated string", 0);
	REJECT("\"\xF0\x9F\x98", "unterminated string", 0);
	REJECT("{\"k\xC3\x28\":1}", "invalid UTF-8", 3);
}

static void
test_events(void)
{
	CHECK("events of a small document",
		  "{\"code\":200,\"data\":{\"x\":[1,\"a\",true,false,null,{}]}}",
		  "{@0/0\nkey@1/1 code\nnum@8/1 200\nkey@12/1 data\n{@19/1\n"
		  "key@20/2 x\n[@24/2\nnum@25/3 1\nstr@27/3 a\ntrue@31/3\n"
		  "false@36/3\nnull@42/3\n{@47/3\n}@48/3\n]@49/2\n}@50/1\n}@51/0\neof\n");
	CHECK("offsets count whitespace",
		  " [ 1 ,\n\"b\" ] ",
		  "[@1/0\nnum@3/1 1\nstr@7/1 b\n]@11/0\neof\n");
	CHECK("a top-level scalar", "  -12.5e+3 ", "num@2/0 -12.5e+3\neof\n");
	CHECK("a top-level string", "\"x\"", "str@0/0 x\neof\n");
	CHECK("a top-level literal", "null", "null@0/0\neof\n");
	CHECK("number text exactly as written", "[0,-0,1E5,1e-05,0.10]",
		  "[@0/0\nnum@1/1 0\nnum@3/1 -0\nnum@6/1 1E5\nnum@10/1 1e-05\nnum@16/1 0.10\n]@20/0\neof\n");
	CHECK("duplicate keys are passed through", "{\"a\":1,\"a\":2}",
		  "{@0/0\nkey@1/1 a\nnum@5/1 1\nkey@7/1 a\nnum@11/1 2\n}@12/0\neof\n");
	CHECK("empty key and string", "{\"\":\"\"}",
		  "{@0/0\nkey@1/1 \nstr@4/1 \n}@6/0\neof\n");
	CHECK("deep nesting depths", "[[[\"d\"]]]",
		  "[@0/0\n[@1/1\n[@2/2\nstr@3/3 d\n]@6/2\n]@7/1\n]@8/0\neof\n");
	CHECK("events before an error are delivered", "[1,2,*]",
		  "[@0/0\nnum@1/1 1\nnum@3/1 2\nerror@5: unexpected character \"*\"\n");
	CHECK("events before trailing garbage", "{\"a\":[]} ,",
		  "{@0/0\nkey@1/1 a\n[@5/1\n]@6/1\n}@7/0\nerror@9: unexpected character \",\"\n");
}

static void
test_decoding(void)
{
	CHECK("simple escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
		  "str@0/0 \"\\/\b\f\n\r\t\neof\n");
	CHECK("\\u escapes to UTF-8", "\"\\u0041\\u00e9\\u00E9\\u20ac\\uFFFF\\u0001\"",
		  "str@0/0 A\xC3\xA9\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF\x01\neof\n");
	CHECK("\\u007f and \\u0080 and \\u07ff and \\u0800", "\"\\u007f\\u0080\\u07ff\\u0800\"",
		  "str@0/0 \x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\neof\n");
	CHECK("surrogate pair", "\"\\ud83d\\ude00\"", "str@0/0 \xF0\x9F\x98\x80\neof\n");
	CHECK("first and last surrogate pairs", "[\"\\uD800\\uDC00\",\"\\uDBFF\\uDFFF\"]",
		  "[@0/0\nstr@1/1 \xF0\x90\x80\x80\nstr@16/1 \xF4\x8F\xBF\xBF\n]@30/0\neof\n");
	CHECK("escapes in keys", "{\"a\\tb\\u00e9\":1}",
		  "{@0/0\nkey@1/1 a\tb\xC3\xA9\nnum@14/1 1\n}@15/0\neof\n");
	CHECK("raw UTF-8 passes through", "\"\xE8\xA1\xA8\xF0\x9F\x98\x80\"",
		  "str@0/0 \xE8\xA1\xA8\xF0\x9F\x98\x80\neof\n");
	CHECK("escaped and plain text mixed", "\"ab\\ncd\\\"ef\xC3\xA9gh\"",
		  "str@0/0 ab\ncd\"ef\xC3\xA9gh\neof\n");
}

/* a long string with escapes, split into 4 kB chunks */
static void
test_long_string(void)
{
	size_t		n = 3 * 1024 * 1024;
	char	   *in = malloc(n + 64);
	char	   *whole;
	char	   *chunked;
	size_t		len = 0;
	int			ok;

	in[len++] = '[';
	in[len++] = '"';
	for (size_t i = 0; len < n; i++)
	{
		if (i % 1000 == 999)
		{
			memcpy(in + len, "\\u00e9\\n", 8);
			len += 8;
		}
		else
			in[len++] = 'a' + i % 26;
	}
	memcpy(in + len, "\",1]", 4);
	len += 4;
	whole = parse(in, len, len, 0);
	chunked = parse(in, len, 0, 4096);
	ok = strcmp(whole, chunked) == 0 && strncmp(whole, "[@0/0\nstr@1/1 abc", 17) == 0 &&
		strstr(whole, "\neof\n") != NULL;
	report(ok, "a 3 MB string with escapes, whole and in 4 kB chunks");
	free(chunked);
	chunked = parse(in, len, len / 2, 0);
	report(strcmp(whole, chunked) == 0, "a 3 MB string split in the middle");
	free(chunked);
	free(whole);
	free(in);
}

static void
test_limits(void)
{
	char	   *out;
	char		deep[40000];
	int			n;

	out = parse_with("[\"abcde\",\"abcdef\"]", 18, 18, 0, 5, 0);
	report(strcmp(out, "[@0/0\nstr@1/1 abcde\nerror@9: string longer than the limit\n") == 0,
		   "a string over max_token is an error at its start");
	free(out);
	out = parse_with("[\"abcde\",\"abcdef\"]", 18, 0, 1, 5, 0);
	report(strcmp(out, "[@0/0\nstr@1/1 abcde\nerror@9: string longer than the limit\n") == 0,
		   "the same byte by byte");
	free(out);
	out = parse_with("[\"\\u00e9\\u00e9\\u00e9\"]", 22, 22, 0, 5, 0);
	report(strstr(out, "error@1: string longer than the limit") != NULL,
		   "max_token counts decoded bytes");
	free(out);
	out = parse_with("[\"\\u00e9\\u00e9a\"]", 17, 0, 1, 5, 0);
	report(strstr(out, "eof") != NULL, "a decoded string of exactly max_token is fine");
	free(out);
	out = parse_with("[12345,123456]", 14, 14, 0, 5, 0);
	report(strcmp(out, "[@0/0\nnum@1/1 12345\nerror@7: number longer than the limit\n") == 0,
		   "a number over max_token is an error at its start");
	free(out);
	out = parse_with("[12345,1234x]", 13, 0, 1, 5, 0);
	report(strstr(out, "error@7: invalid number") != NULL,
		   "an invalid number within the limit stays invalid");
	free(out);
	out = parse_with("[[[]]]", 6, 0, 1, 0, 3);
	report(strstr(out, "eof") != NULL, "nesting at max_depth is fine");
	free(out);
	out = parse_with("[[{\"a\":[]}]]", 12, 0, 1, 0, 3);
	report(strstr(out, "error@7: nesting deeper than the limit") != NULL,
		   "nesting over max_depth is an error at the bracket");
	free(out);

	n = 10000;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	out = parse(deep, 2 * n, 2 * n, 0);
	report(strstr(out, "eof") != NULL, "10000 levels are fine by default");
	free(out);
	n = 10001;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	out = parse(deep, 2 * n, 0, 7);
	report(strstr(out, "error@10000: nesting deeper than the limit") != NULL,
		   "10001 levels are not");
	free(out);
}

/* allocator hooks that count, bound what is outstanding, and can fail */
static size_t outstanding;
static size_t peak;
static int	calls;
static int	fail_after = -1;

static void *
t_alloc(size_t n, void *arg)
{
	size_t	   *p;

	(void) arg;
	if (fail_after >= 0 && calls >= fail_after)
		return NULL;
	calls++;
	p = malloc(n + sizeof(size_t));
	if (!p)
		return NULL;
	*p = n;
	outstanding += n;
	if (outstanding > peak)
		peak = outstanding;
	return p + 1;
}

static void
t_free(void *ptr, void *arg)
{
	size_t	   *p = (size_t *) ptr - 1;

	(void) arg;
	if (!ptr)
		return;
	outstanding -= *p;
	free(p);
}

static void *
t_realloc(void *ptr, size_t n, void *arg)
{
	void	   *q = t_alloc(n, arg);
	size_t		old = ptr ? ((size_t *) ptr)[-1] : 0;

	if (q && ptr)
	{
		memcpy(q, ptr, old < n ? old : n);
		t_free(ptr, arg);
	}
	return q;
}

static const char row[] =
"{\"id\":12345,\"name\":\"orders\",\"type\":\"table\",\"cols\":[\"a\",\"b\\n\"],\"ok\":true,\"x\":null},";

static void
test_memory_bounded(void)
{
	JStreamAllocator a = {t_alloc, t_realloc, t_free, NULL};
	JStreamReader *r;
	char		chunk[65536];
	size_t		fill = 0;
	size_t		rowlen = sizeof(row) - 1;
	long		objects = 0;
	long		rows;
	JStreamEvent ev;
	JStreamResult res;

	outstanding = peak = 0;
	calls = 0;
	fail_after = -1;
	r = jstream_reader_create(&a);
	while (fill + rowlen <= sizeof(chunk))
	{
		memcpy(chunk + fill, row, rowlen);
		fill += rowlen;
	}
	rows = 1600L * (long) (fill / rowlen);
	/* about 100 MB through the reader, in one array */
	jstream_reader_feed(r, "[", 1);
	for (int i = 0; i < 1600; i++)
	{
		if (jstream_reader_feed(r, chunk, fill) != 0)
			break;
		while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
			if (ev.token == JS_OBJECT_START)
				objects++;
	}
	jstream_reader_feed(r, "1]", 2);
	jstream_reader_finish(r);
	while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
		;
	jstream_reader_destroy(r);
	report(res == JS_EOF && objects == rows && peak < 1024 * 1024 && outstanding == 0,
		   "memory stays bounded over 100 MB in 64 kB chunks and is all freed");
	report(calls > 0, "the allocator hooks are used");
}

/*
 * jstream_reader_reserve: after it, feeding up to that much between reads
 * allocates nothing; a smaller reserve is a no-op; unread bytes survive it
 */
static void
test_reserve(void)
{
	JStreamAllocator a = {t_alloc, t_realloc, t_free, NULL};
	JStreamReader *r;
	char		piece[1000];
	int			before;
	int			ok;
	long		strings = 0;
	JStreamEvent ev;
	JStreamResult res;

	outstanding = peak = 0;
	calls = 0;
	fail_after = -1;
	/* 250 strings of 4 bytes each: "y", */
	for (int k = 0; k < (int) sizeof(piece); k += 4)
		memcpy(piece + k, "\"y\",", 4);
	r = jstream_reader_create(&a);
	ok = jstream_reader_feed(r, "[\"ab", 4) == 0;
	ok = ok && jstream_reader_next(r, &ev) == JS_EVENT && ev.token == JS_ARRAY_START;
	ok = ok && jstream_reader_next(r, &ev) == JS_NEED_MORE;
	ok = ok && jstream_reader_reserve(r, 300000) == 0;
	before = calls;
	ok = ok && jstream_reader_reserve(r, 1000) == 0 && calls == before;
	/* the string cut before the reserve goes on after it */
	ok = ok && jstream_reader_feed(r, "c\",", 3) == 0;
	for (int round = 0; round < 5 && ok; round++)
	{
		/* 290,000 bytes (and the 7 above) before the reader reads */
		for (int i = 0; i < 290 && ok; i++)
			ok = jstream_reader_feed(r, piece, sizeof(piece)) == 0;
		while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
			if (ev.token == JS_STRING)
			{
				if (strings == 0)
					ok = ok && ev.len == 3 && memcmp(ev.data, "abc", 3) == 0;
				strings++;
			}
		ok = ok && res == JS_NEED_MORE;
	}
	ok = ok && calls == before;
	jstream_reader_feed(r, "1]", 2);
	jstream_reader_finish(r);
	while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
		;
	jstream_reader_destroy(r);
	report(ok && res == JS_EOF && strings == 1 + 5 * 290 * 250 && outstanding == 0,
		   "reserve: feeding up to the reserved room between reads allocates nothing");
}

/* one 100 MB chunk, then small ones: no quadratic behaviour */
static void
test_huge_chunk(void)
{
	size_t		rowlen = sizeof(row) - 1;
	size_t		rows = 100 * 1024 * 1024 / rowlen;
	char	   *in = malloc(rows * rowlen + 16);
	JStreamReader *r = jstream_reader_create(NULL);
	JStreamEvent ev;
	JStreamResult res;
	size_t		len = 0;
	size_t		objects = 0;

	in[len++] = '[';
	for (size_t i = 0; i < rows; i++)
	{
		memcpy(in + len, row, rowlen);
		len += rowlen;
	}
	in[len - 1] = ']';
	jstream_reader_feed(r, in, len);
	/* a little more in tiny pieces: only whitespace may follow */
	while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
		if (ev.token == JS_OBJECT_START)
			objects++;
	for (int i = 0; i < 100000; i++)
	{
		jstream_reader_feed(r, " ", 1);
		res = jstream_reader_next(r, &ev);
	}
	jstream_reader_finish(r);
	res = jstream_reader_next(r, &ev);
	jstream_reader_destroy(r);
	free(in);
	report(res == JS_EOF && objects == rows, "one 100 MB chunk, then 100000 1-byte chunks");
}

/* run a document with an allocator that fails after n allocations */
static int
run_failing(int n, const char *doc, size_t len, size_t step, int *completed)
{
	JStreamAllocator a = {t_alloc, t_realloc, t_free, NULL};
	JStreamReader *r;
	JStreamEvent ev;
	JStreamResult res = JS_NEED_MORE;
	size_t		off = 0;
	int			clean = 1;

	outstanding = 0;
	calls = 0;
	fail_after = n;
	*completed = 0;
	r = jstream_reader_create(&a);
	if (r == NULL)
		return outstanding == 0;
	while (off < len)
	{
		size_t		k = len - off < step ? len - off : step;

		if (jstream_reader_feed(r, doc + off, k) != 0)
			goto out;
		off += k;
		while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
			;
		if (res == JS_ERROR)
		{
			clean = strcmp(jstream_reader_error(r), "out of memory") == 0;
			goto out;
		}
	}
	jstream_reader_finish(r);
	while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
		;
	if (res == JS_ERROR)
		clean = strcmp(jstream_reader_error(r), "out of memory") == 0;
	else
		*completed = res == JS_EOF;
out:
	jstream_reader_destroy(r);
	fail_after = -1;
	return clean && outstanding == 0;
}

static void
test_failing_allocator(void)
{
	Buf			doc = {0};
	int			ok = 1;
	int			completed = 0;
	int			n;

	for (int i = 0; i < 100; i++)
		buf_str(&doc, "[");
	buf_str(&doc, "{\"k\":\"");
	for (int i = 0; i < 2000; i++)
		buf_str(&doc, "abc\\n");
	buf_str(&doc, "\",\"n\":12345}");
	for (int i = 0; i < 100; i++)
		buf_str(&doc, "]");
	for (n = 0; n < 200 && !completed; n++)
		ok = ok && run_failing(n, doc.data, doc.len, 3000, &completed);
	report(ok && completed && n > 5,
		   "an allocator failing after N allocations gives -1 or an error, and no leak");
	completed = 0;
	for (n = 0; n < 200 && !completed; n++)
		ok = ok && run_failing(n, doc.data, doc.len, 100000, &completed);
	report(ok && completed, "the same fed whole");
	free(doc.data);
}

/* 16383 digits after the point are fine, 16384 are not, zeros or not */
static void
test_numeric_scale(void)
{
	char	   *in = malloc(20000);
	char	   *out;

	memcpy(in, "0.", 2);
	memset(in + 2, '0', 16383);
	out = parse(in, 16385, 0, 1000);
	report(strstr(out, "eof") != NULL, "16383 fraction digits are fine");
	free(out);
	in[2 + 16383] = '7';
	out = parse(in, 16386, 0, 1000);
	report(strstr(out, "error@0: number out of range") != NULL, "16384 are out of range");
	free(out);
	free(in);
}

/*
 * Objects read whole (jstream_reader_members; mode 3 of same_when_skipping,
 * which every case goes through): what it takes, what it leaves to the
 * tokens, and errors right where it would have read
 */
static void
test_members(void)
{
	ACCEPT("[{\"a\":\"x\",\"bb\":true,\"c\":[1,{\"d\":[]},{}],\"a\":null},{\"bb\":\"y\"},{},"
		   "{\"a\":\"\\u0041\",\"bb\":2},{ \"a\" : \"x\" , \"bb\" : false }\t]");
	ACCEPT("{\"a\":\"x\",\"q\":{\"a\":\"inner\",\"bb\":\"y\"},\"bb\":\"z\"}");
	ACCEPT("[{\"a\":\"x\",\"bb\":\"y\",\"a\":\"z\",\"bb\":null}]");
	ACCEPT("[{\"c\":\"\xC3\xA9\",\"a\":\"x\"},{\"a\":\"x\",\"c\":1.5},{\"\\u0061\":\"x\"}]");
	ACCEPT("[{\"a\":{\"bb\":\"x\"}},{\"bb\":[\"x\"]},{\"a\":-1},{\"a\":\"\xC3\xA9\"}]");
	REJECT("[{\"a\":\"x\",}]", "unexpected character \"}\"", 10);
	REJECT("[{\"c\" 12}]", "unexpected character \"1\"", 6);
	REJECT("[{\"c\":}]", "unexpected character \"}\"", 6);
	REJECT("[{\"c\":,\"a\":\"x\"}]", "unexpected character \",\"", 6);
	REJECT("[{\"a\":\"x\",\"c\":[}]", "unexpected character \"}\"", 15);
	REJECT("[{\"a\":\"x\",\"c\":[1,]}]", "unexpected character \"]\"", 17);
	REJECT("[{\"a\":\"x\" \"bb\":\"y\"}]", "unexpected character \"\"\"", 10);
	REJECT("[{\"a\":\"x\",\"bb\":tru}]", "invalid token", 15);
	REJECT("[{\"a\":\"x\",\"bb\":truex}]", "invalid token", 15);
	REJECT("[{\"a\":\"x\",\"bb\":\"y\"]", "unexpected character \"]\"", 18);
	REJECT("[{\"a\":\"x\",\"c\":{\"d\":1]}]", "unexpected character \"]\"", 20);
	REJECT("[{\"a\":\"x\",\"c\":{}}", "unexpected end of input", 17);
	REJECT("[{\"a\":\"x\x01\"}]", "control character in string", 8);
}

/*
 * Skipping (see same_when_skipping, which every case above also goes
 * through): documents whose member containers hold every kind of token,
 * and errors of every kind inside a skipped container.
 */
static void
test_skip(void)
{
	ACCEPT("{\"a\":{\"b\":[1,-2.5e3,true,false,null,\"x\\u00e9\\n\",{}],\"c\":{\"d\":[]}},\"e\":1}");
	ACCEPT("[[[[[]]]],{\"k\":[{\"\\ud83d\\ude00\":\"\xF0\x9F\x98\x80\"}]},2]");
	ACCEPT("{\"a\":[\"}\",\"]\",\"\\\"]\",\"{\"],\"b\":\"]\"}");
	ACCEPT("[ { \"x\" : [ 1 , 2 ] } , [ ] ]");
	REJECT("[[1,2,x]]", "invalid token", 6);
	REJECT("[[1,2,01]]", "invalid number", 6);
	REJECT("[[1e999999999999]]", "number out of range", 2);
	REJECT("[{\"a\":1,}]", "unexpected character \"}\"", 8);
	REJECT("[{\"a\" 1}]", "unexpected character \"1\"", 6);
	REJECT("[[1]}", "unexpected character \"}\"", 4);
	REJECT("{\"a\":[1,2}", "unexpected character \"}\"", 9);
	REJECT("[[\"ab\xC3\"]]", "invalid UTF-8", 5);
	REJECT("[[\"a\\x\"]]", "invalid escape sequence", 4);
	REJECT("[[\"a\\ud800\"]]", "invalid Unicode surrogate pair", 4);
	REJECT("[[\"a\\u0000\"]]", "unsupported Unicode escape sequence", 4);
	REJECT("[[\"a\x01\"]]", "control character in string", 4);
	REJECT("[[\"abc", "unterminated string", 2);
	REJECT("[[1,[2", "unexpected end of input", 6);
	REJECT("[{\"a\":tru}]", "invalid token", 6);
	REJECT("[[[1}]]", "unexpected character \"}\"", 4);

	/* members' values skipped: every kind of value, fast and slow, and errors in them */
	ACCEPT("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":null,\"e\":[1,{\"f\":2}],\"g\":{},"
		   "\"h\":\"\\u00e9\",\"i\":-1.5e3,\"j\":\"\xC3\xA9\",\"k\":false,\"l\":0,\"m\":[]}");
	ACCEPT("{ \"a\" : 12 , \"b\" : { \"c\" : [ ] } , \"d\" : \"e\" }");
	ACCEPT("{\"a\":{\"b\":{\"c\":{\"d\":1}}},\"b\":2}");
	REJECT("{\"a\":01}", "invalid number", 5);
	REJECT("{\"a\":[1,}", "unexpected character \"}\"", 8);
	REJECT("{\"a\" 1}", "unexpected character \"1\"", 5);
	REJECT("{\"a\":1 \"b\":2}", "unexpected character \"\"\"", 7);
	REJECT("{\"a\":\"x", "unterminated string", 5);
	REJECT("{\"a\":1", "unexpected end of input", 6);
	REJECT("{\"a\":tru}", "invalid token", 5);
	REJECT("{\"a\":1}}", "unexpected character \"}\"", 7);
	REJECT("{\"a\":1x}", "invalid number", 5);
	REJECT("{\"a\":{\"b\":1]}", "unexpected character \"]\"", 11);
	REJECT("[[{\"a\":[}]]]", "unexpected character \"}\"", 8);

	/* the nesting limit holds inside a skipped container too */
	{
		static const char deep[] = "[[[[1]]]]";
		char	   *got;
		int			ok;

		skip_members = 1;
		got = parse_with(deep, sizeof(deep) - 1, sizeof(deep) - 1, 0, 0, 3);
		ok = strcmp(got, "[@0/0\n[@1/1\nerror@3: nesting deeper than the limit\n") == 0;
		free(got);
		got = parse_with(deep, sizeof(deep) - 1, 0, 1, 0, 3);
		ok = ok && strcmp(got, "[@0/0\n[@1/1\nerror@3: nesting deeper than the limit\n") == 0;
		free(got);
		skip_members = 0;
		report(ok, "skipping: the nesting limit");
	}

	/* and the token limit, for keys, strings and numbers */
	{
		static const char *const cases[][2] = {
			{"[[\"abcde\"]]", "[@0/0\n[@1/1\nerror@2: string longer than the limit\n"},
			{"[{\"abcde\":1}]", "[@0/0\n{@1/1\nerror@2: string longer than the limit\n"},
			{"[[123456]]", "[@0/0\n[@1/1\nerror@2: number longer than the limit\n"},
			{"[[\"abcd\",1234]]", "[@0/0\n[@1/1\n]@13/1\n]@14/0\neof\n"},
		};
		int			ok = 1;

		skip_members = 1;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			for (size_t step = 0; step < 2; step++)
			{
				size_t		len = strlen(cases[i][0]);
				char	   *got = parse_with(cases[i][0], len, len, step, 4, 0);

				if (strcmp(got, cases[i][1]) != 0)
				{
					fprintf(stderr, "# %s (step %zu): got\n%s", cases[i][0], step, got);
					ok = 0;
				}
				free(got);
			}
		skip_members = 0;
		report(ok, "skipping: the token limit");
	}

	/* a long integer is range-checked when skipped too */
	{
		size_t		len = 140000 + 5;
		char	   *in = malloc(len + 1);
		char	   *got;
		int			ok;

		if (in == NULL)
			abort();
		memcpy(in, "[[1", 3);
		memset(in + 3, '0', 140000);
		memcpy(in + 3 + 140000, "]]", 3);
		skip_members = 1;
		got = parse(in, len, len, 0);
		ok = strcmp(got, "[@0/0\n[@1/1\nerror@2: number out of range\n") == 0;
		free(got);
		rng_state = 5;
		got = parse(in, len, 0, (size_t) -1);
		ok = ok && strcmp(got, "[@0/0\n[@1/1\nerror@2: number out of range\n") == 0;
		free(got);
		skip_members = 0;
		free(in);
		report(ok, "skipping: a 140,000-digit integer is out of range");
	}
}

/*
 * Strings are scanned sixteen bytes at a time (SSE2), then eight (a word),
 * then one: a byte that ends the plain run (a quote, a backslash, a control
 * character, a byte >= 0x80) at every place in and around two blocks of
 * sixteen, bare and where it is skipped, with and without room after it.
 */
static void
test_string_words(void)
{
	static const char *const wrap[][2] = {{"", ""}, {"[[", "]]"}, {"{\"k\":", "}"},
	{"[", "]                                        "}};
	int			ok = 1;

	for (size_t w = 0; w < 4; w++)
		for (int pos = 0; pos <= 40; pos++)
			for (int kind = 0; kind < 5; kind++)
			{
				static const char *const mid[] = {"\\\"", "\\\\", "\x01", "\x1F", "\xC3\xA9"};
				char		in[192];
				size_t		pre = strlen(wrap[w][0]);
				int			len;
				char	   *got;
				const char *last;

				len = snprintf(in, sizeof(in), "%s\"%.*s%s%.*s\"%s", wrap[w][0],
							   pos, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", mid[kind],
							   40 - pos, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", wrap[w][1]);
				got = parse(in, len, len, 0);
				last = got + strlen(got);
				while (last > got && last[-1] == '\n')
					last--;
				while (last > got && last[-1] != '\n')
					last--;
				if (kind == 2 || kind == 3)
				{
					char		expected[64];

					snprintf(expected, sizeof(expected),
							 "error@%zu: control character in string\n", pre + 1 + pos);
					if (strcmp(last, expected) != 0)
						ok = 0;
				}
				else if (strcmp(last, "eof\n") != 0)
					ok = 0;
				if (!ok)
				{
					fprintf(stderr, "# %s: got\n%s", in, got);
					free(got);
					break;
				}
				ok = same_when_split(in, in, len, got);
				free(got);
				if (!ok)
					break;
			}
	report(ok, "strings: a run ends at every place in and around a word");
}

static void
test_api_edges(void)
{
	JStreamReader *r = jstream_reader_create(NULL);
	JStreamEvent ev;
	int			ok;

	ok = jstream_reader_error(r) == NULL && jstream_reader_next(r, &ev) == JS_NEED_MORE;
	jstream_reader_feed(r, "[1", 2);
	ok = ok && jstream_reader_next(r, &ev) == JS_EVENT &&
		jstream_reader_next(r, &ev) == JS_NEED_MORE;	/* 1 may go on */
	jstream_reader_feed(r, "0]", 2);
	ok = ok && jstream_reader_next(r, &ev) == JS_EVENT && ev.token == JS_NUMBER &&
		strcmp(ev.data, "10") == 0 && ev.len == 2;
	ok = ok && jstream_reader_next(r, &ev) == JS_EVENT && ev.token == JS_ARRAY_END &&
		jstream_reader_next(r, &ev) == JS_NEED_MORE;
	jstream_reader_finish(r);
	ok = ok && jstream_reader_next(r, &ev) == JS_EOF && jstream_reader_next(r, &ev) == JS_EOF &&
		jstream_reader_error(r) == NULL;
	jstream_reader_destroy(r);
	jstream_reader_destroy(NULL);
	report(ok, "need more, resume, eof is sticky, destroy(NULL)");
}

int
main(void)
{
	test_accept_reject();
	test_events();
	test_decoding();
	test_long_string();
	test_limits();
	test_numeric_scale();
	test_skip();
	test_members();
	test_string_words();
	test_api_edges();
	test_failing_allocator();
	test_memory_bounded();
	test_reserve();
	test_huge_chunk();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
