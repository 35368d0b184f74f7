/*
 * libFuzzer harness for the reading of small SQLFlow answers (src/jsonc.c):
 * the envelope (code as number or string, error), values at dotted paths
 * (data.jobId, data.status, token), a job in a job list, and the expiry
 * of a JWT.  Inputs are
 * whatever a hostile or broken server might send.
 */
#include "postgres.h"

#include <stdint.h>
#include <stdlib.h>

#include "jsonc.h"

extern void stub_arena_reset(void);

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *) data;
	SqlflowEnvelope env;
	char	   *s;
	char	   *z;
	char	   *status;
	char	   *message;
	int64		exp;

	if (sqlflow_jsonc_envelope(body, size, &env) && env.error)
		(void) strlen(env.error);
	s = sqlflow_jsonc_string(body, size, "data.jobId");
	if (s)
		(void) strlen(s);
	(void) sqlflow_jsonc_string(body, size, "data.status");
	if (sqlflow_jsonc_find_job(body, size, "c359aef4bd9641d697732422debd8055",
							   &status, &message) && status)
		(void) strlen(status);
	s = sqlflow_jsonc_string(body, size, "token");
	if (s)
		(void) sqlflow_jsonc_jwt_expiry(s, &exp);

	/* the raw input as a token, too */
	z = malloc(size + 1);
	memcpy(z, data, size);
	z[size] = '\0';
	(void) sqlflow_jsonc_jwt_expiry(z, &exp);
	free(z);

	stub_arena_reset();
	return 0;
}
