/*-------------------------------------------------------------------------
 *
 * trace_walk.h
 *	  The walk of a trace, as the row sources (trace_source.c) see it.
 *
 * Not installed: shared by trace.c (the walk) and trace_source.c (where
 * the rows come from) only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_TRACE_WALK_H
#define SQLFLOW_TRACE_WALK_H

#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/tuplestore.h"

#include "trace.h"

/* the columns of a lineage row, as sqlflow_lineage names them */
#define TRACE_NCOLUMNS 10
extern const char *const trace_columns[TRACE_NCOLUMNS];

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
	struct TraceNode *parent;	/* NULL at depth 0; the path is the
								 * parents' labels and this one's */
	int			rank;			/* place in path order among its depth */
	char	   *label;			/* the last element of the path */
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
typedef struct TraceIndex TraceIndex;

/* the queries over a lineage relation */
#define TRACE_Q_START 0			/* depth 0: by table (and column) keys */
#define TRACE_Q_SCHEMA 1		/* nodes with a schema key */
#define TRACE_Q_NOSCHEMA 2		/* nodes without one (a NULL schema) */
#define TRACE_NQUERIES 3

/*
 * Calls trace_candidate for every row whose near table and column keys are
 * those of one of the nodes (start: of the start node, whose schema and db
 * are wildcards).
 */
typedef void (*TraceFindFn) (TraceWalk *w, TraceNode **nodes, int n, bool start);

struct TraceWalk
{
	MemoryContext cxt;			/* everything below lives here */
	bool		kept;			/* cxt is the session's (trace_kept_cxt) */
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
	TraceHit  **hits;
	int			nhits;
	int			maxhits;
	TraceFindFn find;
	/* the far sides last met from one node (trace_far_seen) */
#define TRACE_FAR_SEEN 4
	TraceNode  *far_from;
	int			far_depth;
	TraceHit   *far_hits[TRACE_FAR_SEEN];
	int			far_next;
	StringInfoData keybuf;		/* a key being looked up */
	/* relation: the queries, or the index probed instead */
	Oid			rel;
	char	   *queries[TRACE_NQUERIES];	/* by TRACE_Q_* */
	TraceIndex *index;
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


/* the walk (trace.c) */
extern TraceKey trace_key(StringInfo buf, const char *db, const char *sch,
						  const char *tbl, const char *col);
extern char *trace_value_key(text *t);
extern HTAB *trace_hash_create(const char *name, Size entrysize,
							   MemoryContext cxt);
extern MemoryContext trace_hash_cxt;	/* set before each HASH_ENTER */
extern void trace_candidate(TraceWalk *w, TraceNode *node, text **v,
							bool start);
extern void trace_walk_init(TraceWalk *w, const TraceRequest *req,
							TraceFindFn find);
extern void trace_walk(TraceWalk *w, const TraceRequest *req,
					   Tuplestorestate *ts, TupleDesc desc);
extern void trace_walk_release(TraceWalk *w);
extern void trace_rows_begin(FunctionCallInfo fcinfo);

/* the probes through an index (trace_index.c); NULL: none usable */
extern TraceIndex *trace_index_open(Oid relid, Oid extschema, int near,
									bool column_level);
extern void trace_index_find(TraceWalk *w, TraceNode **nodes, int n,
							 bool start);
extern void trace_index_close(TraceIndex *ti);

#endif							/* SQLFLOW_TRACE_WALK_H */
