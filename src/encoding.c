/*-------------------------------------------------------------------------
 *
 * encoding.c
 *	  Text between SQLFlow (UTF-8 both ways) and the database encoding.
 *
 * SQLFlow reads and writes UTF-8; a database may be UTF8, LATIN1, EUC_JP,
 * SQL_ASCII or any other server encoding.  One rule, applied at the edges:
 *
 *	- what we send is converted to UTF-8 just before it goes into a request
 *	  (api.c does it for every form field);
 *	- what comes back is checked to be UTF-8 once, as bytes, and parsed as
 *	  UTF-8 (so JSON \u escapes decode to UTF-8 whatever the database);
 *	- each value is converted to the database encoding when it becomes a
 *	  Datum: a CSV field, a jsonb key or string, a text export.
 *
 * A value the database encoding cannot hold is an error naming the answer
 * and the place in it, except where a function documents a fallback (a
 * job list shows such characters as \uXXXX escapes rather than failing
 * because of one job's name; server messages quoted in errors likewise).
 * In a SQL_ASCII database nothing is converted: the UTF-8 bytes are stored
 * as they are, which is what SQL_ASCII means.
 *
 * What it must not do: know where a value comes from (callers name the
 * answer and the place in it), or parse an answer.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "encoding.h"

/* convert at most this much at a time: bounds the scratch buffer */
#define CONVERT_CHUNK (256 * 1024)

static Oid	utf8_to_db_proc = InvalidOid;

bool
sqlflow_db_takes_utf8(void)
{
	int			enc = GetDatabaseEncoding();

	return enc == PG_UTF8 || enc == PG_SQL_ASCII;
}

static bool
all_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (IS_HIGHBIT_SET(s[i]))
			return false;
	return true;
}

char *
sqlflow_to_utf8(const char *s, size_t len, size_t *outlen)
{
	char	   *out;

	*outlen = len;
	if (len == 0 || GetDatabaseEncoding() == PG_UTF8 || all_ascii(s, len))
		return unconstify(char *, s);
	if (len > MaxAllocSize / MAX_CONVERSION_GROWTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("value of %zu bytes is too large to convert to UTF-8", len)));
	/* validates too: in SQL_ASCII only what is already UTF-8 may go */
	out = pg_server_to_any(s, (int) len, PG_UTF8);
	if (out != s)
		*outlen = strlen(out);
	return out;
}

size_t
sqlflow_check_utf8(const char *what, const char *data, size_t len)
{
	size_t		off = 0;

	/* in pieces: pg_encoding_verifymbstr takes an int length */
	while (off < len)
	{
		size_t		n = Min(len - off, (size_t) 64 * 1024 * 1024);
		int			valid = pg_encoding_verifymbstr(PG_UTF8, data + off, (int) n);

		if ((size_t) valid < n)
		{
			size_t		bad = off + valid;

			/* a character cut by the piece boundary: look again from it */
			if (off + n < len && n - valid < 4 && data[bad] != '\0' &&
				pg_encoding_verifymbstr(PG_UTF8, data + bad, (int) Min(len - bad, 4)) > 0)
			{
				off = bad;
				continue;
			}
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("%s is not valid UTF-8", what),
					 data[bad] == '\0'
					 ? errdetail("It has a NUL byte at offset %zu (line %ld).", bad,
								 sqlflow_line_of(data, bad))
					 : errdetail("It has an invalid byte sequence at offset %zu (line %ld).", bad,
								 sqlflow_line_of(data, bad))));
		}
		off += n;
	}
	return (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
}

