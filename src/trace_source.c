/*-------------------------------------------------------------------------
 *
 * trace_source.c
 *	  Where a trace's rows come from: a lineage relation (sqlflow_trace,
 *	  sqlflow_impact, sqlflow_provenance) or a job (sqlflow_trace_job).
 *
 * From a relation: one read-only query per depth for the whole frontier,
 * every name in it qualified, its plan kept for the session, its rows
 * handed from the executor's slot to the walk (no tuple table).  From a
 * job: sqlflow_lineage's rows, fetched once and hashed by near key.
 * Nothing here writes: no DDL, no temporary tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "trace_walk.h"

/*
 * Plans of the relation queries, kept for the session: one per relation,
 * direction, level and kind (start or walk).  The query text is kept with
 * its plan and compared on every use: a relation renamed (or its schema)
 * gives another text and so another plan, never a plan whose text now
 * names something else.  The plan cache itself replans after DDL on the
 * relation and checks permissions on every execution.
 */
typedef struct TracePlanKey
{
	Oid			rel;
	int			near;
	bool		column_level;
	int			kind;			/* TRACE_Q_* */
} TracePlanKey;

typedef struct TracePlanEntry
{
	TracePlanKey key;			/* hash key (first) */
	char	   *query;			/* in TopMemoryContext */
	SPIPlanPtr	plan;			/* kept (SPI_keepplan) */
} TracePlanEntry;

#define TRACE_MAX_PLANS 64
#ifndef TRACE_PLAN_OPTIONS
#define TRACE_PLAN_OPTIONS CURSOR_OPT_GENERIC_PLAN
#endif

static HTAB *trace_plans = NULL;

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

/* the session's plan of a relation query (SPI connected) */
static SPIPlanPtr
trace_plan(TraceWalk *w, int kind, int nargs, Oid *types)
{
	TracePlanKey key;
	TracePlanEntry *e;
	bool		found;
	const char *query = w->queries[kind];
	SPIPlanPtr	plan;

	if (trace_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(TracePlanKey);
		ctl.entrysize = sizeof(TracePlanEntry);
		trace_plans = hash_create("sqlflow trace plans", TRACE_MAX_PLANS, &ctl,
								  HASH_ELEM | HASH_BLOBS);
	}
	memset(&key, 0, sizeof(key));
	key.rel = w->rel;
	key.near = w->near;
	key.column_level = w->column_level;
	key.kind = kind;
	e = hash_search(trace_plans, &key, HASH_FIND, NULL);
	if (e != NULL && strcmp(e->query, query) == 0)
		return e->plan;

	plan = SPI_prepare_cursor(query, nargs, types, TRACE_PLAN_OPTIONS);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (e == NULL && hash_get_num_entries(trace_plans) >= TRACE_MAX_PLANS)
	{
		HASH_SEQ_STATUS seq;
		TracePlanEntry *old;

		/* many relations traced: start over */
		hash_seq_init(&seq, trace_plans);
		while ((old = hash_seq_search(&seq)) != NULL)
		{
			SPI_freeplan(old->plan);
			pfree(old->query);
			hash_search(trace_plans, &old->key, HASH_REMOVE, NULL);
		}
	}
	if (e != NULL)
	{
		SPI_freeplan(e->plan);
		pfree(e->query);
		e->plan = NULL;
		e->query = NULL;
	}
	e = hash_search(trace_plans, &key, HASH_ENTER, &found);
	e->query = MemoryContextStrdup(TopMemoryContext, query);
	SPI_keepplan(plan);
	e->plan = plan;
	return plan;
}

/*
 * The rows of a relation query go straight from the executor's slot to
 * trace_candidate (no SPI tuple table): column 1 is the node's place in
 * the frontier, then the row's values as text.
 */
typedef struct TraceReceiver
{
	DestReceiver pub;
	TraceWalk  *w;
	TraceNode **nodes;
	int			n;
	bool		start;
} TraceReceiver;

static bool
trace_receive(TupleTableSlot *slot, DestReceiver *self)
{
	TraceReceiver *r = (TraceReceiver *) self;
	text	   *v[TRACE_NCOLUMNS];
	int32		i;
	int			c;
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	slot_getallattrs(slot);
	Assert(slot->tts_tupleDescriptor->natts == TRACE_NCOLUMNS + 1);
	i = DatumGetInt32(slot->tts_values[0]);
	if (slot->tts_isnull[0] || i < 0 || i >= r->n)
		elog(ERROR, "trace query returned an unexpected frontier index");
	MemoryContextReset(r->w->rowcxt);
	old = MemoryContextSwitchTo(r->w->rowcxt);
	for (c = 0; c < TRACE_NCOLUMNS; c++)
		v[c] = slot->tts_isnull[c + 1] ? NULL :
			(text *) PG_DETOAST_DATUM_PACKED(slot->tts_values[c + 1]);
	MemoryContextSwitchTo(old);
	trace_candidate(r->w, r->nodes[i], v, r->start);
	return true;
}

