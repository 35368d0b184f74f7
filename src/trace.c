/*-------------------------------------------------------------------------
 *
 * trace.c
 *	  Impact (downstream) and provenance (upstream) traces: the breadth-first
 *	  walk over lineage rows behind sqlflow_trace, sqlflow_impact,
 *	  sqlflow_provenance and sqlflow_trace_job.
 *
 * The walk keeps its state in memory: a hash of the nodes reached (db,
 * schema, table and column keys; the column key is '' at table level), the
 * frontier of the last depth in an array, and the rows hit.  A node holds
 * its own label and its parent; a path is read back through the parents.
 * Where the rows come from is abstract ("find the rows whose near side is
 * one of these nodes", trace_walk.h): trace_source.c reads them from a
 * lineage relation or from a job.  This file does no SPI and no I/O.
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

#include "catalog/pg_collation.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "compat.h"
#include "config.h"
#include "names.h"
#include "trace_walk.h"

/* the columns of a lineage row, as sqlflow_lineage names them */
const char *const trace_columns[TRACE_NCOLUMNS] = {
	"source_db", "source_schema", "source_table", "source_column",
	"target_db", "target_schema", "target_table", "target_column",
	"relation_type", "effect_type"
};

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

/*
 * The walk's hashes allocate from the walk's memory itself (its kept
 * block), not from the private context dynahash would make, whose blocks
 * would be fresh memory on every trace (where dynahash allows it:
 * SQLFLOW_HASH_OWN_ALLOC).  Its allocator takes no context, so
 * trace_hash_cxt names it: set by trace_hash_create and by every caller
 * right before an insertion (a trace nested in another, run by the
 * other's query, has its own).
 */
MemoryContext trace_hash_cxt = NULL;

#ifdef SQLFLOW_HASH_OWN_ALLOC
static void *
trace_hash_alloc(Size size)
{
	Assert(trace_hash_cxt != NULL);
	return MemoryContextAlloc(trace_hash_cxt, size);
}
#endif

HTAB *
trace_hash_create(const char *name, Size entrysize, MemoryContext cxt)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(TraceKey);
	ctl.entrysize = entrysize;
	ctl.hash = trace_key_hash;
	ctl.match = trace_key_match;
	ctl.hcxt = cxt;
#ifdef SQLFLOW_HASH_OWN_ALLOC
	ctl.alloc = trace_hash_alloc;

	/*
	 * dynahash frees a directory it outgrows as if palloc'd by itself, so
	 * it gets one that never grows: 1024 segments of 256 buckets (8 kB,
	 * from the kept block); past 262,144 entries its chains get longer.
	 */
	ctl.dsize = ctl.max_dsize = 1024;
	trace_hash_cxt = cxt;
	return hash_create(name, 256, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT |
					   HASH_ALLOC | HASH_DIRSIZE);
#else
	return hash_create(name, 256, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
#endif
}

/* the key of four parts, any NULL: each part is 1 (NULL) or 2 text NUL */
TraceKey
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
char *
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

/*
 * Text compared with the default collation.  Where that is bytewise
 * (checked once per walk) it is memcmp, then length, which is what
 * varstr_cmp does there, without asking the collation on every call.
 */
static bool trace_c_collation = false;

/*
 * Does the database's collation compare bytewise: libc's C or POSIX, or
 * the builtin provider (17 on), whose locales all sort by code point.
 * Anything else (C.UTF-8 of libc too) goes through varstr_cmp.  Asked
 * once per backend.
 */
