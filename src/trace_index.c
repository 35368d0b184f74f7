/*-------------------------------------------------------------------------
 *
 * trace_index.c
 *	  A trace's probes straight through an index of the lineage table: the
 *	  rows of each node of the frontier from the index the README
 *	  recommends, without SQL and the executor in between.
 *
 * A probe is what the executor's nested loop into that index does (the
 * relation queries of trace_source.c, with their plans): an index rescan
 * with the node's keys, the heap tuples visible to the active snapshot,
 * read a page at a time as a bitmap heap scan reads them.  Done here, it
 * costs that and nothing more: no query per depth, no frontier arrays to
 * build and unnest, no projection.
 *
 * Used only where it gives what the query would, else trace_source.c runs
 * the query:
 *	 - a plain table or a populated materialized view, stored as heap (the
 *	   probe reads heap pages), without inheritance children (the query
 *	   would read those too);
 *	 - SELECT on the whole table (column privileges are the executor's to
 *	   check) and no row-level security that applies;
 *	 - a valid btree index, not partial, whose first key is
 *	   sqlflow_name_key(near table) of this extension's function, in one of
 *	   text's own operator families (its comparison function is text's),
 *	   under a deterministic collation (equality is byte equality, as the
 *	   walk compares keys).  Its column and schema keys are used
 *	   where it has them.  The walk checks the schema and db of every row
 *	   it is given (trace_candidate); the column is checked here where
 *	   the index has no column key.  So a probe may read more rows than
 *	   it gives, never fewer.
 *
 * Reads only, under the active snapshot, with AccessShareLock on the
 * table and the indexes looked at, held to the end of the transaction as
 * a SELECT holds it: it works where the query works (READ ONLY, hot
 * standby).  Another session's temporary table is left to the query
 * (which refuses it).  Nothing here raises an
 * error of its own; after one elsewhere the resource owner releases the
 * locks, pins and relation references.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/nbtree.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "parser/parse_func.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "compat.h"
#include "names.h"
#include "trace_walk.h"

/* the keys a probe can give, by role */
#define KEY_TABLE 0
#define KEY_COLUMN 1
#define KEY_SCHEMA 2
#define NKEYROLES 3

/* the scans of one kind of probe (a scan keeps its number of keys) */
typedef struct TraceProbe
{
	IndexScanDesc scan;			/* NULL until first used */
	ScanKeyData keys[NKEYROLES];
	int			role[NKEYROLES];	/* the role of each key, in index order */
	int			nkeys;
	bool		check_column;	/* no column key: compare it here */
} TraceProbe;

#define PROBE_START 0			/* table (and column) keys */
#define PROBE_SCHEMA 1			/* and the schema key */
#define PROBE_NOSCHEMA 2		/* and a NULL schema key */
#define NPROBES 3

/* index entries read at a time by a probe of a heap table */
#define TRACE_TID_BATCH 256

struct TraceIndex
{
	Relation	heap;
	Relation	index;
	Datum	   *values;			/* a tuple's, deformed */
	bool	   *isnull;
	AttrNumber	attnums[TRACE_NCOLUMNS];	/* the row's columns in the table */
	AttrNumber	keyatt[NKEYROLES];	/* index column of each role, 0: none */
	Oid			collation[NKEYROLES];
	TraceProbe	probes[NPROBES];
	MemoryContext cxt;			/* the scans' (the walk's) */
	MemoryContext probecxt;		/* reset per probe */
};

/* the role of index expression e (sqlflow_name_key(near column)), or -1 */
static int
trace_index_expr_role(Node *e, Oid keyfunc, const AttrNumber *nearatt)
{
	FuncExpr   *f;
	Node	   *arg;
	int			r;

	if (!IsA(e, FuncExpr))
		return -1;
	f = (FuncExpr *) e;
	if (f->funcid != keyfunc || list_length(f->args) != 1)
		return -1;
	arg = linitial(f->args);
	while (IsA(arg, RelabelType))
		arg = (Node *) ((RelabelType *) arg)->arg;
	if (!IsA(arg, Var) || ((Var *) arg)->varlevelsup != 0)
		return -1;
	for (r = 0; r < NKEYROLES; r++)
		if (((Var *) arg)->varattno == nearatt[r])
			return r;
	return -1;
}

/*
 * How well index answers the probes: 0 if it cannot; else higher is
 * better (more of the probe's keys on its leading columns).
 * keyatt and collation are filled for a usable index.
 */
