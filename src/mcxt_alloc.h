/*-------------------------------------------------------------------------
 *
 * mcxt_alloc.h
 *	  Memory hooks for the pure-C readers (csv.c, jsonstream.c): blocks in
 *	  a memory context, NULL instead of an error when memory runs out, so
 *	  that the readers may run inside libcurl's callbacks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_MCXT_ALLOC_H
#define SQLFLOW_MCXT_ALLOC_H

/* arg is the MemoryContext */
extern void *sqlflow_mcxt_alloc(size_t size, void *arg);
extern void *sqlflow_mcxt_realloc(void *ptr, size_t size, void *arg);
extern void sqlflow_mcxt_free(void *ptr, void *arg);

#endif							/* SQLFLOW_MCXT_ALLOC_H */
