/*-------------------------------------------------------------------------
 *
 * jsonc.h
 *	  Reading small SQLFlow answers with json-c.
 *
 * json-c's json_object clashes with PostgreSQL's utils/builtins.h, so
 * json-c is only ever included by jsonc.c; this header is safe anywhere.
 * Every function takes a body already checked to be valid UTF-8 without
 * NUL bytes, and returns palloc'd copies: no json-c object escapes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_JSONC_H
#define SQLFLOW_JSONC_H

#include "envelope.h"

/* false if body is not a JSON object; else fills env */
extern bool sqlflow_jsonc_envelope(const char *body, size_t len,
								   SqlflowEnvelope *env);

/*
 * The string (or number, as text) at a dotted path such as "data.jobId";
 * NULL if the body is not JSON or the path leads nowhere.
 */
extern char *sqlflow_jsonc_string(const char *body, size_t len,
								  const char *path);

/*
 * Look for a job in a job list answer (data.jobDetails, else data.jobIds).
 * Returns whether it is there; *status and *error_message get its
 * "status" and "errorMessage" (UTF-8, NULL when absent).
 */
extern bool sqlflow_jsonc_find_job(const char *body, size_t len,
								   const char *job_id, char **status,
								   char **error_message);

/* The "exp" claim of a JWT, in Unix seconds; false if there is none. */
extern bool sqlflow_jsonc_jwt_expiry(const char *token, int64 *exp);

#endif							/* SQLFLOW_JSONC_H */