static int
trace_index_score(Relation index, Oid keyfunc, const AttrNumber *nearatt,
				  bool column_level, AttrNumber *keyatt,
				  Oid *collation)
{
	Form_pg_index ix = index->rd_index;
	List	   *exprs;
	ListCell   *lc;
	int			nkeyatts = IndexRelationGetNumberOfKeyAttributes(index);
	int			i;
	int			score;

	if (!ix->indisvalid || !ix->indisready || !ix->indislive ||
		index->rd_rel->relam != BTREE_AM_OID ||
		!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL))
		return 0;
	/* as the planner: a broken HOT chain may hide rows from old snapshots */
	if (ix->indcheckxmin &&
		!TransactionIdPrecedes(HeapTupleHeaderGetXmin(index->rd_indextuple->t_data),
							   TransactionXmin))
		return 0;

	memset(keyatt, 0, sizeof(AttrNumber) * NKEYROLES);
	exprs = RelationGetIndexExpressions(index);
	lc = list_head(exprs);
	for (i = 0; i < nkeyatts; i++)
	{
		int			r;
		Oid			opfamily = index->rd_opfamily[i];
		Oid			coll = index->rd_indcollation[i];
		Oid			cmpproc;

		if (ix->indkey.values[i] != 0)
			continue;			/* a plain column: no key of ours */
		r = trace_index_expr_role((Node *) lfirst(lc), keyfunc, nearatt);
		lc = lnext(exprs, lc);
		if (r < 0 || keyatt[r] != 0)
			continue;
		/* text's own btree families only: nothing of anyone else runs */
		cmpproc = get_opfamily_proc(opfamily, TEXTOID, TEXTOID, BTORDER_PROC);
		if (get_opfamily_member(opfamily, TEXTOID, TEXTOID,
								BTEqualStrategyNumber) != TextEqualOperator ||
			(cmpproc != F_BTTEXTCMP && cmpproc != F_BTTEXT_PATTERN_CMP) ||
			!OidIsValid(coll) || !get_collation_isdeterministic(coll))
			continue;
		keyatt[r] = i + 1;
		collation[r] = coll;
	}

	if (keyatt[KEY_TABLE] != 1)
		return 0;

	/*
	 * The keys a probe gives (the column's only at column level): each one
	 * on the index's leading columns narrows the range scanned (4), one
	 * further in is checked on each index entry of the range (1).
	 */
	score = 0;
	for (i = 1; i <= nkeyatts; i++)
	{
		bool		keyed = (keyatt[KEY_TABLE] == i ||
							 keyatt[KEY_SCHEMA] == i ||
							 (column_level && keyatt[KEY_COLUMN] == i));

		if (!keyed)
			break;
		score += 4;
	}
	for (; i <= nkeyatts; i++)
		if (keyatt[KEY_SCHEMA] == i ||
			(column_level && keyatt[KEY_COLUMN] == i))
			score += 1;
	return score;
}

/* this extension's sqlflow_name_key(text) */
static Oid
trace_index_keyfunc(Oid extschema)
{
	Oid			argtypes[1] = {TEXTOID};
	String	   *schema = makeString(get_namespace_name(extschema));
	String	   *fname = makeString("sqlflow_name_key");
	List	   *name = list_make2(schema, fname);

	return LookupFuncName(name, 1, argtypes, true);
}

/* the probe's scan keys, in index column order; arguments set per probe */
static void
trace_probe_init(TraceIndex *ti, TraceProbe *p, bool column_level, int kind)
{
	int			order[NKEYROLES];
	int			n = 0;
	int			r;
	int			i;
	int			j;

	for (r = 0; r < NKEYROLES; r++)
	{
		if (ti->keyatt[r] == 0)
			continue;
		if (r == KEY_COLUMN && !column_level)
			continue;
		if (r == KEY_SCHEMA && kind == PROBE_START)
			continue;
		order[n++] = r;
	}
	/* by index column */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && ti->keyatt[order[j - 1]] > ti->keyatt[order[j]]; j--)
		{
			int			t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++)
	{
		r = order[i];
		p->role[i] = r;
		if (r == KEY_SCHEMA && kind == PROBE_NOSCHEMA)
			ScanKeyEntryInitialize(&p->keys[i], SK_ISNULL | SK_SEARCHNULL,
								   ti->keyatt[r], InvalidStrategy, InvalidOid,
								   InvalidOid, InvalidOid, (Datum) 0);
		else
			ScanKeyEntryInitialize(&p->keys[i], 0, ti->keyatt[r],
								   BTEqualStrategyNumber, InvalidOid,
								   ti->collation[r], F_TEXTEQ, (Datum) 0);
	}
	p->nkeys = n;
	p->check_column = column_level && ti->keyatt[KEY_COLUMN] == 0;
}

