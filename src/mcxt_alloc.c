/*-------------------------------------------------------------------------
 *
 * mcxt_alloc.c
 *	  Memory hooks for the pure-C readers (see mcxt_alloc.h).
 *
 * What it must not do: raise an error (the hooks run inside libcurl's
 * callbacks: they allocate with MCXT_ALLOC_NO_OOM and return NULL).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "mcxt_alloc.h"

/*
 * palloc in the given context, never raising an error (the readers are
 * called from libcurl's callback).  PostgreSQL 15 has no
 * no-OOM repalloc, so each block remembers its size for realloc.
 */
#define MCXT_HDR MAXALIGN(sizeof(size_t))

void *
sqlflow_mcxt_alloc(size_t size, void *arg)
{
	char	   *p = MemoryContextAllocExtended((MemoryContext) arg, size + MCXT_HDR,
											   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);

	if (p == NULL)
		return NULL;
	*(size_t *) p = size;
	return p + MCXT_HDR;
}

void
sqlflow_mcxt_free(void *ptr, void *arg)
{
	if (ptr)
		pfree((char *) ptr - MCXT_HDR);
}

void *
sqlflow_mcxt_realloc(void *ptr, size_t size, void *arg)
{
	void	   *p;
	size_t		old;

	if (ptr == NULL)
		return sqlflow_mcxt_alloc(size, arg);
	old = *(size_t *) ((char *) ptr - MCXT_HDR);
	p = sqlflow_mcxt_alloc(size, arg);
	if (p != NULL)
	{
		memcpy(p, ptr, Min(size, old));
		sqlflow_mcxt_free(ptr, arg);
	}
	return p;
}