static bool
trace_default_collation_is_c(void)
{
	static int	known = -1;		/* a database's collation never changes */
	HeapTuple	tup;
	Form_pg_database db;
	bool		c = false;

	if (known >= 0)
		return known == 1;
	tup = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
	if (!HeapTupleIsValid(tup))
		return false;
	db = (Form_pg_database) GETSTRUCT(tup);
	if (db->datlocprovider == 'b')
		c = true;
	else if (db->datlocprovider == COLLPROVIDER_LIBC)
	{
		bool		isnull;
		Datum		d = SysCacheGetAttr(DATABASEOID, tup,
										Anum_pg_database_datcollate, &isnull);

		if (!isnull)
		{
			char	   *name = TextDatumGetCString(d);

			c = strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0;
			pfree(name);
		}
	}
	ReleaseSysCache(tup);
	known = c ? 1 : 0;
	return c;
}

static int
trace_bytes_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c;

	if (!trace_c_collation)
		return varstr_cmp(a, alen, b, blen, DEFAULT_COLLATION_OID);
	c = memcmp(a, b, Min(alen, blen));
	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
trace_text_cmp(const char *a, const char *b)
{
	if (trace_c_collation)
		return strcmp(a, b);
	return varstr_cmp(a, strlen(a), b, strlen(b), DEFAULT_COLLATION_OID);
}

/* ---- the walk ------------------------------------------------------------ */

/* the path of from (NULL: none) and label, root first, into out */
static int
trace_path(TraceNode *from, const char *label, const char **out)
{
	int			n = from ? from->depth + 2 : 1;
	int			i = n - 1;

	out[i] = label;
	for (; from != NULL; from = from->parent)
		out[--i] = from->label;
	Assert(i == 0);
	return n;
}

/* array_to_string(path, ' ') */
static void
trace_path_joined(StringInfo buf, const char **path, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(buf, ' ');
		appendStringInfoString(buf, path[i]);
	}
}

/*
 * Two paths joined with spaces, compared bytewise (where the database
 * collates so)
 * without joining them: a path's byte at each place is its element's, a
 * space between elements, and its end after the last.
 */
typedef struct TraceJoined
{
	const char **elems;
	int			n;
	int			i;				/* the element at */
	const char *p;				/* the byte at */
} TraceJoined;

/* the byte at (a space between elements), -1 at the end */
static int
trace_joined_byte(const TraceJoined *j)
{
	if (*j->p != '\0')
		return (unsigned char) *j->p;
	return j->i + 1 < j->n ? ' ' : -1;
}

static void
trace_joined_next(TraceJoined *j)
{
	if (*j->p != '\0')
		j->p++;
	else
		j->p = j->elems[++j->i];
}

static int
trace_joined_cmp(const char **pa, int na, const char **pb, int nb)
{
	TraceJoined a = {pa, na, 0, pa[0]};
	TraceJoined b = {pb, nb, 0, pb[0]};

	for (;;)
	{
		int			ca = trace_joined_byte(&a);
		int			cb = trace_joined_byte(&b);

		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca < 0)
			return 0;
		trace_joined_next(&a);
		trace_joined_next(&b);
	}
}

/*
 * Is the path of from and label smaller than node's (both of the current
 * depth)?  Joined with spaces first, then in text[] order.
 */
static bool
trace_path_smaller(TraceWalk *w, TraceNode *from, const char *label,
				   TraceNode *node)
{
	const char **pa;
	const char **pb;
	int			na;
	int			nb;
	StringInfoData ja;
	StringInfoData jb;
	int			c;
	int			i;

	/* the same path again (another row between the same two objects) */
	if (from == node->parent &&
		(label == node->label || strcmp(label, node->label) == 0))
		return false;

	pa = palloc(sizeof(char *) * (w->depth + 1));
	pb = palloc(sizeof(char *) * (w->depth + 1));
	na = trace_path(from, label, pa);
	nb = trace_path(node->parent, node->label, pb);
	if (trace_c_collation)
		c = trace_joined_cmp(pa, na, pb, nb);
	else
	{
		initStringInfo(&ja);
		initStringInfo(&jb);
		trace_path_joined(&ja, pa, na);
		trace_path_joined(&jb, pb, nb);
		c = varstr_cmp(ja.data, ja.len, jb.data, jb.len, DEFAULT_COLLATION_OID);
	}
	for (i = 0; c == 0 && i < na && i < nb; i++)
		if (pa[i] != pb[i])
			c = trace_text_cmp(pa[i], pb[i]);
	if (c == 0)
		c = (na > nb) - (na < nb);
	return c < 0;
}

