/*-------------------------------------------------------------------------
 *
 * envelope.c
 *	  What every JSON answer's reader notes of the envelope on its way:
 *	  "code", "error", data.mode and data.summary's counts (envelope.h).
 *
 * What it must not do: parse JSON (each reader hands it the scalars it
 * meets), or decide what a code means (errors.c does).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "utils/memutils.h"

#include "envelope.h"

SqlflowEnvelopeField
sqlflow_envelope_field(int depth, const char *const *keys)
{
	if (depth < 1 || depth > 3)
		return ENVELOPE_NONE;
	for (int d = 0; d < depth; d++)
		if (keys[d] == NULL)
			return ENVELOPE_NONE;
	if (depth == 1)
		return strcmp(keys[0], "code") == 0 ? ENVELOPE_CODE :
			strcmp(keys[0], "error") == 0 ? ENVELOPE_ERROR : ENVELOPE_NONE;
	if (strcmp(keys[0], "data") != 0)
		return ENVELOPE_NONE;
	if (depth == 2)
		return strcmp(keys[1], "mode") == 0 ? ENVELOPE_MODE : ENVELOPE_NONE;
	if (strcmp(keys[1], "summary") != 0)
		return ENVELOPE_NONE;
	return strcmp(keys[2], "relationship") == 0 ? ENVELOPE_RELATIONSHIPS :
		strcmp(keys[2], "table") == 0 ? ENVELOPE_TABLES : ENVELOPE_NONE;
}

void
sqlflow_envelope_note(SqlflowEnvelope *env, SqlflowEnvelopeField field,
					  const char *token, bool is_string, bool is_number,
					  MemoryContext cxt)
{
	switch (field)
	{
		case ENVELOPE_CODE:
			if (is_number || is_string)
			{
				char	   *endp;
				long		v;

				errno = 0;
				v = strtol(token, &endp, 10);
				if (errno == 0 && endp != token && *endp == '\0' &&
					v >= INT_MIN && v <= INT_MAX)
				{
					env->has_code = true;
					env->code = (int) v;
				}
			}
			break;
		case ENVELOPE_ERROR:
			if (is_string)
				env->error = MemoryContextStrdup(cxt, token);
			break;
		case ENVELOPE_MODE:
			if (is_string)
				env->mode = MemoryContextStrdup(cxt, token);
			break;
		case ENVELOPE_RELATIONSHIPS:
			if (is_number)
				env->relationships = MemoryContextStrdup(cxt, token);
			break;
		case ENVELOPE_TABLES:
			if (is_number)
				env->tables = MemoryContextStrdup(cxt, token);
			break;
		case ENVELOPE_NONE:
			break;
	}
}
