/*-------------------------------------------------------------------------
 *
 * openlineage_rows.c
 *	  Stored lineage rows as a JSON export: the aggregate sqlflow_lineage_json
 *	  (rows with sqlflow_lineage's columns in, one relationship per row out,
 *	  for sqlflow_openlineage(jsonb, ...)) and the table names it writes.
 *
 * The transition keeps each row's strings in the aggregate's memory and the
 * final function writes the whole document once, so the cost is linear in
 * the rows.  A table is named from its {database, schema, table} parts the
 * way SQLFlow names one: DEFAULT or empty parts are unknown and left out
 * from the front (a known schema of an unknown database keeps the schema),
 * each part quoted with "" when it holds a dot, a quote or a bracket, and
 * a part that already comes quoted ("...", [...] or `...`) kept as it is.
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
#include "openlineage.h"

/* the columns a row must have, in this order */
#define OLR_NCOLS 10
static const char *const olr_colnames[OLR_NCOLS] = {
	"source_db", "source_schema", "source_table", "source_column",
	"target_db", "target_schema", "target_table", "target_column",
	"relation_type", "effect_type"
};

enum
{
	OLR_SDB, OLR_SSCHEMA, OLR_STABLE, OLR_SCOL,
	OLR_TDB, OLR_TSCHEMA, OLR_TTABLE, OLR_TCOL,
	OLR_KIND, OLR_EFFECT
};

/* what the transition caches per row type (fn_extra) */
typedef struct OlrRowInfo
{
	Oid			typid;
	int32		typmod;
	AttrNumber	attnum[OLR_NCOLS];
	bool		is_text[OLR_NCOLS];
	bool		is_bpchar[OLR_NCOLS];
	FmgrInfo	out[OLR_NCOLS];
} OlrRowInfo;

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

/* the row type's attribute numbers of our columns, cached in fn_extra */
static OlrRowInfo *
row_info(FmgrInfo *flinfo, TupleDesc tupdesc, Oid typid, int32 typmod)
{
	OlrRowInfo *ri = (OlrRowInfo *) flinfo->fn_extra;

	if (ri != NULL && ri->typid == typid && ri->typmod == typmod)
		return ri;
	if (ri == NULL)
	{
		ri = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(OlrRowInfo));
		flinfo->fn_extra = ri;
	}
	ri->typid = InvalidOid;		/* not valid until complete */
	for (int i = 0; i < OLR_NCOLS; i++)
	{
		Form_pg_attribute att = NULL;
		Oid			base;

		for (int a = 0; a < tupdesc->natts; a++)
		{
			Form_pg_attribute cand = TupleDescAttr(tupdesc, a);

			if (!cand->attisdropped &&
				strcmp(NameStr(cand->attname), olr_colnames[i]) == 0)
			{
				att = cand;
				break;
			}
		}
		if (att == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("record \"%s\" has no field \"%s\"", "lineage",
							olr_colnames[i]),
					 errhint("The rows need the columns of sqlflow_lineage: source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type and effect_type.")));
		ri->attnum[i] = att->attnum;
		base = getBaseType(att->atttypid);
		ri->is_bpchar[i] = base == BPCHAROID;
		ri->is_text[i] = base == TEXTOID || base == VARCHAROID || ri->is_bpchar[i];
		if (!ri->is_text[i])
		{
			Oid			outfn;
			bool		isvarlena;

			getTypeOutputInfo(att->atttypid, &outfn, &isvarlena);
			fmgr_info_cxt(outfn, &ri->out[i], flinfo->fn_mcxt);
		}
	}
	ri->typid = typid;
	ri->typmod = typmod;
	return ri;
}

/* the row's values as C strings in CurrentMemoryContext (NULL for NULL) */
static void
row_values(FunctionCallInfo fcinfo, char **v)
{
	HeapTupleHeader th;
	Oid			typid;
	int32		typmod;
	HeapTupleData tuple;
	TupleDesc	tupdesc;
	OlrRowInfo *ri;

	if (PG_ARGISNULL(1))
	{
		/* a NULL row: every column NULL */
		for (int i = 0; i < OLR_NCOLS; i++)
			v[i] = NULL;
		return;
	}
	th = PG_GETARG_HEAPTUPLEHEADER(1);
	typid = HeapTupleHeaderGetTypeId(th);
	typmod = HeapTupleHeaderGetTypMod(th);
	tupdesc = lookup_rowtype_tupdesc(typid, typmod);
	ri = row_info(fcinfo->flinfo, tupdesc, typid, typmod);
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	for (int i = 0; i < OLR_NCOLS; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(&tuple, ri->attnum[i], tupdesc, &isnull);

		if (isnull)
			v[i] = NULL;
		else if (ri->is_text[i])
		{
			text	   *t = DatumGetTextPP(d);
			int			len = VARSIZE_ANY_EXHDR(t);

			/* bpchar as its cast to text: without the trailing blanks */
			if (ri->is_bpchar[i])
				while (len > 0 && VARDATA_ANY(t)[len - 1] == ' ')
					len--;
			v[i] = pnstrdup(VARDATA_ANY(t), len);
		}
		else
			v[i] = OutputFunctionCall(&ri->out[i], d);
	}
	ReleaseTupleDesc(tupdesc);
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
