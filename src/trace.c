/*-------------------------------------------------------------------------
 *
 * trace.c
 *	  Impact (downstream) and provenance (upstream) traces: the breadth-first
 *	  walk over lineage rows behind sqlflow_trace, sqlflow_impact,
 *	  sqlflow_provenance and sqlflow_trace_job.
 *
 * The walk keeps its state in memory: a hash of the nodes reached (db,
 * schema, table and column keys; the column key is '' at table level), the
 * frontier of the last depth in an array, and the rows hit.  Where the rows
 * come from is abstract ("find the rows whose near side is one of these
 * nodes"): from a lineage relation through SPI, one read-only query per
 * depth for the whole frontier, every name in it qualified; or from the
 * rows of a job fetched once and hashed by near key.
 *
 * The rule (the PL/pgSQL of 1.2, made deterministic):
 *	 - depth 0: the near sides (source downstream, target upstream) whose
 *	   table key is the one asked, whose schema and db keys are the ones
 *	   asked or 'default' or '' (or anything when not asked), and whose
 *	   column key is the one asked at column level; one node per key, with
 *	   the smallest path in the lineage's own spelling;
 *	 - depth d: every row whose near side is a node of depth d-1 (table and
 *	   column keys equal, schema and db keys not distinct) is a hit; the far
 *	   sides not reached before are the nodes of depth d, one per key, the
 *	   one whose path joined with spaces is smallest; the walk ends at
 *	   max_depth or when no node is new.
 *	 - rows out ordered by depth, then path (text[] order).
 * Text is compared with the default collation, as the SQL did.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "names.h"
#include "trace.h"

/* the columns of a lineage row, as sqlflow_lineage names them */
#define TRACE_NCOLUMNS 10
static const char *const trace_columns[TRACE_NCOLUMNS] = {
	"source_db", "source_schema", "source_table", "source_column",
	"target_db", "target_schema", "target_table", "target_column",
	"relation_type", "effect_type"
};

/* offsets in a row of one side's db, schema, table, column */
#define SIDE_SOURCE 0
#define SIDE_TARGET 4
#define COL_DB 0
#define COL_SCHEMA 1
#define COL_TABLE 2
#define COL_COLUMN 3

/* a key as the hashes see it: bytes, not NUL-terminated */
typedef struct TraceKey
{
	const char *data;
	Size		len;
} TraceKey;

/* a node: an object reached, with the path it was first reached by */
typedef struct TraceNode
{
	TraceKey	key;			/* hash key (first) */
	char	   *db;				/* keys; db and sch may be NULL */
	char	   *sch;
	char	   *tbl;
	char	   *col;
	int			depth;
	struct TraceNode *parent;	/* NULL at depth 0 */
	int			rank;			/* place in path order among its depth */
	char	  **labels;			/* the path: depth + 1 labels */
	char	   *joined;			/* array_to_string(path, ' ') */
	int			joinedlen;
} TraceNode;

/* a row hit at some depth, from a node */
typedef struct TraceHit
{
	int			depth;
	TraceNode  *from;
	char	   *label;			/* the far side, last element of the path */
	text	   *v[TRACE_NCOLUMNS];	/* NULL: SQL NULL */
} TraceHit;

typedef struct TraceWalk TraceWalk;

/*
 * Calls trace_candidate for every row whose near table and column keys are
 * those of one of the nodes (start: of the start node, whose schema and db
 * are wildcards).
 */
typedef void (*TraceFindFn) (TraceWalk *w, TraceNode **nodes, int n, bool start);

struct TraceWalk
{
	MemoryContext cxt;			/* everything below lives here */
	MemoryContext rowcxt;		/* reset per row */
	bool		column_level;
	int			near;			/* SIDE_SOURCE or SIDE_TARGET */
	int			far;
	int			depth;			/* being walked */
	TraceNode	start;			/* what is asked (keys only) */
	HTAB	   *nodes;			/* TraceNode by key */
	TraceNode **next;			/* nodes new at this depth */
	int			nnext;
	int			maxnext;
	List	   *levels;			/* the next arrays of every depth */
	List	   *nlevels;		/* their lengths */
	TraceHit  **hits;
	int			nhits;
	int			maxhits;
	TraceFindFn find;
	/* relation: the queries */
	char	   *start_query;
	char	   *walk_query;
	/* job: the rows by near key */
	HTAB	   *rows;
};

