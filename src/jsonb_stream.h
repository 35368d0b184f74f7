/*-------------------------------------------------------------------------
 *
 * jsonb_stream.h
 *	  The sink that builds the JSON export as jsonb while it streams in
 *	  (its input side: stream_in.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_JSONB_STREAM_H
#define SQLFLOW_JSONB_STREAM_H

#include "utils/jsonb.h"

#include "envelope.h"
#include "http.h"
#include "jsonb_io.h"

typedef struct JsonbSink JsonbSink;

/* "what" names the export (and its job) in messages */
extern JsonbSink *jsonb_sink_create(const char *what, SqlflowConvMode conv);
/* what the transport writes into: the sink's input side */
extern HttpSink *jsonb_sink_http(JsonbSink *js);
/* after the transfer: the envelope, and the document (escaped: see conv) */
extern void jsonb_sink_envelope(JsonbSink *js, SqlflowEnvelope *env);
extern Jsonb *jsonb_sink_result(JsonbSink *js, int *escaped);
extern void jsonb_sink_destroy(JsonbSink *js);

#endif							/* SQLFLOW_JSONB_STREAM_H */
