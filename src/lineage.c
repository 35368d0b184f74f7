/*-------------------------------------------------------------------------
 *
 * lineage.c
 *	  The CSV export as typed rows: a transport sink that parses records as
 *	  the body arrives and puts them into a tuplestore.
 *
 * libcurl hands us chunks inside its write callback, where nothing may
 * raise an error; there we only append the bytes to the CSV reader (pure
 * C, src/csv.c, allocating with MCXT_ALLOC_NO_OOM).  Between chunks the
 * transport calls our drain function outside libcurl: that is where
 * complete records are turned into tuples and every check that can fail
 * (field counts, UTF-8, encoding conversion) raises its error.  The reader
 * keeps only the unparsed tail and the tuplestore spills to disk past
 * work_mem, so memory stays flat whatever the size of the export: the
 * limit that applies is on one record (sqlflow.max_response_size), not on
 * the whole body.
 *
 * Fields arrive as UTF-8; each is checked and converted to the database
 * encoding on its own, and a character the database cannot hold is an
 * error naming the line and the column (encoding.c).
 *
 * Columns are matched by header name, not position.  Columns beyond the
 * ten documented ones go into "extra" as a jsonb object.  As with COPY
 * (FORMAT csv), an unquoted empty field is NULL and "" is an empty string.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "csv.h"
#include "encoding.h"
#include "jsonb_writer.h"
#include "lineage.h"
#include "mcxt_alloc.h"

/* the documented columns, in the order of sqlflow_lineage's result */
static const char *const lineage_columns[LINEAGE_NCOLUMNS] = {
	"source_db", "source_schema", "source_table", "source_column",
	"target_db", "target_schema", "target_table", "target_column",
	"relation_type", "effect_type"
};

struct LineageSink
{
	HttpSink	sink;			/* must be first */
	const char *what;			/* for messages: the CSV export from ... */
	char		delimiter;
	size_t		max_record;
	MemoryContext cxt;			/* the reader's memory */
	MemoryContext rowcxt;		/* reset after every record */
	CsvAllocator alloc;
	CsvReader  *reader;
	bool		finished;

	/* from the header */
	int			ncolumns;		/* -1 until the header is read */
	int		   *target;			/* per CSV column: result column or -1 */
	char	  **names;			/* per CSV column: header name */
	int			nextra;

	bool		no_conversion;	/* the database takes UTF-8 as it is */

	/* NULL when only checking */
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	int64		rows;
};

static void
lineage_new_reader(LineageSink *ls)
{
	ls->reader = csv_reader_create(ls->delimiter, &ls->alloc);
	if (ls->reader == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	csv_reader_set_max_record(ls->reader, ls->max_record);
	ls->finished = false;
	ls->ncolumns = -1;
	ls->rows = 0;
}

/* libcurl's write callback lands here: no errors, just bytes */
static bool
lineage_write(HttpSink *sink, const char *data, size_t len)
{
	LineageSink *ls = (LineageSink *) sink;

	if (csv_reader_feed(ls->reader, data, len) != 0)
	{
		sink->refused = "A CSV record is larger than sqlflow.max_response_size, or memory ran out.";
		sink->refused_code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		return false;
	}
	return true;
}

static void
lineage_header(LineageSink *ls, const CsvField *fields, int nfields)
{
	int			known = 0;
	MemoryContext oldcxt = MemoryContextSwitchTo(ls->cxt);

	ls->ncolumns = nfields;
	ls->target = palloc(sizeof(int) * nfields);
	ls->names = palloc(sizeof(char *) * nfields);
	ls->nextra = 0;
	for (int i = 0; i < nfields; i++)
	{
		char	   *name;
		size_t		len;

		/* a header name becomes a jsonb key of "extra": check it as a value */
		if (!pg_verify_mbstr(PG_UTF8, fields[i].data, (int) fields[i].len, true))
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("%s is not valid UTF-8", ls->what),
					 errdetail("The name of column %d in the header has an invalid byte sequence.",
							   i + 1)));
		name = sqlflow_from_utf8(fields[i].data, fields[i].len, &len, ls->what,
								 psprintf("The name of column %d in the header", i + 1));
		name = pnstrdup(name, len);

		ls->names[i] = name;
		ls->target[i] = -1;
		for (int c = 0; c < LINEAGE_NCOLUMNS; c++)
		{
			bool		taken = false;

			if (pg_strcasecmp(name, lineage_columns[c]) != 0)
				continue;
			for (int j = 0; j < i; j++)
				if (ls->target[j] == c)
					taken = true;
			if (!taken)
			{
				ls->target[i] = c;
				known++;
			}
			break;
		}
		if (ls->target[i] < 0)
			ls->nextra++;
	}
	MemoryContextSwitchTo(oldcxt);

	if (known == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not a lineage CSV", ls->what),
				 errdetail("Its header has none of the columns source_db, ..., effect_type.")));
}