TraceIndex *
trace_index_open(Oid relid, Oid extschema, int near, bool column_level)
{
	Relation	heap;
	Oid			keyfunc;
	AttrNumber	nearatt[NKEYROLES];
	List	   *indexes;
	ListCell   *lc;
	Relation	best = NULL;
	int			bestscore = 0;
	TraceIndex *ti;
	int			i;

	heap = table_open(relid, AccessShareLock);
	if ((heap->rd_rel->relkind != RELKIND_RELATION &&
		 heap->rd_rel->relkind != RELKIND_MATVIEW) ||
		heap->rd_tableam != GetHeapamTableAmRoutine() ||
		RELATION_IS_OTHER_TEMP(heap) ||
		!RelationIsPopulated(heap) ||
		heap->rd_rel->relhassubclass ||
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
	{
		table_close(heap, NoLock);
		return NULL;
	}
	keyfunc = trace_index_keyfunc(extschema);
	nearatt[KEY_TABLE] = get_attnum(relid, trace_columns[near + COL_TABLE]);
	nearatt[KEY_COLUMN] = get_attnum(relid, trace_columns[near + COL_COLUMN]);
	nearatt[KEY_SCHEMA] = get_attnum(relid, trace_columns[near + COL_SCHEMA]);

	ti = palloc0(sizeof(TraceIndex));
	indexes = RelationGetIndexList(heap);
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		AttrNumber	keyatt[NKEYROLES];
		Oid			collation[NKEYROLES];
		int			score;

		score = OidIsValid(keyfunc)
			? trace_index_score(index, keyfunc, nearatt, column_level,
								keyatt, collation)
			: 0;
		if (score > bestscore)
		{
			if (best != NULL)
				index_close(best, NoLock);
			best = index;
			bestscore = score;
			memcpy(ti->keyatt, keyatt, sizeof(keyatt));
			memcpy(ti->collation, collation, sizeof(collation));
		}
		else
			index_close(index, NoLock);
	}
	list_free(indexes);
	if (best == NULL)
	{
		pfree(ti);
		table_close(heap, NoLock);
		return NULL;
	}

	ti->heap = heap;
	ti->index = best;
	ti->values = palloc(sizeof(Datum) * RelationGetDescr(heap)->natts);
	ti->isnull = palloc(sizeof(bool) * RelationGetDescr(heap)->natts);
	for (i = 0; i < TRACE_NCOLUMNS; i++)
		ti->attnums[i] = get_attnum(relid, trace_columns[i]);
	for (i = 0; i < NPROBES; i++)
		trace_probe_init(ti, &ti->probes[i], column_level, i);
	ti->cxt = CurrentMemoryContext;
	ti->probecxt = AllocSetContextCreate(CurrentMemoryContext,
										 "sqlflow trace probe",
										 ALLOCSET_SMALL_SIZES);
	elog(DEBUG1, "sqlflow trace of \"%s\" probes index \"%s\"",
		 RelationGetRelationName(heap), RelationGetRelationName(best));
	return ti;
}

/* one row of a probe (values and isnull by the table's attribute numbers) */
static void
trace_index_row(TraceWalk *w, TraceIndex *ti, TraceProbe *p, TraceNode *node,
				bool start, Datum *values, bool *isnull)
{
	text	   *v[TRACE_NCOLUMNS];
	bool		keep = true;
	int			i;

	MemoryContextReset(w->rowcxt);
	MemoryContextSwitchTo(w->rowcxt);
	for (i = 0; i < TRACE_NCOLUMNS; i++)
	{
		int			a = ti->attnums[i] - 1;
		struct varlena *t = (struct varlena *) DatumGetPointer(values[a]);

		if (isnull[a])
			v[i] = NULL;
		else if (VARATT_IS_EXTERNAL(t) || VARATT_IS_COMPRESSED(t))
			v[i] = (text *) pg_detoast_datum_packed(t);
		else
			v[i] = (text *) t;
	}
	if (p->check_column)
	{
		text	   *c = v[w->near + COL_COLUMN];

		keep = c != NULL &&
			strcmp(name_key(VARDATA_ANY(c), VARSIZE_ANY_EXHDR(c)),
				   node->col) == 0;
	}
	MemoryContextSwitchTo(ti->cxt);
	if (keep)
		trace_candidate(w, node, v, start);
}