static void
trace_receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
trace_receiver_shutdown(DestReceiver *self)
{
}

static void
trace_receiver_destroy(DestReceiver *self)
{
}

/* run query kind of the relation with args, its rows to trace_candidate */
static void
trace_run(TraceWalk *w, int kind, int nargs, Oid *types, Datum *values,
		  TraceNode **nodes, int n, bool start)
{
	SPIPlanPtr	plan = trace_plan(w, kind, nargs, types);
	TraceReceiver recv;
	SPIExecuteOptions opts;
	int			ret;
	int			a;

	memset(&recv, 0, sizeof(recv));
	recv.pub.receiveSlot = trace_receive;
	recv.pub.rStartup = trace_receiver_startup;
	recv.pub.rShutdown = trace_receiver_shutdown;
	recv.pub.rDestroy = trace_receiver_destroy;
	recv.pub.mydest = DestNone;
	recv.w = w;
	recv.nodes = nodes;
	recv.n = n;
	recv.start = start;

	memset(&opts, 0, sizeof(opts));
	opts.params = makeParamList(nargs);
	for (a = 0; a < nargs; a++)
	{
		ParamExternData *prm = &opts.params->params[a];

		prm->value = values[a];
		prm->isnull = false;
		prm->pflags = PARAM_FLAG_CONST;
		prm->ptype = types[a];
	}
	opts.read_only = true;
	opts.dest = (DestReceiver *) &recv;
	ret = SPI_execute_plan_extended(plan, &opts);
	/* a SELECT into a receiver of our own reports SPI_OK_UTILITY */
	if (ret != SPI_OK_SELECT && ret != SPI_OK_UTILITY)
		elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(ret));
}

static Datum
trace_text_array(Datum *elems, int n)
{
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

static void
trace_find_relation(TraceWalk *w, TraceNode **nodes, int n, bool start)
{
	Oid			types[4];
	Datum		values[4];
	Datum	   *tbl[2];
	Datum	   *col[2];
	Datum	   *sch;
	Datum	   *idx[2];
	int			cnt[2] = {0, 0};
	int			i;
	int			k;

	if (start)
	{
		types[0] = types[1] = TEXTOID;
		values[0] = CStringGetTextDatum(nodes[0]->tbl);
		values[1] = CStringGetTextDatum(nodes[0]->col);
		trace_run(w, TRACE_Q_START, 2, types, values, nodes, n, true);
		return;
	}

	/* nodes with a schema key (k = 0); without one (k = 1) */
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
	for (k = 0; k < 2; k++)
	{
		int			a = 0;

		if (cnt[k] == 0)
			continue;
		types[a] = TEXTARRAYOID;
		values[a++] = trace_text_array(tbl[k], cnt[k]);
		types[a] = TEXTARRAYOID;
		values[a++] = trace_text_array(col[k], cnt[k]);
		if (k == 0)
		{
			types[a] = TEXTARRAYOID;
			values[a++] = trace_text_array(sch, cnt[k]);
		}
		types[a] = INT4ARRAYOID;
		values[a++] = PointerGetDatum(construct_array(idx[k], cnt[k], INT4OID,
													  4, true, TYPALIGN_INT));
		trace_run(w, k == 0 ? TRACE_Q_SCHEMA : TRACE_Q_NOSCHEMA, a, types,
				  values, nodes, n, false);
	}
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
/* the near side's table (and, at column level, column) keys equal to tbl (col) */
static void
trace_append_keys(StringInfo q, TraceWalk *w, const char *ext,
				  const char *near, const char *tbl, const char *col)
{
	appendStringInfo(q, "%s.sqlflow_name_key(l.%s_table::pg_catalog.text) OPERATOR(pg_catalog.=) %s",
					 ext, near, tbl);
	if (w->column_level)
		appendStringInfo(q, " AND %s.sqlflow_name_key(l.%s_column::pg_catalog.text) OPERATOR(pg_catalog.=) %s",
						 ext, near, col);
}

static void
trace_relation_queries(TraceWalk *w, Oid lineage, Oid extschema)
{
	const char *ext = quote_identifier(get_namespace_name(extschema));
	const char *rel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(lineage)),
												 get_rel_name(lineage));
	const char *near = w->near == SIDE_SOURCE ? "source" : "target";
	StringInfoData cols;
	StringInfoData outer;
	StringInfoData q;
	int			i;

	initStringInfo(&cols);
	initStringInfo(&outer);
	for (i = 0; i < TRACE_NCOLUMNS; i++)
	{
		appendStringInfo(&cols, "%sl.%s::pg_catalog.text", i > 0 ? ", " : "",
						 trace_columns[i]);
		appendStringInfo(&outer, ", r.%s", trace_columns[i]);
	}

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT 0, %s FROM %s l WHERE ", cols.data, rel);
	trace_append_keys(&q, w, ext, near, "$1", "$2");
	w->queries[TRACE_Q_START] = q.data;

	/*
	 * The walk: one probe per node of the frontier.  OFFSET 0 keeps the
	 * probe a subquery of its own, so that the plan (generic, kept for the
	 * session) is a nested loop into the index whatever the frontier's
	 * estimated size.
	 */
	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT f.i%s FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
					 "pg_catalog.unnest($3), pg_catalog.unnest($4)) AS f(tbl, col, sch, i) "
					 "CROSS JOIN LATERAL (SELECT %s FROM %s l WHERE ",
					 outer.data, cols.data, rel);
	trace_append_keys(&q, w, ext, near, "f.tbl", "f.col");
	appendStringInfo(&q, " AND %s.sqlflow_name_key(l.%s_schema::pg_catalog.text) OPERATOR(pg_catalog.=) f.sch OFFSET 0) r",
					 ext, near);
	w->queries[TRACE_Q_SCHEMA] = q.data;

	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT f.i%s FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
					 "pg_catalog.unnest($3)) AS f(tbl, col, i) "
					 "CROSS JOIN LATERAL (SELECT %s FROM %s l WHERE ",
					 outer.data, cols.data, rel);
	trace_append_keys(&q, w, ext, near, "f.tbl", "f.col");
	appendStringInfo(&q, " AND l.%s_schema IS NULL OFFSET 0) r", near);
	w->queries[TRACE_Q_NOSCHEMA] = q.data;
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
	trace_rows_begin(fcinfo);

	trace_walk_init(&w, req, trace_find_relation);
	PG_TRY();
	{
		MemoryContext old = MemoryContextSwitchTo(w.cxt);

		w.rel = lineage;
		w.index = trace_index_open(lineage, extschema, w.near, w.column_level);
		MemoryContextSwitchTo(old);
		if (w.index != NULL)
		{
			w.find = trace_index_find;
			trace_walk(&w, req, rsinfo->setResult, rsinfo->setDesc);
			trace_index_close(w.index);
			w.index = NULL;
		}
		else
		{
			trace_relation_queries(&w, lineage, extschema);
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			trace_walk(&w, req, rsinfo->setResult, rsinfo->setDesc);
			SPI_finish();
		}
	}
	PG_FINALLY();
	{
		trace_walk_release(&w);
	}
	PG_END_TRY();
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
			MemoryContextReset(w->rowcxt);
			trace_candidate(w, nodes[i], list->rows + r * TRACE_NCOLUMNS, start);
		}
	}
	pfree(keybuf.data);
}

