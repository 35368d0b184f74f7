/*-------------------------------------------------------------------------
 *
 * lineage_record.c
 *	  A lineage row passed to an aggregate as a record (the picture
 *	  aggregates, sqlflow_lineage_json): finding the columns asked for in
 *	  its row type, once per type, and reading their values.
 *
 * Knows nothing of what the values mean; the callers (pictures.c,
 * openlineage_rows.c) do.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "lineage_record.h"

LineageRecordInfo *
lineage_record_info(FmgrInfo *flinfo, TupleDesc tupdesc, Oid typid,
					int32 typmod, const LineageRecordColumns *cols)
{
	LineageRecordInfo *ri = (LineageRecordInfo *) flinfo->fn_extra;
	int			i;

	Assert(cols->ncols <= LINEAGE_RECORD_MAXCOLS);
	if (ri != NULL && ri->typid == typid && ri->typmod == typmod)
		return ri;
	if (ri == NULL)
	{
		ri = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(LineageRecordInfo));
		flinfo->fn_extra = ri;
	}
	ri->typid = InvalidOid;		/* not valid until complete */
	for (i = 0; i < cols->ncols; i++)
	{
		Form_pg_attribute att = NULL;
		Oid			base;
		int			a;

		for (a = 0; a < tupdesc->natts; a++)
		{
			Form_pg_attribute cand = TupleDescAttr(tupdesc, a);

			if (!cand->attisdropped &&
				strcmp(NameStr(cand->attname), cols->names[i]) == 0)
			{
				att = cand;
				break;
			}
		}
		if (att == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("record \"%s\" has no field \"%s\"", "lineage",
							cols->names[i]),
					 errhint("%s", cols->hint)));
		ri->attnum[i] = att->attnum;
		base = getBaseType(att->atttypid);
		ri->is_bpchar[i] = base == BPCHAROID;
		ri->is_text[i] = base == TEXTOID || base == VARCHAROID || ri->is_bpchar[i];
		if (!ri->is_text[i])
		{
			Oid			outfn;
			bool		isvarlena;

			getTypeOutputInfo(att->atttypid, &outfn, &isvarlena);
			fmgr_info_cxt(outfn, &ri->out[i], flinfo->fn_mcxt);
		}
	}
	ri->typid = typid;
	ri->typmod = typmod;
	return ri;
}

LineageRecordInfo *
lineage_record_read(FunctionCallInfo fcinfo, int argno,
					const LineageRecordColumns *cols, LineageRecordValue *v)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(argno);
	Oid			typid = HeapTupleHeaderGetTypeId(th);
	int32		typmod = HeapTupleHeaderGetTypMod(th);
	HeapTupleData tuple;
	TupleDesc	tupdesc;
	LineageRecordInfo *ri;
	int			i;

	tupdesc = lookup_rowtype_tupdesc(typid, typmod);
	ri = lineage_record_info(fcinfo->flinfo, tupdesc, typid, typmod, cols);
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	for (i = 0; i < cols->ncols; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(&tuple, ri->attnum[i], tupdesc, &isnull);

		if (isnull)
			v[i].data = NULL;
		else if (ri->is_text[i])
		{
			text	   *t = DatumGetTextPP(d);

			v[i].data = VARDATA_ANY(t);
			v[i].len = VARSIZE_ANY_EXHDR(t);
		}
		else
		{
			v[i].data = OutputFunctionCall(&ri->out[i], d);
			v[i].len = strlen(v[i].data);
		}
	}
	ReleaseTupleDesc(tupdesc);
	return ri;
}

int
lineage_bpchar_trimmed(const char *data, int len)
{
	while (len > 0 && data[len - 1] == ' ')
		len--;
	return len;
}