/*
 * A probe of a heap table, read as a bitmap heap scan reads its pages:
 * the probe's index entries in batches, in index order; for each run of
 * entries on one page, the visible member of each entry's HOT chain under
 * one share lock; then the rows read with the page only pinned (a tuple
 * does not move on a page that another backend has pinned).  The same
 * rows in the same order as index_getnext_slot gives, without a lock, a
 * pin and a slot per row.  The page is not pruned here: a trace leaves
 * pages as it finds them.
 */
static void
trace_index_heap_rows(TraceWalk *w, TraceIndex *ti, TraceProbe *p,
					  TraceNode *node, bool start)
{
	Snapshot	snapshot = p->scan->xs_snapshot;
	TupleDesc	desc = RelationGetDescr(ti->heap);
	ItemPointerData tids[TRACE_TID_BATCH];
	HeapTupleData visible[TRACE_TID_BATCH];
	Buffer		buf = InvalidBuffer;
	bool		more = true;

	while (more)
	{
		ItemPointer tid;
		int			ntids = 0;
		int			i;

		while (ntids < TRACE_TID_BATCH &&
			   (tid = index_getnext_tid(p->scan, ForwardScanDirection)) != NULL)
			tids[ntids++] = *tid;
		more = ntids == TRACE_TID_BATCH;

		for (i = 0; i < ntids;)
		{
			BlockNumber blk = ItemPointerGetBlockNumber(&tids[i]);
			int			nvisible = 0;
			int			j;

			CHECK_FOR_INTERRUPTS();
			buf = ReleaseAndReadBuffer(buf, ti->heap, blk);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			for (; i < ntids && ItemPointerGetBlockNumber(&tids[i]) == blk; i++)
			{
				bool		all_dead;

				if (heap_hot_search_buffer(&tids[i], ti->heap, buf, snapshot,
										   &visible[nvisible], &all_dead, true))
					nvisible++;
			}
			LockBuffer(buf, BUFFER_LOCK_UNLOCK);

			for (j = 0; j < nvisible; j++)
			{
				CHECK_FOR_INTERRUPTS();
				heap_deform_tuple(&visible[j], desc, ti->values, ti->isnull);
				trace_index_row(w, ti, p, node, start, ti->values, ti->isnull);
			}
		}
	}

	/* no pin held between probes (as an index scan drops it on rescan) */
	if (BufferIsValid(buf))
		ReleaseBuffer(buf);
}

/* the rows of one node: a rescan with its keys, each row to the walk */
static void
trace_index_probe(TraceWalk *w, TraceIndex *ti, TraceNode *node, bool start)
{
	int			kind = start ? PROBE_START
		: node->sch != NULL ? PROBE_SCHEMA : PROBE_NOSCHEMA;
	TraceProbe *p = &ti->probes[kind];
	MemoryContext old;
	int			i;

	MemoryContextReset(ti->probecxt);
	old = MemoryContextSwitchTo(ti->probecxt);
	for (i = 0; i < p->nkeys; i++)
	{
		const char *k;

		if (p->keys[i].sk_flags & SK_ISNULL)
			continue;
		k = p->role[i] == KEY_TABLE ? node->tbl
			: p->role[i] == KEY_COLUMN ? node->col : node->sch;
		p->keys[i].sk_argument = CStringGetTextDatum(k);
	}

	/* the scan in the walk's memory (btree allocates some of it lazily) */
	MemoryContextSwitchTo(ti->cxt);
	if (p->scan == NULL)
		p->scan = sqlflow_index_beginscan(ti->heap, ti->index,
										  GetActiveSnapshot(), p->nkeys);
	index_rescan(p->scan, p->keys, p->nkeys, NULL, 0);
	trace_index_heap_rows(w, ti, p, node, start);
	MemoryContextSwitchTo(old);
}

void
trace_index_find(TraceWalk *w, TraceNode **nodes, int n, bool start)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		trace_index_probe(w, w->index, nodes[i], start);
	}
}

void
trace_index_close(TraceIndex *ti)
{
	int			i;

	for (i = 0; i < NPROBES; i++)
		if (ti->probes[i].scan != NULL)
			index_endscan(ti->probes[i].scan);
	index_close(ti->index, NoLock);
	table_close(ti->heap, NoLock);
	MemoryContextDelete(ti->probecxt);
	pfree(ti);
}
