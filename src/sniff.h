/*-------------------------------------------------------------------------
 *
 * sniff.h
 *	  Which kind of answer came to a document export: the document, or a
 *	  JSON error envelope in its place (see sniff.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_SNIFF_H
#define SQLFLOW_SNIFF_H

#include "http.h"

#define SNIFF_PREFIX_MAX 64
#define SNIFF_ENVELOPE_MAX (1024 * 1024)

typedef enum SniffState
{
	SNIFF_UNDECIDED,
	SNIFF_DOCUMENT,
	SNIFF_ENVELOPE
} SniffState;

/* an HttpSink in front of the document's sink ("inner") */
typedef struct SniffSink
{
	HttpSink	sink;
	HttpSink   *inner;
	SniffState	state;
	char		prefix[SNIFF_PREFIX_MAX];	/* byte-order mark, white space */
	size_t		prefix_len;
	HttpBuffer	envelope;		/* the envelope, when one came */
} SniffSink;

extern void sniff_init(SniffSink *ss, HttpSink *inner);

#endif							/* SQLFLOW_SNIFF_H */
