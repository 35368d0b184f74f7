/*-------------------------------------------------------------------------
 *
 * openlineage_rows.c
 *	  Names for OpenLineage: the aggregate sqlflow_lineage_json (stored rows
 *	  with sqlflow_lineage's columns in, a JSON export with one relationship
 *	  per row out, for sqlflow_openlineage(jsonb, ...)), the table names it
 *	  writes, and how OpenLineage dataset names are read back from them.
 *
 * The transition keeps each row's strings in the aggregate's memory and the
 * final function writes the whole document once, so the cost is linear in
 * the rows.  A table is named from its {database, schema, table} parts the
 * way SQLFlow names one: DEFAULT or empty parts are unknown and left out
 * from the front (a known schema of an unknown database keeps the schema),
 * each part quoted with "" when it holds a dot, a quote or a bracket, and
 * a part that already comes quoted ("...", [...] or `...`) kept as it is.
 *
 * Must not: resolve names at run time (no SPI), or hold more than one copy
 * of a row's strings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "jsonb_writer.h"
#include "lineage_record.h"
#include "openlineage.h"

/* the columns a row must have, in this order */
#define OLR_NCOLS 10
static const char *const olr_colnames[OLR_NCOLS] = {
	"source_db", "source_schema", "source_table", "source_column",
	"target_db", "target_schema", "target_table", "target_column",
	"relation_type", "effect_type"
};

static const LineageRecordColumns olr_columns = {
	olr_colnames, OLR_NCOLS,
	"The rows need the columns of sqlflow_lineage: source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type and effect_type."
};

enum
{
	OLR_SDB, OLR_SSCHEMA, OLR_STABLE, OLR_SCOL,
	OLR_TDB, OLR_TSCHEMA, OLR_TTABLE, OLR_TCOL,
	OLR_KIND, OLR_EFFECT
};

/* one stored row, reduced to what the document says */
typedef struct OlrRow
{
	char	   *kind;
	char	   *effect;
	char	   *tname;
	char	   *tcol;
	char	   *sname;
	char	   *scol;
} OlrRow;

typedef struct OlrState
{
	MemoryContext cxt;
	OlrRow	   *rows;
	int			nrows;
	int			maxrows;
} OlrState;

/* a part is unknown: NULL, empty or DEFAULT */
static bool
part_unknown(const char *p)
{
	return p == NULL || p[0] == '\0' || strcmp(p, "DEFAULT") == 0;
}

/* a part already quoted as a whole with "", [] or `` */
static bool
part_quoted(const char *p, size_t len)
{
	if (len < 2)
		return false;
	return (p[0] == '"' && p[len - 1] == '"') ||
		(p[0] == '[' && p[len - 1] == ']') ||
		(p[0] == '`' && p[len - 1] == '`');
}

void
openlineage_quote_name_part(StringInfo buf, const char *part)
{
	size_t		len;

	if (part == NULL || part[0] == '\0')
	{
		appendStringInfoString(buf, "DEFAULT");
		return;
	}
	len = strlen(part);
	if (part_quoted(part, len) ||
		(strcmp(part, "DEFAULT") != 0 && strpbrk(part, ".\"[`") == NULL))
	{
		appendBinaryStringInfo(buf, part, len);
		return;
	}
	appendStringInfoChar(buf, '"');
	for (const char *c = part; *c; c++)
	{
		if (*c == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, *c);
	}
	appendStringInfoChar(buf, '"');
}

/* one part alone, quoted as above */
char *
openlineage_quoted_part(const char *part)
{
	StringInfoData buf;

	initStringInfo(&buf);
	openlineage_quote_name_part(&buf, part);
	return buf.data;
}

char *
openlineage_table_name(const char *db, const char *schema, const char *table)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (part_unknown(db) && part_unknown(schema))
		openlineage_quote_name_part(&buf, table);
	else if (part_unknown(db))
	{
		openlineage_quote_name_part(&buf, schema);
		appendStringInfoChar(&buf, '.');
		openlineage_quote_name_part(&buf, table);
	}
	else
	{
		openlineage_quote_name_part(&buf, db);
		appendStringInfoChar(&buf, '.');
		openlineage_quote_name_part(&buf, part_unknown(schema) ? NULL : schema);
		appendStringInfoChar(&buf, '.');
		openlineage_quote_name_part(&buf, table);
	}
	return buf.data;
}

