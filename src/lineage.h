/*-------------------------------------------------------------------------
 *
 * lineage.h
 *	  The CSV export as typed rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_LINEAGE_H
#define SQLFLOW_LINEAGE_H

#include "access/tupdesc.h"
#include "utils/tuplestore.h"

#include "http.h"

/* source_db ... effect_type; "extra" follows them in the result */
#define LINEAGE_NCOLUMNS 10

typedef struct LineageSink LineageSink;

/*
 * tupstore NULL: parse and check only.  "what" names the export (and its
 * job) in messages; max_record bounds the memory one record may take.
 */
extern LineageSink *lineage_sink_create(const char *what, char delimiter,
										size_t max_record,
										Tuplestorestate *tupstore,
										TupleDesc tupdesc);
extern HttpSink *lineage_sink_http(LineageSink *ls);
extern int64 lineage_sink_rows(LineageSink *ls);
extern void lineage_sink_destroy(LineageSink *ls);

/* check a whole CSV text the way the row sink would read it */
extern void lineage_check_csv(const char *what, const char *data, size_t len,
							  char delimiter);

#endif							/* SQLFLOW_LINEAGE_H */