/* a job's rows of one near key */
typedef struct TraceRowList
{
	TraceKey	key;
	text	  **rows;			/* TRACE_NCOLUMNS per row */
	int			n;
	int			max;
} TraceRowList;

/* ---- keys ---------------------------------------------------------------- */

static uint32
trace_key_hash(const void *key, Size keysize)
{
	const TraceKey *k = (const TraceKey *) key;

	return hash_bytes((const unsigned char *) k->data, (int) k->len);
}

static int
trace_key_match(const void *key1, const void *key2, Size keysize)
{
	const TraceKey *a = (const TraceKey *) key1;
	const TraceKey *b = (const TraceKey *) key2;

	if (a->len != b->len)
		return 1;
	return memcmp(a->data, b->data, a->len);
}

static HTAB *
trace_hash_create(const char *name, Size entrysize, MemoryContext cxt)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(TraceKey);
	ctl.entrysize = entrysize;
	ctl.hash = trace_key_hash;
	ctl.match = trace_key_match;
	ctl.hcxt = cxt;
	return hash_create(name, 256, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/* the key of four parts, any NULL: each part is 1 (NULL) or 2 text NUL */
static TraceKey
trace_key(StringInfo buf, const char *db, const char *sch, const char *tbl,
		  const char *col)
{
	const char *parts[4] = {db, sch, tbl, col};
	TraceKey	k;
	int			i;

	resetStringInfo(buf);
	for (i = 0; i < 4; i++)
	{
		if (parts[i] == NULL)
			appendStringInfoChar(buf, '\1');
		else
		{
			appendStringInfoChar(buf, '\2');
			appendBinaryStringInfo(buf, parts[i], strlen(parts[i]) + 1);
		}
	}
	k.data = buf->data;
	k.len = buf->len;
	return k;
}

/* the key of a value, or NULL */
static char *
trace_value_key(text *t)
{
	if (t == NULL)
		return NULL;
	return name_key(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

static bool
trace_key_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool
trace_key_not_distinct(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* the key asked, 'default' or '' (or anything, when not asked) */
static bool
trace_key_wildcard(const char *asked, const char *k)
{
	if (asked == NULL)
		return true;
	return trace_key_eq(k, asked) || trace_key_eq(k, "default") ||
		trace_key_eq(k, "");
}

/* ---- paths --------------------------------------------------------------- */

/* concat_ws('.', schema, table, column): NULLs left out */
static char *
trace_label(text *sch, text *tbl, text *col)
{
	StringInfoData buf;
	text	   *parts[3] = {sch, tbl, col};
	bool		first = true;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < 3; i++)
	{
		if (parts[i] == NULL)
			continue;
		if (!first)
			appendStringInfoChar(&buf, '.');
		appendBinaryStringInfo(&buf, VARDATA_ANY(parts[i]),
							   VARSIZE_ANY_EXHDR(parts[i]));
		first = false;
	}
	return buf.data;
}

static int
trace_text_cmp(const char *a, const char *b)
{
	return varstr_cmp(a, strlen(a), b, strlen(b), DEFAULT_COLLATION_OID);
}

/*
 * text[] order of two paths, each npa (npb) labels and one label more:
 * element by element, then the shorter first.
 */
static int
trace_path_cmp(char *const *pa, int npa, const char *la,
			   char *const *pb, int npb, const char *lb)
{
	int			i;

	for (i = 0; i <= npa && i <= npb; i++)
	{
		const char *ea = i < npa ? pa[i] : la;
		const char *eb = i < npb ? pb[i] : lb;
		int			c;

		if (ea == eb)
			continue;
		c = trace_text_cmp(ea, eb);
		if (c != 0)
			return c;
	}
	return (npa > npb) - (npa < npb);
}

/* ---- the walk ------------------------------------------------------------ */

/*
 * A node reached at the current depth (from NULL: a start node) by the
 * path of from and label.  The first reach of a key makes the node; a
 * later one at the same depth replaces its path when that is smaller.
 */
static void
trace_reach(TraceWalk *w, TraceNode *from, const char *label,
			char *db, char *sch, char *tbl, char *col)
{
	StringInfoData keybuf;
	StringInfoData joined;
	TraceKey	key;
	TraceNode  *node;
	bool		found;
	MemoryContext old;

	/* a NULL table (or column) key never matches: a dead end */
	if (tbl == NULL || col == NULL)
		return;

	old = MemoryContextSwitchTo(w->rowcxt);
	initStringInfo(&keybuf);
	key = trace_key(&keybuf, db, sch, tbl, col);
	node = hash_search(w->nodes, &key, HASH_FIND, NULL);
	if (node != NULL && node->depth < w->depth)
	{
		MemoryContextSwitchTo(old);
		return;
	}

	initStringInfo(&joined);
	if (from)
	{
		appendBinaryStringInfo(&joined, from->joined, from->joinedlen);
		appendStringInfoChar(&joined, ' ');
	}
	appendStringInfoString(&joined, label);

	if (node != NULL)
	{
		int			c = varstr_cmp(joined.data, joined.len,
								   node->joined, node->joinedlen,
								   DEFAULT_COLLATION_OID);

		if (c == 0)
			c = trace_path_cmp(from ? from->labels : NULL, from ? from->depth + 1 : 0,
							   label, node->labels, node->depth,
							   node->labels[node->depth]);
		if (c >= 0)
		{
			MemoryContextSwitchTo(old);
			return;
		}
	}

	MemoryContextSwitchTo(w->cxt);
	if (node == NULL)
	{
		char	   *kdata = palloc(key.len);

		memcpy(kdata, key.data, key.len);
		key.data = kdata;
		node = hash_search(w->nodes, &key, HASH_ENTER, &found);
		node->key = key;
		node->db = db ? pstrdup(db) : NULL;
		node->sch = sch ? pstrdup(sch) : NULL;
		node->tbl = pstrdup(tbl);
		node->col = pstrdup(col);
		node->depth = w->depth;
		node->labels = palloc(sizeof(char *) * (w->depth + 1));
		if (w->nnext == w->maxnext)
		{
			w->maxnext = Max(16, w->maxnext * 2);
			w->next = w->next ? repalloc(w->next, sizeof(TraceNode *) * w->maxnext)
				: palloc(sizeof(TraceNode *) * w->maxnext);
		}
		w->next[w->nnext++] = node;
	}
	node->parent = from;
	if (from)
		memcpy(node->labels, from->labels, sizeof(char *) * (from->depth + 1));
	node->labels[w->depth] = pstrdup(label);
	node->joined = pnstrdup(joined.data, joined.len);
	node->joinedlen = joined.len;
	MemoryContextSwitchTo(old);
}

/*
 * A row whose near table and column keys are those of node: a start node
 * or a hit when the rest of the near side matches.  v: TRACE_NCOLUMNS
 * values, NULL for NULL, valid until the next row.
 */
static void
trace_candidate(TraceWalk *w, TraceNode *node, text **v, bool start)
{
	MemoryContext old;
	int			n = w->near;
	int			f = w->far;

	MemoryContextReset(w->rowcxt);
	old = MemoryContextSwitchTo(w->rowcxt);
	if (start)
	{
		char	   *db = trace_value_key(v[n + COL_DB]);
		char	   *sch = trace_value_key(v[n + COL_SCHEMA]);
		char	   *tbl = trace_value_key(v[n + COL_TABLE]);
		char	   *col = w->column_level ? trace_value_key(v[n + COL_COLUMN]) : "";

		if (trace_key_eq(tbl, w->start.tbl) && trace_key_eq(col, w->start.col) &&
			trace_key_wildcard(w->start.sch, sch) &&
			trace_key_wildcard(w->start.db, db))
			trace_reach(w, NULL,
						trace_label(v[n + COL_SCHEMA], v[n + COL_TABLE],
									w->column_level ? v[n + COL_COLUMN] : NULL),
						db, sch, tbl, col);
	}
	else if (trace_key_not_distinct(trace_value_key(v[n + COL_SCHEMA]), node->sch) &&
			 trace_key_not_distinct(trace_value_key(v[n + COL_DB]), node->db))
	{
		TraceHit   *hit;
		char	   *label;
		int			i;
		Size		size = MAXALIGN(sizeof(TraceHit));
		char	   *p;

		label = trace_label(v[f + COL_SCHEMA], v[f + COL_TABLE],
							w->column_level ? v[f + COL_COLUMN] : NULL);

		/* the hit, its values (as they are: short headers stay) and label */
		for (i = 0; i < TRACE_NCOLUMNS; i++)
			if (v[i])
				size += INTALIGN(VARSIZE_ANY(v[i]));
		size += strlen(label) + 1;
		hit = MemoryContextAlloc(w->cxt, size);
		p = (char *) hit + MAXALIGN(sizeof(TraceHit));
		hit->depth = w->depth;
		hit->from = node;
		for (i = 0; i < TRACE_NCOLUMNS; i++)
		{
			hit->v[i] = NULL;
			if (v[i])
			{
				memcpy(p, v[i], VARSIZE_ANY(v[i]));
				hit->v[i] = (text *) p;
				p += INTALIGN(VARSIZE_ANY(v[i]));
			}
		}
		strcpy(p, label);
		hit->label = p;
		MemoryContextSwitchTo(w->cxt);
		if (w->nhits == w->maxhits)
		{
			w->maxhits = Max(64, w->maxhits * 2);
			w->hits = w->hits ? repalloc_huge(w->hits, sizeof(TraceHit *) * w->maxhits)
				: MemoryContextAllocHuge(w->cxt, sizeof(TraceHit *) * w->maxhits);
		}
		w->hits[w->nhits++] = hit;
		MemoryContextSwitchTo(w->rowcxt);
		trace_reach(w, node, hit->label,
					trace_value_key(v[f + COL_DB]),
					trace_value_key(v[f + COL_SCHEMA]),
					trace_value_key(v[f + COL_TABLE]),
					w->column_level ? trace_value_key(v[f + COL_COLUMN]) : "");
	}
	MemoryContextSwitchTo(old);
}

static int
trace_hit_cmp(const void *a, const void *b)
{
	const TraceHit *ha = *(TraceHit *const *) a;
	const TraceHit *hb = *(TraceHit *const *) b;
	int			c;
	int			i;

	if (ha->depth != hb->depth)
		return ha->depth < hb->depth ? -1 : 1;
	/* a hit's path is its node's and its label: nodes are ranked */
	if (ha->from->rank != hb->from->rank)
		return ha->from->rank < hb->from->rank ? -1 : 1;
	if (ha->label != hb->label)
	{
		c = trace_text_cmp(ha->label, hb->label);
		if (c != 0)
			return c;
	}
	/* the same path: by the row's values, NULLs last */
	for (i = 0; i < TRACE_NCOLUMNS; i++)
	{
		text	   *x = ha->v[i];
		text	   *y = hb->v[i];

		if (x == NULL || y == NULL)
		{
			if (x != y)
				return x == NULL ? 1 : -1;
			continue;
		}
		c = varstr_cmp(VARDATA_ANY(x), VARSIZE_ANY_EXHDR(x),
					   VARDATA_ANY(y), VARSIZE_ANY_EXHDR(y),
					   DEFAULT_COLLATION_OID);
		if (c != 0)
			return c;
	}
	return 0;
}

/* path order of two nodes of one depth whose parents are ranked */
static int
trace_node_cmp(const void *a, const void *b)
{
	const TraceNode *na = *(TraceNode *const *) a;
	const TraceNode *nb = *(TraceNode *const *) b;

	if (na->parent != nb->parent)
	{
		int			ra = na->parent ? na->parent->rank : 0;
		int			rb = nb->parent ? nb->parent->rank : 0;

		if (ra != rb)
			return ra < rb ? -1 : 1;
	}
	return trace_text_cmp(na->labels[na->depth], nb->labels[nb->depth]);
}

/* rank the nodes of every depth in path order (equal paths, equal ranks) */
static void
trace_rank(TraceWalk *w)
{
	ListCell   *lc1;
	ListCell   *lc2;

	forboth(lc1, w->levels, lc2, w->nlevels)
	{
		TraceNode **nodes = (TraceNode **) lfirst(lc1);
		int			n = lfirst_int(lc2);
		int			i;
		int			rank = 0;

		if (n > 1)
			qsort(nodes, n, sizeof(TraceNode *), trace_node_cmp);
		for (i = 0; i < n; i++)
		{
			if (i > 0 && trace_node_cmp(&nodes[i - 1], &nodes[i]) != 0)
				rank++;
			nodes[i]->rank = rank;
		}
	}
}

static void
trace_walk_init(TraceWalk *w, const TraceRequest *req, TraceFindFn find)
{
	char	  **parts;
	int			nparts;

	memset(w, 0, sizeof(TraceWalk));
	w->cxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow trace",
								   ALLOCSET_DEFAULT_SIZES);
	/* a row's keys and strings fit the first block: no malloc per row */
	w->rowcxt = AllocSetContextCreate(w->cxt, "sqlflow trace row",
									  ALLOCSET_DEFAULT_SIZES);
	w->column_level = req->column_name != NULL;
	w->near = req->downstream ? SIDE_SOURCE : SIDE_TARGET;
	w->far = req->downstream ? SIDE_TARGET : SIDE_SOURCE;
	w->find = find;
	w->nodes = trace_hash_create("sqlflow trace nodes", sizeof(TraceNode), w->cxt);

	nparts = name_key_parts(req->table_name, &parts);
	w->start.tbl = nparts >= 1 ? parts[nparts - 1] : NULL;
	w->start.sch = nparts >= 2 ? parts[nparts - 2] : NULL;
	w->start.db = nparts >= 3 ? parts[nparts - 3] : NULL;
	w->start.col = w->column_level
		? name_key(req->column_name, strlen(req->column_name)) : "";
}

/* the walk to max_depth, then the rows into the tuplestore */
static void
trace_walk(TraceWalk *w, const TraceRequest *req, Tuplestorestate *ts,
		   TupleDesc desc)
{
	TraceNode **frontier;
	int			nfrontier;
	int			i;
	TraceNode  *start = &w->start;

	if (w->start.tbl == NULL)
		return;

	w->depth = 0;
	w->find(w, &start, 1, true);
	for (w->depth = 1; w->depth <= req->max_depth && w->nnext > 0; w->depth++)
	{
		MemoryContext old = MemoryContextSwitchTo(w->cxt);

		frontier = w->next;
		nfrontier = w->nnext;
		w->levels = lappend(w->levels, frontier);
		w->nlevels = lappend_int(w->nlevels, nfrontier);
		MemoryContextSwitchTo(old);
		w->next = NULL;
		w->nnext = w->maxnext = 0;
		w->find(w, frontier, nfrontier, false);
		CHECK_FOR_INTERRUPTS();
	}

	/* nodes reached at the last depth lead nowhere: no hit comes from them */
	trace_rank(w);
	if (w->nhits > 1)
		qsort(w->hits, w->nhits, sizeof(TraceHit *), trace_hit_cmp);

	for (i = 0; i < w->nhits; i++)
	{
		TraceHit   *h = w->hits[i];
		Datum		values[TRACE_NCOLUMNS + 2];
		bool		nulls[TRACE_NCOLUMNS + 2];
		Datum	   *path;
		int			npath = h->from->depth + 2;
		int			j;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(w->rowcxt);
		old = MemoryContextSwitchTo(w->rowcxt);
		values[0] = Int32GetDatum(h->depth);
		nulls[0] = false;
		for (j = 0; j < TRACE_NCOLUMNS; j++)
		{
			values[j + 1] = PointerGetDatum(h->v[j]);
			nulls[j + 1] = h->v[j] == NULL;
		}
		path = palloc(sizeof(Datum) * npath);
		for (j = 0; j <= h->from->depth; j++)
			path[j] = CStringGetTextDatum(h->from->labels[j]);
		path[npath - 1] = CStringGetTextDatum(h->label);
		values[TRACE_NCOLUMNS + 1] =
			PointerGetDatum(construct_array(path, npath, TEXTOID, -1, false,
											TYPALIGN_INT));
		nulls[TRACE_NCOLUMNS + 1] = false;
		tuplestore_putvalues(ts, desc, values, nulls);
		MemoryContextSwitchTo(old);
	}
}

/* ---- arguments ----------------------------------------------------------- */

void
trace_request_init(TraceRequest *req, const char *table_name,
				   const char *column_name, const char *direction,
				   bool max_depth_null, int32 max_depth)
{
	const char *p;
	bool		known = false;

	for (p = table_name; p != NULL && *p == ' '; p++)
		;
	if (p == NULL || *p == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table_name is required")));
	if (max_depth_null || max_depth < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_depth must be at least 1")));
	if (direction != NULL)
	{
		char	   *d = str_tolower(direction, strlen(direction),
									DEFAULT_COLLATION_OID);

		known = true;
		if (strcmp(d, "downstream") == 0)
			req->downstream = true;
		else if (strcmp(d, "upstream") == 0)
			req->downstream = false;
		else
			known = false;
		pfree(d);
	}
	if (!known)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized trace direction \"%s\"",
						direction ? direction : "<NULL>"),
				 errhint("Directions are downstream (impact) and upstream (provenance).")));
	req->table_name = table_name;
	req->column_name = column_name;
	req->max_depth = max_depth;
}

/* ---- rows from a lineage relation ---------------------------------------- */

/* the values of an SPI row, from column first on */
static void
trace_spi_values(HeapTuple tup, TupleDesc desc, int first, text **v)
{
	Datum		values[TRACE_NCOLUMNS + 1];
	bool		isnull[TRACE_NCOLUMNS + 1];
	int			i;

	Assert(desc->natts == first + TRACE_NCOLUMNS - 1);
	heap_deform_tuple(tup, desc, values, isnull);
	for (i = 0; i < TRACE_NCOLUMNS; i++)
		v[i] = isnull[first - 1 + i] ? NULL :
			(text *) PG_DETOAST_DATUM_PACKED(values[first - 1 + i]);
}

static void
trace_find_relation(TraceWalk *w, TraceNode **nodes, int n, bool start)
{
	int			ret;
	uint64		r;
	SPITupleTable *tt;

	if (start)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};
		Datum		values[2];

		values[0] = CStringGetTextDatum(nodes[0]->tbl);
		values[1] = CStringGetTextDatum(nodes[0]->col);
		ret = SPI_execute_with_args(w->start_query, w->column_level ? 2 : 1,
									types, values, NULL, true, 0);
	}
	else
	{
		/* nodes with a schema key; without one */
		Datum	   *tbl[2];
		Datum	   *col[2];
		Datum	   *sch;
		Datum	   *idx[2];
		int			cnt[2] = {0, 0};
		Oid			types[7];
		Datum		values[7];
		int			i;
		int			k;

		for (k = 0; k < 2; k++)
		{
			tbl[k] = palloc(sizeof(Datum) * n);
			col[k] = palloc(sizeof(Datum) * n);
			idx[k] = palloc(sizeof(Datum) * n);
		}
		sch = palloc(sizeof(Datum) * n);
		for (i = 0; i < n; i++)
		{
			k = nodes[i]->sch != NULL ? 0 : 1;
			tbl[k][cnt[k]] = CStringGetTextDatum(nodes[i]->tbl);
			col[k][cnt[k]] = CStringGetTextDatum(nodes[i]->col);
			if (k == 0)
				sch[cnt[k]] = CStringGetTextDatum(nodes[i]->sch);
			idx[k][cnt[k]] = Int32GetDatum(i);
			cnt[k]++;
		}
		types[0] = types[1] = types[2] = types[4] = types[5] = TEXTARRAYOID;
		types[3] = types[6] = INT4ARRAYOID;
		values[0] = PointerGetDatum(construct_array(tbl[0], cnt[0], TEXTOID, -1, false, TYPALIGN_INT));
		values[1] = PointerGetDatum(construct_array(col[0], cnt[0], TEXTOID, -1, false, TYPALIGN_INT));
		values[2] = PointerGetDatum(construct_array(sch, cnt[0], TEXTOID, -1, false, TYPALIGN_INT));
		values[3] = PointerGetDatum(construct_array(idx[0], cnt[0], INT4OID, 4, true, TYPALIGN_INT));
		values[4] = PointerGetDatum(construct_array(tbl[1], cnt[1], TEXTOID, -1, false, TYPALIGN_INT));
		values[5] = PointerGetDatum(construct_array(col[1], cnt[1], TEXTOID, -1, false, TYPALIGN_INT));
		values[6] = PointerGetDatum(construct_array(idx[1], cnt[1], INT4OID, 4, true, TYPALIGN_INT));
		ret = SPI_execute_with_args(w->walk_query, 7, types, values, NULL,
									true, 0);
	}
	/*
	 * (A plan prepared once per trace was measured no faster: forced
	 * generic about 8% slower, left to the plan cache 15-50% slower, on the
	 * bench's 300,000-row column trace.  The custom plan also sees the
	 * frontier's size.)
	 */
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));

	tt = SPI_tuptable;
	for (r = 0; r < SPI_processed; r++)
	{
		text	   *v[TRACE_NCOLUMNS];
		bool		isnull;
		int32		i;

		CHECK_FOR_INTERRUPTS();
		i = DatumGetInt32(SPI_getbinval(tt->vals[r], tt->tupdesc, 1, &isnull));
		trace_spi_values(tt->vals[r], tt->tupdesc, 2, v);
		trace_candidate(w, nodes[i], v, start);
	}
	SPI_freetuptable(tt);
}

