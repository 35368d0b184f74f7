/*-------------------------------------------------------------------------
 *
 * envelope.h
 *	  The SQLFlow answer envelope: {"code": ..., "error": ..., "data": ...}.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_ENVELOPE_H
#define SQLFLOW_ENVELOPE_H

typedef struct SqlflowEnvelope
{
	bool		has_code;		/* "code" present, as a number or a string */
	int			code;
	char	   *error;			/* "error" text, palloc'd, NULL if absent */
} SqlflowEnvelope;

#endif							/* SQLFLOW_ENVELOPE_H */