/* one field (column "col" of the CSV) as text in the database encoding */
static Datum
lineage_field_text(LineageSink *ls, const CsvField *f, long line, int col)
{
	char	   *s;
	size_t		len;

	if (!pg_verify_mbstr(PG_UTF8, f->data, (int) f->len, true))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s is not valid UTF-8", ls->what),
				 errdetail("Line %ld, column \"%s\" has an invalid byte sequence.",
						   line, ls->names ? ls->names[col] : "?")));
	/* in a UTF8 (or SQL_ASCII) database the check above was all there is */
	if (ls->no_conversion)
		return PointerGetDatum(cstring_to_text_with_len(f->data, (int) f->len));
	s = sqlflow_from_utf8(f->data, f->len, &len, ls->what,
						  psprintf("Line %ld, column \"%s\"", line, ls->names[col]));
	return PointerGetDatum(cstring_to_text_with_len(s, (int) len));
}

static Datum
lineage_extra(LineageSink *ls, const CsvField *fields, long line)
{
	SqlflowJsonbWriter *w = sqlflow_jbw_create();

	sqlflow_jbw_begin_object(w);
	for (int i = 0; i < ls->ncolumns; i++)
	{
		if (ls->target[i] >= 0)
			continue;
		sqlflow_jbw_key(w, ls->names[i], strlen(ls->names[i]));
		if (fields[i].len == 0 && !fields[i].quoted)
			sqlflow_jbw_null(w);
		else
		{
			text	   *t = DatumGetTextPP(lineage_field_text(ls, &fields[i], line, i));

			sqlflow_jbw_string(w, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		}
	}
	sqlflow_jbw_end(w);
	return JsonbPGetDatum(sqlflow_jbw_finish(w));
}

static void
lineage_record(LineageSink *ls, const CsvField *fields, int nfields, long line)
{
	Datum		values[LINEAGE_NCOLUMNS + 1];
	bool		nulls[LINEAGE_NCOLUMNS + 1];

	if (ls->ncolumns < 0)
	{
		lineage_header(ls, fields, nfields);
		return;
	}
	if (nfields != ls->ncolumns)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is malformed", ls->what),
				 errdetail("Line %ld has %d fields; the header has %d.",
						   line, nfields, ls->ncolumns)));
	ls->rows++;
	if (ls->tupstore == NULL)
	{
		/* only checking: the encoding of every field still counts */
		for (int i = 0; i < nfields; i++)
			if (!pg_verify_mbstr(PG_UTF8, fields[i].data, (int) fields[i].len, true))
				(void) lineage_field_text(ls, &fields[i], line, i);
		return;
	}

	for (int c = 0; c <= LINEAGE_NCOLUMNS; c++)
	{
		values[c] = (Datum) 0;
		nulls[c] = true;
	}
	for (int i = 0; i < nfields; i++)
	{
		int			c = ls->target[i];

		if (c < 0 || (fields[i].len == 0 && !fields[i].quoted))
			continue;
		values[c] = lineage_field_text(ls, &fields[i], line, i);
		nulls[c] = false;
	}
	if (ls->nextra > 0)
	{
		values[LINEAGE_NCOLUMNS] = lineage_extra(ls, fields, line);
		nulls[LINEAGE_NCOLUMNS] = false;
	}
	tuplestore_putvalues(ls->tupstore, ls->tupdesc, values, nulls);
}