/*
 * The queries over the relation: the near side's table (and column) keys
 * equal to the node's, and the schema key too where the node has one (an
 * index on the keys of table, column and schema answers all three).  Every
 * name is qualified, and the key function's argument cast to text, so that
 * no overload (say sqlflow_name_key(varchar) beside ours) is chosen; the
 * expression still matches an index on sqlflow_name_key(col) of a varchar
 * column (the cast is the same relabelling there).
 */
static void
trace_relation_queries(TraceWalk *w, Oid lineage, Oid extschema)
{
	const char *ext = quote_identifier(get_namespace_name(extschema));
	const char *rel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(lineage)),
												 get_rel_name(lineage));
	const char *near = w->near == SIDE_SOURCE ? "source" : "target";
	StringInfoData cols;
	StringInfoData q;
	int			i;

	initStringInfo(&cols);
	for (i = 0; i < TRACE_NCOLUMNS; i++)
		appendStringInfo(&cols, ", l.%s::pg_catalog.text", trace_columns[i]);

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT 0%s FROM %s l WHERE %s.sqlflow_name_key(l.%s_table::pg_catalog.text) OPERATOR(pg_catalog.=) $1",
					 cols.data, rel, ext, near);
	if (w->column_level)
		appendStringInfo(&q, " AND %s.sqlflow_name_key(l.%s_column::pg_catalog.text) OPERATOR(pg_catalog.=) $2",
						 ext, near);
	w->start_query = q.data;

	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT f.i%s FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
					 "pg_catalog.unnest($3), pg_catalog.unnest($4)) AS f(tbl, col, sch, i) "
					 "JOIN %s l ON %s.sqlflow_name_key(l.%s_table::pg_catalog.text) OPERATOR(pg_catalog.=) f.tbl",
					 cols.data, rel, ext, near);
	if (w->column_level)
		appendStringInfo(&q, " AND %s.sqlflow_name_key(l.%s_column::pg_catalog.text) OPERATOR(pg_catalog.=) f.col",
						 ext, near);
	appendStringInfo(&q, " AND %s.sqlflow_name_key(l.%s_schema::pg_catalog.text) OPERATOR(pg_catalog.=) f.sch",
					 ext, near);
	appendStringInfo(&q,
					 " UNION ALL SELECT f.i%s FROM ROWS FROM (pg_catalog.unnest($5), pg_catalog.unnest($6), "
					 "pg_catalog.unnest($7)) AS f(tbl, col, i) "
					 "JOIN %s l ON %s.sqlflow_name_key(l.%s_table::pg_catalog.text) OPERATOR(pg_catalog.=) f.tbl",
					 cols.data, rel, ext, near);
	if (w->column_level)
		appendStringInfo(&q, " AND %s.sqlflow_name_key(l.%s_column::pg_catalog.text) OPERATOR(pg_catalog.=) f.col",
						 ext, near);
	appendStringInfo(&q, " AND l.%s_schema IS NULL", near);
	w->walk_query = q.data;
}

