/*-------------------------------------------------------------------------
 *
 * trace.h
 *	  Impact and provenance traces over lineage rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_TRACE_H
#define SQLFLOW_TRACE_H

#include "fmgr.h"

/* what a trace is asked: checked by trace_request_init */
typedef struct TraceRequest
{
	const char *table_name;		/* db.schema.table, schema.table or table */
	const char *column_name;	/* NULL: table level */
	bool		downstream;
	int			max_depth;
} TraceRequest;

/*
 * Checks the arguments (22023 for an empty table_name, max_depth < 1 or
 * an unknown direction) and fills req.  direction NULL is unknown.
 */
extern void trace_request_init(TraceRequest *req, const char *table_name,
							   const char *column_name, const char *direction,
							   bool max_depth_null, int32 max_depth);

/*
 * The trace over a lineage relation, into the function's tuplestore
 * (InitMaterializedSRF): one query per depth, read-only.
 */
extern void trace_relation(FunctionCallInfo fcinfo, Oid lineage,
						   const TraceRequest *req);

/*
 * The trace over the rows of a job (sqlflow_lineage(job_id, server =>
 * server), fetched once), walked in memory.
 */
extern void trace_job(FunctionCallInfo fcinfo, const char *job_id,
					  const char *server, const TraceRequest *req);

#endif							/* SQLFLOW_TRACE_H */
