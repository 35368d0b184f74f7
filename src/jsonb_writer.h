/*-------------------------------------------------------------------------
 *
 * jsonb_writer.h
 *	  Write PostgreSQL's binary jsonb format directly from a stream of
 *	  values, without the JsonbValue tree.
 *
 * pushJsonbValue() + JsonbValueToJsonb() first build a tree of JsonbValue
 * nodes (about 20 times the size of the JSON text), then serialise it.
 * The writer serialises each container when it closes instead: an open
 * container holds its children's bytes, already in the binary format, and
 * a 16-byte entry per child; closing it sorts the keys (objects), drops
 * duplicate keys (the last one wins, as in jsonb_in), lays out the header,
 * the JEntry array, the keys and the values with their alignment padding,
 * and appends the result to its parent.  The result is byte for byte what
 * jsonb_in makes of the same text.
 *
 * Memory: the open containers' bytes (at most the size of the result) plus
 * one copy of the container being closed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_JSONB_WRITER_H
#define SQLFLOW_JSONB_WRITER_H

#include "utils/jsonb.h"
#include "utils/numeric.h"

typedef struct SqlflowJsonbWriter SqlflowJsonbWriter;

/* a writer in CurrentMemoryContext; everything it allocates is freed by finish */
extern SqlflowJsonbWriter *sqlflow_jbw_create(void);

extern void sqlflow_jbw_begin_object(SqlflowJsonbWriter *w);
extern void sqlflow_jbw_begin_array(SqlflowJsonbWriter *w);
/* close the innermost open object or array */
extern void sqlflow_jbw_end(SqlflowJsonbWriter *w);

/* a member name (inside an object; the value follows) */
extern void sqlflow_jbw_key(SqlflowJsonbWriter *w, const char *s, size_t len);

/* values: in an array, after a key, or alone (a scalar document) */
extern void sqlflow_jbw_string(SqlflowJsonbWriter *w, const char *s, size_t len);
extern void sqlflow_jbw_numeric(SqlflowJsonbWriter *w, Numeric n);
extern void sqlflow_jbw_bool(SqlflowJsonbWriter *w, bool b);
extern void sqlflow_jbw_null(SqlflowJsonbWriter *w);

/* innermost open container is an array (false at the top level) */
extern bool sqlflow_jbw_in_array(SqlflowJsonbWriter *w);

/* the finished document, once every container is closed */
extern Jsonb *sqlflow_jbw_finish(SqlflowJsonbWriter *w);

#endif							/* SQLFLOW_JSONB_WRITER_H */
