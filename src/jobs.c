/*-------------------------------------------------------------------------
 *
 * jobs.c
 *	  The job endpoints: submit SQL, look at one job or all, delete one; the
 *	  lineage of one SQL text without a job; the database vendors; and what
 *	  the job list says of a job an error was about.
 *
 * Every answer here is small and arrives whole: values are picked from it
 * with json-c (jsonc.c) and converted one by one (api_value), or it is
 * returned as jsonb (jsonb_io.c).
 *
 * What it must not do: stream (the exports do), or let the question of a
 * job's state (api_diagnose_job) replace the error that raised it when the
 * question itself fails.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "api_call.h"
#include "encoding.h"
#include "jsonc.h"
#include "subxact.h"

/*
 * SQLFlow answers an unknown (or deleted) job, and an export of a job that
 * has not finished, with the same generic code and free text whose wording
 * is not documented.  Rather than read the wording, ask: the user's job
 * list says whether the job exists and what its status is.  This costs one
 * more request, on the error path only.  Returns if the job is there and
 * finished (the original error stands), and also if the question itself
 * fails (then the original error is the better one to report), except for
 * a cancel, which goes on.  The question runs in a subtransaction of its
 * own (subxact.c), so that an error in it is rolled back properly (what it
 * holds is released) before we go on, as a PL/pgSQL exception block does.
 */
typedef struct JobQuestion
{
	const SqlflowEndpoint *ep;
	const char *job_id;
	char	   *status;
	char	   *error_message;
	bool		found;
} JobQuestion;

/* the question: is the job in the user's job list, and in what state */
static void
api_ask_job_list(void *arg)
{
	JobQuestion *q = (JobQuestion *) arg;
	ApiCall		list;
	char	   *answer;
	size_t		len;
	char	   *id_utf8 = sqlflow_to_utf8(q->job_id, strlen(q->job_id), &len);

	memset(&list, 0, sizeof(list));
	list.path = "/sqlflow/job/displayUserJobsSummary";
	list.what = "the job list";
	answer = api_buffered_call(q->ep, &list, api_read_small_json);
	q->found = sqlflow_jsonc_find_job(answer, strlen(answer), pnstrdup(id_utf8, len),
									  &q->status, &q->error_message);
}

void
api_diagnose_job(const SqlflowEndpoint *ep, const ApiCall *call, int code,
				 const char *server_text)
{
	const char *job_id = call->job_id;
	JobQuestion q;
	ErrorData  *edata;
	char	   *status;
	char	   *error_message;

	memset(&q, 0, sizeof(q));
	q.ep = ep;
	q.job_id = job_id;
	edata = sqlflow_subxact_try(api_ask_job_list, &q);

	api_transient = false;
	if (edata != NULL)
	{
		FreeErrorData(edata);
		return;
	}
	status = q.status;
	error_message = q.error_message;
	if (status)
		status = api_server_text(ep, status);
	if (!q.found || (status && strcmp(status, "delete") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("sqlflow job %s does not exist on server \"%s\"", job_id, ep->server_name),
				 errdetail("The user's job list does not have it (it may have been deleted). The server answered code %d: %s",
						   code, server_text)));
	if (status == NULL)
		return;
	if (strcmp(status, "fail") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("sqlflow job %s failed", job_id),
				 errdetail("%s", error_message ? api_server_text(ep, error_message)
						   : "The server gave no reason.")));
	/* the job runs: the server is only not answering for it yet */
	api_transient = true;
	if (strcmp(status, "success") != 0 && strcmp(status, "partial_success") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("sqlflow job %s is not finished", job_id),
				 errdetail("Its status is \"%s\".", status),
				 errhint("Wait for it with sqlflow_wait().")));
}

/* a call about one job: the job id is its only field */
static char *
api_job_call(const SqlflowEndpoint *ep, const char *path, const char *what,
			 const char *job_id)
{
	HttpField	field = {"jobId", job_id, 0, NULL};
	ApiCall		call;

	memset(&call, 0, sizeof(call));
	call.path = path;
	call.what = psprintf("%s of job %s", what, job_id);
	call.fields = &field;
	call.nfields = 1;
	call.job_id = job_id;
	return (char *) api_buffered_call(ep, &call, api_read_small_json);
}

