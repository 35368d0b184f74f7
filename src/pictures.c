/*-------------------------------------------------------------------------
 *
 * pictures.c
 *	  The picture aggregates' state and their four pictures.
 *
 * The state collects the distinct tables, columns, kinds of relation and
 * relations (column to column, with a kind) of the rows in hash tables that
 * grow in place in the aggregate's memory context, so adding a row costs
 * the same however many came before.  A picture sorts what it needs
 * (arrays of pointers, byte order) and writes the text in one pass.
 *
 * The text is byte for byte what the SQL implementation of 1.2 wrote (the
 * differential test sql/pictures_same.sql keeps that implementation):
 *
 * - a table's name is concat_ws('.', db, schema, table) with a db or schema
 *   that is NULL, '' or 'DEFAULT' left out (NULL everywhere: '');
 * - tables are numbered t1, t2, ... in byte order of their names, the
 *   columns of a table c1, c2, ... in byte order with NULL first (NULL and
 *   '' are two columns, both drawn as '');
 * - node lines come in the order of their numbers, relation lines are
 *   distinct and in byte order of the whole line;
 * - at table level a pair of tables is one edge labelled with its distinct
 *   kinds in byte order, joined by ',' (a NULL kind is '');
 * - the escapes are those of sqlflow_dot_html, sqlflow_dot_string and
 *   sqlflow_mermaid_text (a character's code as ascii() gives it: the code
 *   point in UTF8, the byte in single-byte encodings, an error for a
 *   character beyond ASCII in other multibyte encodings).
 *
 * Must not: write to the database or depend on the session's search_path
 * (the final functions are READ_ONLY and take no catalog lookups by name).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "compat.h"
#include "lineage_record.h"
#include "pictures.h"

/* the columns read from each row, in the order the 1.2 code read them */
enum
{
	COL_SOURCE_DB,
	COL_SOURCE_SCHEMA,
	COL_SOURCE_TABLE,
	COL_TARGET_DB,
	COL_TARGET_SCHEMA,
	COL_TARGET_TABLE,
	COL_SOURCE_COLUMN,
	COL_TARGET_COLUMN,
	COL_RELATION_TYPE,
	PIC_NCOLS
};

static const char *const pic_colnames[PIC_NCOLS] = {
	"source_db", "source_schema", "source_table",
	"target_db", "target_schema", "target_table",
	"source_column", "target_column", "relation_type"
};

static const LineageRecordColumns pic_columns = {
	pic_colnames, PIC_NCOLS,
	"The rows of a picture need the columns source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column and relation_type."
};

/* a byte string: a hash key and a member of a pool */
typedef struct PicKey
{
	const char *data;
	uint32		len;
} PicKey;

typedef struct PicEntry
{
	PicKey		key;
	uint32		hash;
	int32		id;
	char		status;
} PicEntry;

#define SH_PREFIX picmap
#define SH_ELEMENT_TYPE PicEntry
#define SH_KEY_TYPE PicKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).data, (int) (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_SCOPE static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* distinct byte strings numbered 0, 1, ... in the order they came */
typedef struct PicPool
{
	picmap_hash *map;
	PicKey	   *keys;			/* by number */
	int			n;
	int			cap;
} PicPool;

/*
 * The pools' keys:
 *	tables:    the table's name
 *	columns:   int32 table number, one byte 1 if the column is NULL, the name
 *	kinds:     the relation_type ('' for NULL)
 *	relations: int32 source column, int32 target column, int32 kind
 */
struct PicState
{
	MemoryContext cxt;
	PicPool		tables;
	PicPool		columns;
	PicPool		kinds;
	PicPool		relations;
	StringInfoData scratch;		/* a row's table names and column keys */
};

#define COLKEY_HDR (sizeof(int32) + 1)


static void
pool_init(PicPool *pool, MemoryContext cxt, int size)
{
	pool->map = picmap_create(cxt, size, NULL);
	pool->cap = size;
	pool->n = 0;
	pool->keys = MemoryContextAlloc(cxt, sizeof(PicKey) * pool->cap);
}

