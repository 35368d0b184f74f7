/*-------------------------------------------------------------------------
 *
 * openlineage.h
 *	  OpenLineage: name-based run ids and sending events to a receiver.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_OPENLINEAGE_H
#define SQLFLOW_OPENLINEAGE_H

#include "utils/uuid.h"

#include "options.h"

extern void openlineage_uuid_v5(const pg_uuid_t *ns, const char *name, size_t len,
								pg_uuid_t *out);
extern int	sqlflow_openlineage_post(const SqlflowOpenLineageTarget *target,
									 const char *const *events, int nevents);

#endif							/* SQLFLOW_OPENLINEAGE_H */
