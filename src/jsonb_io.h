/*-------------------------------------------------------------------------
 *
 * jsonb_io.h
 *	  One pass over a JSON export: validate it or build jsonb from it, and
 *	  pick up the envelope on the way.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_JSONB_IO_H
#define SQLFLOW_JSONB_IO_H

#include "utils/jsonb.h"

#include "envelope.h"

/*
 * Parse json (len bytes, in the database encoding, NUL-terminated).  With
 * build, return the document as jsonb; without, only check it.  Either way
 * fill env from the top-level "code" and "error" members.  Raises an error
 * naming "what" if the text is not one JSON object.
 */
extern Jsonb *sqlflow_parse_json(char *json, size_t len, bool build,
								 SqlflowEnvelope *env, const char *what);

#endif							/* SQLFLOW_JSONB_IO_H */