/* the number of a byte string in a pool, adding a copy if new */
static int
pool_intern(PicState *st, PicPool *pool, const char *data, uint32 len)
{
	PicKey		key;
	PicEntry   *entry;
	bool		found;

	key.data = data;
	key.len = len;
	entry = picmap_insert(pool->map, key, &found);
	if (!found)
	{
		char	   *copy = MemoryContextAlloc(st->cxt, len + 1);

		memcpy(copy, data, len);
		copy[len] = '\0';
		entry->key.data = copy;
		entry->id = pool->n;
		if (pool->n == pool->cap)
		{
			if ((Size) pool->cap * 2 * sizeof(PicKey) > MaxAllocSize)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many distinct names for a picture")));
			pool->cap *= 2;
			pool->keys = repalloc(pool->keys, sizeof(PicKey) * pool->cap);
		}
		pool->keys[pool->n] = entry->key;
		pool->n++;
	}
	return entry->id;
}

static PicState *
state_create(MemoryContext cxt)
{
	PicState   *st = MemoryContextAllocZero(cxt, sizeof(PicState));

	st->cxt = cxt;
	pool_init(&st->tables, cxt, 64);
	pool_init(&st->columns, cxt, 256);
	pool_init(&st->kinds, cxt, 16);
	pool_init(&st->relations, cxt, 256);
	st->scratch.data = MemoryContextAlloc(cxt, 256);
	st->scratch.maxlen = 256;
	resetStringInfo(&st->scratch);
	return st;
}

/* the PL/pgSQL error of 1.2, for a NULL row of unknown shape */
pg_noreturn static void
pic_error_unassigned(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("record \"%s\" is not assigned yet", "lineage"),
			 errdetail("The tuple structure of a not-yet-assigned record is indeterminate.")));
}

/* NULL, '' or 'DEFAULT': a db or schema left out of a table's name */
static bool
name_part_omitted(const LineageRecordValue *v, bool bpchar)
{
	int			len;

	if (v->data == NULL)
		return true;
	/* nullif() on bpchar compares without the trailing blanks */
	len = bpchar ? lineage_bpchar_trimmed(v->data, v->len) : v->len;
	return len == 0 || (len == 7 && memcmp(v->data, "DEFAULT", 7) == 0);
}

/* concat_ws('.', db, schema, table) with omitted parts left out */
static void
table_name(StringInfo buf, const LineageRecordValue *db, const LineageRecordValue *schema,
		   const LineageRecordValue *table, const LineageRecordInfo *ri, int first)
{
	bool		any = false;

	resetStringInfo(buf);
	if (!name_part_omitted(db, ri->is_bpchar[first]))
	{
		appendBinaryStringInfo(buf, db->data, db->len);
		any = true;
	}
	if (!name_part_omitted(schema, ri->is_bpchar[first + 1]))
	{
		if (any)
			appendStringInfoChar(buf, '.');
		appendBinaryStringInfo(buf, schema->data, schema->len);
		any = true;
	}
	if (table->data != NULL)
	{
		if (any)
			appendStringInfoChar(buf, '.');
		appendBinaryStringInfo(buf, table->data, table->len);
	}
}

/* the number of a column (NULL name: a column of its own) of a table */
static int
column_id(PicState *st, StringInfo buf, int table, const LineageRecordValue *col)
{
	int32		t = table;
	char		isnull = col->data == NULL ? 1 : 0;

	resetStringInfo(buf);
	appendBinaryStringInfo(buf, (const char *) &t, sizeof(int32));
	appendBinaryStringInfo(buf, &isnull, 1);
	if (col->data != NULL)
		appendBinaryStringInfo(buf, col->data, col->len);
	return pool_intern(st, &st->columns, buf->data, buf->len);
}

