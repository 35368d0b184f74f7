/*-------------------------------------------------------------------------
 *
 * openlineage_events.c
 *	  A SQLFlow JSON export (jsonb) as OpenLineage RunEvents: reading the
 *	  export and the walk through pseudo objects to flows between real
 *	  tables (openlineage_write.c writes the events; docs/openlineage.md
 *	  gives the rules).
 *
 * The export is read once: the objects of dbobjs (at any depth) that carry
 * an id, a name and a type give the ids of pseudo objects (intermediate
 * types); processes give each process's name and statement; every source
 * of every relationship but "call" becomes an edge.  Strings are interned
 * to integers, so edges, walk states and flows are fixed-size records that
 * hash and sort cheaply.
 *
 * From the edges whose target is a real table, the walk follows sources
 * that are pseudo objects into the edges that write them, keeping for each
 * step its place and the transformation so far (the kind of the non-fdd
 * relation nearest the source); each state is kept once, so cycles end and
 * shared paths are walked once.  A step that reaches a real source is a
 * flow.  Whether an end is a pseudo object is three-valued as in SQL
 * (unknown when its name is missing and its id is not a pseudo id): an
 * unknown end neither starts, continues nor ends a walk.
 *
 * A flow's process is that of the relation the walk started from, and no
 * process at all when the export lists none: one event per process, one
 * for the job where relations belong to no process.
 *
 * Must not: run SQL or talk to the network (it reads a jsonb it is given),
 * or show a pseudo object as a dataset.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
#include "utils/varlena.h"

#include "jsonb_writer.h"
#include "openlineage.h"
#include "openlineage_int.h"


/* tri-state of "is a pseudo object" */
#define OL_NO 0
#define OL_YES 1
#define OL_UNKNOWN 2

typedef struct OlStr
{
	const char *key;			/* hash key: the string */
	int			id;
} OlStr;

struct OlEdge
{
	int			tr;				/* transformation code of this relation, -1: fdd */
	int			pid;
	int			tkey;
	int			tname;
	int			tcol;
	int			skey;
	int			sname;
	int			scol;
	int8		tpseudo;
	int8		spseudo;
};

typedef struct OlState
{
	int			pid;
	int			tname;
	int			tcol;
	int			skey;
	int			sname;
	int			scol;
	int			spseudo;
	int			tr;				/* 0: all fdd so far */
} OlState;




/* the interned strings --------------------------------------------------- */

static uint32
ol_str_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, (int) strlen(s));
}

static int
ol_str_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int
ol_intern(OlBuild *b, const char *s)
{
	OlStr	   *e;
	bool		found;

	if (s == NULL)
		return 0;
	e = hash_search(b->strs, &s, HASH_ENTER, &found);
	if (!found)
	{
		if (b->nstr == b->maxstr)
		{
			b->maxstr *= 2;
			b->str = repalloc(b->str, sizeof(char *) * b->maxstr);
		}
		e->key = pstrdup(s);
		e->id = b->nstr;
		b->str[b->nstr++] = e->key;
	}
	return e->id;
}

/* what ->> gives of a value: text of a scalar or a container, NULL for null */
static char *
ol_value_text(JsonbValue *v)
{
	if (v == NULL)
		return NULL;
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			return NULL;
	}
}

