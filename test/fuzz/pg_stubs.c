/*
 * Just enough of the PostgreSQL backend for src/jsonc.c to run outside a
 * server: palloc and friends from a per-input arena (freed after every
 * input, so LeakSanitizer sees only real leaks: json-c's), and the globals
 * PG_TRY needs.  No error is ever raised here.
 */
#include "postgres.h"

#include <stdlib.h>

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

static void **arena;
static size_t arena_len;
static size_t arena_cap;

void		stub_arena_reset(void);

void *
palloc(Size size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	if (arena_len == arena_cap)
	{
		arena_cap = arena_cap ? arena_cap * 2 : 64;
		arena = realloc(arena, arena_cap * sizeof(void *));
		if (arena == NULL)
			abort();
	}
	arena[arena_len++] = p;
	return p;
}

void
pfree(void *pointer)
{
	/* freed with the arena */
	(void) pointer;
}

char *
pstrdup(const char *in)
{
	size_t		n = strlen(in);
	char	   *p = palloc(n + 1);

	memcpy(p, in, n + 1);
	return p;
}

char *
pnstrdup(const char *in, Size len)
{
	size_t		n = strnlen(in, len);
	char	   *p = palloc(n + 1);

	memcpy(p, in, n);
	p[n] = '\0';
	return p;
}

void
pg_re_throw(void)
{
	abort();
}

void
stub_arena_reset(void)
{
	for (size_t i = 0; i < arena_len; i++)
		free(arena[i]);
	arena_len = 0;
}