long
sqlflow_line_of(const char *s, size_t off)
{
	long		line = 1;

	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * Convert s[0..len) into buf (appending), stopping at the first character
 * the database encoding cannot hold.  Returns the number of source bytes
 * converted.
 */
static size_t
convert_some(const char *s, size_t len, StringInfo buf)
{
	size_t		done = 0;

	if (!OidIsValid(utf8_to_db_proc))
	{
		utf8_to_db_proc = FindDefaultConversionProc(PG_UTF8, GetDatabaseEncoding());
		if (!OidIsValid(utf8_to_db_proc))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("default conversion function for encoding \"%s\" to \"%s\" does not exist",
							pg_encoding_to_char(PG_UTF8),
							GetDatabaseEncodingName())));
	}

	while (done < len)
	{
		size_t		n = Min(len - done, CONVERT_CHUNK);
		int			converted;

		/* never cut a character: back off to the start of one */
		if (done + n < len)
			while (n > 0 && (s[done + n] & 0xC0) == 0x80)
				n--;
		enlargeStringInfo(buf, (int) (n * MAX_CONVERSION_GROWTH + 1));
		converted = pg_do_encoding_conversion_buf(utf8_to_db_proc, PG_UTF8,
												  GetDatabaseEncoding(),
												  (unsigned char *) s + done, (int) n,
												  (unsigned char *) buf->data + buf->len,
												  buf->maxlen - buf->len, true);
		buf->len += strlen(buf->data + buf->len);
		done += converted;
		if ((size_t) converted < n)
			break;
	}
	return done;
}

char *
sqlflow_from_utf8_noerror(const char *s, size_t len, size_t *outlen,
						  size_t *bad_offset)
{
	StringInfoData buf;
	size_t		done;

	*outlen = len;
	*bad_offset = len;			/* defined on every path (gcc 14 checks) */
	if (len == 0 || sqlflow_db_takes_utf8() || all_ascii(s, len))
		return unconstify(char *, s);

	initStringInfo(&buf);
	done = convert_some(s, len, &buf);
	if (done < len)
	{
		pfree(buf.data);
		*bad_offset = done;
		return NULL;
	}
	*outlen = buf.len;
	return buf.data;
}

/* the bytes of the UTF-8 character at s, as "0xe4 0xb8 0xad" */
static char *
utf8_char_bytes(const char *s, size_t avail)
{
	StringInfoData buf;
	int			n = Min(pg_utf_mblen((const unsigned char *) s), (int) avail);

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s0x%02x", i ? " " : "", (unsigned char) s[i]);
	return buf.data;
}

void
sqlflow_untranslatable(const char *what, const char *where,
					   const char *s, size_t len, size_t bad)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
			 errmsg("%s has a character that database encoding \"%s\" cannot hold",
				what, GetDatabaseEncodingName()),
			 errdetail("%s: the character with UTF-8 bytes %s has no equivalent in \"%s\".",
				   where, utf8_char_bytes(s + bad, len - bad),
				   GetDatabaseEncodingName()),
			 errhint("A database in encoding UTF8 can hold every character SQLFlow sends.")));
}

char *
sqlflow_from_utf8(const char *s, size_t len, size_t *outlen,
				  const char *what, const char *where)
{
	size_t		bad;
	char	   *out = sqlflow_from_utf8_noerror(s, len, outlen, &bad);

	if (out == NULL)
		sqlflow_untranslatable(what, where, s, len, bad);
	return out;
}

char *
sqlflow_from_utf8_escaped(const char *s, size_t len, int *escaped)
{
	StringInfoData buf;
	size_t		off = 0;
	size_t		outlen;
	size_t		bad;
	char	   *out;

	out = sqlflow_from_utf8_noerror(s, len, &outlen, &bad);
	if (out != NULL)
		return (out == s) ? pnstrdup(s, len) : out;

	initStringInfo(&buf);
	while (off < len)
	{
		size_t		done = convert_some(s + off, len - off, &buf);
		pg_wchar	c;
		int			n;

		off += done;
		if (off >= len)
			break;
		n = Min(pg_utf_mblen((const unsigned char *) s + off), (int) (len - off));
		c = utf8_to_unicode((const unsigned char *) s + off);
		if (c > 0xFFFF)
			appendStringInfo(&buf, "\\u%04X\\u%04X",
							 (unsigned int) (0xD800 + ((c - 0x10000) >> 10)),
							 (unsigned int) (0xDC00 + ((c - 0x10000) & 0x3FF)));
		else
			appendStringInfo(&buf, "\\u%04X", (unsigned int) c);
		if (escaped)
			(*escaped)++;
		off += n;
	}
	return buf.data;
}
