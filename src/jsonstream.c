/*-------------------------------------------------------------------------
 *
 * jsonstream.c
 *	  Incremental (streaming) JSON reader (pure C).
 *
 * One pass, resumable at any byte.  Between tokens the grammar state is a
 * small enum plus a stack of one byte per open container.  A token split
 * across chunks is resumed where its scan stopped: a string is decoded
 * into the token buffer as far as the input goes (an escape or UTF-8
 * sequence cut short stays unconsumed until the rest arrives), a number or
 * literal stays unconsumed in the input buffer while the scan position and
 * the number grammar state are remembered.  So nothing is scanned twice,
 * and 1-byte chunks cost no more than one big one.
 *
 * A string that lies whole in the buffer and has no escape is handed out
 * in place: its closing quote, already consumed, is overwritten with the
 * terminating NUL.  The buffer is compacted on feed, so memory is bounded
 * by the unconsumed tail, the largest token and the nesting stack.
 *
 * What it must not do: include PostgreSQL headers, raise an error or
 * longjmp, allocate other than through its hooks, or convert encodings
 * (it hands out UTF-8; stream_in.c converts).
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define JSTREAM_SSE2 1
#endif

#include "jsonstream.h"

/* a case that goes on into the next (an attribute: comments do not count everywhere) */
#if defined(__has_attribute)
#if __has_attribute(fallthrough)
#define JSTREAM_FALLTHROUGH __attribute__((fallthrough))
#endif
#endif
#ifndef JSTREAM_FALLTHROUGH
#define JSTREAM_FALLTHROUGH ((void) 0)
#endif

/* what the grammar expects next, outside a token */
typedef enum JStreamState
{
	ST_VALUE,					/* a value: at the start, after ':' or ',' */
	ST_VALUE_OR_END,			/* after '[' */
	ST_KEY_OR_END,				/* after '{' */
	ST_KEY,						/* after ',' in an object */
	ST_COLON,					/* after a key */
	ST_AFTER,					/* after a member: ',' or the closing bracket */
	ST_DONE						/* after the top-level value: only whitespace */
} JStreamState;

/* the token being read across calls */
typedef enum JStreamTokKind
{
	TK_NONE,
	TK_STRING,
	TK_NUMBER,
	TK_LITERAL
} JStreamTokKind;

/* number grammar, as PostgreSQL's json_lex_number reads it */
typedef enum JStreamNumState
{
	NUM_START,					/* nothing yet */
	NUM_MINUS,					/* '-': a digit must follow */
	NUM_ZERO,					/* a leading 0: no digit may follow */
	NUM_INT,					/* in the integer digits */
	NUM_DOT,					/* '.': a digit must follow */
	NUM_FRAC,					/* in the fraction digits */
	NUM_E,						/* 'e' or 'E': a sign or digit must follow */
	NUM_ESIGN,					/* exponent sign: a digit must follow */
	NUM_EXP						/* in the exponent digits */
} JStreamNumState;

/* byte classes */
#define C_PLAIN		1			/* copied as is inside a string */
#define C_SPACE		2			/* JSON whitespace */
#define C_ALNUM		4			/* may not follow a number or literal */

static const unsigned char jstream_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 2, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	3, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1, 1,
	1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 0, 1, 1, 5,
	1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

#define JSTREAM_ONES	UINT64_C(0x0101010101010101)
#define JSTREAM_HIGHS	UINT64_C(0x8080808080808080)
#define JSTREAM_BELOW(x, n) (((x) - JSTREAM_ONES * (n)) & ~(x) & JSTREAM_HIGHS)

static inline const unsigned char *
jstream_scan_plain(const unsigned char *p, const unsigned char *end)
{
#ifdef JSTREAM_SSE2

	/*
	 * Sixteen bytes at a time where SSE2 is there (every x86-64): a quote, a
	 * backslash, and, compared as signed bytes, below 0x20 (a control
	 * character, or 0x80 and up, which are negative).
	 */
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i backslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (end - p >= 16)
	{
		__m128i		x = _mm_loadu_si128((const __m128i *) p);
		int			hit;

		hit = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
														  _mm_cmpeq_epi8(x, backslash)),
											 _mm_cmplt_epi8(x, space)));
		if (hit != 0)
			return p + __builtin_ctz(hit);
		p += 16;
	}
#endif
	while (end - p >= 8)
	{
		uint64_t	w;
		uint64_t	hit;

		memcpy(&w, p, 8);
		hit = JSTREAM_BELOW(w ^ (JSTREAM_ONES * '"'), 1) |
			JSTREAM_BELOW(w ^ (JSTREAM_ONES * '\\'), 1) |
			JSTREAM_BELOW(w, 0x20) | (w & JSTREAM_HIGHS);
		if (hit != 0)
		{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/*
			 * The lowest flag is exact (a borrow only ever wrongly flags a
			 * byte above a true one), and the lowest byte comes first.
			 */
			return p + (__builtin_ctzll(hit) >> 3);
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < end && (jstream_class[*p] & C_PLAIN))
		p++;
	return p;
}

static const char *const jstream_words[3] = {"true", "false", "null"};
static const JStreamToken jstream_word_tokens[3] = {JS_TRUE, JS_FALSE, JS_NULL};

struct JStreamReader
{
	JStreamAllocator alloc;
	size_t		max_token;
	int			max_depth;

	/* input: bytes [pos, len) of buf are not consumed yet */
	char	   *buf;
	size_t		pos;
	size_t		len;
	size_t		cap;
	unsigned long long base;	/* stream offset of buf[0] */
	int			finished;

