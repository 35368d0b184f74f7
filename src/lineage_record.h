/*-------------------------------------------------------------------------
 *
 * lineage_record.h
 *	  A lineage row passed to an aggregate as a record: which of its
 *	  attributes are the columns asked for, and their values as bytes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_LINEAGE_RECORD_H
#define SQLFLOW_LINEAGE_RECORD_H

#include "fmgr.h"
#include "access/tupdesc.h"

#define LINEAGE_RECORD_MAXCOLS 10

/* what a function caches per row type (in fn_extra) */
typedef struct LineageRecordInfo
{
	Oid			typid;
	int32		typmod;
	AttrNumber	attnum[LINEAGE_RECORD_MAXCOLS];
	bool		is_text[LINEAGE_RECORD_MAXCOLS];	/* text, varchar, bpchar:
													 * the bytes as they are */
	bool		is_bpchar[LINEAGE_RECORD_MAXCOLS];
	FmgrInfo	out[LINEAGE_RECORD_MAXCOLS];	/* the others: their output
												 * function */
} LineageRecordInfo;

/* one value as bytes; data NULL for SQL NULL */
typedef struct LineageRecordValue
{
	const char *data;
	int			len;
} LineageRecordValue;

/* the columns of a lineage row and what to say when one is missing */
typedef struct LineageRecordColumns
{
	const char *const *names;
	int			ncols;
	const char *hint;			/* errhint of a missing column */
} LineageRecordColumns;

/*
 * The row type's attributes of cols, cached in flinfo->fn_extra (which
 * holds nothing else); 42703 naming the first column the type lacks.
 */
extern LineageRecordInfo *lineage_record_info(FmgrInfo *flinfo,
											  TupleDesc tupdesc, Oid typid,
											  int32 typmod,
											  const LineageRecordColumns *cols);

/*
 * The values of the (not NULL) record argument argno, one per column of
 * cols: text-like values point into the row, bpchar with its blanks;
 * others are their output, palloc'd.  Returns the row type's info.
 */
extern LineageRecordInfo *lineage_record_read(FunctionCallInfo fcinfo,
											  int argno,
											  const LineageRecordColumns *cols,
											  LineageRecordValue *v);

/* bpchar's length without the trailing blanks (as its cast to text) */
extern int	lineage_bpchar_trimmed(const char *data, int len);

#endif							/* SQLFLOW_LINEAGE_RECORD_H */
