/*-------------------------------------------------------------------------
 *
 * depsort.h
 *	  Levels of objects in a dependency graph (sqlflow_database_sql).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_DEPSORT_H
#define SQLFLOW_DEPSORT_H

extern int *sqlflow_dependency_levels(int n, const int *reader,
									  const int *readobj, int nedges);

#endif							/* SQLFLOW_DEPSORT_H */
