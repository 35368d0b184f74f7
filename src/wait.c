/*-------------------------------------------------------------------------
 *
 * wait.c
 *	  Waiting for a SQLFlow job to finish: sqlflow_wait's polls, their
 *	  growing interval, and retries through a blip of the server.
 *
 * Owns: the poll loop and its timing.  It sleeps on the process latch, so
 * cancel and statement_timeout act at once, and polls in a subtransaction
 * (subxact.c) so that a passing failure can be retried.  Must not: read an
 * answer itself (api.c and jobs.c do), or swallow a cancel.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "api.h"
#include "subxact.h"
#include "wait.h"

/* the poll interval of sqlflow_wait grows from 1 s by half each time to 10 s */
#define WAIT_FIRST_MS 1000
#define WAIT_MAX_MS 10000
/* after a failed poll, wait from 1 s, doubling, up to 30 s */
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 30000

static bool
status_is_final(const char *status)
{
	return strcmp(status, "success") == 0 ||
		strcmp(status, "partial_success") == 0 ||
		strcmp(status, "fail") == 0 ||
		strcmp(status, "delete") == 0;
}

/* one poll of the job's status, for sqlflow_subxact_try */
typedef struct WaitPoll
{
	SqlflowEndpoint *ep;
	const char *job_id;
	char	   *status;
	char	   *error_message;
} WaitPoll;

static void
wait_poll_step(void *arg)
{
	WaitPoll   *p = (WaitPoll *) arg;

	sqlflow_api_job_status(p->ep, p->job_id, &p->status, &p->error_message);
}

/*
 * One poll of the job's status, in a subtransaction so that a transient
 * failure (the server unreachable, reset, timed out, HTTP 5xx or 429, an
 * in-body busy answer) can be retried.  Returns false, with *failure set
 * to the error, for a failure worth retrying; raises any other error.
 */
static bool
wait_poll(SqlflowEndpoint *ep, const char *job_id, MemoryContext pollcxt,
		  char **status, char **error_message, ErrorData **failure)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(pollcxt);
	WaitPoll	p;
	ErrorData  *edata;

	p.ep = ep;
	p.job_id = job_id;
	p.status = NULL;
	p.error_message = NULL;
	edata = sqlflow_subxact_try(wait_poll_step, &p);
	MemoryContextSwitchTo(oldcxt);
	if (edata != NULL)
	{
		if (!sqlflow_api_error_is_transient())
			ReThrowError(edata);
		*failure = edata;
		return false;
	}
	*status = p.status;
	*error_message = p.error_message;
	return true;
}

/*
 * The final status of the job, waited for at most timeout_us (a negative
 * timeout is the caller's to refuse).
 *
 * Polls the job summary until the job is done: at once, then after 1 s,
 * growing by half up to 10 s.  It sleeps on the process latch between
 * polls, so cancel and statement_timeout act at once; the sleeping backend
 * shows wait_event_type "Extension" in pg_stat_activity.  A NOTICE reports
 * each change of status seen while waiting (none for a job that is already
 * finished).  A poll that fails for a passing reason is retried with
 * back-off (a NOTICE for each retry) as long as the timeout allows; a
 * failure that would outlast the timeout is raised as it is.
 */
char *
sqlflow_wait_job(SqlflowEndpoint *ep, const char *job_id, int64 timeout_us)
{
	TimestampTz start;
	TimestampTz deadline;
	long		interval_ms = WAIT_FIRST_MS;
	long		retry_ms = RETRY_FIRST_MS;
	char	   *last_status = NULL;
	bool		first = true;
	MemoryContext pollcxt;

	start = GetCurrentTimestamp();
	if (pg_add_s64_overflow(start, timeout_us, &deadline) || deadline > END_TIMESTAMP)
		deadline = DT_NOEND;

	/* each poll's garbage goes when the next one starts */
	pollcxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow_wait",
									ALLOCSET_SMALL_SIZES);
	for (;;)
	{
		char	   *status = NULL;
		char	   *error_message = NULL;
		ErrorData  *failure = NULL;
		TimestampTz now;
		long		sleep_ms;

		MemoryContextReset(pollcxt);
		if (!wait_poll(ep, job_id, pollcxt, &status, &error_message, &failure))
		{
			/* retry only if the next attempt can still come in time */
			now = GetCurrentTimestamp();
			if (deadline != DT_NOEND &&
				now + (TimestampTz) retry_ms * 1000 >= deadline)
				ReThrowError(failure);
			ereport(NOTICE,
					(errmsg("sqlflow job %s: the status request failed, retrying in %ld s",
							job_id, retry_ms / 1000),
					 errdetail("%s", failure->message)));
			sleep_ms = retry_ms;
			retry_ms = Min(retry_ms * 2, RETRY_MAX_MS);
		}
		else
		{
			retry_ms = RETRY_FIRST_MS;
			if (!(first && status_is_final(status)) &&
				(last_status == NULL || strcmp(last_status, status) != 0))
				ereport(NOTICE,
						(errmsg("sqlflow job %s: status %s", job_id, status)));
			first = false;
			if (last_status == NULL || strcmp(last_status, status) != 0)
			{
				if (last_status)
					pfree(last_status);
				last_status = pstrdup(status);
			}

			if (strcmp(status, "fail") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
						 errmsg("sqlflow job %s failed", job_id),
						 errdetail("%s", error_message ? error_message : "The server gave no reason.")));
			if (strcmp(status, "delete") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("sqlflow job %s was deleted", job_id)));
			if (status_is_final(status))
				break;

			now = GetCurrentTimestamp();
			if (now >= deadline)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("sqlflow job %s did not finish in time", job_id),
						 errdetail("The last status was \"%s\".", status)));
			sleep_ms = interval_ms;
			interval_ms = Min(interval_ms * 3 / 2, WAIT_MAX_MS);
		}

		if (deadline != DT_NOEND)
			sleep_ms = Min(sleep_ms, (long) ((deadline - now + 999) / 1000));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(sleep_ms, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(pollcxt);
	return last_status;
}