	/* grammar */
	JStreamState state;
	unsigned char *stack;		/* '{' or '[' per open container */
	int			depth;
	int			stack_cap;
	int			skip_depth;		/* > 0: skipping until depth drops below */
	int			skip_value;		/* ... and the value is not handed out either */

	/* the token being read; a number or literal starts at pos */
	JStreamTokKind tok_kind;
	int			tok_key;		/* string: it is a key */
	int			tok_copying;	/* string: contents are in tok, not in place */
	int			tok_sub;		/* number: JStreamNumState; literal: word */
	size_t		tok_scan;		/* number, literal: bytes scanned from pos */
	unsigned long long tok_start;	/* stream offset of the token */
	char	   *tok;			/* decoded string, or the number's text */
	size_t		tok_len;
	size_t		tok_cap;

	const char *error;
	unsigned long long error_offset;
	char		errbuf[48];
};

/*
 * The closing quote of a plain string (printable ASCII without escapes)
 * that opens at p and lies whole in the buffer within the token limit;
 * NULL for any other string.
 */
static inline const unsigned char *
jstream_plain_end(const JStreamReader *r, const unsigned char *p,
				  const unsigned char *end)
{
	const unsigned char *q = jstream_scan_plain(p + 1, end);

	if (q == end || *q != '"' || (size_t) (q - p - 1) > r->max_token)
		return NULL;
	return q;
}

static void *
jstream_grow(JStreamReader *r, void *ptr, size_t size)
{
	return reader_grow(&r->alloc, ptr, size);
}

JStreamReader *
jstream_reader_create(const JStreamAllocator *alloc)
{
	JStreamAllocator a;
	JStreamReader *r;

	a = reader_allocator(alloc);
	r = a.alloc(sizeof(JStreamReader), a.arg);
	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(JStreamReader));
	r->alloc = a;
	r->max_token = JSTREAM_DEFAULT_MAX_TOKEN;
	r->max_depth = JSTREAM_DEFAULT_MAX_DEPTH;
	r->state = ST_VALUE;
	r->tok_kind = TK_NONE;
	return r;
}

void
jstream_reader_set_max_token(JStreamReader *r, size_t bytes)
{
	r->max_token = bytes;
}

void
jstream_reader_set_max_depth(JStreamReader *r, int depth)
{
	r->max_depth = depth;
}

/*
 * *buf (*cap bytes, the first "used" in use) made to hold "more" bytes
 * after those, doubling from *cap or from mincap; 0, or -1 if out of memory
 */
static int
jstream_buf_room(JStreamReader *r, char **buf, size_t *cap, size_t used,
				 size_t more, size_t mincap)
{
	size_t		newcap;
	char	   *nb;

	if (more <= *cap - used)
		return 0;
	if (more > ((size_t) -1) / 4 - used)
		return -1;
	newcap = *cap > mincap ? *cap : mincap;
	while (newcap < used + more)
		newcap *= 2;
	nb = jstream_grow(r, *buf, newcap);
	if (nb == NULL)
		return -1;
	*buf = nb;
	*cap = newcap;
	return 0;
}

/* room for "more" bytes after the unread ones; 0, or -1 if out of memory */
static int
jstream_room(JStreamReader *r, size_t more, size_t mincap)
{
	size_t		pending = r->len - r->pos;

	/* drop what was consumed before growing */
	if (r->pos > 0 && (r->pos >= r->len / 2 || more > r->cap - r->len))
	{
		memmove(r->buf, r->buf + r->pos, pending);
		r->base += r->pos;
		r->pos = 0;
		r->len = pending;
	}
	return jstream_buf_room(r, &r->buf, &r->cap, r->len, more, mincap);
}

int
jstream_reader_reserve(JStreamReader *r, size_t bytes)
{
	if (r->cap >= bytes)
		return 0;
	return jstream_room(r, bytes - (r->len - r->pos), bytes);
}

int
jstream_reader_feed(JStreamReader *r, const char *data, size_t len)
{
	if (len == 0 || r->error || r->finished)
		return 0;
	if (jstream_room(r, len, 65536) != 0)
		return -1;
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	return 0;
}

void
jstream_reader_finish(JStreamReader *r)
{
	r->finished = 1;
}

unsigned long long
jstream_reader_error_offset(const JStreamReader *r)
{
	return r->error_offset;
}

const char *
jstream_reader_error(const JStreamReader *r)
{
	return r->error;
}

static JStreamResult
jstream_fail(JStreamReader *r, const char *msg, unsigned long long offset)
{
	r->error = msg;
	r->error_offset = offset;
	r->tok_kind = TK_NONE;
	return JS_ERROR;
}

/* the byte at p is not allowed where it is */
static JStreamResult
jstream_unexpected(JStreamReader *r, const unsigned char *p)
{
	if (*p > 0x20 && *p < 0x7F)
		snprintf(r->errbuf, sizeof(r->errbuf), "unexpected character \"%c\"", *p);
	else
		snprintf(r->errbuf, sizeof(r->errbuf), "unexpected byte 0x%02X", *p);
	return jstream_fail(r, r->errbuf, r->base + (size_t) ((const char *) p - r->buf));
}

/* append n bytes to the token buffer, keeping room for a NUL */
static int
jstream_tok_add(JStreamReader *r, const void *data, size_t n)
{
	if (jstream_buf_room(r, &r->tok, &r->tok_cap, r->tok_len, n + 1, 256) != 0)
		return -1;
	memcpy(r->tok + r->tok_len, data, n);
	r->tok_len += n;
	return 0;
}

