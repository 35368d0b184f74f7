/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  A step that may fail without failing its caller: the question about a
 *	  job after an export failed, the summary check after zero rows, the
 *	  lineage guard's trace.
 *
 * The step runs in an internal subtransaction, as a PL/pgSQL exception
 * block would run it.  On success the subtransaction is released; on
 * failure it is rolled back (locks, buffers, SPI and memory of the step
 * with it) and the error is handed back as data.  A cancel, a statement
 * timeout or a shutdown is never turned into data: it is raised again, so
 * that pg_cancel_backend and statement_timeout end the statement.
 *
 * Owns: nothing but the subtransaction.  Must not be called where a
 * subtransaction cannot start (a parallel worker, an aborted transaction).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "subxact.h"

/*
 * Runs step(arg).  NULL when it succeeded; otherwise the error, copied
 * into the caller's memory context.  Either way the caller's memory
 * context and resource owner are current again on return.
 */
ErrorData *
sqlflow_subxact_try(SubxactStep step, void *arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	/* what the step keeps outlives the subtransaction */
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		step(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}
