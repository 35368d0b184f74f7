/*-------------------------------------------------------------------------
 *
 * pictures.h
 *	  The picture aggregates: Graphviz DOT and Mermaid text from lineage or
 *	  trace rows (sqlflow_dot, sqlflow_dot_tables, sqlflow_mermaid,
 *	  sqlflow_mermaid_tables).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_PICTURES_H
#define SQLFLOW_PICTURES_H

#include "fmgr.h"

typedef struct PicState PicState;

typedef enum PicKind
{
	PIC_DOT,					/* columns as ports of table nodes */
	PIC_DOT_TABLES,				/* one edge per pair of tables */
	PIC_MERMAID,				/* tables as subgraphs of their columns */
	PIC_MERMAID_TABLES			/* one edge per pair of tables */
} PicKind;

/*
 * The transition: adds the row in argument 1 (a record, maybe NULL) to the
 * state in argument 0 (NULL at the first row), made in the aggregate's
 * context; returns the state.
 */
extern PicState *pic_collect(FunctionCallInfo fcinfo);

/*
 * The picture of a state (NULL: no rows).  Reads the state only, so it may
 * be called again after more rows.
 */
extern text *pic_render(PicState *state, PicKind kind);

#endif							/* SQLFLOW_PICTURES_H */
