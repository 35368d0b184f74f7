/*-------------------------------------------------------------------------
 *
 * lineage.c
 *	  The CSV export as typed rows: the sink that turns records into
 *	  tuples in a tuplestore as the body arrives.
 *
 * It plugs into the input side (stream_in.c), which reads the body with
 * the CSV reader (csv.c) as it arrives and hands complete records over
 * one by one, outside libcurl: here every check that can fail (the header,
 * field counts, UTF-8, encoding conversion) raises its error.  The
 * tuplestore spills to disk past work_mem, so memory stays flat whatever
 * the size of the export: the limit that applies is on one record
 * (sqlflow.max_response_size), not on the whole body.
 *
 * Fields arrive as UTF-8; each is checked (stream_in_utf8) and converted
 * to the database encoding (stream_in_convert) on its own when it becomes
 * a Datum, and a character the database cannot hold is an error naming
 * the line and the column (encoding.c).
 *
 * Columns are matched by header name, not position.  Columns beyond the
 * ten documented ones go into "extra" as a jsonb object.  As with COPY
 * (FORMAT csv), an unquoted empty field is NULL and "" is an empty string.
 *
 * What it must not do: see HTTP or libcurl, read bytes itself (the input
 * side does), or hold more than the record at hand and the header.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "encoding.h"
#include "jsonb_writer.h"
#include "lineage.h"
#include "stream_in.h"

/* the documented columns, in the order of sqlflow_lineage's result */
static const char *const lineage_columns[LINEAGE_NCOLUMNS] = {
	"source_db", "source_schema", "source_table", "source_column",
	"target_db", "target_schema", "target_table", "target_column",
	"relation_type", "effect_type"
};

struct LineageSink
{
	StreamIn   *in;				/* the input side, which hands records over */
	const char *what;			/* for messages: the CSV export from ... */
	MemoryContext cxt;			/* the header */

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
		size_t		bad;

		/* a header name becomes a jsonb key of "extra": check it as a value */
		if (!stream_in_utf8(fields[i].data, fields[i].len))
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("%s is not valid UTF-8", ls->what),
					 errdetail("The name of column %d in the header has an invalid byte sequence.",
							   i + 1)));
		name = stream_in_convert(ls->in, fields[i].data, fields[i].len, &len, &bad);
		if (name == NULL)
			sqlflow_untranslatable(ls->what,
								   psprintf("The name of column %d in the header", i + 1),
								   fields[i].data, fields[i].len, bad);
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
	size_t		bad;

	if (!stream_in_utf8(f->data, f->len))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s is not valid UTF-8", ls->what),
				 errdetail("Line %ld, column \"%s\" has an invalid byte sequence.",
						   line, ls->names ? ls->names[col] : "?")));
	/* in a UTF8 (or SQL_ASCII) database the check above was all there is */
	if (ls->no_conversion)
		return PointerGetDatum(cstring_to_text_with_len(f->data, (int) f->len));
	s = stream_in_convert(ls->in, f->data, f->len, &len, &bad);
	if (s == NULL)
		sqlflow_untranslatable(ls->what,
							   psprintf("Line %ld, column \"%s\"", line, ls->names[col]),
							   f->data, f->len, bad);
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

/* one record, as the input side hands it over */
static void
lineage_record(void *arg, StreamIn *in, const CsvField *fields, int nfields,
			   long line)
{
	LineageSink *ls = (LineageSink *) arg;
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
			if (!stream_in_utf8(fields[i].data, fields[i].len))
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

/* every record has been read */
static void
lineage_end(void *arg, StreamIn *in)
{
	LineageSink *ls = (LineageSink *) arg;

	if (ls->ncolumns < 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is empty", ls->what),
				 errdetail("Not even a header line arrived.")));
}

/* a redirect or a token renewal starts the body over */
static void
lineage_restart(void *arg)
{
	LineageSink *ls = (LineageSink *) arg;

	if (ls->rows > 0)
		elog(ERROR, "cannot restart a CSV export after rows were returned");
	ls->ncolumns = -1;
}

static const StreamSinkOps lineage_sink_ops = {
	.record = lineage_record,
	.end = lineage_end,
	.restart = lineage_restart
};

LineageSink *
lineage_sink_create(const char *what, char delimiter, size_t max_record,
					Tuplestorestate *tupstore, TupleDesc tupdesc)
{
	LineageSink *ls = palloc0(sizeof(LineageSink));

	ls->what = what;
	ls->ncolumns = -1;
	ls->tupstore = tupstore;
	ls->tupdesc = tupdesc;
	ls->cxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow CSV header",
									ALLOCSET_DEFAULT_SIZES);
	ls->in = stream_in_csv(what, delimiter, max_record, &lineage_sink_ops, ls);
	ls->no_conversion = !stream_in_converts(ls->in);
	return ls;
}

HttpSink *
lineage_sink_http(LineageSink *ls)
{
	return stream_in_http(ls->in);
}

int64
lineage_sink_rows(LineageSink *ls)
{
	return ls->rows;
}

void
lineage_sink_destroy(LineageSink *ls)
{
	stream_in_destroy(ls->in);
	MemoryContextDelete(ls->cxt);
	pfree(ls);
}

void
lineage_check_csv(const char *what, const char *data, size_t len, char delimiter)
{
	LineageSink *ls = lineage_sink_create(what, delimiter, CSV_DEFAULT_MAX_RECORD,
										  NULL, NULL);
	HttpSink   *sink = lineage_sink_http(ls);
	size_t		off = 0;

	/* in pieces, so memory stays bounded by the largest record */
	while (off < len)
	{
		size_t		n = Min(len - off, 1024 * 1024);

		if (!sink->write(sink, data + off, n))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Could not hold a record of %s.", what)));
		sink->drain(sink, false);
		off += n;
	}
	sink->drain(sink, true);
	lineage_sink_destroy(ls);
}