static void
trace_job_walk(TraceWalk *wp, ReturnSetInfo *rsinfo, Oid extschema,
			   const char *job_id, const char *server, const TraceRequest *req)
{
	TraceWalk  *w = wp;
	StringInfoData q;
	StringInfoData keybuf;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	int			ret;
	uint64		r;
	SPITupleTable *tt;

	w->rows = trace_hash_create("sqlflow trace rows", sizeof(TraceRowList), w->cxt);

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
		MemoryContextReset(w->rowcxt);
		old = MemoryContextSwitchTo(w->rowcxt);
		trace_spi_values(tt->vals[r], tt->tupdesc, 1, v);
		tbl = trace_value_key(v[w->near + COL_TABLE]);
		col = w->column_level ? trace_value_key(v[w->near + COL_COLUMN]) : "";
		MemoryContextSwitchTo(w->cxt);
		if (tbl == NULL || col == NULL)
		{
			MemoryContextSwitchTo(old);
			continue;
		}
		key = trace_key(&keybuf, NULL, NULL, tbl, col);
		list = hash_search(w->rows, &key, HASH_FIND, NULL);
		if (list == NULL)
		{
			char	   *kdata = palloc(key.len);

			memcpy(kdata, key.data, key.len);
			key.data = kdata;
			trace_hash_cxt = w->cxt;
			list = hash_search(w->rows, &key, HASH_ENTER, &found);
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

	trace_walk(w, req, rsinfo->setResult, rsinfo->setDesc);
	SPI_finish();
}

void
trace_job(FunctionCallInfo fcinfo, const char *job_id, const char *server,
		  const TraceRequest *req)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			extschema = get_func_namespace(fcinfo->flinfo->fn_oid);
	TraceWalk	w;

	trace_rows_begin(fcinfo);
	trace_walk_init(&w, req, trace_find_job);
	PG_TRY();
	{
		trace_job_walk(&w, rsinfo, extschema, job_id, server, req);
	}
	PG_FINALLY();
	{
		trace_walk_release(&w);
	}
	PG_END_TRY();
}
