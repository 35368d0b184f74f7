/*-------------------------------------------------------------------------
 *
 * wait.h
 *	  Waiting for a SQLFlow job to finish (sqlflow_wait).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_WAIT_H
#define SQLFLOW_WAIT_H

#include "options.h"

extern char *sqlflow_wait_job(SqlflowEndpoint *ep, const char *job_id,
							  int64 timeout_us);

#endif							/* SQLFLOW_WAIT_H */
