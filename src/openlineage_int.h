/*-------------------------------------------------------------------------
 *
 * openlineage_int.h
 *	  What the reading and walking of an export (openlineage_events.c)
 *	  hands to the writing of events (openlineage_write.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_OPENLINEAGE_INT_H
#define SQLFLOW_OPENLINEAGE_INT_H

#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"

#include "openlineage.h"

/* transformations: DIRECT, then INDIRECT without and with a subtype */
#define OL_NTR 5

/* an edge of the walk (openlineage_events.c) */
typedef struct OlEdge OlEdge;

/* a flow: a column of a real target from a column of a real source */
typedef struct OlFlow
{
	int			pid;
	int			tds;
	int			tcol;
	int			sds;
	int			scol;
	int			tr;
} OlFlow;

/* a process SQLFlow reports (string ids; 0 is NULL) */
typedef struct OlProc
{
	int			id;
	int			name;
	int			query;
} OlProc;

/* the document read: interned strings, processes, edges */
typedef struct OlBuild
{
	HTAB	   *strs;
	const char **str;			/* id -> string; 0 is NULL */
	int			nstr;
	int			maxstr;
	int		   *rank;			/* collation rank of each id */
	/* pseudo ids */
	List	   *pseudo_list;	/* string ids, while reading */
	bool	   *pseudo_id;		/* by string id, below npseudo_id */
	int			npseudo_id;
	bool		null_pseudo;	/* a pseudo object with a null id */
	OlProc	   *procs;
	int			nprocs;
	OlEdge	   *edges;
	int			nedges;
	int			maxedges;
	int			tr_text_rank[OL_NTR];
	int			tr_jsonb_rank[OL_NTR];
} OlBuild;

/* order the flows, then write one event per process */
extern Jsonb **openlineage_write_events(OlBuild *b, const OpenLineageArgs *a,
										const char *jid, const char *jname,
										const char *vendor, const char *etime,
										OlFlow *flows, int nflows, int *nevents);

#endif							/* SQLFLOW_OPENLINEAGE_INT_H */
