/*-------------------------------------------------------------------------
 *
 * sqlflow_test_fds.c
 *	  Test-only functions that spend and give back the backend's budget of
 *	  descriptors for external files (transport.sql).
 *
 * dblink's and postgres_fdw's connections, and sqlflow_export's sockets,
 * each take one descriptor from that budget with AcquireExternalFD().
 * sqlflow_test_fill_fds() takes all that is left the same way and says how
 * many that was; sqlflow_test_free_fds() gives them back.  Nothing is
 * opened: the budget is a count.  (dblink connections cannot fill it
 * exactly from PostgreSQL 17 on: each needs a second descriptor for the
 * wait while it connects, and the failure of that one takes a path that
 * closes a descriptor the backend does not own.)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "storage/fd.h"

PG_MODULE_MAGIC;

static int	held = 0;

PG_FUNCTION_INFO_V1(sqlflow_test_fill_fds);
PG_FUNCTION_INFO_V1(sqlflow_test_free_fds);

Datum
sqlflow_test_fill_fds(PG_FUNCTION_ARGS)
{
	int			n = 0;

	while (AcquireExternalFD())
		n++;
	held += n;
	PG_RETURN_INT32(n);
}

Datum
sqlflow_test_free_fds(PG_FUNCTION_ARGS)
{
	for (; held > 0; held--)
		ReleaseExternalFD();
	PG_RETURN_VOID();
}
