/*-------------------------------------------------------------------------
 *
 * reader_alloc.h
 *	  Memory hooks of the pure-C readers (csv.c, jsonstream.c): how a
 *	  caller gives them memory, and malloc, realloc and free when it does
 *	  not.  No PostgreSQL includes; src/mcxt_alloc.c provides hooks that
 *	  allocate in a memory context.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_READER_ALLOC_H
#define SQLFLOW_READER_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

/* a hook returns NULL when memory runs out; arg is passed through */
typedef struct ReaderAllocator
{
	void	   *(*alloc) (size_t size, void *arg);
	void	   *(*realloc) (void *ptr, size_t size, void *arg);
	void		(*free) (void *ptr, void *arg);
	void	   *arg;
} ReaderAllocator;

static inline void *
reader_default_alloc(size_t size, void *arg)
{
	(void) arg;
	return malloc(size);
}

static inline void *
reader_default_realloc(void *ptr, size_t size, void *arg)
{
	(void) arg;
	return realloc(ptr, size);
}

static inline void
reader_default_free(void *ptr, void *arg)
{
	(void) arg;
	free(ptr);
}

/* the hooks given, or (given NULL) malloc, realloc and free */
static inline ReaderAllocator
reader_allocator(const ReaderAllocator *given)
{
	ReaderAllocator a;

	if (given)
		return *given;
	a.alloc = reader_default_alloc;
	a.realloc = reader_default_realloc;
	a.free = reader_default_free;
	a.arg = NULL;
	return a;
}

/* a block of size bytes: ptr grown, or (ptr NULL) a new one; NULL if none */
static inline void *
reader_grow(const ReaderAllocator *a, void *ptr, size_t size)
{
	return ptr ? a->realloc(ptr, size, a->arg) : a->alloc(size, a->arg);
}

#endif							/* SQLFLOW_READER_ALLOC_H */