PicState *
pic_collect(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt;
	PicState   *st;
	LineageRecordValue	v[PIC_NCOLS];
	LineageRecordInfo *ri;
	StringInfo	buf;
	int			src_table,
				tgt_table,
				src_col,
				tgt_col,
				kind;
	int32		rel[3];
	int			i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sqlflow_edge_collect can only be called as an aggregate's transition")));

	if (PG_ARGISNULL(1))
	{
		/* a NULL row of a known row type: every column NULL */
		Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
		TupleDesc	tupdesc = NULL;

		if (OidIsValid(argtype) && argtype != RECORDOID)
			tupdesc = lookup_rowtype_tupdesc_domain(argtype, -1, true);
		if (tupdesc == NULL)
			pic_error_unassigned();
		else
		{
			ri = lineage_record_info(fcinfo->flinfo, tupdesc, argtype, -1,
									 &pic_columns);
			ReleaseTupleDesc(tupdesc);
		}
		for (i = 0; i < PIC_NCOLS; i++)
			v[i].data = NULL;
	}
	else
		ri = lineage_record_read(fcinfo, 1, &pic_columns, v);

	if (PG_ARGISNULL(0))
		st = state_create(aggcxt);
	else
		st = (PicState *) PG_GETARG_POINTER(0);

	/* columns and kinds as text: a bpchar loses its trailing blanks */
	for (i = COL_SOURCE_COLUMN; i < PIC_NCOLS; i++)
		if (v[i].data != NULL && ri->is_bpchar[i])
			v[i].len = lineage_bpchar_trimmed(v[i].data, v[i].len);

	/* the scratch buffer grows in the state's context (repalloc) */
	buf = &st->scratch;
	table_name(buf, &v[COL_SOURCE_DB], &v[COL_SOURCE_SCHEMA], &v[COL_SOURCE_TABLE],
			   ri, COL_SOURCE_DB);
	src_table = pool_intern(st, &st->tables, buf->data, buf->len);
	table_name(buf, &v[COL_TARGET_DB], &v[COL_TARGET_SCHEMA], &v[COL_TARGET_TABLE],
			   ri, COL_TARGET_DB);
	tgt_table = pool_intern(st, &st->tables, buf->data, buf->len);
	src_col = column_id(st, buf, src_table, &v[COL_SOURCE_COLUMN]);
	tgt_col = column_id(st, buf, tgt_table, &v[COL_TARGET_COLUMN]);
	if (v[COL_RELATION_TYPE].data != NULL)
		kind = pool_intern(st, &st->kinds, v[COL_RELATION_TYPE].data,
						   v[COL_RELATION_TYPE].len);
	else
		kind = pool_intern(st, &st->kinds, "", 0);
	rel[0] = src_col;
	rel[1] = tgt_col;
	rel[2] = kind;
	(void) pool_intern(st, &st->relations, (const char *) rel, sizeof(rel));
	return st;
}

/* ---------------------------------------------------------------- the text */

/* a column's parts, from its pool key */
static inline int32
column_table(const PicKey *k)
{
	int32		t;

	memcpy(&t, k->data, sizeof(int32));
	return t;
}

static inline bool
column_isnull(const PicKey *k)
{
	return k->data[sizeof(int32)] != 0;
}

static inline PicKey
column_name(const PicKey *k)
{
	PicKey		name;

	name.data = k->data + COLKEY_HDR;
	name.len = k->len - COLKEY_HDR;
	return name;
}

/* byte order (COLLATE "C") of two byte strings */
static inline int
key_cmp(const PicKey *a, const PicKey *b)
{
	int			r = memcmp(a->data, b->data, Min(a->len, b->len));

	if (r != 0)
		return r;
	return (a->len > b->len) - (a->len < b->len);
}

static int
key_ptr_cmp(const void *a, const void *b)
{
	return key_cmp(*(PicKey *const *) a, *(PicKey *const *) b);
}

/* NULL first, then byte order */
static int
column_ptr_cmp(const void *a, const void *b)
{
	const PicKey *ka = *(PicKey *const *) a;
	const PicKey *kb = *(PicKey *const *) b;
	bool		na = column_isnull(ka);
	bool		nb = column_isnull(kb);
	PicKey		a_name,
				b_name;

	if (na || nb)
		return (int) nb - (int) na;
	a_name = column_name(ka);
	b_name = column_name(kb);
	return key_cmp(&a_name, &b_name);
}

static int
cstring_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* sqlflow_dot_html(): &, <, >, " as entities, a tab as a space, line breaks as <br/> */
static void
append_dot_html(StringInfo out, const char *s, int len)
{
	int			i;

	for (i = 0; i < len; i++)
	{
		switch (s[i])
		{
			case '&':
				appendStringInfoString(out, "&amp;");
				break;
			case '<':
				appendStringInfoString(out, "&lt;");
				break;
			case '>':
				appendStringInfoString(out, "&gt;");
				break;
			case '"':
				appendStringInfoString(out, "&quot;");
				break;
			case '\t':
				appendStringInfoChar(out, ' ');
				break;
			case '\r':
				if (i + 1 < len && s[i + 1] == '\n')
					i++;
				appendStringInfoString(out, "<br/>");
				break;
			case '\n':
				appendStringInfoString(out, "<br/>");
				break;
			default:
				appendStringInfoChar(out, s[i]);
				break;
		}
	}
}