/* a member of an object container (NULL when c is not an object or lacks it) */
static JsonbValue *
ol_get(JsonbContainer *c, const char *key)
{
	if (c == NULL || !JsonContainerIsObject(c))
		return NULL;
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

static JsonbContainer *
ol_container(JsonbValue *v)
{
	return (v != NULL && v->type == jbvBinary) ? v->val.binary.data : NULL;
}

static int
ol_get_text(OlBuild *b, JsonbContainer *c, const char *key)
{
	return ol_intern(b, ol_value_text(ol_get(c, key)));
}

/* reading the export ------------------------------------------------------- */

static bool
ol_pseudo_type(const char *type)
{
	static const char *const types[] = {
		"select_list", "insert-select", "update-select", "update-set",
		"merge-insert", "merge-update", "function", "pseudotable",
		"constant", "constanttable", "cursor", "variable", "resultset"
	};

	if (type == NULL)
		return false;
	for (int i = 0; i < lengthof(types); i++)
		if (pg_strcasecmp(type, types[i]) == 0)
			return true;
	return false;
}

/* every object at any depth with an id, a name and a type */
static void
ol_read_dbobjs(OlBuild *b, JsonbContainer *c)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	check_stack_depth();
	if (JsonContainerIsObject(c) && ol_get(c, "id") && ol_get(c, "name") &&
		ol_get(c, "type"))
	{
		char	   *type = ol_value_text(ol_get(c, "type"));

		if (ol_pseudo_type(type))
		{
			int			id = ol_get_text(b, c, "id");

			if (id == 0)
				b->null_pseudo = true;
			else
				b->pseudo_list = lappend_int(b->pseudo_list, id);
		}
	}
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if ((tok == WJB_VALUE || tok == WJB_ELEM) && v.type == jbvBinary)
			ol_read_dbobjs(b, v.val.binary.data);
}

/* RS-1, INSERT-SELECT-2, RESULT_OF_x-3 and the like: SQLFlow's pseudo names */
static bool
ol_pseudo_name(const char *name)
{
	static const char *const words[] = {
		"RS", "INSERT-SELECT", "UPDATE-SET", "UPDATE-SELECT", "MERGE-INSERT",
		"MERGE-UPDATE", "SELECT-INTO"
	};
	size_t		len = strlen(name);
	size_t		d = len;

	if (strcmp(name, "pseudo_table_include_orphan_column") == 0)
		return true;
	while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
		d--;
	if (d == len || d == 0 || name[d - 1] != '-')
		return false;
	/* name[0 .. d-1) is the word before "-digits" */
	for (int i = 0; i < lengthof(words); i++)
		if (strlen(words[i]) == d - 1 && strncmp(name, words[i], d - 1) == 0)
			return true;
	return d - 1 > 10 && strncmp(name, "RESULT_OF_", 10) == 0;
}

static int8
ol_end_pseudo(OlBuild *b, int name, int key)
{
	if (name != 0 && ol_pseudo_name(b->str[name]))
		return OL_YES;
	if (key != 0 && key < b->npseudo_id && b->pseudo_id[key])
		return OL_YES;
	if (name == 0)
		return OL_UNKNOWN;
	/* key IN (ids) is unknown when an id is null */
	return b->null_pseudo ? OL_UNKNOWN : OL_NO;
}

static int
ol_kind_tr(const char *kind)
{
	if (kind == NULL)
		return 1;
	if (pg_strcasecmp(kind, "fdd") == 0)
		return -1;
	if (pg_strcasecmp(kind, "fdr") == 0)
		return 2;
	if (pg_strcasecmp(kind, "join") == 0)
		return 3;
	if (pg_strcasecmp(kind, "frd") == 0)
		return 4;
	return 1;
}

static void
ol_add_edge(OlBuild *b, OlEdge *e)
{
	if (b->nedges == b->maxedges)
	{
		b->maxedges *= 2;
		b->edges = repalloc_huge(b->edges, sizeof(OlEdge) * b->maxedges);
	}
	b->edges[b->nedges++] = *e;
}

static void
ol_read_relationship(OlBuild *b, JsonbContainer *rel)
{
	char	   *kind = ol_value_text(ol_get(rel, "type"));
	JsonbContainer *target = ol_container(ol_get(rel, "target"));
	JsonbValue *sources = ol_get(rel, "sources");
	OlEdge		e;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (kind != NULL && pg_strcasecmp(kind, "call") == 0)
		return;
	e.tr = ol_kind_tr(kind);
	e.pid = ol_get_text(b, rel, "processId");
	e.tname = ol_get_text(b, target, "parentName");
	e.tkey = ol_get_text(b, target, "parentId");
	if (e.tkey == 0)
		e.tkey = e.tname;
	e.tcol = ol_get_text(b, target, "column");
	if (ol_container(sources) == NULL || !JsonContainerIsArray(ol_container(sources)))
		return;
	it = JsonbIteratorInit(ol_container(sources));
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbContainer *src;

		if (tok != WJB_ELEM)
			continue;
		src = ol_container(&v);
		e.sname = ol_get_text(b, src, "parentName");
		e.skey = ol_get_text(b, src, "parentId");
		if (e.skey == 0)
			e.skey = e.sname;
		e.scol = ol_get_text(b, src, "column");
		ol_add_edge(b, &e);
	}
}

