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

/* which member of the envelope a value is */
typedef enum SqlflowEnvelopeField
{
	ENVELOPE_NONE,
	ENVELOPE_CODE,				/* "code": a number, or a string of one */
	ENVELOPE_ERROR,				/* "error": a string */
	ENVELOPE_MODE,				/* data.mode: a string */
	ENVELOPE_RELATIONSHIPS,		/* data.summary.relationship: a number */
	ENVELOPE_TABLES				/* data.summary.table: a number */
} SqlflowEnvelopeField;

/*
 * The field of a value at the end of a path of "depth" member names
 * (keys[d] NULL where the path goes through an array element).
 */
extern SqlflowEnvelopeField sqlflow_envelope_field(int depth, const char *const *keys);

/* note a scalar (still UTF-8) if it is of the field's kind; strings in cxt */
extern void sqlflow_envelope_note(SqlflowEnvelope *env, SqlflowEnvelopeField field,
								  const char *token, bool is_string, bool is_number,
								  MemoryContext cxt);

#endif							/* SQLFLOW_ENVELOPE_H */
