/*-------------------------------------------------------------------------
 *
 * config.c
 *	  Run-time settings (GUCs) of sqlflow_export.
 *
 * Everything that describes one SQLFlow endpoint (its URL, the user's
 * credentials) lives in the foreign server and user mapping, see
 * options.c.  What is left here are the knobs of the transport, which a DBA
 * sets per database, role or session; sqlflow.max_response_size, a limit
 * on backend memory, only a superuser may change.
 *
 * What it must not do: hold anything about one endpoint or user (options.c
 * does), or make a request.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"

#include "config.h"

char	   *sqlflow_default_server = NULL;
int			sqlflow_timeout = 120;
int			sqlflow_connect_timeout = 10;
int			sqlflow_max_response_size = 256 * 1024;
int			sqlflow_keepalive_idle = 60;
int			sqlflow_guard = SQLFLOW_GUARD_OFF;
char	   *sqlflow_guard_lineage = NULL;
int			sqlflow_guard_depth = 10;
int			sqlflow_trace_kept_memory = 4096;

static const struct config_enum_entry guard_options[] = {
	{"off", SQLFLOW_GUARD_OFF, false},
	{"warn", SQLFLOW_GUARD_WARN, false},
	{"error", SQLFLOW_GUARD_ERROR, false},
	{NULL, 0, false}
};

/* 1GB is the largest value a text or jsonb datum can hold anyway */
#define SQLFLOW_MAX_RESPONSE_SIZE_KB (1024 * 1024)

void
sqlflow_define_gucs(void)
{
	DefineCustomStringVariable("sqlflow.server",
							   "Foreign server used by sqlflow functions called without a server.",
							   NULL,
							   &sqlflow_default_server,
							   "sqlflow",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("sqlflow.timeout",
							"Maximum time for one request to the SQLFlow server.",
							"Zero disables the timeout.",
							&sqlflow_timeout,
							120, 0, INT_MAX / 1000,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("sqlflow.connect_timeout",
							"Maximum time to establish a connection to the SQLFlow server.",
							"Zero uses libcurl's default of 300 seconds.",
							&sqlflow_connect_timeout,
							10, 0, INT_MAX / 1000,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	/*
	 * A ceiling on backend memory (a buffered JSON answer turned into jsonb
	 * costs about 25 bytes per byte), so only superusers set it, per role
	 * or database if need be, as with temp_file_limit.
	 */
	DefineCustomIntVariable("sqlflow.max_response_size",
							"Largest answer accepted from the SQLFlow server.",
							"Only superusers can change this setting.",
							&sqlflow_max_response_size,
							256 * 1024, 1, SQLFLOW_MAX_RESPONSE_SIZE_KB,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("sqlflow.keepalive_idle",
							"Idle time after which a kept-alive connection to the SQLFlow server is closed.",
							"Zero closes every connection after its request.",
							&sqlflow_keepalive_idle,
							60, 0, 24 * 3600,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	/*
	 * The lineage guard (guard.c).  A safety net, not a security boundary:
	 * every role may set these for itself, as it may drop the column
	 * anyway once it turns the guard off.
	 */
	DefineCustomEnumVariable("sqlflow.guard",
							 "What a change to a table or column that lineage shows others depend on does.",
							 "off: nothing; warn: a WARNING listing what depends on it; error: the change is refused (SQLSTATE 2BP01).",
							 &sqlflow_guard,
							 SQLFLOW_GUARD_OFF,
							 guard_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("sqlflow.guard_lineage",
							   "The lineage table (or view) the guard consults.",
							   "A name resolved as a regclass is, at each command; any relation with sqlflow_lineage's columns.",
							   &sqlflow_guard_lineage,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("sqlflow.guard_depth",
							"How many relations downstream the guard follows.",
							NULL,
							&sqlflow_guard_depth,
							10, 1, 1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("sqlflow.trace_kept_memory",
							"Memory a session keeps between traces.",
							"Half for the walk, half for the rows; a trace needing more allocates the rest and frees it. Zero keeps nothing.",
							&sqlflow_trace_kept_memory,
							4096, 0, 1024 * 1024,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("sqlflow");
}