/* sqlflow_dot_string(): a quoted DOT string, \ and " escaped, \n as \n, \r dropped */
static void
append_dot_string(StringInfo out, const char *s, int len)
{
	int			i;

	appendStringInfoChar(out, '"');
	for (i = 0; i < len; i++)
	{
		switch (s[i])
		{
			case '\\':
				appendStringInfoString(out, "\\\\");
				break;
			case '"':
				appendStringInfoString(out, "\\\"");
				break;
			case '\n':
				appendStringInfoString(out, "\\n");
				break;
			case '\r':
				break;
			default:
				appendStringInfoChar(out, s[i]);
				break;
		}
	}
	appendStringInfoChar(out, '"');
}

/* sqlflow_mermaid_text(): all but [A-Za-z0-9 _.,:()-] as #code; an empty text as one space */
static void
append_mermaid_text(StringInfo out, const char *s, int len)
{
	int			encoding = GetDatabaseEncoding();
	int			i = 0;

	if (len == 0)
	{
		appendStringInfoChar(out, ' ');
		return;
	}
	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		int			clen = Min(pg_encoding_mblen(encoding, s + i), len - i);

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == ' ' || c == '_' || c == '.' ||
			c == ',' || c == ':' || c == '(' || c == ')' || c == '-')
			appendStringInfoChar(out, (char) c);
		else if (c < 128)
			appendStringInfo(out, "#%d;", (int) c);
		else if (encoding == PG_UTF8)
			appendStringInfo(out, "#%d;",
							 (int) utf8_to_unicode((const unsigned char *) s + i));
		else if (pg_encoding_max_length(encoding) > 1)
			/* what ascii() says of such a character */
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("requested character too large")));
		else
			appendStringInfo(out, "#%d;", (int) c);
		i += clen;
	}
}

/* a line of its own, for sorting */
static char *
line_copy(StringInfo line)
{
	return pnstrdup(line->data, line->len);
}

/* lines in byte order, each once, each followed by a line break */
static void
append_sorted_lines(StringInfo out, char **lines, int n)
{
	int			i;

	if (n == 0)
		return;
	qsort(lines, n, sizeof(char *), cstring_ptr_cmp);
	for (i = 0; i < n; i++)
	{
		if (i > 0 && strcmp(lines[i], lines[i - 1]) == 0)
			continue;
		appendStringInfoString(out, lines[i]);
		appendStringInfoChar(out, '\n');
	}
}