/* after a complete value */
static void
jstream_value_done(JStreamReader *r)
{
	r->state = r->depth == 0 ? ST_DONE : ST_AFTER;
}

/*
 * Length of the strict UTF-8 sequence at p (2 to 4), 0 if the input ends
 * before it does, -1 if it is invalid: overlong forms, surrogates, code
 * points above U+10FFFF, stray continuation bytes.  Bytes are judged in
 * order, so the answer does not depend on how much input follows.
 */
static int
jstream_utf8(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	int			n;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return -1;
	for (int i = 1; i < n; i++)
	{
		if (p + i >= end)
			return 0;
		if (p[i] < lo || p[i] > hi)
			return -1;
		lo = 0x80;
		hi = 0xBF;
	}
	return n;
}

/* four hex digits at p: the value, -1 if input is missing, -2 if invalid */
static long
jstream_hex4(const unsigned char *p, const unsigned char *end)
{
	long		v = 0;

	for (int i = 0; i < 4; i++)
	{
		unsigned char c;

		if (p + i >= end)
			return -1;
		c = p[i];
		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -2;
	}
	return v;
}

/*
 * Decode the escape at p (a backslash) into out (at most 4 bytes, length
 * in *outlen).  Returns the bytes it spans, 0 if the input ends before it
 * does, -1 on error with *msg set.  Like jstream_utf8, bytes are judged
 * in order.
 */
