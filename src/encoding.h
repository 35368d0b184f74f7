/*-------------------------------------------------------------------------
 *
 * encoding.h
 *	  Text between SQLFlow (UTF-8 both ways) and the database encoding.
 *
 * The policy, in one place: every value sent to SQLFlow is converted to
 * UTF-8 just before it goes into a request; every answer is checked to be
 * UTF-8 once, parsed as UTF-8, and each value is converted to the database
 * encoding when it becomes a Datum.  Nothing in between converts.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_ENCODING_H
#define SQLFLOW_ENCODING_H

#include "compat.h"

/* true when UTF-8 text needs no conversion here (UTF8, SQL_ASCII) */
extern bool sqlflow_db_takes_utf8(void);

/*
 * A value of the database, as UTF-8 for a request.  Raises 22021 when the
 * value is not valid in the database encoding (possible in SQL_ASCII).
 * Returns s itself when nothing needed converting.
 */
extern char *sqlflow_to_utf8(const char *s, size_t len, size_t *outlen);

/*
 * Check that an answer is UTF-8 without NUL bytes; raises 22021 naming
 * "what" and the byte offset otherwise.  Returns the number of leading
 * bytes that are a byte-order mark (0 or 3), which callers skip.
 */
extern size_t sqlflow_check_utf8(const char *what, const char *data, size_t len);

/*
 * Convert valid UTF-8 to the database encoding.  Returns NULL if a
 * character has no equivalent there, with *bad_offset set to its byte
 * offset; else the converted, NUL-terminated text (s itself when nothing
 * needed converting) and its length, with *bad_offset set to len.
 */
extern char *sqlflow_from_utf8_noerror(const char *s, size_t len,
									   size_t *outlen, size_t *bad_offset);

/*
 * The same, raising 22P05 when a character cannot be held: "what" names
 * the answer (and its job), "where" the place in it (a field, a line, a
 * key), both already in the database encoding.
 */
extern char *sqlflow_from_utf8(const char *s, size_t len, size_t *outlen,
							   const char *what, const char *where);

/* raise that error for the character at byte "bad" of s */
pg_noreturn extern void sqlflow_untranslatable(const char *what, const char *where,
											   const char *s, size_t len, size_t bad);

/*
 * For text that must not fail (server messages, a job list): characters
 * the database encoding cannot hold become \uXXXX escapes.  *escaped (if
 * not NULL) is incremented by the number of escaped characters.
 */
extern char *sqlflow_from_utf8_escaped(const char *s, size_t len, int *escaped);

/* the 1-based line of byte offset "off" in s */
extern long sqlflow_line_of(const char *s, size_t off);

#endif							/* SQLFLOW_ENCODING_H */
