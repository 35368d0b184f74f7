/*-------------------------------------------------------------------------
 *
 * subxact.h
 *	  Run a step in a subtransaction and turn its failure into data.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_SUBXACT_H
#define SQLFLOW_SUBXACT_H

#include "utils/elog.h"

typedef void (*SubxactStep) (void *arg);

extern ErrorData *sqlflow_subxact_try(SubxactStep step, void *arg);

#endif							/* SQLFLOW_SUBXACT_H */
