/*-------------------------------------------------------------------------
 *
 * jsonstream.h
 *	  Incremental (streaming) JSON reader.  Pure C: no PostgreSQL includes,
 *	  so it is unit-tested and fuzzed on its own.
 *
 * Pull-based: feed bytes as they arrive, then take tokens with
 * jstream_reader_next() until it says JS_NEED_MORE.  There are no
 * callbacks, so a caller may raise an error (longjmp) between calls; all
 * state lives in the reader.  Only the unparsed tail, the token being read
 * (at most max_token bytes) and one byte per nesting level are kept, so a
 * document of any size is read in bounded memory.  Input split into chunks
 * of any size, down to one byte, gives exactly the events (and the error)
 * of the whole input fed at once.
 *
 * A document is accepted exactly when PostgreSQL's jsonb input accepts it
 * (apart from the nesting limit): one value, optionally surrounded by
 * space, tab, LF or CR; the literals true, false and null; numbers as
 * PostgreSQL reads them (no leading zeros, no leading '+' or '.', a digit
 * after '.' and after the exponent, no letter, digit or '_' right after)
 * and within the range of its numeric type (at most 16383 digits after the
 * point once the exponent is applied, a magnitude below 10^131072);
 * strings without raw control characters, with only the escapes \" \\ \/
 * \b \f \n \r \t and \uXXXX, where a high surrogate must be followed by a
 * \u low surrogate, a lone surrogate is an error and \u0000 is an error
 * (jsonb cannot hold it).  The input must be strict UTF-8.  A UTF-8
 * byte-order mark is NOT skipped: the caller removes it.  Duplicate keys
 * are passed through; the caller decides.
 *
 * Error offsets: a string, number or literal that is too long, unterminated
 * or malformed as a whole ("invalid number", "number out of range",
 * "invalid token", "unterminated string", "string longer than the limit")
 * is reported at its first byte;
 * a bad escape at its backslash; invalid UTF-8 at the first byte of the
 * sequence; anything else at the offending byte, and a premature end at
 * the end of the input.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_JSONSTREAM_H
#define SQLFLOW_JSONSTREAM_H

#include <stddef.h>

#include "reader_alloc.h"

/* Memory hooks (reader_alloc.h); NULL means malloc, realloc and free. */
typedef ReaderAllocator JStreamAllocator;

typedef enum JStreamToken
{
	JS_OBJECT_START,
	JS_OBJECT_END,
	JS_ARRAY_START,
	JS_ARRAY_END,
	JS_KEY,
	JS_STRING,
	JS_NUMBER,
	JS_TRUE,
	JS_FALSE,
	JS_NULL
} JStreamToken;

/*
 * One token.  KEY and STRING: data is the de-escaped UTF-8 string,
 * NUL-terminated (it holds no NUL, \u0000 being an error), len is its
 * length.  NUMBER: data is the number's text exactly as in the input,
 * NUL-terminated.  Other tokens: data is NULL, len 0.  offset is the
 * absolute byte offset of the token's first byte in the whole stream;
 * depth is the nesting depth of the container the token is in (0 = top
 * level, so a document's outer brackets are at depth 0 and its members at
 * depth 1).
 */
typedef struct JStreamEvent
{
	JStreamToken token;
	const char *data;
	size_t		len;
	unsigned long long offset;
	int			depth;
} JStreamEvent;

typedef enum JStreamResult
{
	JS_EVENT,					/* *ev holds a token */
	JS_NEED_MORE,				/* feed more bytes, or finish */
	JS_EOF,						/* finished, the document was complete */
	JS_ERROR					/* see jstream_reader_error() and _offset() */
} JStreamResult;

typedef struct JStreamReader JStreamReader;

#define JSTREAM_DEFAULT_MAX_TOKEN ((size_t) 64 * 1024 * 1024)
#define JSTREAM_DEFAULT_MAX_DEPTH 10000

/* NULL if out of memory */
extern JStreamReader *jstream_reader_create(const JStreamAllocator *alloc);

/*
 * Append bytes (they are copied); 0 on success, -1 if out of memory.
 * After an error or finish the bytes are ignored.
 */
extern int	jstream_reader_feed(JStreamReader *r, const char *data, size_t len);

/*
 * Make the input buffer hold at least this many bytes before it has to
 * grow: for a caller that knows how much it feeds between reads.  Room not
 * yet written to costs address space only.  0, or -1 if out of memory.
 */
extern int	jstream_reader_reserve(JStreamReader *r, size_t bytes);

/* no more input will come */
extern void jstream_reader_finish(JStreamReader *r);

/*
 * The next token.  ev->data stays valid until the next call of
 * jstream_reader_next, _feed, _finish or _destroy.  An error is final:
 * every later call returns JS_ERROR again.
 */
extern JStreamResult jstream_reader_next(JStreamReader *r, JStreamEvent *ev);

/*
 * Right after a JS_OBJECT_START or JS_ARRAY_START: read the rest of that
 * container without handing out its tokens.  It is checked exactly as
 * before (an error inside is reported as ever); the next event is its
 * closing bracket.  For the parts of a document a caller has no use for:
 * it saves the caller's work per token, and the reader's copying of
 * numbers.
 */
extern void jstream_reader_skip(JStreamReader *r);

/*
 * Right after a JS_KEY: read that member's value (whatever it is) without
 * handing it out, checked as ever; the next event is what follows it.
 */
extern void jstream_reader_skip_value(JStreamReader *r);

/* the most members jstream_reader_members hands out at once */
#define JSTREAM_MEMBERS_MAX 64

/* a wanted member of an object read whole (jstream_reader_members) */
typedef struct JStreamMember
{
	int			key;			/* which of the wanted keys */
	JStreamEvent value;			/* a JS_STRING, JS_TRUE, JS_FALSE or JS_NULL */
} JStreamMember;

/*
 * Right after a JS_OBJECT_START: the whole object at once, when it is of
 * the common kind.  That is: it lies whole in the buffer; its keys, and
 * the values of the wanted keys, are strings of printable ASCII without
 * escapes (or, for a value, true, false or null); the other values are
 * whatever jstream_reader_skip_value passes over at full speed (such
 * strings, integers, the three words, and containers of these).  Then the
 * members whose key is one of keys[0 .. nkeys) go to out (at most max,
 * which is at most JSTREAM_MEMBERS_MAX, in document order), the rest are checked and passed over, and the next
 * event is what follows the object's closing brace (its JS_OBJECT_END is
 * not handed out).  Returns how many went to out.
 *
 * Any other object gives -1, with nothing read: its tokens come one by one
 * as ever, and so does any error in it.  So what is accepted, the values,
 * and every error with its offset, are the same either way.
 */
extern int	jstream_reader_members(JStreamReader *r, const char *const *keys,
								   const size_t *keylens, int nkeys,
								   JStreamMember *out, int max);

/* byte offset of the error (see above); 0 if none */
extern unsigned long long jstream_reader_error_offset(const JStreamReader *r);

/* what went wrong, lower case without a period; NULL if nothing */
extern const char *jstream_reader_error(const JStreamReader *r);

/*
 * A string (decoded bytes) or number longer than this is an error
 * (default 64 MB).
 */
extern void jstream_reader_set_max_token(JStreamReader *r, size_t bytes);

/* containers nested deeper than this are an error (default 10000) */
extern void jstream_reader_set_max_depth(JStreamReader *r, int depth);

extern void jstream_reader_destroy(JStreamReader *r);

#endif							/* SQLFLOW_JSONSTREAM_H */