/* the same from a text[] {database, schema, table}; missing elements unknown */
char *
openlineage_table_name_array(ArrayType *parts)
{
	char	   *p[3] = {NULL, NULL, NULL};

	if (ARR_NDIM(parts) == 1)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			lb = ARR_LBOUND(parts)[0];

		deconstruct_array(parts, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		/* subscripts 1..3, whatever the array's lower bound */
		for (int k = 1; k <= 3; k++)
		{
			int			i = k - lb;

			if (i >= 0 && i < n && !nulls[i])
				p[k - 1] = TextDatumGetCString(elems[i]);
		}
	}
	return openlineage_table_name(p[0], p[1], p[2]);
}

/* the row's values as C strings in CurrentMemoryContext (NULL for NULL) */
static void
row_values(FunctionCallInfo fcinfo, char **v)
{
	LineageRecordValue rv[OLR_NCOLS];
	LineageRecordInfo *ri;

	if (PG_ARGISNULL(1))
	{
		/* a NULL row: every column NULL */
		for (int i = 0; i < OLR_NCOLS; i++)
			v[i] = NULL;
		return;
	}
	ri = lineage_record_read(fcinfo, 1, &olr_columns, rv);
	for (int i = 0; i < OLR_NCOLS; i++)
	{
		/* bpchar as its cast to text: without the trailing blanks */
		if (rv[i].data == NULL)
			v[i] = NULL;
		else
			v[i] = pnstrdup(rv[i].data,
							ri->is_bpchar[i]
							? lineage_bpchar_trimmed(rv[i].data, rv[i].len)
							: rv[i].len);
	}
}

void *
openlineage_rows_collect(FunctionCallInfo fcinfo, void *state)
{
	MemoryContext aggcxt;
	MemoryContext old;
	OlrState   *st = (OlrState *) state;
	char	   *v[OLR_NCOLS];
	OlrRow	   *r;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sqlflow_lineage_json_collect can only be called as an aggregate's transition")));
	old = MemoryContextSwitchTo(aggcxt);
	if (st == NULL)
	{
		st = palloc0(sizeof(OlrState));
		st->cxt = aggcxt;
		st->maxrows = 64;
		st->rows = palloc(sizeof(OlrRow) * st->maxrows);
	}
	else if (st->nrows == st->maxrows)
	{
		if ((Size) st->maxrows * 2 * sizeof(OlrRow) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many lineage rows for one document")));
		st->maxrows *= 2;
		st->rows = repalloc(st->rows, sizeof(OlrRow) * st->maxrows);
	}
	row_values(fcinfo, v);
	r = &st->rows[st->nrows++];
	r->kind = v[OLR_KIND];
	r->effect = v[OLR_EFFECT];
	r->tname = openlineage_table_name(v[OLR_TDB], v[OLR_TSCHEMA], v[OLR_TTABLE]);
	r->tcol = v[OLR_TCOL];
	r->sname = openlineage_table_name(v[OLR_SDB], v[OLR_SSCHEMA], v[OLR_STABLE]);
	r->scol = v[OLR_SCOL];
	MemoryContextSwitchTo(old);
	return st;
}

static void
put_key(SqlflowJsonbWriter *w, const char *key)
{
	sqlflow_jbw_key(w, key, strlen(key));
}

/* a string member, or null */
static void
put_member(SqlflowJsonbWriter *w, const char *key, const char *value)
{
	put_key(w, key);
	if (value == NULL)
		sqlflow_jbw_null(w);
	else
		sqlflow_jbw_string(w, value, strlen(value));
}

Jsonb *
openlineage_rows_document(void *state)
{
	OlrState   *st = (OlrState *) state;
	SqlflowJsonbWriter *w = sqlflow_jbw_create();

	sqlflow_jbw_begin_object(w);
	put_key(w, "sqlflow");
	sqlflow_jbw_begin_object(w);
	put_key(w, "relationships");
	sqlflow_jbw_begin_array(w);
	for (int i = 0; st != NULL && i < st->nrows; i++)
	{
		OlrRow	   *r = &st->rows[i];

		CHECK_FOR_INTERRUPTS();
		sqlflow_jbw_begin_object(w);
		put_member(w, "type", r->kind);
		put_member(w, "effectType", r->effect);
		put_key(w, "target");
		sqlflow_jbw_begin_object(w);
		put_member(w, "parentName", r->tname);
		put_member(w, "column", r->tcol);
		sqlflow_jbw_end(w);
		put_key(w, "sources");
		sqlflow_jbw_begin_array(w);
		sqlflow_jbw_begin_object(w);
		put_member(w, "parentName", r->sname);
		put_member(w, "column", r->scol);
		sqlflow_jbw_end(w);
		sqlflow_jbw_end(w);
		sqlflow_jbw_end(w);
	}
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);
	return sqlflow_jbw_finish(w);
}