/* every column of a lineage row there, as text or varchar */
static void
trace_check_relation(Oid lineage)
{
	int			i;

	for (i = 0; i < TRACE_NCOLUMNS; i++)
	{
		AttrNumber	att = get_attnum(lineage, trace_columns[i]);
		Oid			type;

		if (att == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of lineage relation \"%s\" does not exist",
							trace_columns[i], get_rel_name(lineage)),
					 errdetail("A lineage relation has the columns of sqlflow_lineage: source_db, source_schema, source_table, source_column, target_db, target_schema, target_table, target_column, relation_type and effect_type.")));
		type = get_atttype(lineage, att);
		if (type != TEXTOID && type != VARCHAROID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of lineage relation \"%s\" is of type %s",
							trace_columns[i], get_rel_name(lineage),
							format_type_be(type)),
					 errdetail("The columns of a lineage relation are text or varchar.")));
	}
}

void
trace_relation(FunctionCallInfo fcinfo, Oid lineage, const TraceRequest *req)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			extschema = get_func_namespace(fcinfo->flinfo->fn_oid);
	TraceWalk	w;

	if (get_rel_name(lineage) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", lineage)));
	trace_check_relation(lineage);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	trace_walk_init(&w, req, trace_find_relation);
	trace_relation_queries(&w, lineage, extschema);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	trace_walk(&w, req, rsinfo->setResult, rsinfo->setDesc);
	SPI_finish();
	MemoryContextDelete(w.cxt);
}