/* the elements of an array value, or the value itself when an object */
static void
ol_read_relationships(OlBuild *b, JsonbValue *rels)
{
	JsonbContainer *c = ol_container(rels);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (c == NULL)
		return;
	if (JsonContainerIsObject(c))
	{
		ol_read_relationship(b, c);
		return;
	}
	if (!JsonContainerIsArray(c))
		return;
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_ELEM)
			ol_read_relationship(b, ol_container(&v));
	}
}

static void
ol_read_processes(OlBuild *b, JsonbValue *procs)
{
	JsonbContainer *c = ol_container(procs);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			max = 16;

	b->procs = palloc(sizeof(OlProc) * max);
	if (c == NULL || !JsonContainerIsArray(c))
		return;
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbContainer *p;
		OlProc	   *pr;
		static const char *const query_keys[] = {"sql", "sqlText", "queryText", "query"};

		if (tok != WJB_ELEM)
			continue;
		if (b->nprocs == max)
		{
			max *= 2;
			b->procs = repalloc(b->procs, sizeof(OlProc) * max);
		}
		p = ol_container(&v);
		pr = &b->procs[b->nprocs++];
		pr->id = ol_get_text(b, p, "id");
		pr->name = ol_get_text(b, p, "name");
		pr->query = 0;
		for (int i = 0; i < lengthof(query_keys) && pr->query == 0; i++)
			pr->query = ol_get_text(b, p, query_keys[i]);
	}
}

/* the walk ----------------------------------------------------------------- */

static const OlEdge *ol_sort_edges;

static int
ol_edge_target_cmp(const void *a, const void *b)
{
	const OlEdge *x = &ol_sort_edges[*(const int *) a];
	const OlEdge *y = &ol_sort_edges[*(const int *) b];

	if (x->tkey != y->tkey)
		return x->tkey < y->tkey ? -1 : 1;
	if (x->tcol != y->tcol)
		return x->tcol < y->tcol ? -1 : 1;
	return 0;
}

typedef struct OlWalk
{
	OlBuild    *b;
	int		   *by_target;		/* edge numbers sorted by (tkey, tcol) */
	HTAB	   *seen;
	OlState    *stack;
	int			nstack;
	int			maxstack;
	HTAB	   *flowset;
	OlFlow	   *flows;
	int			nflows;
	int			maxflows;
	int		   *ds_of;			/* name id -> dataset name id, 0: not yet */
	const char *vendor;
	const char *default_database;
	const char *default_schema;
} OlWalk;

static void
ol_push(OlWalk *w, OlState *st)
{
	bool		found;

	hash_search(w->seen, st, HASH_ENTER, &found);
	if (found)
		return;
	if (w->nstack == w->maxstack)
	{
		w->maxstack *= 2;
		w->stack = repalloc_huge(w->stack, sizeof(OlState) * w->maxstack);
	}
	w->stack[w->nstack++] = *st;
}

static int
ol_dataset_id(OlWalk *w, int name)
{
	if (w->ds_of[name] == 0)
		w->ds_of[name] = ol_intern(w->b,
								   openlineage_dataset_name(w->vendor, w->b->str[name],
															w->default_database,
															w->default_schema));
	return w->ds_of[name];
}

static void
ol_add_flow(OlWalk *w, OlState *st)
{
	OlFlow		f;
	bool		found;

	memset(&f, 0, sizeof(f));
	f.pid = w->b->nprocs > 0 ? st->pid : 0;
	f.tds = ol_dataset_id(w, st->tname);
	f.tcol = st->tcol;
	f.sds = ol_dataset_id(w, st->sname);
	f.scol = st->scol;
	f.tr = st->tr;
	hash_search(w->flowset, &f, HASH_ENTER, &found);
	if (found)
		return;
	if (w->nflows == w->maxflows)
	{
		w->maxflows *= 2;
		w->flows = repalloc_huge(w->flows, sizeof(OlFlow) * w->maxflows);
	}
	w->flows[w->nflows++] = f;
}