/* names -------------------------------------------------------------------- */

/*
 * The parts of a qualified name: split on dots outside "...", [...] and
 * `...` (a doubled closer inside is one character), each part unquoted;
 * an empty part or an unquoted DEFAULT is NULL.
 */
char **
openlineage_name_parts(const char *name, int *nparts)
{
	int			max = 4;
	char	  **parts = palloc(sizeof(char *) * max);
	StringInfoData cur;
	bool		quoted = false;
	char		closer = '\0';
	int			n = 0;

	initStringInfo(&cur);
	for (const char *p = name;; p++)
	{
		char		c = *p;

		if (closer != '\0' && c != '\0')
		{
			if (c == closer)
			{
				if (p[1] == closer)
				{
					appendStringInfoChar(&cur, c);
					p++;
				}
				else
					closer = '\0';
			}
			else
				appendStringInfoChar(&cur, c);
		}
		else if ((c == '"' || c == '[' || c == '`') && cur.len == 0 && !quoted)
		{
			closer = c == '[' ? ']' : c;
			quoted = true;
		}
		else if (c == '.' || c == '\0')
		{
			if (n == max)
			{
				max *= 2;
				parts = repalloc(parts, sizeof(char *) * max);
			}
			parts[n++] = (cur.len == 0 || (!quoted && strcmp(cur.data, "DEFAULT") == 0))
				? NULL : pstrdup(cur.data);
			resetStringInfo(&cur);
			quoted = false;
			if (c == '\0')
				break;
		}
		else
			appendStringInfoChar(&cur, c);
	}
	*nparts = n;
	return parts;
}

static bool
ol_two_level_vendor(const char *vendor)
{
	static const char *const vendors[] = {
		"dbvmysql", "dbvhive", "dbvteradata", "dbvimpala", "dbvsparksql",
		"dbvoceanbase", "dbvmariadb"
	};

	for (int i = 0; i < lengthof(vendors); i++)
		if (pg_strcasecmp(vendor, vendors[i]) == 0)
			return true;
	return false;
}

/* append a part, dot-separated, when not NULL (as concat_ws does) */
static void
ol_append_part(StringInfo buf, bool *first, const char *part)
{
	if (part == NULL)
		return;
	if (!*first)
		appendStringInfoChar(buf, '.');
	appendStringInfoString(buf, part);
	*first = false;
}

/*
 * The OpenLineage dataset name of a table SQLFlow names: database.table
 * for two-level vendors, else database.schema.table (the database being
 * everything before the schema); unknown parts from the defaults, else
 * left out.
 */
char *
openlineage_dataset_name(const char *vendor, const char *name,
						 const char *default_database, const char *default_schema)
{
	int			n;
	char	  **p = openlineage_name_parts(name, &n);
	StringInfoData buf;
	const char *db;
	bool		first = true;

	initStringInfo(&buf);
	if (vendor != NULL && ol_two_level_vendor(vendor))
	{
		db = n >= 2 && p[n - 2] ? p[n - 2] : default_database;
		ol_append_part(&buf, &first, db);
		ol_append_part(&buf, &first, p[n - 1]);
		return buf.data;
	}
	db = NULL;
	if (n > 2)
	{
		StringInfoData lead;

		initStringInfo(&lead);
		for (int i = 0; i < n - 2; i++)
		{
			if (p[i] == NULL)
				continue;
			if (lead.len > 0)
				appendStringInfoChar(&lead, '.');
			appendStringInfoString(&lead, p[i]);
		}
		if (lead.len > 0)
			db = lead.data;
	}
	ol_append_part(&buf, &first, db ? db : default_database);
	ol_append_part(&buf, &first, n >= 2 && p[n - 2] ? p[n - 2] : default_schema);
	ol_append_part(&buf, &first, p[n - 1]);
	return buf.data;
}

/* sqlflow_name_parts: the parts as text[], NULL for an unknown part */
ArrayType *
openlineage_name_parts_array(const char *name)
{
	int			n;
	char	  **parts = openlineage_name_parts(name, &n);
	Datum	   *elems = palloc(sizeof(Datum) * n);
	bool	   *nulls = palloc(sizeof(bool) * n);
	int			dims[1];
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = parts[i] == NULL;
		elems[i] = parts[i] ? CStringGetTextDatum(parts[i]) : (Datum) 0;
	}
	dims[0] = n;
	return construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false,
							  TYPALIGN_INT);
}