/* point db, sch, tbl and col of node into its key (NULL parts stay NULL) */
static void
trace_node_parts(TraceNode *node)
{
	char	   *p = (char *) node->key.data;
	char	  **parts[4] = {&node->db, &node->sch, &node->tbl, &node->col};
	int			i;

	for (i = 0; i < 4; i++)
	{
		if (*p++ == '\1')
			*parts[i] = NULL;
		else
		{
			*parts[i] = p;
			p += strlen(p) + 1;
		}
	}
}

/*
 * A node reached at the current depth (from NULL: a start node) by the
 * path of from and label.  The first reach of a key makes the node; a
 * later one at the same depth replaces its path when that is smaller.
 * label is kept as it is (it lives as long as the walk).
 */
static TraceNode *
trace_reach(TraceWalk *w, TraceNode *from, char *label,
			char *db, char *sch, char *tbl, char *col)
{
	TraceKey	key;
	TraceNode  *node;
	bool		found;
	uint32		hash;

	/* a NULL table (or column) key never matches: a dead end */
	if (tbl == NULL || col == NULL)
		return NULL;

	key = trace_key(&w->keybuf, db, sch, tbl, col);
	hash = get_hash_value(w->nodes, &key);
	node = hash_search_with_hash_value(w->nodes, &key, hash, HASH_FIND, NULL);
	if (node != NULL &&
		(node->depth < w->depth || !trace_path_smaller(w, from, label, node)))
		return node;

	if (node == NULL)
	{
		char	   *kdata = MemoryContextAlloc(w->cxt, key.len);

		memcpy(kdata, key.data, key.len);
		key.data = kdata;
		trace_hash_cxt = w->cxt;
		node = hash_search_with_hash_value(w->nodes, &key, hash, HASH_ENTER,
										   &found);
		node->key = key;
		trace_node_parts(node);
		node->depth = w->depth;
		if (w->nnext == w->maxnext)
		{
			w->maxnext = Max(16, w->maxnext * 2);
			w->next = w->next
				? repalloc(w->next, sizeof(TraceNode *) * w->maxnext)
				: MemoryContextAlloc(w->cxt, sizeof(TraceNode *) * w->maxnext);
		}
		w->next[w->nnext++] = node;
	}
	node->parent = from;
	node->label = label;
	return node;
}

/*
 * The far sides last met from one node at this depth, as spelled (the
 * hits that carry them).  A row from the same node whose far side is
 * spelled the same reaches the same node by the same path: that reach
 * changed what it could the first time (trace_reach keeps the smaller
 * path), so it is not redone, and the hit takes the label already made.
 * Many rows of a table-level trace are such repeats (every column of one
 * table feeding the same table).
 */
