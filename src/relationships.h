/*-------------------------------------------------------------------------
 *
 * relationships.h
 *	  The JSON export as relationship rows, read as it streams in.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_RELATIONSHIPS_H
#define SQLFLOW_RELATIONSHIPS_H

#include "access/tupdesc.h"
#include "utils/tuplestore.h"

#include "envelope.h"
#include "http.h"

#define RELATIONSHIPS_NCOLUMNS 8

typedef struct RelSink RelSink;

/*
 * A sink for the JSON export whose rows end up in a tuplestore made in
 * "store_cxt" (random access if asked).  max_record bounds what is held:
 * one string, one relationship, and the dbobjs map.
 */
extern RelSink *rel_sink_create(const char *what, size_t max_record,
								MemoryContext store_cxt, bool random_access,
								TupleDesc tupdesc);
extern HttpSink *rel_sink_http(RelSink *rs);

/* after the transfer: the envelope ("code", "error", data.mode/summary) */
extern void rel_sink_envelope(RelSink *rs, SqlflowEnvelope *env);

/* the rows of the document (see relationships.c for which) */
extern Tuplestorestate *rel_sink_result(RelSink *rs, int64 *rows);

extern void rel_sink_destroy(RelSink *rs);

#endif							/* SQLFLOW_RELATIONSHIPS_H */