/* between chunks and at the end: turn complete records into rows */
static void
lineage_drain(HttpSink *sink, bool finished)
{
	LineageSink *ls = (LineageSink *) sink;

	if (finished && !ls->finished)
	{
		csv_reader_finish(ls->reader);
		ls->finished = true;
	}

	for (;;)
	{
		const CsvField *fields;
		int			nfields;
		CsvResult	r;
		MemoryContext oldcxt;

		CHECK_FOR_INTERRUPTS();
		r = csv_reader_next(ls->reader, &fields, &nfields);
		if (r == CSV_NEED_MORE || r == CSV_EOF)
			break;
		if (r == CSV_ERROR && strcmp(csv_reader_error(ls->reader), "NUL byte in input") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("%s is not valid UTF-8", ls->what),
					 errdetail("Line %ld has a NUL byte.", csv_reader_record_line(ls->reader))));
		if (r == CSV_ERROR && strcmp(csv_reader_error(ls->reader), "record too large") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s has a record larger than sqlflow.max_response_size", ls->what),
					 errdetail("The record starts at line %ld; the limit is %zu kB.",
							   csv_reader_record_line(ls->reader), ls->max_record / 1024),
					 errhint("Rows are streamed: the limit applies to one record, not to the whole export.")));
		if (r == CSV_ERROR)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is malformed", ls->what),
					 errdetail("Line %ld: %s.", csv_reader_record_line(ls->reader),
							   csv_reader_error(ls->reader))));
		oldcxt = MemoryContextSwitchTo(ls->rowcxt);
		lineage_record(ls, fields, nfields, csv_reader_record_line(ls->reader));
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(ls->rowcxt);
	}

	if (ls->finished && ls->ncolumns < 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is empty", ls->what),
				 errdetail("Not even a header line arrived.")));
}

/* a redirect or a token renewal starts the body over */
static void
lineage_reset(HttpSink *sink)
{
	LineageSink *ls = (LineageSink *) sink;

	if (ls->rows > 0)
		elog(ERROR, "cannot restart a CSV export after rows were returned");
	csv_reader_destroy(ls->reader);
	lineage_new_reader(ls);
}

LineageSink *
lineage_sink_create(const char *what, char delimiter, size_t max_record,
					Tuplestorestate *tupstore, TupleDesc tupdesc)
{
	LineageSink *ls = palloc0(sizeof(LineageSink));

	ls->sink.write = lineage_write;
	ls->sink.drain = lineage_drain;
	ls->sink.reset = lineage_reset;
	ls->sink.streaming = true;
	ls->what = what;
	ls->delimiter = delimiter;
	ls->max_record = max_record;
	ls->tupstore = tupstore;
	ls->tupdesc = tupdesc;
	ls->no_conversion = sqlflow_db_takes_utf8();
	ls->cxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow CSV reader",
									ALLOCSET_DEFAULT_SIZES);
	ls->rowcxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow CSV row",
									   ALLOCSET_DEFAULT_SIZES);
	ls->alloc.alloc = sqlflow_mcxt_alloc;
	ls->alloc.realloc = sqlflow_mcxt_realloc;
	ls->alloc.free = sqlflow_mcxt_free;
	ls->alloc.arg = ls->cxt;
	lineage_new_reader(ls);
	return ls;
}

HttpSink *
lineage_sink_http(LineageSink *ls)
{
	return &ls->sink;
}

int64
lineage_sink_rows(LineageSink *ls)
{
	return ls->rows;
}

void
lineage_sink_destroy(LineageSink *ls)
{
	csv_reader_destroy(ls->reader);
	MemoryContextDelete(ls->rowcxt);
	MemoryContextDelete(ls->cxt);
	pfree(ls);
}

void
lineage_check_csv(const char *what, const char *data, size_t len, char delimiter)
{
	LineageSink *ls = lineage_sink_create(what, delimiter, CSV_DEFAULT_MAX_RECORD,
										  NULL, NULL);
	size_t		off = 0;

	/* in pieces, so memory stays bounded by the largest record */
	while (off < len)
	{
		size_t		n = Min(len - off, 1024 * 1024);

		if (!lineage_write(&ls->sink, data + off, n))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not hold a record of %s.", what)));
		lineage_drain(&ls->sink, false);
		off += n;
	}
	lineage_drain(&ls->sink, true);
	lineage_sink_destroy(ls);
}
