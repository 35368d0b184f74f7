/*-------------------------------------------------------------------------
 *
 * csv.h
 *	  Incremental RFC 4180 CSV reader.  Pure C: no PostgreSQL includes, so
 *	  it is unit-tested and fuzzed on its own.
 *
 * Pull-based: feed bytes as they arrive, then take complete records with
 * csv_reader_next() until it says CSV_NEED_MORE.  There are no callbacks,
 * so a caller may raise an error (longjmp) between calls; all state lives
 * in the reader.  Only the unparsed tail is kept in memory.
 *
 * On well-formed input the records are exactly those PostgreSQL's
 * COPY ... (FORMAT csv) reads: quoted fields may hold the delimiter, CR and
 * LF, "" inside quotes is one ", records end at LF or CRLF, a UTF-8
 * byte-order mark at the start is skipped, the last record may lack its
 * line ending.  An unquoted empty field (COPY: NULL) and a quoted empty
 * field (COPY: empty string) are told apart by CsvField.quoted.  Where COPY
 * is lenient and RFC 4180 is not, this reader is strict: a quote inside an
 * unquoted field, text after a closing quote, a lone CR and a NUL byte are
 * errors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_CSV_H
#define SQLFLOW_CSV_H

#include <stddef.h>

#include "reader_alloc.h"

/* Memory hooks (reader_alloc.h); NULL means malloc, realloc and free. */
typedef ReaderAllocator CsvAllocator;

/* One field: data is NUL-terminated, len is authoritative. */
typedef struct CsvField
{
	const char *data;
	size_t		len;
	int			quoted;
} CsvField;

typedef enum CsvResult
{
	CSV_RECORD,					/* a record is ready */
	CSV_NEED_MORE,				/* feed more bytes, or finish */
	CSV_EOF,					/* finished, and every record was returned */
	CSV_ERROR					/* see csv_reader_error() and _record_line() */
} CsvResult;

typedef struct CsvReader CsvReader;

#define CSV_DEFAULT_MAX_RECORD ((size_t) 64 * 1024 * 1024)

/* NULL if out of memory, or the delimiter is '"', CR, LF or NUL */
extern CsvReader *csv_reader_create(char delimiter, const CsvAllocator *alloc);

/* append bytes; 0 on success, -1 if out of memory or far over max record */
extern int	csv_reader_feed(CsvReader *r, const char *data, size_t len);

/* no more input will come */
extern void csv_reader_finish(CsvReader *r);

/*
 * The next complete record.  The fields stay valid until the next call of
 * csv_reader_next, _feed, _finish or _destroy.
 */
extern CsvResult csv_reader_next(CsvReader *r, const CsvField **fields,
								 int *nfields);

/* 1-based line where the last record (or the error) starts */
extern long csv_reader_record_line(const CsvReader *r);

/* what went wrong, lower case without a period; NULL if nothing */
extern const char *csv_reader_error(const CsvReader *r);

/* a record longer than this is an error (default 64 MB) */
extern void csv_reader_set_max_record(CsvReader *r, size_t bytes);

extern void csv_reader_destroy(CsvReader *r);

#endif							/* SQLFLOW_CSV_H */
