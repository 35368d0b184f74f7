/*-------------------------------------------------------------------------
 *
 * csv.c
 *	  Incremental RFC 4180 CSV reader (pure C).
 *
 * Two passes over each record, both linear.  The first finds where the
 * record ends: the first LF outside quotes.  It resumes where it stopped
 * when a record is split across chunks (it remembers whether it stopped
 * inside quotes), so a long record is not rescanned on every feed.  The
 * second pass splits the complete record into fields, undoubles quotes,
 * and applies the strict rules.  Between records the buffer is compacted,
 * so memory is bounded by the largest record plus one chunk.
 *
 * What it must not do: include PostgreSQL headers, raise an error or
 * longjmp, allocate other than through its hooks, or check or convert
 * encodings (a field's UTF-8 is checked by its caller, stream_in.c).
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"

struct CsvReader
{
	char		delimiter;
	CsvAllocator alloc;
	size_t		max_record;

	/* input: bytes [pos, len) of buf are not consumed yet */
	char	   *buf;
	size_t		pos;
	size_t		len;
	size_t		cap;
	int			bom_checked;
	int			finished;

	/* where the search for the end of the current record stopped */
	size_t		scan;			/* offset from pos */
	int			scan_in_quotes;

	/* the record handed out last */
	CsvField   *fields;
	int			nfields;
	int			fields_cap;
	char	   *out;			/* unquoted field contents */
	size_t		out_cap;

	long		line;			/* line where the next record starts */
	long		record_line;
	const char *error;
};

static void *
csv_grow(CsvReader *r, void *ptr, size_t size)
{
	return reader_grow(&r->alloc, ptr, size);
}

CsvReader *
csv_reader_create(char delimiter, const CsvAllocator *alloc)
{
	CsvAllocator a;
	CsvReader  *r;

	if (delimiter == '"' || delimiter == '\r' || delimiter == '\n' ||
		delimiter == '\0')
		return NULL;
	a = reader_allocator(alloc);
	r = a.alloc(sizeof(CsvReader), a.arg);
	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(CsvReader));
	r->delimiter = delimiter;
	r->alloc = a;
	r->max_record = CSV_DEFAULT_MAX_RECORD;
	r->line = 1;
	r->record_line = 1;
	return r;
}

void
csv_reader_set_max_record(CsvReader *r, size_t bytes)
{
	r->max_record = bytes;
}

int
csv_reader_feed(CsvReader *r, const char *data, size_t len)
{
	size_t		pending = r->len - r->pos;

	if (len == 0)
		return 0;
	/* a caller that never calls next() must not grow us without bound */
	if (pending + len > r->max_record * 2 + 1024 * 1024)
		return -1;

	/* drop what was consumed before growing */
	if (r->pos > 0 && (r->pos >= r->len / 2 || r->len + len > r->cap))
	{
		memmove(r->buf, r->buf + r->pos, pending);
		r->pos = 0;
		r->len = pending;
	}
	if (r->len + len > r->cap)
	{
		size_t		newcap = r->cap ? r->cap : 65536;
		char	   *nb;

		while (newcap < r->len + len)
			newcap *= 2;
		nb = csv_grow(r, r->buf, newcap);
		if (nb == NULL)
			return -1;
		r->buf = nb;
		r->cap = newcap;
	}
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	return 0;
}

void
csv_reader_finish(CsvReader *r)
{
	r->finished = 1;
}

long
csv_reader_record_line(const CsvReader *r)
{
	return r->record_line;
}

const char *
csv_reader_error(const CsvReader *r)
{
	return r->error;
}

static CsvResult
csv_fail(CsvReader *r, const char *msg)
{
	r->error = msg;
	r->record_line = r->line;
	return CSV_ERROR;
}

/*
 * Find the end of the record starting at pos: the offset (from pos) of its
 * terminating LF, or of the end of input once finished.  -1: need more.
 */
static long long
csv_find_end(CsvReader *r)
{
	const char *base = r->buf + r->pos;
	const char *p = base + r->scan;
	const char *end = r->buf + r->len;
	int			in_q = r->scan_in_quotes;

	while (p < end)
	{
		if (in_q)
		{
			const char *q = memchr(p, '"', end - p);

			if (q == NULL)
			{
				p = end;
				break;
			}
			in_q = 0;
			p = q + 1;
		}
		else
		{
			const char *nl = memchr(p, '\n', end - p);
			const char *q = memchr(p, '"', (nl ? nl : end) - p);

			if (q == NULL)
			{
				if (nl)
					return nl - base;
				p = end;
				break;
			}

			/*
			 * A quote opens a quoted field at a field start, or reopens one
			 * right after a closing quote ("" escape).  Anywhere else it is
			 * a stray quote, which the second pass reports; it must not
			 * make us swallow the following lines.
			 */
			if (q == base || q[-1] == r->delimiter || q[-1] == '"')
				in_q = 1;
			p = q + 1;
		}
	}
	r->scan = p - base;
	r->scan_in_quotes = in_q;
	return -1;
}