char *
sqlflow_api_submit(const SqlflowEndpoint *ep, const char *sql, size_t len,
				   const char *dbvendor, const char *job_name,
				   const char *file_name)
{
	HttpField	fields[3];
	ApiCall		call;
	char	   *answer;
	char	   *job_id;

	memset(fields, 0, sizeof(fields));
	fields[0].name = "jobName";
	fields[0].value = job_name;
	fields[1].name = "dbvendor";
	fields[1].value = dbvendor;
	fields[2].name = "sqlfiles";
	fields[2].value = sql;
	fields[2].len = len;
	fields[2].filename = file_name;

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/job/submitUserJob";
	call.what = "the job submission answer";
	call.fields = fields;
	call.nfields = 3;
	call.multipart = true;
	answer = api_buffered_call(ep, &call, api_read_small_json);
	job_id = api_value(ep, call.what, "data.jobId",
					   sqlflow_jsonc_string(answer, strlen(answer), "data.jobId"));
	if (job_id == NULL || job_id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s has no data.jobId", api_what(ep, call.what))));
	return job_id;
}

Jsonb *
sqlflow_api_job(const SqlflowEndpoint *ep, const char *job_id)
{
	HttpField	field = {"jobId", job_id, 0, NULL};
	ApiCall		call;

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/job/displayUserJobSummary";
	call.what = psprintf("the job summary of job %s", job_id);
	call.fields = &field;
	call.nfields = 1;
	call.job_id = job_id;
	return (Jsonb *) api_buffered_call(ep, &call, api_read_json_jsonb);
}

void
sqlflow_api_job_status(const SqlflowEndpoint *ep, const char *job_id,
					   char **status, char **error_message)
{
	const char *what = psprintf("the job summary of job %s", job_id);
	char	   *answer;

	answer = api_job_call(ep, "/sqlflow/job/displayUserJobSummary", "the job summary",
						  job_id);
	*status = api_value(ep, what, "data.status",
						sqlflow_jsonc_string(answer, strlen(answer), "data.status"));
	*error_message = sqlflow_jsonc_string(answer, strlen(answer), "data.errorMessage");
	if (*error_message)
		*error_message = api_server_text(ep, *error_message);
	if (*status == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s has no data.status", api_what(ep, what))));
}

/*
 * The job list.  One job whose name the database encoding cannot hold must
 * not hide all the others: such characters are written as \uXXXX escapes,
 * and a WARNING says so once.
 */
Jsonb *
sqlflow_api_jobs(const SqlflowEndpoint *ep)
{
	ApiCall		call;
	Jsonb	   *jobs;

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/job/displayUserJobsSummary";
	call.what = "the job list";
	call.conv = SQLFLOW_CONV_ESCAPE;
	jobs = (Jsonb *) api_buffered_call(ep, &call, api_read_json_jsonb);
	if (call.escaped > 0)
		ereport(WARNING,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg_plural("%d character in the job list from sqlflow server \"%s\" has no equivalent in database encoding \"%s\"",
							   "%d characters in the job list from sqlflow server \"%s\" have no equivalent in database encoding \"%s\"",
							   call.escaped,
							   call.escaped, ep->server_name, GetDatabaseEncodingName()),
				 errdetail("They are shown as \\uXXXX escapes, as in JSON."),
				 errhint("A database in encoding UTF8 shows every job name as it is.")));
	return jobs;
}

char *
sqlflow_api_delete_job(const SqlflowEndpoint *ep, const char *job_id)
{
	char	   *answer;

	answer = api_job_call(ep, "/sqlflow/job/deleteUserJob", "the job deletion answer",
						  job_id);
	return api_value(ep, "the job deletion answer", "data.status",
					 sqlflow_jsonc_string(answer, strlen(answer), "data.status"));
}

Jsonb *
sqlflow_api_lineage_of(const SqlflowEndpoint *ep, const char *sql,
					   const char *dbvendor)
{
	HttpField	fields[3];
	ApiCall		call;

	memset(fields, 0, sizeof(fields));
	fields[0].name = "dbvendor";
	fields[0].value = dbvendor;
	fields[1].name = "sqltext";
	fields[1].value = sql;
	fields[2].name = "showRelationType";
	fields[2].value = "fdd";

	memset(&call, 0, sizeof(call));
	call.path = "/sqlflow/generation/sqlflow";
	call.what = "the lineage answer";
	call.fields = fields;
	call.nfields = 3;
	return (Jsonb *) api_buffered_call(ep, &call, api_read_json_jsonb);
}

/* the database vendors SQLFlow documents for dbvendor */
static const char *const sqlflow_dbvendors[] = {
	"dbvansi", "dbvathena", "dbvazuresql", "dbvbigquery", "dbvcouchbase",
	"dbvdb2", "dbvgaussdb", "dbvgreenplum", "dbvhana", "dbvhive",
	"dbvimpala", "dbvinformix", "dbvmdx", "dbvmssql", "dbvmysql",
	"dbvnetezza", "dbvopenedge", "dbvoracle", "dbvpostgresql", "dbvpresto",
	"dbvredshift", "dbvsnowflake", "dbvsparksql", "dbvsybase", "dbvteradata",
	"dbvvertica", NULL
};

const char *
sqlflow_api_dbvendor(const char *name)
{
	for (const char *const *v = sqlflow_dbvendors; *v; v++)
		if (pg_strcasecmp(*v, name) == 0)
			return *v;
	return NULL;
}

char *
sqlflow_api_dbvendor_list(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (const char *const *v = sqlflow_dbvendors; *v; v++)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", *v);
	return buf.data;
}
