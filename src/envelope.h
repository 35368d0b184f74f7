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
	char	   *error;			/* "error" text as UTF-8, palloc'd, NULL if absent */
	/* of a lineage export: data.mode and data.summary's counts, if present */
	char	   *mode;			/* "global" or "summary" */
	char	   *relationships;	/* data.summary.relationship */
	char	   *tables;			/* data.summary.table */
} SqlflowEnvelope;

#endif							/* SQLFLOW_ENVELOPE_H */