static void
ol_walk(OlWalk *w)
{
	OlBuild    *b = w->b;
	HASHCTL		ctl;

	w->by_target = palloc(sizeof(int) * Max(b->nedges, 1));
	for (int i = 0; i < b->nedges; i++)
		w->by_target[i] = i;
	ol_sort_edges = b->edges;
	qsort(w->by_target, b->nedges, sizeof(int), ol_edge_target_cmp);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = ctl.entrysize = sizeof(OlState);
	ctl.hcxt = CurrentMemoryContext;
	w->seen = hash_create("openlineage walk", 1024, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = ctl.entrysize = sizeof(OlFlow);
	w->flowset = hash_create("openlineage flows", 1024, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	w->maxstack = w->maxflows = 256;
	w->stack = palloc(sizeof(OlState) * w->maxstack);
	w->flows = palloc(sizeof(OlFlow) * w->maxflows);
	w->ds_of = palloc0(sizeof(int) * b->nstr);

	for (int i = 0; i < b->nedges; i++)
	{
		OlEdge	   *e = &b->edges[i];
		OlState		st;

		if (e->tpseudo != OL_NO)
			continue;
		memset(&st, 0, sizeof(st));
		st.pid = e->pid;
		st.tname = e->tname;
		st.tcol = e->tcol;
		st.skey = e->skey;
		st.sname = e->sname;
		st.scol = e->scol;
		st.spseudo = e->spseudo;
		st.tr = e->tr < 0 ? 0 : e->tr;
		ol_push(w, &st);
	}
	while (w->nstack > 0)
	{
		OlState		cur = w->stack[--w->nstack];
		int			lo = 0,
					hi = b->nedges;

		CHECK_FOR_INTERRUPTS();
		if (cur.spseudo == OL_NO)
		{
			ol_add_flow(w, &cur);
			continue;
		}
		if (cur.spseudo != OL_YES || cur.skey == 0 || cur.scol == 0)
			continue;
		/* the first edge whose target is (skey, scol) */
		while (lo < hi)
		{
			int			mid = lo + (hi - lo) / 2;
			OlEdge	   *e = &b->edges[w->by_target[mid]];

			if (e->tkey < cur.skey || (e->tkey == cur.skey && e->tcol < cur.scol))
				lo = mid + 1;
			else
				hi = mid;
		}
		for (int i = lo; i < b->nedges; i++)
		{
			OlEdge	   *e = &b->edges[w->by_target[i]];
			OlState		next;

			if (e->tkey != cur.skey || e->tcol != cur.scol)
				break;
			next = cur;
			next.skey = e->skey;
			next.sname = e->sname;
			next.scol = e->scol;
			next.spseudo = e->spseudo;
			if (e->tr >= 0)
				next.tr = e->tr;
			ol_push(w, &next);
		}
	}
}

/* the event time as RFC 3339 in UTC with microseconds (NULL: infinite) */
static char *
ol_event_time(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(t) || timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		return NULL;
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
					tm.tm_year > 0 ? tm.tm_year : -(tm.tm_year - 1),
					tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
					(int) fsec);
}

/* the value of a key of a container, as a container (NULL: none or scalar) */
static JsonbContainer *
ol_get_container(JsonbContainer *c, const char *key)
{
	JsonbContainer *v = ol_container(ol_get(c, key));

	return (v != NULL && !JsonContainerIsScalar(v)) ? v : NULL;
}

Jsonb **
openlineage_events(const OpenLineageArgs *a, int *nevents)
{
	OlBuild    *b = palloc0(sizeof(OlBuild));
	OlWalk		walk;
	HASHCTL		ctl;
	JsonbContainer *top = &a->lineage->root;
	JsonbContainer *d;
	JsonbContainer *s;
	JsonbValue *sv;
	JsonbValue *dbobjs;
	const char *jid;
	const char *jname;
	const char *vendor;
	const char *etime;
	ListCell   *lc;

	if (JsonContainerIsScalar(top))
		top = NULL;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(OlStr);
	ctl.hash = ol_str_hash;
	ctl.match = ol_str_match;
	ctl.hcxt = CurrentMemoryContext;
	b->strs = hash_create("openlineage strings", 1024, &ctl,
						  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	b->maxstr = 1024;
	b->str = palloc(sizeof(char *) * b->maxstr);
	b->str[b->nstr++] = NULL;
	b->maxedges = 256;
	b->edges = palloc(sizeof(OlEdge) * b->maxedges);

	/* the document: {data: {sqlflow: ...}}, {sqlflow: ...} or the data itself */
	d = ol_get_container(top, "data");
	if (d == NULL || !JsonContainerIsObject(d))
		d = top;
	sv = ol_get(d, "sqlflow");
	s = sv != NULL ? ol_container(sv) : d;
	if (s != NULL && JsonContainerIsScalar(s))
		s = NULL;
	jid = a->job_id ? a->job_id : ol_value_text(ol_get(top, "jobId"));
	jname = a->job_name ? a->job_name : jid ? jid : "sqlflow";
	vendor = a->dbvendor;
	if (vendor == NULL)
		vendor = ol_value_text(ol_get(ol_get_container(d, "sqlflow"), "dbvendor"));
	if (vendor == NULL)
		vendor = ol_value_text(ol_get(d, "dbvendor"));
	if (vendor == NULL)
		vendor = "dbvpostgresql";
	etime = ol_event_time(a->has_event_time ? a->event_time : GetCurrentTransactionStartTimestamp());

	/* pseudo ids, processes, edges */
	dbobjs = ol_get(s, "dbobjs");
	if (ol_container(dbobjs) != NULL)
		ol_read_dbobjs(b, ol_container(dbobjs));
	b->npseudo_id = b->nstr;
	b->pseudo_id = palloc0(sizeof(bool) * b->npseudo_id);
	foreach(lc, b->pseudo_list)
		b->pseudo_id[lfirst_int(lc)] = true;
	ol_read_processes(b, ol_get(s, "processes"));
	sv = ol_get(s, "relationships");
	if (sv == NULL)
		sv = ol_get(s, "relationship");
	if (sv == NULL)
		sv = ol_get(s, "relations");
	ol_read_relationships(b, sv);
	for (int i = 0; i < b->nedges; i++)
	{
		b->edges[i].tpseudo = ol_end_pseudo(b, b->edges[i].tname, b->edges[i].tkey);
		b->edges[i].spseudo = ol_end_pseudo(b, b->edges[i].sname, b->edges[i].skey);
	}

	/* walk, then order */
	memset(&walk, 0, sizeof(walk));
	walk.b = b;
	walk.vendor = vendor;
	walk.default_database = a->default_database;
	walk.default_schema = a->default_schema;
	ol_walk(&walk);
	return openlineage_write_events(b, a, jid, jname, vendor, etime,
									walk.flows, walk.nflows, nevents);
}

/*
 * sqlflow_openlineage(lineage jsonb, namespace, job_namespace, job_name,
 * default_database, default_schema, event_time, job_id, dbvendor): the
 * events as a set of jsonb (none for a NULL document)
 */
void
openlineage_events_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	OpenLineageArgs a = {0};
	const char **texts[] = {NULL, &a.namespace, &a.job_namespace, &a.job_name,
		&a.default_database, &a.default_schema, NULL, &a.job_id, &a.dbvendor};
	Jsonb	  **events;
	int			n;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(0))
		return;
	a.lineage = PG_GETARG_JSONB_P(0);
	for (int i = 1; i < lengthof(texts); i++)
		if (texts[i] != NULL)
			*texts[i] = PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
	a.has_event_time = !PG_ARGISNULL(6);
	if (a.has_event_time)
		a.event_time = PG_GETARG_TIMESTAMPTZ(6);
	events = openlineage_events(&a, &n);
	for (int i = 0; i < n; i++)
	{
		Datum		v = JsonbPGetDatum(events[i]);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &isnull);
	}
}
