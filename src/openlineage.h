/*-------------------------------------------------------------------------
 *
 * openlineage.h
 *	  OpenLineage: name-based run ids, sending events to a receiver, and
 *	  stored lineage rows as a JSON export.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_OPENLINEAGE_H
#define SQLFLOW_OPENLINEAGE_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "options.h"

extern void openlineage_uuid_v5(const pg_uuid_t *ns, const char *name, size_t len,
								pg_uuid_t *out);
extern int	sqlflow_openlineage_post(const SqlflowOpenLineageTarget *target,
									 const char *const *events, int nevents);

extern pg_uuid_t *openlineage_uuid_v5_text(const pg_uuid_t *ns, const text *name);
extern int	openlineage_send_array(const char *target_name, ArrayType *arr);

/* openlineage_rows.c: stored rows as a JSON export */
extern void openlineage_quote_name_part(StringInfo buf, const char *part);
extern char *openlineage_quoted_part(const char *part);
extern char *openlineage_table_name(const char *db, const char *schema,
									const char *table);
extern char *openlineage_table_name_array(ArrayType *parts);
extern void *openlineage_rows_collect(FunctionCallInfo fcinfo, void *state);
extern Jsonb *openlineage_rows_document(void *state);

/* openlineage_events.c: a JSON export as RunEvents */
typedef struct OpenLineageArgs
{
	Jsonb	   *lineage;
	const char *namespace;
	const char *job_namespace;
	const char *job_name;
	const char *default_database;
	const char *default_schema;
	bool		has_event_time;
	TimestampTz event_time;
	const char *job_id;
	const char *dbvendor;
} OpenLineageArgs;

extern char **openlineage_name_parts(const char *name, int *nparts);
extern ArrayType *openlineage_name_parts_array(const char *name);
extern char *openlineage_dataset_name(const char *vendor, const char *name,
									  const char *default_database,
									  const char *default_schema);
extern Jsonb **openlineage_events(const OpenLineageArgs *args, int *nevents);
extern void openlineage_events_srf(FunctionCallInfo fcinfo);

#endif							/* SQLFLOW_OPENLINEAGE_H */