/* the tables' numbers (1, 2, ... in byte order of their names) */
static int *
number_tables(PicState *st)
{
	int			n = st->tables.n;
	PicKey	  **order = palloc(sizeof(PicKey *) * Max(n, 1));
	int		   *number = palloc(sizeof(int) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		order[i] = &st->tables.keys[i];
	qsort(order, n, sizeof(PicKey *), key_ptr_cmp);
	for (i = 0; i < n; i++)
		number[order[i] - st->tables.keys] = i + 1;
	pfree(order);
	return number;
}

/*
 * The columns grouped by table in the order of their ports: the columns of
 * the table numbered t are by_table[first[t - 1]] .. by_table[first[t] - 1];
 * port[c] is column c's port number.
 */
typedef struct PicColumns
{
	int		   *first;			/* by table number - 1, ntables + 1 long */
	PicKey	  **by_table;
	int		   *port;
} PicColumns;

static void
number_columns(PicState *st, const int *table_number, PicColumns *pc)
{
	int			nt = st->tables.n;
	int			nc = st->columns.n;
	int		   *fill = palloc0(sizeof(int) * (nt + 1));
	int			i,
				t;

	pc->first = palloc0(sizeof(int) * (nt + 1));
	pc->by_table = palloc(sizeof(PicKey *) * Max(nc, 1));
	pc->port = palloc(sizeof(int) * Max(nc, 1));
	/* counting sort by table number, then each table's columns by name */
	for (i = 0; i < nc; i++)
		pc->first[table_number[column_table(&st->columns.keys[i])]]++;
	for (t = 1; t <= nt; t++)
		pc->first[t] += pc->first[t - 1];
	for (i = 0; i < nc; i++)
	{
		int			tn = table_number[column_table(&st->columns.keys[i])];

		pc->by_table[pc->first[tn - 1] + fill[tn]++] = &st->columns.keys[i];
	}
	for (t = 0; t < nt; t++)
	{
		int			from = pc->first[t];
		int			count = pc->first[t + 1] - from;

		CHECK_FOR_INTERRUPTS();
		qsort(pc->by_table + from, count, sizeof(PicKey *), column_ptr_cmp);
		for (i = 0; i < count; i++)
			pc->port[pc->by_table[from + i] - st->columns.keys] = i + 1;
	}
	pfree(fill);
}

/* the tables in the order of their numbers */
static PicKey **
tables_in_order(PicState *st, const int *table_number)
{
	PicKey	  **order = palloc(sizeof(PicKey *) * Max(st->tables.n, 1));
	int			i;

	for (i = 0; i < st->tables.n; i++)
		order[table_number[i] - 1] = &st->tables.keys[i];
	return order;
}

static inline void
relation_parts(const PicKey *k, int32 *src, int32 *tgt, int32 *kind)
{
	memcpy(src, k->data, sizeof(int32));
	memcpy(tgt, k->data + sizeof(int32), sizeof(int32));
	memcpy(kind, k->data + 2 * sizeof(int32), sizeof(int32));
}

/* column level: sqlflow_dot and sqlflow_mermaid */
static void
render_columns(PicState *st, bool mermaid, StringInfo out)
{
	int		   *table_number = number_tables(st);
	PicColumns	pc;
	PicKey	  **tables = tables_in_order(st, table_number);
	char	  **lines;
	StringInfoData line;
	int			nt = st->tables.n;
	int			t,
				i;

	number_columns(st, table_number, &pc);
	initStringInfo(&line);

	/* the tables with their columns */
	for (t = 0; t < nt; t++)
	{
		CHECK_FOR_INTERRUPTS();
		if (t > 0)
			appendStringInfoChar(out, '\n');
		if (mermaid)
		{
			appendStringInfo(out, "  subgraph t%d [\"", t + 1);
			append_mermaid_text(out, tables[t]->data, tables[t]->len);
			appendStringInfoString(out, "\"]\n");
		}
		else
		{
			appendStringInfo(out, "  t%d [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\"><tr><td bgcolor=\"lightgrey\"><b>", t + 1);
			append_dot_html(out, tables[t]->data, tables[t]->len);
			appendStringInfoString(out, "</b></td></tr>");
		}
		for (i = pc.first[t]; i < pc.first[t + 1]; i++)
		{
			PicKey		name = column_name(pc.by_table[i]);
			int			port = i - pc.first[t] + 1;

			if (mermaid)
			{
				if (i > pc.first[t])
					appendStringInfoChar(out, '\n');
				appendStringInfo(out, "    t%dc%d[\"", t + 1, port);
				append_mermaid_text(out, name.data, name.len);
				appendStringInfoString(out, "\"]");
			}
			else
			{
				appendStringInfo(out, "<tr><td port=\"c%d\">", port);
				append_dot_html(out, name.data, name.len);
				appendStringInfoString(out, "</td></tr>");
			}
		}
		if (mermaid)
			appendStringInfoString(out, "\n  end");
		else
			appendStringInfoString(out, "</table>>];");
	}
	if (nt > 0)
		appendStringInfoChar(out, '\n');

	/* the relations */
	lines = palloc(sizeof(char *) * Max(st->relations.n, 1));
	for (i = 0; i < st->relations.n; i++)
	{
		int32		src,
					tgt,
					kind;
		int			ts,
					tt;
		const PicKey *k;

		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		relation_parts(&st->relations.keys[i], &src, &tgt, &kind);
		ts = table_number[column_table(&st->columns.keys[src])];
		tt = table_number[column_table(&st->columns.keys[tgt])];
		k = &st->kinds.keys[kind];
		resetStringInfo(&line);
		if (mermaid)
		{
			appendStringInfo(&line, "  t%dc%d -->|\"", ts, pc.port[src]);
			append_mermaid_text(&line, k->data, k->len);
			appendStringInfo(&line, "\"| t%dc%d", tt, pc.port[tgt]);
		}
		else
		{
			appendStringInfo(&line, "  t%d:c%d -> t%d:c%d [label=",
							 ts, pc.port[src], tt, pc.port[tgt]);
			append_dot_string(&line, k->data, k->len);
			appendStringInfoString(&line, "];");
		}
		lines[i] = line_copy(&line);
	}
	append_sorted_lines(out, lines, st->relations.n);
}

/* a pair of tables and a kind, at table level */
typedef struct PicPair
{
	int			src;			/* table numbers */
	int			tgt;
	const PicKey *kind;
} PicPair;

static int
pair_cmp(const void *a, const void *b)
{
	const PicPair *pa = a;
	const PicPair *pb = b;

	if (pa->src != pb->src)
		return pa->src < pb->src ? -1 : 1;
	if (pa->tgt != pb->tgt)
		return pa->tgt < pb->tgt ? -1 : 1;
	return key_cmp(pa->kind, pb->kind);
}

/* table level: sqlflow_dot_tables and sqlflow_mermaid_tables */
static void
render_tables(PicState *st, bool mermaid, StringInfo out)
{
	int		   *table_number = number_tables(st);
	PicKey	  **tables = tables_in_order(st, table_number);
	PicPair    *pairs;
	char	  **lines;
	int			nlines = 0;
	StringInfoData line;
	StringInfoData kinds;
	int			nt = st->tables.n;
	int			np = st->relations.n;
	int			t,
				i;

	for (t = 0; t < nt; t++)
	{
		if (t > 0)
			appendStringInfoChar(out, '\n');
		if (mermaid)
		{
			appendStringInfo(out, "  t%d[\"", t + 1);
			append_mermaid_text(out, tables[t]->data, tables[t]->len);
			appendStringInfoString(out, "\"]");
		}
		else
		{
			appendStringInfo(out, "  t%d [label=", t + 1);
			append_dot_string(out, tables[t]->data, tables[t]->len);
			appendStringInfoString(out, "];");
		}
	}
	if (nt > 0)
		appendStringInfoChar(out, '\n');

	/* (source table, target table, kind), sorted, then one line per pair */
	pairs = palloc(sizeof(PicPair) * Max(np, 1));
	for (i = 0; i < np; i++)
	{
		int32		src,
					tgt,
					kind;

		relation_parts(&st->relations.keys[i], &src, &tgt, &kind);
		pairs[i].src = table_number[column_table(&st->columns.keys[src])];
		pairs[i].tgt = table_number[column_table(&st->columns.keys[tgt])];
		pairs[i].kind = &st->kinds.keys[kind];
	}
	qsort(pairs, np, sizeof(PicPair), pair_cmp);
	lines = palloc(sizeof(char *) * Max(np, 1));
	initStringInfo(&line);
	initStringInfo(&kinds);
	for (i = 0; i < np;)
	{
		int			j;

		if ((nlines & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		resetStringInfo(&kinds);
		for (j = i; j < np && pairs[j].src == pairs[i].src && pairs[j].tgt == pairs[i].tgt; j++)
		{
			if (j > i && key_cmp(pairs[j].kind, pairs[j - 1].kind) == 0)
				continue;
			if (j > i)
				appendStringInfoChar(&kinds, ',');
			appendBinaryStringInfo(&kinds, pairs[j].kind->data, pairs[j].kind->len);
		}
		resetStringInfo(&line);
		if (mermaid)
		{
			appendStringInfo(&line, "  t%d -->|\"", pairs[i].src);
			append_mermaid_text(&line, kinds.data, kinds.len);
			appendStringInfo(&line, "\"| t%d", pairs[i].tgt);
		}
		else
		{
			appendStringInfo(&line, "  t%d -> t%d [label=", pairs[i].src, pairs[i].tgt);
			append_dot_string(&line, kinds.data, kinds.len);
			appendStringInfoString(&line, "];");
		}
		lines[nlines++] = line_copy(&line);
		i = j;
	}
	append_sorted_lines(out, lines, nlines);
}

text *
pic_render(PicState *st, PicKind kind)
{
	StringInfoData out;

	initStringInfo(&out);
	switch (kind)
	{
		case PIC_DOT:
			appendStringInfoString(&out, "digraph lineage {\n  graph [rankdir=LR];\n  node [shape=plaintext];\n");
			break;
		case PIC_DOT_TABLES:
			appendStringInfoString(&out, "digraph lineage {\n  graph [rankdir=LR];\n  node [shape=box];\n");
			break;
		case PIC_MERMAID:
			/*
			 * ELK lays out relations between columns of different subgraphs,
			 * where Mermaid's default (dagre) fails on larger pictures
			 */
			appendStringInfoString(&out, "---\nconfig:\n  layout: elk\n---\nflowchart LR\n");
			break;
		case PIC_MERMAID_TABLES:
			appendStringInfoString(&out, "flowchart LR\n");
			break;
	}
	if (st != NULL)
	{
		if (kind == PIC_DOT || kind == PIC_MERMAID)
			render_columns(st, kind == PIC_MERMAID, &out);
		else
			render_tables(st, kind == PIC_MERMAID_TABLES, &out);
	}
	if (kind == PIC_DOT || kind == PIC_DOT_TABLES)
		appendStringInfoChar(&out, '}');
	return cstring_to_text_with_len(out.data, out.len);
}
