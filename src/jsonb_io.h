/*-------------------------------------------------------------------------
 *
 * jsonb_io.h
 *	  One pass over a JSON answer held whole: validate it or build jsonb
 *	  from it, and pick up the envelope on the way.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_JSONB_IO_H
#define SQLFLOW_JSONB_IO_H

#include "utils/jsonb.h"

#include "envelope.h"

/* what to do with a string the database encoding cannot hold */
typedef enum SqlflowConvMode
{
	SQLFLOW_CONV_STRICT,		/* an error naming the key */
	SQLFLOW_CONV_ESCAPE			/* \uXXXX escapes, counted */
} SqlflowConvMode;

/*
 * Parse json (len bytes of checked UTF-8).  With build, return the
 * document as jsonb, every key and string converted to the database
 * encoding as "conv" says (*escaped counts escaped characters); without,
 * only check it.  Either way fill env from the top-level "code" and
 * "error" members and data.mode / data.summary.  Raises an error naming
 * "what" if the text is not one JSON object.
 */
extern Jsonb *sqlflow_parse_json(char *json, size_t len, bool build,
								 SqlflowConvMode conv, int *escaped,
								 SqlflowEnvelope *env, const char *what);

#endif							/* SQLFLOW_JSONB_IO_H */