/* ---- rows of a job --------------------------------------------------------- */

static void
trace_find_job(TraceWalk *w, TraceNode **nodes, int n, bool start)
{
	StringInfoData keybuf;
	int			i;

	initStringInfo(&keybuf);
	for (i = 0; i < n; i++)
	{
		TraceKey	key = trace_key(&keybuf, NULL, NULL, nodes[i]->tbl, nodes[i]->col);
		TraceRowList *list = hash_search(w->rows, &key, HASH_FIND, NULL);
		int			r;

		if (list == NULL)
			continue;
		for (r = 0; r < list->n; r++)
		{
			CHECK_FOR_INTERRUPTS();
			trace_candidate(w, nodes[i], list->rows + r * TRACE_NCOLUMNS, start);
		}
	}
	pfree(keybuf.data);
}

void
trace_job(FunctionCallInfo fcinfo, const char *job_id, const char *server,
		  const TraceRequest *req)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			extschema = get_func_namespace(fcinfo->flinfo->fn_oid);
	TraceWalk	w;
	StringInfoData q;
	StringInfoData keybuf;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	int			ret;
	uint64		r;
	SPITupleTable *tt;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	trace_walk_init(&w, req, trace_find_job);
	w.rows = trace_hash_create("sqlflow trace rows", sizeof(TraceRowList), w.cxt);

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT source_db, source_schema, source_table, source_column, "
					 "target_db, target_schema, target_table, target_column, "
					 "relation_type, effect_type FROM %s.sqlflow_lineage($1, server => $2)",
					 quote_identifier(get_namespace_name(extschema)));
	values[0] = job_id ? CStringGetTextDatum(job_id) : (Datum) 0;
	nulls[0] = job_id ? ' ' : 'n';
	values[1] = server ? CStringGetTextDatum(server) : (Datum) 0;
	nulls[1] = server ? ' ' : 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(q.data, 2, types, values, nulls, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));

	/* the rows by near table and column keys, in the walk's memory */
	tt = SPI_tuptable;
	initStringInfo(&keybuf);
	for (r = 0; r < SPI_processed; r++)
	{
		text	   *v[TRACE_NCOLUMNS];
		char	   *tbl;
		char	   *col;
		TraceKey	key;
		TraceRowList *list;
		bool		found;
		MemoryContext old;
		int			i;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(w.rowcxt);
		old = MemoryContextSwitchTo(w.rowcxt);
		trace_spi_values(tt->vals[r], tt->tupdesc, 1, v);
		tbl = trace_value_key(v[w.near + COL_TABLE]);
		col = w.column_level ? trace_value_key(v[w.near + COL_COLUMN]) : "";
		MemoryContextSwitchTo(w.cxt);
		if (tbl == NULL || col == NULL)
		{
			MemoryContextSwitchTo(old);
			continue;
		}
		key = trace_key(&keybuf, NULL, NULL, tbl, col);
		list = hash_search(w.rows, &key, HASH_FIND, NULL);
		if (list == NULL)
		{
			char	   *kdata = palloc(key.len);

			memcpy(kdata, key.data, key.len);
			key.data = kdata;
			list = hash_search(w.rows, &key, HASH_ENTER, &found);
			list->key = key;
			list->n = 0;
			list->max = 4;
			list->rows = palloc(sizeof(text *) * TRACE_NCOLUMNS * list->max);
		}
		else if (list->n == list->max)
		{
			list->max *= 2;
			list->rows = repalloc_huge(list->rows,
									   sizeof(text *) * TRACE_NCOLUMNS * list->max);
		}
		for (i = 0; i < TRACE_NCOLUMNS; i++)
			list->rows[list->n * TRACE_NCOLUMNS + i] =
				v[i] ? (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(v[i])) : NULL;
		list->n++;
		MemoryContextSwitchTo(old);
	}
	SPI_freetuptable(tt);

	trace_walk(&w, req, rsinfo->setResult, rsinfo->setDesc);
	SPI_finish();
	MemoryContextDelete(w.cxt);
}