static bool
trace_text_same(text *a, text *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

static TraceHit *
trace_far_seen(TraceWalk *w, TraceNode *node, text **v)
{
	int			f = w->far;
	int			i;

	if (node != w->far_from || w->depth != w->far_depth)
	{
		w->far_from = node;
		w->far_depth = w->depth;
		memset(w->far_hits, 0, sizeof(w->far_hits));
		return NULL;
	}
	for (i = 0; i < TRACE_FAR_SEEN; i++)
	{
		TraceHit   *h = w->far_hits[i];

		if (h != NULL &&
			trace_text_same(h->v[f + COL_TABLE], v[f + COL_TABLE]) &&
			trace_text_same(h->v[f + COL_SCHEMA], v[f + COL_SCHEMA]) &&
			trace_text_same(h->v[f + COL_DB], v[f + COL_DB]) &&
			(!w->column_level ||
			 trace_text_same(h->v[f + COL_COLUMN], v[f + COL_COLUMN])))
			return h;
	}
	return NULL;
}

static void
trace_far_remember(TraceWalk *w, TraceNode *node, TraceHit *hit)
{
	Assert(w->far_from == node && w->far_depth == w->depth);
	w->far_hits[w->far_next] = hit;
	w->far_next = (w->far_next + 1) % TRACE_FAR_SEEN;
}

/*
 * Is the near side of row v spelled as that of the last hit, when that hit
 * came from node at this depth?  Then it matches node as that one did.
 * A node's rows come one after the other, and mostly spelled alike.
 */
static bool
trace_near_same(TraceWalk *w, TraceNode *node, text **v)
{
	TraceHit   *last = w->nhits > 0 ? w->hits[w->nhits - 1] : NULL;
	int			n = w->near;

	return last != NULL && last->from == node && last->depth == w->depth &&
		trace_text_same(last->v[n + COL_SCHEMA], v[n + COL_SCHEMA]) &&
		trace_text_same(last->v[n + COL_DB], v[n + COL_DB]);
}

/*
 * A row whose near table and column keys are those of node: a start node
 * or a hit when the rest of the near side matches.  v: TRACE_NCOLUMNS
 * values, NULL for NULL, valid until the next row.
 */
void
trace_candidate(TraceWalk *w, TraceNode *node, text **v, bool start)
{
	MemoryContext old;
	int			n = w->near;
	int			f = w->far;

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
		{
			char	   *label;

			MemoryContextSwitchTo(w->cxt);
			label = trace_label(v[n + COL_SCHEMA], v[n + COL_TABLE],
								w->column_level ? v[n + COL_COLUMN] : NULL);
			MemoryContextSwitchTo(w->rowcxt);
			trace_reach(w, NULL, label, db, sch, tbl, col);
		}
	}
	else if (trace_near_same(w, node, v) ||
			 (trace_key_not_distinct(trace_value_key(v[n + COL_SCHEMA]), node->sch) &&
			  trace_key_not_distinct(trace_value_key(v[n + COL_DB]), node->db)))
	{
		TraceHit   *hit;
		TraceHit   *same = trace_far_seen(w, node, v);
		TraceNode  *reached;
		char	   *label;
		int			i;
		Size		size = MAXALIGN(sizeof(TraceHit));
		char	   *p;

		label = same ? same->label
			: trace_label(v[f + COL_SCHEMA], v[f + COL_TABLE],
						  w->column_level ? v[f + COL_COLUMN] : NULL);

		/* the hit, its values (as they are: short headers stay) and label */
		for (i = 0; i < TRACE_NCOLUMNS; i++)
			if (v[i])
				size += INTALIGN(VARSIZE_ANY(v[i]));
		if (!same)
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
		if (same)
			hit->label = same->label;
		else
		{
			strcpy(p, label);
			hit->label = p;
		}
		MemoryContextSwitchTo(w->cxt);
		if (w->nhits == w->maxhits)
		{
			w->maxhits = Max(64, w->maxhits * 2);
			w->hits = w->hits ? repalloc_huge(w->hits, sizeof(TraceHit *) * w->maxhits)
				: MemoryContextAllocHuge(w->cxt, sizeof(TraceHit *) * w->maxhits);
		}
		w->hits[w->nhits++] = hit;
		MemoryContextSwitchTo(w->rowcxt);
		if (!same)
		{
			reached = trace_reach(w, node, hit->label,
								  trace_value_key(v[f + COL_DB]),
								  trace_value_key(v[f + COL_SCHEMA]),
								  trace_value_key(v[f + COL_TABLE]),
								  w->column_level ? trace_value_key(v[f + COL_COLUMN]) : "");
			/* one label string for equal labels: the sort compares pointers */
			if (reached != NULL && reached->label != hit->label &&
				strcmp(reached->label, hit->label) == 0)
				hit->label = reached->label;
			trace_far_remember(w, node, hit);
		}
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
		c = trace_bytes_cmp(VARDATA_ANY(x), VARSIZE_ANY_EXHDR(x),
							VARDATA_ANY(y), VARSIZE_ANY_EXHDR(y));
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
	return trace_text_cmp(na->label, nb->label);
}

/*
 * Rank the nodes of one depth in path order (equal paths, equal ranks),
 * their parents ranked already.  A depth is ranked once complete, before
 * its nodes are probed: no later reach changes its paths.
 */
static void
trace_rank(TraceNode **nodes, int n)
{
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

/*
 * The hits in output order: by depth, then their node's rank, then label
 * and values (trace_hit_cmp).  The nodes of a depth are probed in rank
 * order, so the hits come grouped by depth and rank already where each
 * node's rows come in one piece (the index probes, a job's rows): then
 * only each group is sorted.  Otherwise (the relation queries, which run
 * nodes with and without a schema apart) all of them are.
 */
static bool
trace_hit_group_before(const TraceHit *a, const TraceHit *b)
{
	if (a->depth != b->depth)
		return a->depth < b->depth;
	return a->from->rank < b->from->rank;
}

/*
 * One group (one depth and rank) into order.  A group's hits share a few
 * labels (the objects reached from one node) and come in index order,
 * which within one label is mostly the order wanted already: so they are
 * split by label first, in label order and otherwise as they came, and
 * each label's run is then sorted (qsort returns early on a sorted run).
 * More labels than TRACE_GROUP_LABELS: one qsort of the whole group.
 */
#define TRACE_GROUP_LABELS 16

/* a label of a group, and where it first came */
typedef struct TraceGroupLabel
{
	const char *label;
	int			first;
} TraceGroupLabel;

static int
trace_group_label_cmp(const void *a, const void *b)
{
	return trace_text_cmp(((const TraceGroupLabel *) a)->label,
						  ((const TraceGroupLabel *) b)->label);
}

/* the place of label among the group's (equal pointers first), or n */
static int
trace_label_place(const TraceGroupLabel *labels, int n, const char *label)
{
	int			l;

	for (l = 0; l < n; l++)
		if (labels[l].label == label)
			return l;
	for (l = 0; l < n; l++)
		if (strcmp(labels[l].label, label) == 0)
			return l;
	return n;
}

static void
trace_sort_group(TraceHit **hits, int n, TraceHit **tmp, int *idx)
{
	TraceGroupLabel labels[TRACE_GROUP_LABELS];
	int			next[TRACE_GROUP_LABELS];	/* by first place */
	int			count[TRACE_GROUP_LABELS];	/* by first place */
	int			nlabels = 0;
	int			start;
	int			i;
	int			l;

	if (n < 8)
	{
		qsort(hits, n, sizeof(TraceHit *), trace_hit_cmp);
		return;
	}
	/* each hit's label, numbered as they first came */
	for (i = 0; i < n; i++)
	{
		l = trace_label_place(labels, nlabels, hits[i]->label);
		if (l == nlabels)
		{
			if (nlabels == TRACE_GROUP_LABELS)
			{
				qsort(hits, n, sizeof(TraceHit *), trace_hit_cmp);
				return;
			}
			labels[nlabels].label = hits[i]->label;
			labels[nlabels].first = nlabels;
			count[nlabels++] = 0;
		}
		idx[i] = l;
		count[l]++;
		tmp[i] = hits[i];
	}

	/* the runs in label order, each hit into its label's as they came */
	qsort(labels, nlabels, sizeof(TraceGroupLabel), trace_group_label_cmp);
	for (l = 0, start = 0; l < nlabels; start += count[labels[l].first], l++)
		next[labels[l].first] = start;
	for (i = 0; i < n; i++)
		hits[next[idx[i]]++] = tmp[i];

	/* each label's run (next[] is now where the run after it starts) */
	for (l = 0; l < nlabels; l++)
		if (count[l] > 1)
			qsort(hits + next[l] - count[l], count[l], sizeof(TraceHit *),
				  trace_hit_cmp);
}

static void
trace_sort_hits(TraceWalk *w)
{
	TraceHit  **hits = w->hits;
	TraceHit  **tmp;
	int		   *idx;
	int			n = w->nhits;
	int			start = 0;
	int			largest = 0;
	int			i;

	for (i = 1; i < n; i++)
		if (trace_hit_group_before(hits[i], hits[i - 1]))
		{
			qsort(hits, n, sizeof(TraceHit *), trace_hit_cmp);
			return;
		}
	if (n < 2)
		return;
	/* room for the largest group (small ones stay in the kept block) */
	for (i = 1; i <= n; i++)
		if (i == n || trace_hit_group_before(hits[i - 1], hits[i]))
		{
			largest = Max(largest, i - start);
			start = i;
		}
	start = 0;
	tmp = MemoryContextAllocHuge(w->cxt, sizeof(TraceHit *) * largest);
	idx = MemoryContextAllocHuge(w->cxt, sizeof(int) * largest);
	for (i = 1; i <= n; i++)
		if (i == n || trace_hit_group_before(hits[i - 1], hits[i]))
		{
			if (i - start > 1)
				trace_sort_group(hits + start, i - start, tmp, idx);
			start = i;
		}
}

/*
 * The walk's memory.  A trace touches a few hundred kB to some MB of fresh
 * memory; allocated and freed on every call, that memory comes back from
 * the kernel page by page each time (page faults were a fifth of a column
 * trace's time).  So the session keeps one context whose first block
 * (half of sqlflow.trace_kept_memory) survives a reset, and a walk uses it
 * unless another walk (a trace inside a trace, through a view) has it
 * already.
 */
/* paths up to this long are built in one piece (trace_path_array) */
#define TRACE_MAX_PATH 64

/*
 * A kept context of size bytes (its first block, which a reset keeps), or
 * NULL for none; made again when sqlflow.trace_kept_memory has changed.
 * Only called while the context is not in use.
 */
static MemoryContext
trace_kept_context(MemoryContext cxt, Size *cursize, Size size, bool rows)
{
	if (cxt != NULL && *cursize != size)
	{
		MemoryContextDelete(cxt);
		cxt = NULL;
	}
	if (cxt == NULL && size > 0)
		cxt = rows
			? AllocSetContextCreate(TopMemoryContext, "sqlflow trace rows (kept)",
									size, size, ALLOCSET_DEFAULT_MAXSIZE)
			: AllocSetContextCreate(TopMemoryContext, "sqlflow trace (kept)",
									size, size, ALLOCSET_DEFAULT_MAXSIZE);
	*cursize = size;
	return cxt;
}

/* half of sqlflow.trace_kept_memory, in bytes, at least 64 kB (or 0) */
static Size
trace_kept_half(void)
{
	Size		kb = (Size) sqlflow_trace_kept_memory / 2;

	return kb == 0 ? 0 : Max(kb, 64) * 1024;
}

static MemoryContext trace_kept_cxt = NULL;
static Size trace_kept_size = 0;
static bool trace_kept_busy = false;

static MemoryContext
trace_walk_context(bool *kept)
{
	if (!trace_kept_busy)
		trace_kept_cxt = trace_kept_context(trace_kept_cxt, &trace_kept_size,
											trace_kept_half(), false);
	if (trace_kept_busy || trace_kept_cxt == NULL)
	{
		*kept = false;
		return AllocSetContextCreate(CurrentMemoryContext, "sqlflow trace",
									 ALLOCSET_DEFAULT_SIZES);
	}
	trace_kept_busy = true;
	*kept = true;
	return trace_kept_cxt;
}

/*
 * The rows out.  They go to a tuplestore that the executor reads and ends
 * after the function has returned, so they cannot live in the walk's
 * memory.  In the query's own memory they would cost fresh pages on every
 * call, as the walk's did, so the session keeps a second context for
 * them (the other half of sqlflow.trace_kept_memory).  The query's memory
 * gets a reset callback that empties it and gives it back (at the query's
 * end, and after an error alike).  One query at a time has it: a second
 * trace in the same query, or a trace while a cursor over another is
 * open, puts its rows in the query's memory.
 */
static MemoryContext trace_rows_cxt = NULL;
static Size trace_rows_size = 0;
static bool trace_rows_busy = false;

static void
trace_rows_release(void *arg)
{
	MemoryContextReset(trace_rows_cxt);
	trace_rows_busy = false;
}

void
trace_rows_begin(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext query_cxt;
	MemoryContextCallback *cb;
	MemoryContext old;
	bool		random_access;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (trace_rows_busy)
		return;
	trace_rows_cxt = trace_kept_context(trace_rows_cxt, &trace_rows_size,
										trace_kept_half(), true);
	if (trace_rows_cxt == NULL)
		return;
	query_cxt = rsinfo->econtext->ecxt_per_query_memory;
	cb = MemoryContextAlloc(query_cxt, sizeof(MemoryContextCallback));
	cb->func = trace_rows_release;
	cb->arg = NULL;
	MemoryContextRegisterResetCallback(query_cxt, cb);
	trace_rows_busy = true;

	/* the same tuplestore as InitMaterializedSRF's, in the kept context */
	random_access = (rsinfo->allowedModes & SFRM_Materialize_Random) != 0;
	tuplestore_end(rsinfo->setResult);
	old = MemoryContextSwitchTo(trace_rows_cxt);
	rsinfo->setResult = tuplestore_begin_heap(random_access, false, work_mem);
	MemoryContextSwitchTo(old);
}

/* the walk's memory back: kept for the next walk, or freed */
void
trace_walk_release(TraceWalk *w)
{
	if (w->cxt == NULL)
		return;
	if (w->kept)
	{
		MemoryContextReset(w->cxt);
		trace_kept_busy = false;
	}
	else
		MemoryContextDelete(w->cxt);
	w->cxt = NULL;
}

void
trace_walk_init(TraceWalk *w, const TraceRequest *req, TraceFindFn find)
{
	char	  **parts;
	int			nparts;

	memset(w, 0, sizeof(TraceWalk));
	w->cxt = trace_walk_context(&w->kept);
	/* a row's keys and strings fit the first block: no malloc per row */
	w->rowcxt = AllocSetContextCreate(w->cxt, "sqlflow trace row",
									  ALLOCSET_DEFAULT_SIZES);
	trace_c_collation = trace_default_collation_is_c();
	w->column_level = req->column_name != NULL;
	w->near = req->downstream ? SIDE_SOURCE : SIDE_TARGET;
	w->far = req->downstream ? SIDE_TARGET : SIDE_SOURCE;
	w->find = find;
	w->nodes = trace_hash_create("sqlflow trace nodes", sizeof(TraceNode), w->cxt);
	{
		MemoryContext old = MemoryContextSwitchTo(w->cxt);

		initStringInfo(&w->keybuf);
		MemoryContextSwitchTo(old);
	}

	nparts = name_key_parts(req->table_name, &parts);
	w->start.tbl = nparts >= 1 ? parts[nparts - 1] : NULL;
	w->start.sch = nparts >= 2 ? parts[nparts - 2] : NULL;
	w->start.db = nparts >= 3 ? parts[nparts - 3] : NULL;
	w->start.col = w->column_level
		? name_key(req->column_name, strlen(req->column_name)) : "";
}

/*
 * The text[] of labels (what construct_array makes of their texts), in
 * one allocation: 4-byte headers, each element int-aligned, padding zero.
 */
static ArrayType *
trace_path_array(const char **labels, int n)
{
	Size		size = ARR_OVERHEAD_NONULLS(1);
	int			lens[TRACE_MAX_PATH];
	ArrayType  *a;
	char	   *p;
	int			i;

	Assert(n <= TRACE_MAX_PATH);
	for (i = 0; i < n; i++)
	{
		lens[i] = strlen(labels[i]);
		size += INTALIGN(VARHDRSZ + lens[i]);
	}
	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a trace path would exceed the maximum allowed size")));
	a = palloc0(size);
	SET_VARSIZE(a, size);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = TEXTOID;
	ARR_DIMS(a)[0] = n;
	ARR_LBOUND(a)[0] = 1;
	p = ARR_DATA_PTR(a);
	for (i = 0; i < n; i++)
	{
		SET_VARSIZE(p, VARHDRSZ + lens[i]);
		memcpy(VARDATA(p), labels[i], lens[i]);
		p += INTALIGN(VARHDRSZ + lens[i]);
	}
	return a;
}

/* the path of a hit from node from with label, as a text[] */
static Datum
trace_path_datum(TraceNode *from, const char *label)
{
	int			npath = from->depth + 2;
	const char **labels = palloc(sizeof(char *) * npath);
	Datum	   *elems;
	int			j;

	trace_path(from, label, labels);
	if (npath <= TRACE_MAX_PATH)
		return PointerGetDatum(trace_path_array(labels, npath));
	elems = palloc(sizeof(Datum) * npath);
	for (j = 0; j < npath; j++)
		elems[j] = CStringGetTextDatum(labels[j]);
	return PointerGetDatum(construct_array(elems, npath, TEXTOID, -1,
										   false, TYPALIGN_INT));
}

/* the walk to max_depth, then the rows into the tuplestore */
void
trace_walk(TraceWalk *w, const TraceRequest *req, Tuplestorestate *ts,
		   TupleDesc desc)
{
	TraceNode **frontier;
	int			nfrontier;
	int			i;
	TraceNode  *start = &w->start;
	MemoryContext pathcxt;
	Datum		path = (Datum) 0;
	TraceNode  *path_from = NULL;
	char	   *path_label = NULL;

	if (w->start.tbl == NULL)
		return;

	w->depth = 0;
	w->find(w, &start, 1, true);
	for (w->depth = 1; w->depth <= req->max_depth && w->nnext > 0; w->depth++)
	{
		MemoryContext old = MemoryContextSwitchTo(w->cxt);

		frontier = w->next;
		nfrontier = w->nnext;
		MemoryContextSwitchTo(old);
		w->next = NULL;
		w->nnext = w->maxnext = 0;
		trace_rank(frontier, nfrontier);
		w->find(w, frontier, nfrontier, false);
		CHECK_FOR_INTERRUPTS();
	}

	/* nodes reached at the last depth lead nowhere: no hit comes from them */
	trace_sort_hits(w);

	pathcxt = AllocSetContextCreate(w->cxt, "sqlflow trace path",
									ALLOCSET_SMALL_SIZES);

	for (i = 0; i < w->nhits; i++)
	{
		TraceHit   *h = w->hits[i];
		Datum		values[TRACE_NCOLUMNS + 2];
		bool		nulls[TRACE_NCOLUMNS + 2];
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

		/*
		 * The path: hits of one node with one label (labels of equal text
		 * are one string) share it, and come one after the other.
		 */
		if (path == (Datum) 0 || h->from != path_from || h->label != path_label)
		{
			MemoryContextSwitchTo(pathcxt);
			MemoryContextReset(pathcxt);
			path = trace_path_datum(h->from, h->label);
			path_from = h->from;
			path_label = h->label;
		}
		values[TRACE_NCOLUMNS + 1] = path;
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