static int
jstream_escape(const unsigned char *p, const unsigned char *end,
			   unsigned char *out, int *outlen, const char **msg)
{
	long		cp;

	*outlen = 1;
	if (end - p < 2)
		return 0;
	switch (p[1])
	{
		case '"':
			out[0] = '"';
			return 2;
		case '\\':
			out[0] = '\\';
			return 2;
		case '/':
			out[0] = '/';
			return 2;
		case 'b':
			out[0] = '\b';
			return 2;
		case 'f':
			out[0] = '\f';
			return 2;
		case 'n':
			out[0] = '\n';
			return 2;
		case 'r':
			out[0] = '\r';
			return 2;
		case 't':
			out[0] = '\t';
			return 2;
		case 'u':
			break;
		default:
			*msg = "invalid escape sequence";
			return -1;
	}
	cp = jstream_hex4(p + 2, end);
	if (cp == -1)
		return 0;
	if (cp == -2)
	{
		*msg = "invalid escape sequence";
		return -1;
	}
	if (cp == 0)
	{
		*msg = "unsupported Unicode escape sequence";
		return -1;
	}
	if (cp >= 0xDC00 && cp <= 0xDFFF)
	{
		*msg = "invalid Unicode surrogate pair";
		return -1;
	}
	if (cp >= 0xD800 && cp <= 0xDBFF)
	{
		long		lo;

		/* a \u low surrogate must follow at once */
		if (end - p < 7)
			return 0;
		if (p[6] != '\\')
		{
			*msg = "invalid Unicode surrogate pair";
			return -1;
		}
		if (end - p < 8)
			return 0;
		if (p[7] != 'u')
		{
			*msg = "invalid Unicode surrogate pair";
			return -1;
		}
		lo = jstream_hex4(p + 8, end);
		if (lo == -1)
			return 0;
		if (lo == -2)
		{
			*msg = "invalid escape sequence";
			return -1;
		}
		if (lo < 0xDC00 || lo > 0xDFFF)
		{
			*msg = "invalid Unicode surrogate pair";
			return -1;
		}
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		out[0] = (unsigned char) (0xF0 | (cp >> 18));
		out[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
		out[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		out[3] = (unsigned char) (0x80 | (cp & 0x3F));
		*outlen = 4;
		return 12;
	}
	if (cp < 0x80)
		out[0] = (unsigned char) cp;
	else if (cp < 0x800)
	{
		out[0] = (unsigned char) (0xC0 | (cp >> 6));
		out[1] = (unsigned char) (0x80 | (cp & 0x3F));
		*outlen = 2;
	}
	else
	{
		out[0] = (unsigned char) (0xE0 | (cp >> 12));
		out[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char) (0x80 | (cp & 0x3F));
		*outlen = 3;
	}
	return 6;
}

/*
 * Read a string from pos, which is just past the opening quote or where an
 * earlier call stopped.  Until an escape is met or the input runs out the
 * contents are left in place; after that they are collected in tok.  The
 * length limit is checked after each run of plain bytes and each escape or
 * UTF-8 sequence, so the first failing check is the same however the
 * input was split.
 */
static JStreamResult
jstream_string(JStreamReader *r, JStreamEvent *ev)
{
	unsigned char *start = (unsigned char *) r->buf + r->pos;
	unsigned char *p = start;
	const unsigned char *end = (unsigned char *) r->buf + r->len;
	int			copying = r->tok_copying;
	const char *msg;

	for (;;)
	{
		const unsigned char *run = p;
		unsigned char out[4];
		int			outlen;
		int			n;

		p = (unsigned char *) jstream_scan_plain(p, end);
		if (copying && p > run && jstream_tok_add(r, run, p - run) != 0)
			goto oom;
		if ((copying ? r->tok_len : (size_t) (p - start)) > r->max_token)
			return jstream_fail(r, "string longer than the limit", r->tok_start);
		if (p == end)
			break;
		if (*p == '"')
			break;
		if (*p == '\\')
		{
			n = jstream_escape(p, end, out, &outlen, &msg);
			if (n == 0)
				break;
			if (n < 0)
				return jstream_fail(r, msg, r->base + (size_t) ((char *) p - r->buf));
			if (!copying)
			{
				if (jstream_tok_add(r, start, p - start) != 0)
					goto oom;
				copying = 1;
			}
			if (jstream_tok_add(r, out, outlen) != 0)
				goto oom;
			p += n;
		}
		else if (*p >= 0x80)
		{
			n = jstream_utf8(p, end);
			if (n == 0)
				break;
			if (n < 0)
				return jstream_fail(r, "invalid UTF-8", r->base + (size_t) ((char *) p - r->buf));
			if (copying && jstream_tok_add(r, p, n) != 0)
				goto oom;
			p += n;
		}
		else
			return jstream_fail(r, "control character in string",
								r->base + (size_t) ((char *) p - r->buf));
		if ((copying ? r->tok_len : (size_t) (p - start)) > r->max_token)
			return jstream_fail(r, "string longer than the limit", r->tok_start);
	}

	if (p < end && *p == '"')
	{
		ev->token = r->tok_key ? JS_KEY : JS_STRING;
		if (copying)
		{
			r->tok[r->tok_len] = '\0';
			ev->data = r->tok;
			ev->len = r->tok_len;
		}
		else
		{
			*p = '\0';			/* the closing quote, consumed now */
			ev->data = (const char *) start;
			ev->len = p - start;
		}
		ev->offset = r->tok_start;
		ev->depth = r->depth;
		r->pos = (char *) p + 1 - r->buf;
		r->tok_kind = TK_NONE;
		if (r->tok_key)
			r->state = ST_COLON;
		else
			jstream_value_done(r);
		return JS_EVENT;
	}

	/* out of input: keep what was read, leave a cut-short sequence */
	if (!copying && jstream_tok_add(r, start, p - start) != 0)
		goto oom;
	r->tok_copying = 1;
	r->pos = (char *) p - r->buf;
	if (r->finished)
		return jstream_fail(r, "unterminated string", r->tok_start);
	return JS_NEED_MORE;

oom:
	return jstream_fail(r, "out of memory", r->base + (size_t) ((char *) p - r->buf));
}

/*
 * Whether the well-formed number s[0..n) fits PostgreSQL's numeric, which
 * jsonb stores numbers in: an exponent under INT_MAX / 2 in magnitude, at
 * most 16383 digits after the decimal point once the exponent is applied
 * (trailing zeros count), and the leading nonzero digit below 10^131072
 * (the weight, in base-10000 digits, must fit in an int16).
 */
static int
jstream_numeric_range(const char *s, size_t n)
{
	const char *end = s + n;
	const char *p = s;
	long long	intdigits = 0;
	long long	fracdigits = 0;
	long long	exponent = 0;
	long long	msd = 0;		/* power of ten of the leading nonzero digit */
	int			nonzero = 0;
	long long	dscale;

	if (*p == '-')
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
	{
		if (*p != '0' && !nonzero)
		{
			nonzero = 1;
			msd = -intdigits;	/* made absolute below */
		}
		intdigits++;
	}
	if (nonzero)
		msd += intdigits - 1;
	if (p < end && *p == '.')
	{
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
		{
			fracdigits++;
			if (*p != '0' && !nonzero)
			{
				nonzero = 1;
				msd = -fracdigits;
			}
		}
	}
	if (p < end)
	{
		int			neg = 0;

		p++;					/* e or E */
		if (*p == '+' || *p == '-')
			neg = *p++ == '-';
		for (; p < end; p++)
		{
			if (exponent < 2000000000LL)
				exponent = exponent * 10 + (*p - '0');
		}
		if (neg)
			exponent = -exponent;
	}
	if (exponent >= 1073741823LL || exponent <= -1073741823LL)
		return 0;
	dscale = fracdigits - exponent;
	if (dscale > 16383)
		return 0;
	if (nonzero)
	{
		long long	power = msd + exponent;
		long long	weight = power >= 0 ? power / 4 : -((-power + 3) / 4);

		if (weight > 32767 || weight < -32768)
			return 0;
	}
	return 1;
}

/*
 * Read a number starting at pos, resuming the scan at tok_scan with the
 * grammar state in tok_sub.  It ends at a byte that cannot continue it;
 * a letter, digit or '_' there makes the whole token invalid, as in
 * PostgreSQL.  The length limit is checked byte by byte.
 */
static JStreamResult
jstream_number(JStreamReader *r, JStreamEvent *ev)
{
	const unsigned char *s = (unsigned char *) r->buf + r->pos;
	const unsigned char *p = s + r->tok_scan;
	const unsigned char *end = (unsigned char *) r->buf + r->len;
	JStreamNumState st = (JStreamNumState) r->tok_sub;

	for (; p < end; p++)
	{
		unsigned char c = *p;

		switch (st)
		{
			case NUM_START:
				if (c == '-')
					st = NUM_MINUS;
				else if (c == '0')
					st = NUM_ZERO;
				else
					st = NUM_INT;	/* the caller saw 1-9 */
				break;
			case NUM_MINUS:
				if (c == '0')
					st = NUM_ZERO;
				else if (c >= '1' && c <= '9')
					st = NUM_INT;
				else
					goto bad;
				break;
			case NUM_ZERO:
			case NUM_INT:
				if (c >= '0' && c <= '9' && st == NUM_INT)
					break;
				if (c == '.')
					st = NUM_DOT;
				else if (c == 'e' || c == 'E')
					st = NUM_E;
				else
					goto done;
				break;
			case NUM_DOT:
				if (c >= '0' && c <= '9')
					st = NUM_FRAC;
				else
					goto bad;
				break;
			case NUM_FRAC:
				if (c >= '0' && c <= '9')
					break;
				if (c == 'e' || c == 'E')
					st = NUM_E;
				else
					goto done;
				break;
			case NUM_E:
				if (c == '+' || c == '-')
					st = NUM_ESIGN;
				else if (c >= '0' && c <= '9')
					st = NUM_EXP;
				else
					goto bad;
				break;
			case NUM_ESIGN:
				if (c >= '0' && c <= '9')
					st = NUM_EXP;
				else
					goto bad;
				break;
			case NUM_EXP:
				if (c >= '0' && c <= '9')
					break;
				goto done;
		}
		if ((size_t) (p + 1 - s) > r->max_token)
			return jstream_fail(r, "number longer than the limit", r->tok_start);
	}

	/* out of input */
	r->tok_scan = p - s;
	r->tok_sub = st;
	if (!r->finished)
		return JS_NEED_MORE;
	if (st == NUM_ZERO || st == NUM_INT || st == NUM_FRAC || st == NUM_EXP)
		goto emit;
	goto bad;

done:
	if (jstream_class[*p] & C_ALNUM)
		goto bad;
emit:
	/* without an exponent, only a very long number can be out of range */
	if ((st == NUM_EXP || (size_t) (p - s) > 16000) &&
		!jstream_numeric_range((const char *) s, p - s))
		return jstream_fail(r, "number out of range", r->tok_start);
	r->tok_len = 0;
	if (r->skip_depth > 0)
	{
		/* nobody will see it */
		ev->data = NULL;
		ev->len = 0;
	}
	else
	{
		if (jstream_tok_add(r, s, p - s) != 0)
			return jstream_fail(r, "out of memory", r->tok_start);
		r->tok[r->tok_len] = '\0';
		ev->data = r->tok;
		ev->len = r->tok_len;
	}
	ev->token = JS_NUMBER;
	ev->offset = r->tok_start;
	ev->depth = r->depth;
	r->pos = (const char *) p - r->buf;
	r->tok_kind = TK_NONE;
	jstream_value_done(r);
	return JS_EVENT;

bad:
	return jstream_fail(r, "invalid number", r->tok_start);
}

/*
 * Read true, false or null (word tok_sub) starting at pos.  As in
 * PostgreSQL, the letters, digits and '_' that follow are part of the
 * token, so "truex" is invalid as a whole.
 */
static JStreamResult
jstream_literal(JStreamReader *r, JStreamEvent *ev)
{
	const char *word = jstream_words[r->tok_sub];
	size_t		wlen = strlen(word);
	const unsigned char *s = (unsigned char *) r->buf + r->pos;
	const unsigned char *p = s + r->tok_scan;
	const unsigned char *end = (unsigned char *) r->buf + r->len;

	for (; p < end; p++)
	{
		size_t		i = p - s;

		if (i == wlen)
		{
			if (jstream_class[*p] & C_ALNUM)
				goto bad;
			goto emit;
		}
		if (*p != (unsigned char) word[i])
			goto bad;
	}
	r->tok_scan = p - s;
	if (!r->finished)
		return JS_NEED_MORE;
	if ((size_t) (p - s) != wlen)
		goto bad;

emit:
	ev->token = jstream_word_tokens[r->tok_sub];
	ev->data = NULL;
	ev->len = 0;
	ev->offset = r->tok_start;
	ev->depth = r->depth;
	r->pos = (const char *) p - r->buf;
	r->tok_kind = TK_NONE;
	jstream_value_done(r);
	return JS_EVENT;

bad:
	return jstream_fail(r, "invalid token", r->tok_start);
}

/* open a container at p */
static JStreamResult
jstream_open(JStreamReader *r, JStreamEvent *ev, const unsigned char *p)
{
	unsigned long long off = r->base + (size_t) ((const char *) p - r->buf);

	if (r->depth >= r->max_depth)
		return jstream_fail(r, "nesting deeper than the limit", off);
	if (r->depth == r->stack_cap)
	{
		int			newcap = r->stack_cap ? r->stack_cap * 2 : 64;
		unsigned char *ns;

		if (r->stack_cap > r->max_depth / 2)
			newcap = r->max_depth;	/* no further: it cannot overflow */
		ns = jstream_grow(r, r->stack, (size_t) newcap);
		if (ns == NULL)
			return jstream_fail(r, "out of memory", off);
		r->stack = ns;
		r->stack_cap = newcap;
	}
	r->stack[r->depth] = *p;
	ev->token = *p == '{' ? JS_OBJECT_START : JS_ARRAY_START;
	ev->data = NULL;
	ev->len = 0;
	ev->offset = off;
	ev->depth = r->depth;
	r->depth++;
	r->state = *p == '{' ? ST_KEY_OR_END : ST_VALUE_OR_END;
	r->pos = (const char *) p + 1 - r->buf;
	return JS_EVENT;
}

/* close the innermost container with the bracket at p */
static JStreamResult
jstream_close(JStreamReader *r, JStreamEvent *ev, const unsigned char *p)
{
	if (r->depth == 0 || r->stack[r->depth - 1] != (*p == '}' ? '{' : '['))
		return jstream_unexpected(r, p);
	r->depth--;
	ev->token = *p == '}' ? JS_OBJECT_END : JS_ARRAY_END;
	ev->data = NULL;
	ev->len = 0;
	ev->offset = r->base + (size_t) ((const char *) p - r->buf);
	ev->depth = r->depth;
	jstream_value_done(r);
	r->pos = (const char *) p + 1 - r->buf;
	return JS_EVENT;
}

/* start a string, number or literal at p */
static JStreamResult
jstream_start_token(JStreamReader *r, JStreamEvent *ev,
					const unsigned char *p, JStreamTokKind kind, int sub)
{
	r->tok_kind = kind;
	r->tok_start = r->base + (size_t) ((const char *) p - r->buf);
	r->tok_sub = sub;
	r->tok_scan = 0;
	r->tok_len = 0;
	r->tok_copying = 0;
	if (kind == TK_STRING)
	{
		r->tok_key = sub;
		r->pos = (const char *) p + 1 - r->buf;
		return jstream_string(r, ev);
	}
	r->pos = (const char *) p - r->buf;
	if (kind == TK_NUMBER)
		return jstream_number(r, ev);
	return jstream_literal(r, ev);
}

/*
 * The common string, at p (its opening quote): printable ASCII without
 * escapes, wholly in the buffer, within the limit.  Handed out in place,
 * as jstream_string would; false (nothing done) for any other string.
 */
static inline int
jstream_plain_string(JStreamReader *r, JStreamEvent *ev, unsigned char *p,
					 const unsigned char *end, int key)
{
	unsigned char *q = (unsigned char *) jstream_plain_end(r, p, end);

	if (q == NULL)
		return 0;
	*q = '\0';
	ev->token = key ? JS_KEY : JS_STRING;
	ev->data = (const char *) p + 1;
	ev->len = q - p - 1;
	ev->offset = r->base + (size_t) ((char *) p - r->buf);
	ev->depth = r->depth;
	r->pos = (char *) q + 1 - r->buf;
	if (key)
		r->state = ST_COLON;
	else
		jstream_value_done(r);
	return 1;
}

/* the next token, skipped or not */
static inline JStreamResult
jstream_token(JStreamReader *r, JStreamEvent *ev)
{
	const unsigned char *p;
	const unsigned char *end;

	if (r->error)
		return JS_ERROR;
	if (r->buf == NULL)
	{
		/* nothing was ever fed */
		if (!r->finished)
			return JS_NEED_MORE;
		return jstream_fail(r, "unexpected end of input", 0);
	}
	switch (r->tok_kind)
	{
		case TK_NONE:
			break;
		case TK_STRING:
			return jstream_string(r, ev);
		case TK_NUMBER:
			return jstream_number(r, ev);
		case TK_LITERAL:
			return jstream_literal(r, ev);
	}

	p = (const unsigned char *) r->buf + r->pos;
	end = (const unsigned char *) r->buf + r->len;
	for (;;)
	{
		unsigned char c;

		while (p < end && (jstream_class[*p] & C_SPACE))
			p++;
		if (p == end)
		{
			r->pos = (const char *) p - r->buf;
			if (!r->finished)
				return JS_NEED_MORE;
			if (r->state == ST_DONE)
				return JS_EOF;
			return jstream_fail(r, "unexpected end of input", r->base + r->len);
		}
		c = *p;
		switch (r->state)
		{
			case ST_VALUE_OR_END:
				if (c == ']')
					return jstream_close(r, ev, p);
				JSTREAM_FALLTHROUGH;
			case ST_VALUE:
				switch (c)
				{
					case '{':
					case '[':
						return jstream_open(r, ev, p);
					case '"':
						if (jstream_plain_string(r, ev, (unsigned char *) p, end, 0))
							return JS_EVENT;
						return jstream_start_token(r, ev, p, TK_STRING, 0);
					case '-':
					case '0':
					case '1':
					case '2':
					case '3':
					case '4':
					case '5':
					case '6':
					case '7':
					case '8':
					case '9':
						return jstream_start_token(r, ev, p, TK_NUMBER, NUM_START);
					case 't':
						return jstream_start_token(r, ev, p, TK_LITERAL, 0);
					case 'f':
						return jstream_start_token(r, ev, p, TK_LITERAL, 1);
					case 'n':
						return jstream_start_token(r, ev, p, TK_LITERAL, 2);
					default:
						if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
							return jstream_fail(r, "invalid token",
												r->base + (size_t) ((const char *) p - r->buf));
						return jstream_unexpected(r, p);
				}
			case ST_KEY_OR_END:
				if (c == '}')
					return jstream_close(r, ev, p);
				JSTREAM_FALLTHROUGH;
			case ST_KEY:
				if (c == '"')
				{
					if (jstream_plain_string(r, ev, (unsigned char *) p, end, 1))
						return JS_EVENT;
					return jstream_start_token(r, ev, p, TK_STRING, 1);
				}
				return jstream_unexpected(r, p);
			case ST_COLON:
				if (c != ':')
					return jstream_unexpected(r, p);
				r->state = ST_VALUE;
				p++;
				continue;
			case ST_AFTER:
				if (c == ',')
				{
					r->state = r->stack[r->depth - 1] == '{' ? ST_KEY : ST_VALUE;
					p++;
					continue;
				}
				if (c == '}' || c == ']')
					return jstream_close(r, ev, p);
				return jstream_unexpected(r, p);
			case ST_DONE:
				return jstream_unexpected(r, p);
		}
	}
}

/*
 * Skipping, the common cases at full speed: structure, strings of
 * printable ASCII without escapes, integers, and the three words, each
 * wholly in the buffer.  Anything else (an escape, a byte >= 0x80, a
 * fraction or exponent, a token the end of the input cuts, a byte out of
 * place, a nesting limit, the skipped container's own closing bracket)
 * stops it where that token starts, in the grammar state it is in there,
 * and jstream_token goes on from that byte as it always does.  So what is
 * accepted, and every error with its offset, is the same with or without
 * this path.
 */
static void
jstream_skip_run(JStreamReader *r)
{
	const unsigned char *p = (const unsigned char *) r->buf + r->pos;
	const unsigned char *end = (const unsigned char *) r->buf + r->len;
	JStreamState state = r->state;
	int			depth = r->depth;

	for (;;)
	{
		const unsigned char *q;
		unsigned char c;
		int			word;

		while (p < end && (jstream_class[*p] & C_SPACE))
			p++;
		if (p == end)
			break;
		c = *p;
		switch (state)
		{
			case ST_COLON:
				if (c != ':')
					goto stop;
				state = ST_VALUE;
				p++;
				continue;
			case ST_AFTER:
				if (c == ',')
				{
					state = r->stack[depth - 1] == '{' ? ST_KEY : ST_VALUE;
					p++;
					continue;
				}
				if (c == '}' || c == ']')
					break;		/* to the closing bracket below */
				goto stop;
			case ST_KEY_OR_END:
				if (c == '}')
					break;
				JSTREAM_FALLTHROUGH;
			case ST_KEY:
				if (c != '"')
					goto stop;
				q = jstream_plain_end(r, p, end);
				if (q == NULL)
					goto stop;
				p = q + 1;
				state = ST_COLON;
				continue;
			case ST_VALUE_OR_END:
				if (c == ']')
					break;
				JSTREAM_FALLTHROUGH;
			case ST_VALUE:
				switch (c)
				{
					case '{':
					case '[':
						if (depth >= r->max_depth || depth >= r->stack_cap)
							goto stop;
						r->stack[depth++] = c;
						state = c == '{' ? ST_KEY_OR_END : ST_VALUE_OR_END;
						p++;
						continue;
					case '"':
						q = jstream_plain_end(r, p, end);
						if (q == NULL)
							goto stop;
						p = q + 1;
						state = ST_AFTER;
						if (depth < r->skip_depth)
							goto stop;	/* a skipped member's value, done */
						continue;
					case '-':
					case '0':
					case '1':
					case '2':
					case '3':
					case '4':
					case '5':
					case '6':
					case '7':
					case '8':
					case '9':
						q = p;
						if (*q == '-')
							q++;
						if (q < end && *q == '0')
							q++;
						else if (q < end && *q >= '1' && *q <= '9')
						{
							while (q < end && *q >= '0' && *q <= '9')
								q++;
						}
						else
							goto stop;
						/* a fraction, an exponent or a long number: the tokenizer's */
						if (q == end || *q == '.' || *q == 'e' || *q == 'E' ||
							(jstream_class[*q] & C_ALNUM) ||
							(size_t) (q - p) > 16000 || (size_t) (q - p) > r->max_token)
							goto stop;
						p = q;
						state = ST_AFTER;
						if (depth < r->skip_depth)
							goto stop;
						continue;
					case 't':
					case 'f':
					case 'n':
						word = c == 't' ? 0 : c == 'f' ? 1 : 2;
						q = p + strlen(jstream_words[word]);
						if (q >= end || memcmp(p, jstream_words[word], q - p) != 0 ||
							(jstream_class[*q] & C_ALNUM))
							goto stop;
						p = q;
						state = ST_AFTER;
						if (depth < r->skip_depth)
							goto stop;
						continue;
					default:
						goto stop;
				}
			default:
				goto stop;
		}

		/* a closing bracket, not the skipped container's, matching its opening */
		if (depth <= r->skip_depth || r->stack[depth - 1] != (c == '}' ? '{' : '['))
			goto stop;
		depth--;
		state = ST_AFTER;
		p++;
	}
stop:
	r->pos = (const char *) p - r->buf;
	r->state = state;
	r->depth = depth;
}

JStreamResult
jstream_reader_next(JStreamReader *r, JStreamEvent *ev)
{
	for (;;)
	{
		JStreamResult res;

		if (r->skip_depth > 0 && r->tok_kind == TK_NONE && r->error == NULL)
		{
			jstream_skip_run(r);
			if (r->skip_value && r->depth < r->skip_depth && r->state == ST_AFTER)
			{
				/* the skipped member's value went by whole */
				r->skip_depth = 0;
				r->skip_value = 0;
			}
		}
		res = jstream_token(r, ev);

		if (res != JS_EVENT || r->skip_depth == 0)
			return res;
		if (r->depth < r->skip_depth)
		{
			r->skip_depth = 0;
			if (!r->skip_value)
				return res;		/* the skipped container's closing bracket */
			/* the skipped member's value (a scalar, or its closing bracket) */
			r->skip_value = 0;
		}
	}
}

/*
 * One value at p, passed over by jstream_skip_run as skip_value would:
 * where it ends, or NULL where the fast path would stop.  The reader's
 * grammar state is as before either way (the stack above depth may differ).
 */
static const unsigned char *
jstream_skip_one(JStreamReader *r, const unsigned char *p)
{
	size_t		pos = r->pos;
	JStreamState state = r->state;
	int			depth = r->depth;
	const unsigned char *q = NULL;

	r->pos = (const char *) p - r->buf;
	r->state = ST_VALUE;
	r->skip_depth = depth + 1;
	jstream_skip_run(r);
	p = (const unsigned char *) r->buf + r->pos;
	if (r->depth == depth && r->state == ST_AFTER)
		q = p;					/* a scalar */
	else if (r->depth == depth + 1 && p < (const unsigned char *) r->buf + r->len &&
			 (*p == '}' || *p == ']') && r->stack[depth] == (*p == '}' ? '{' : '[') &&
			 (r->state == ST_AFTER || r->state == (*p == '}' ? ST_KEY_OR_END : ST_VALUE_OR_END)))
		q = p + 1;				/* a container, at its closing bracket */
	r->pos = pos;
	r->state = state;
	r->depth = depth;
	r->skip_depth = 0;
	return q;
}

/* p past JSON whitespace, not beyond end */
static inline const unsigned char *
jstream_space(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (jstream_class[*p] & C_SPACE))
		p++;
	return p;
}

int
jstream_reader_members(JStreamReader *r, const char *const *keys,
					   const size_t *keylens, int nkeys,
					   JStreamMember *out, int max)
{
	const unsigned char *p;
	const unsigned char *end;
	unsigned char *ends[JSTREAM_MEMBERS_MAX];	/* closing quotes of strings handed out */
	int			n = 0;
	int			first = 1;

	if (r->error || r->tok_kind != TK_NONE || r->skip_depth != 0 ||
		r->state != ST_KEY_OR_END || r->depth == 0 || r->stack[r->depth - 1] != '{' ||
		max > JSTREAM_MEMBERS_MAX)
		return -1;
	p = (const unsigned char *) r->buf + r->pos;
	end = (const unsigned char *) r->buf + r->len;
	for (;;)
	{
		const unsigned char *q;
		const unsigned char *key;
		size_t		keylen;
		int			k;

		p = jstream_space(p, end);
		if (p == end)
			return -1;
		if (*p == '}' && first)
			break;
		if (*p != '"' || (q = jstream_plain_end(r, p, end)) == NULL)
			return -1;
		key = p + 1;
		keylen = q - p - 1;
		p = jstream_space(q + 1, end);
		if (p == end || *p != ':')
			return -1;
		p = jstream_space(p + 1, end);
		if (p == end)
			return -1;
		for (k = 0; k < nkeys; k++)
			if (keylens[k] == keylen && memcmp(keys[k], key, keylen) == 0)
				break;
		if (k == nkeys)
		{
			/* an unwanted value: a plain string here, anything else as skipping does */
			if (*p == '"')
			{
				if ((q = jstream_plain_end(r, p, end)) == NULL)
					return -1;
				p = q + 1;
			}
			else if ((p = jstream_skip_one(r, p)) == NULL)
				return -1;
		}
		else
		{
			JStreamEvent *v;

			if (n == max)
				return -1;
			v = &out[n].value;
			out[n].key = k;
			v->offset = r->base + (size_t) ((const char *) p - r->buf);
			v->depth = r->depth;
			v->data = NULL;
			v->len = 0;
			if (*p == '"')
			{
				if ((q = jstream_plain_end(r, p, end)) == NULL)
					return -1;
				v->token = JS_STRING;
				v->data = (const char *) p + 1;
				v->len = q - p - 1;
				ends[n] = (unsigned char *) q;
				p = q + 1;
			}
			else
			{
				int			word = *p == 't' ? 0 : *p == 'f' ? 1 : *p == 'n' ? 2 : -1;
				size_t		wlen;

				if (word < 0)
					return -1;	/* a number or a container: one by one */
				/* a letter right after it fails below, as any byte but space, ',' or '}' */
				wlen = strlen(jstream_words[word]);
				if ((size_t) (end - p) < wlen || memcmp(p, jstream_words[word], wlen) != 0)
					return -1;
				v->token = jstream_word_tokens[word];
				ends[n] = NULL;
				p += wlen;
			}
			n++;
		}
		p = jstream_space(p, end);
		if (p == end)
			return -1;
		if (*p == '}')
			break;
		if (*p != ',')
			return -1;
		p++;
		first = 0;
	}
	/* the object is read: its strings are terminated in place, as ever */
	for (int i = 0; i < n; i++)
		if (ends[i])
			*ends[i] = '\0';
	r->depth--;
	jstream_value_done(r);
	r->pos = (const char *) p + 1 - r->buf;
	return n;
}

void
jstream_reader_skip(JStreamReader *r)
{
	if (r->error == NULL && r->tok_kind == TK_NONE && r->depth > 0 &&
		(r->state == ST_KEY_OR_END || r->state == ST_VALUE_OR_END))
		r->skip_depth = r->depth;
}

void
jstream_reader_skip_value(JStreamReader *r)
{
	if (r->error == NULL && r->tok_kind == TK_NONE && r->state == ST_COLON)
	{
		r->skip_depth = r->depth + 1;
		r->skip_value = 1;
	}
}

void
jstream_reader_destroy(JStreamReader *r)
{
	if (r == NULL)
		return;
	if (r->buf)
		r->alloc.free(r->buf, r->alloc.arg);
	if (r->stack)
		r->alloc.free(r->stack, r->alloc.arg);
	if (r->tok)
		r->alloc.free(r->tok, r->alloc.arg);
	r->alloc.free(r, r->alloc.arg);
}