static int
csv_add_field(CsvReader *r, const char *data, size_t len, int quoted)
{
	if (r->nfields == r->fields_cap)
	{
		int			newcap = r->fields_cap ? r->fields_cap * 2 : 16;
		CsvField   *nf = csv_grow(r, r->fields, sizeof(CsvField) * newcap);

		if (nf == NULL)
			return -1;
		r->fields = nf;
		r->fields_cap = newcap;
	}
	r->fields[r->nfields].data = data;
	r->fields[r->nfields].len = len;
	r->fields[r->nfields].quoted = quoted;
	r->nfields++;
	return 0;
}

/*
 * Split the record rec[0..n) (without its line ending) into fields.
 * Returns NULL on success, else the error message.
 */
static const char *
csv_split(CsvReader *r, const char *rec, size_t n, long *newlines)
{
	const char	delim = r->delimiter;
	size_t		i = 0;
	char	   *o;

	/* contents are never longer than the record, plus a NUL per field */
	if (r->out_cap < n * 2 + 2)
	{
		size_t		newcap = n * 2 + 2 > 256 ? n * 2 + 2 : 256;
		char	   *no = csv_grow(r, r->out, newcap);

		if (no == NULL)
			return "out of memory";
		r->out = no;
		r->out_cap = newcap;
	}
	o = r->out;
	r->nfields = 0;
	*newlines = 0;

	for (;;)
	{
		char	   *start = o;
		int			quoted = 0;

		if (i < n && rec[i] == '"')
		{
			quoted = 1;
			i++;
			for (;;)
			{
				const char *q = memchr(rec + i, '"', n - i);
				size_t		k;

				if (q == NULL)
					return "unterminated quoted field";
				k = q - (rec + i);
				for (size_t j = 0; j < k; j++)
				{
					char		c = rec[i + j];

					if (c == '\0')
						return "NUL byte in input";
					if (c == '\n')
						(*newlines)++;
					*o++ = c;
				}
				i += k + 1;
				if (i < n && rec[i] == '"')
				{
					*o++ = '"';
					i++;
					continue;
				}
				break;
			}
			if (i < n && rec[i] != delim)
				return rec[i] == '\r' ? "carriage return not followed by newline"
					: "unexpected character after closing quote";
		}
		else
		{
			for (; i < n && rec[i] != delim; i++)
			{
				char		c = rec[i];

				if (c == '"')
					return "stray quote in unquoted field";
				if (c == '\r')
					return "carriage return not followed by newline";
				if (c == '\0')
					return "NUL byte in input";
				*o++ = c;
			}
		}
		*o++ = '\0';
		if (csv_add_field(r, start, (size_t) (o - start - 1), quoted) != 0)
			return "out of memory";
		if (i >= n)
			break;
		i++;					/* the delimiter: another field follows */
	}
	return NULL;
}

CsvResult
csv_reader_next(CsvReader *r, const CsvField **fields, int *nfields)
{
	long long	end;
	size_t		reclen;
	size_t		consumed;
	const char *msg;
	long		newlines;
	const char *rec;

	if (r->error)
		return CSV_ERROR;

	if (!r->bom_checked)
	{
		size_t		avail = r->len - r->pos;

		if (avail < 3 && !r->finished &&
			memcmp(r->buf + r->pos, "\xEF\xBB\xBF", avail) == 0)
			return CSV_NEED_MORE;
		if (avail >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
			r->pos += 3;
		r->bom_checked = 1;
	}

	if (r->pos == r->len)
		return r->finished ? CSV_EOF : CSV_NEED_MORE;

	end = csv_find_end(r);
	if (end < 0)
	{
		if (r->len - r->pos > r->max_record)
			return csv_fail(r, "record too large");
		if (!r->finished)
			return CSV_NEED_MORE;
		if (r->scan_in_quotes)
			return csv_fail(r, "unterminated quoted field");
		reclen = r->len - r->pos;	/* the last record has no line ending */
		consumed = reclen;
	}
	else
	{
		reclen = (size_t) end;
		consumed = reclen + 1;
		if (reclen > r->max_record)
			return csv_fail(r, "record too large");
	}

	rec = r->buf + r->pos;
	if (reclen > 0 && rec[reclen - 1] == '\r')
		reclen--;				/* CRLF */

	r->record_line = r->line;
	msg = csv_split(r, rec, reclen, &newlines);
	if (msg)
		return csv_fail(r, msg);

	r->pos += consumed;
	r->line += newlines + 1;
	r->scan = 0;
	r->scan_in_quotes = 0;
	*fields = r->fields;
	*nfields = r->nfields;
	return CSV_RECORD;
}

void
csv_reader_destroy(CsvReader *r)
{
	if (r == NULL)
		return;
	if (r->buf)
		r->alloc.free(r->buf, r->alloc.arg);
	if (r->fields)
		r->alloc.free(r->fields, r->alloc.arg);
	if (r->out)
		r->alloc.free(r->out, r->alloc.arg);
	r->alloc.free(r, r->alloc.arg);
}
