/*
 * csv_test: unit tests of the incremental CSV reader (src/csv.c).
 *
 * Every case is parsed whole, byte by byte, and in every two-chunk split;
 * all must give the same records (or the same error at the same line).
 * Prints "ok N - name" / "not ok N - name" and a last line
 * "N passed, N failed"; exits non-zero if anything failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

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

/* records as "[a|b|<null>]" lines, fields with their quoted flag */
static void
drain(CsvReader *r, Buf *out, int *err)
{
	const CsvField *f;
	int			n;
	CsvResult	res;
	char		tmp[128];

	while ((res = csv_reader_next(r, &f, &n)) == CSV_RECORD)
	{
		buf_str(out, "[");
		for (int i = 0; i < n; i++)
		{
			if (i > 0)
				buf_str(out, "|");
			if (f[i].len == 0 && !f[i].quoted)
				buf_str(out, "<null>");
			else
				buf_add(out, f[i].data, f[i].len);
			if (strlen(f[i].data) != f[i].len)
				buf_str(out, "<len mismatch>");
		}
		buf_str(out, "]\n");
	}
	if (res == CSV_ERROR && !*err)
	{
		snprintf(tmp, sizeof(tmp), "error: line %ld: %s\n",
				 csv_reader_record_line(r), csv_reader_error(r));
		buf_str(out, tmp);
		*err = 1;
	}
}

