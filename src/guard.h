/*-------------------------------------------------------------------------
 *
 * guard.h
 *	  The lineage guard: what lineage says depends on a table or column a
 *	  DDL command is about to change.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_GUARD_H
#define SQLFLOW_GUARD_H

#include "nodes/nodes.h"

/* the check for one command, from its parse tree at ddl_command_start */
extern void sqlflow_guard_command(Node *parsetree, Oid extnsp);

#endif							/* SQLFLOW_GUARD_H */