/* parse input fed in pieces: chunk 0 = whole, else split at "split" */
static char *
parse(const char *in, size_t len, char delim, size_t split, size_t step)
{
	CsvReader  *r = csv_reader_create(delim, NULL);
	Buf			out = {0};
	int			err = 0;
	size_t		off = 0;

	if (r == NULL)
		abort();
	buf_str(&out, "");
	while (off < len)
	{
		size_t		n = step ? step : (off < split ? split - off : len - off);

		if (off + n > len)
			n = len - off;
		if (csv_reader_feed(r, in + off, n) != 0)
		{
			buf_str(&out, "feed failed\n");
			break;
		}
		off += n;
		drain(r, &out, &err);
	}
	csv_reader_finish(r);
	drain(r, &out, &err);
	/* an error is sticky */
	if (err)
	{
		const CsvField *f;
		int			n;

		if (csv_reader_next(r, &f, &n) != CSV_ERROR)
			buf_str(&out, "error not sticky\n");
	}
	csv_reader_destroy(r);
	return out.data;
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

/* the case, whole and in every split, must give "expected" */
static void
check(const char *name, const char *in, size_t len, char delim, const char *expected)
{
	char	   *whole = parse(in, len, delim, len, 0);
	int			ok = strcmp(whole, expected) == 0;

	if (!ok)
		fprintf(stderr, "# %s: expected\n%s# got\n%s", name, expected, whole);
	for (size_t split = 1; ok && split < len; split++)
	{
		char	   *part = parse(in, len, delim, split, 0);

		if (strcmp(part, expected) != 0)
		{
			fprintf(stderr, "# %s: split at %zu gives\n%s", name, split, part);
			ok = 0;
		}
		free(part);
	}
	if (ok)
	{
		char	   *bytes = parse(in, len, delim, 0, 1);

		if (strcmp(bytes, expected) != 0)
		{
			fprintf(stderr, "# %s: byte by byte gives\n%s", name, bytes);
			ok = 0;
		}
		free(bytes);
	}
	free(whole);
	report(ok, name);
}

#define CHECK(name, in, delim, expected) check(name, in, sizeof(in) - 1, delim, expected)

/* allocator hooks that count and bound what is outstanding */
static size_t outstanding;
static size_t peak;
static int	calls;

static void *
t_alloc(size_t n, void *arg)
{
	size_t	   *p = malloc(n + sizeof(size_t));

	(void) arg;
	calls++;
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
	calls++;
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

static void
test_memory_bounded(void)
{
	CsvAllocator a = {t_alloc, t_realloc, t_free, NULL};
	CsvReader  *r = csv_reader_create(',', &a);
	char		chunk[65536];
	size_t		fill = 0;
	long		records = 0;
	const char *row = "DEFAULT,SALES,ORDERS,\"AMOUNT, NET\",DW,MART,FACT,\"TOTAL\",fdd,insert\n";
	size_t		rowlen = strlen(row);
	const CsvField *f;
	int			n;

	while (fill + rowlen <= sizeof(chunk))
	{
		memcpy(chunk + fill, row, rowlen);
		fill += rowlen;
	}
	/* about 100 MB through the reader */
	for (int i = 0; i < 1600; i++)
	{
		if (csv_reader_feed(r, chunk, fill) != 0)
			break;
		while (csv_reader_next(r, &f, &n) == CSV_RECORD)
			records++;
	}
	csv_reader_finish(r);
	while (csv_reader_next(r, &f, &n) == CSV_RECORD)
		records++;
	csv_reader_destroy(r);
	report(records == 1600L * (long) (fill / rowlen) && peak < 1024 * 1024 && outstanding == 0,
		   "memory stays bounded over 100 MB and is all freed");
	report(calls > 0, "the allocator hooks are used");
}

static void
test_max_record(void)
{
	CsvReader  *r = csv_reader_create(',', NULL);
	char		big[5000];
	const CsvField *f;
	int			n;
	CsvResult	res;

	memset(big, 'x', sizeof(big));
	csv_reader_set_max_record(r, 1000);
	csv_reader_feed(r, "a,b\n", 4);
	csv_reader_feed(r, big, sizeof(big));
	res = csv_reader_next(r, &f, &n);
	res = csv_reader_next(r, &f, &n);
	report(res == CSV_ERROR && strcmp(csv_reader_error(r), "record too large") == 0 &&
		   csv_reader_record_line(r) == 2, "a record over the maximum is an error at its line");
	csv_reader_destroy(r);
}

static void
test_huge_field(void)
{
	size_t		n = 3 * 1024 * 1024;
	char	   *in = malloc(n + 16);
	char	   *out;
	int			ok;

	in[0] = '"';
	memset(in + 1, 'y', n);
	memcpy(in + 1 + n, "\",z\n", 4);
	out = parse(in, n + 5, ',', n / 2, 0);
	ok = strlen(out) == n + 5 && out[0] == '[' && out[n] == 'y' && strcmp(out + n + 1, "|z]\n") == 0;
	report(ok, "a 3 MB quoted field split across chunks");
	free(out);
	free(in);
}

static void
test_bad_delimiters(void)
{
	report(csv_reader_create('"', NULL) == NULL && csv_reader_create('\n', NULL) == NULL &&
		   csv_reader_create('\r', NULL) == NULL && csv_reader_create('\0', NULL) == NULL,
		   "quote, CR, LF and NUL are refused as delimiters");
}

int
main(void)
{
	CHECK("plain records", "a,b,c\n1,2,3\n", ',', "[a|b|c]\n[1|2|3]\n");
	CHECK("last line without newline", "a,b\n1,2", ',', "[a|b]\n[1|2]\n");
	CHECK("CRLF line endings", "a,b\r\n1,2\r\n", ',', "[a|b]\n[1|2]\n");
	CHECK("mixed LF and CRLF", "a,b\r\n1,2\n3,4\r\n", ',', "[a|b]\n[1|2]\n[3|4]\n");
	CHECK("byte-order mark skipped", "\xEF\xBB\xBF" "a,b\n1,2\n", ',', "[a|b]\n[1|2]\n");
	CHECK("BOM only at the start", "a\n\xEF\xBB\xBF" "b\n", ',', "[a]\n[\xEF\xBB\xBF" "b]\n");
	CHECK("quoted delimiter", "\"a,b\",c\n", ',', "[a,b|c]\n");
	CHECK("doubled quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n", ',', "[say \"hi\"|\"]\n");
	CHECK("newline inside quotes", "\"a\nb\",c\n", ',', "[a\nb|c]\n");
	CHECK("CRLF inside quotes", "\"a\r\nb\",c\r\n", ',', "[a\r\nb|c]\n");
	CHECK("empty unquoted is null, quoted empty is empty", "a,,\"\",b\n", ',', "[a|<null>||b]\n");
	CHECK("trailing delimiter", "a,b,\n", ',', "[a|b|<null>]\n");
	CHECK("empty line is one null field", "a\n\nb\n", ',', "[a]\n[<null>]\n[b]\n");
	CHECK("semicolon delimiter", "a;\"b;c\";d\n", ';', "[a|b;c|d]\n");
	CHECK("tab delimiter", "a\t\"b\tc\"\td\n", '\t', "[a|b\tc|d]\n");
	CHECK("pipe delimiter", "a|b||c\n", '|', "[a|b|<null>|c]\n");
	CHECK("comma is data with another delimiter", "a,b;c\n", ';', "[a,b|c]\n");
	CHECK("UTF-8 passes through", "Stra\xC3\x9F" "e,\xE8\xA1\xA8\n", ',', "[Stra\xC3\x9F" "e|\xE8\xA1\xA8]\n");
	CHECK("backslashes are data", "a\\,\\N\n", ',', "[a\\|\\N]\n");
	CHECK("empty input", "", ',', "");
	CHECK("only a newline", "\n", ',', "[<null>]\n");
	CHECK("quoted field at end of input", "a,\"b\"", ',', "[a|b]\n");
	CHECK("unterminated quote", "a,b\n1,\"2\n3\n", ',',
		  "[a|b]\nerror: line 2: unterminated quoted field\n");
	CHECK("stray quote", "a,b\nx,y\nc\"d,e\n", ',',
		  "[a|b]\n[x|y]\nerror: line 3: stray quote in unquoted field\n");
	CHECK("stray quote does not swallow lines", "a,b\nc\"d,e\nf,g\n", ',',
		  "[a|b]\nerror: line 2: stray quote in unquoted field\n");
	CHECK("text after closing quote", "a,b\n\"x\"y,z\n", ',',
		  "[a|b]\nerror: line 2: unexpected character after closing quote\n");
	CHECK("lone CR", "a,b\nx\ry,z\n", ',',
		  "[a|b]\nerror: line 2: carriage return not followed by newline\n");
	CHECK("NUL byte", "a,b\nx,y\0z\n", ',', "[a|b]\nerror: line 2: NUL byte in input\n");
	CHECK("NUL inside quotes", "a,\"y\0z\"\n", ',', "error: line 1: NUL byte in input\n");
	CHECK("line numbers count quoted newlines", "a\n\"1\n2\n3\"\nx\"y\n", ',',
		  "[a]\n[1\n2\n3]\nerror: line 5: stray quote in unquoted field\n");
	test_bad_delimiters();
	test_max_record();
	test_huge_field();
	test_memory_bounded();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
