/*-------------------------------------------------------------------------
 *
 * relationships_rows.c
 *	  The relationships sink's values and rows: every value a row may show,
 *	  as text the way ->> gives it, and the rows of a relationship when it
 *	  closes, kept per place in the document they came from.
 *
 * What it must not do: follow the document (relationships.c does), or
 * convert a value but through stream_in_convert; a value that cannot be
 * held names its byte offset.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "encoding.h"
#include "relationships_int.h"

/* ----------------------------------------------------------------
 * Values as text, as ->> gives them
 * ----------------------------------------------------------------
 */

/*
 * size bytes (a multiple of MAXALIGN) from the current block, or from a new
 * one; what is left of the old block is not used again
 */
void *
rel_bump_alloc(RelBump *b, size_t size)
{
	void	   *at;

	if (size > b->left)
	{
		size_t		bsize = Max(size, b->block);

		b->next = MemoryContextAlloc(b->cxt, bsize);
		b->left = bsize;
	}
	at = b->next;
	b->next += size;
	b->left -= size;
	return at;
}

/* its context was reset */
void
rel_bump_forget(RelBump *b)
{
	b->next = NULL;
	b->left = 0;
}

/* a text datum of s made at "at" (int-aligned, VARHDRSZ + len + 1 bytes); its data */
char *
rel_text_put(void *at, const char *s, size_t len)
{
	text	   *t = (text *) at;

	SET_VARSIZE(t, VARHDRSZ + len);
	memcpy(VARDATA(t), s, len);
	VARDATA(t)[len] = '\0';
	return VARDATA(t);
}

char *
rel_text(RelSink *rs, const char *s, size_t len, RelKeep keep)
{
	void	   *at;

	Assert(keep != KEEP_CHECK);
	if (keep == KEEP_REL)
		at = rel_bump_alloc(&rs->texts, MAXALIGN(VARHDRSZ + len + 1));
	else
		at = palloc(VARHDRSZ + len + 1);
	return rel_text_put(at, s, len);
}

/* a string in the database encoding, kept as rel_text does (NULL for KEEP_CHECK) */
char *
rel_string(RelSink *rs, const char *s, size_t len, uint64 offset, RelKeep keep)
{
	size_t		outlen;
	size_t		bad;
	char	   *out;
	char	   *kept = NULL;

	if (rs->no_conversion)
		return keep != KEEP_CHECK ? rel_text(rs, s, len, keep) : NULL;
	out = stream_in_convert(rs->in, s, len, &outlen, &bad);
	if (out == NULL)
		sqlflow_untranslatable(rs->what,
							   psprintf("The string at byte %llu", (unsigned long long) offset),
							   s, len, bad);
	if (keep != KEEP_CHECK)
		kept = rel_text(rs, out, outlen, keep);
	if (out != s)
		pfree(out);
	return kept;
}

/* the relationship's memory goes, its texts' block with it */
void
rel_reset_relcxt(RelSink *rs)
{
	MemoryContextReset(rs->relcxt);
	rel_bump_forget(&rs->texts);
}

Numeric
rel_numeric(const char *token)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(token),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* a scalar's text, kept as rel_text does; NULL for null */
char *
rel_scalar_text(RelSink *rs, const JStreamEvent *ev, RelKeep keep)
{
	switch (ev->token)
	{
		case JS_STRING:
			return rel_string(rs, ev->data, ev->len, ev->offset, keep);
		case JS_NUMBER:
			{
				char	   *num = DatumGetCString(DirectFunctionCall1(numeric_out,
																	  NumericGetDatum(rel_numeric(ev->data))));

				return rel_text(rs, num, strlen(num), keep);
			}
		case JS_TRUE:
			return rel_text(rs, "true", 4, keep);
		case JS_FALSE:
			return rel_text(rs, "false", 5, keep);
		default:
			return NULL;
	}
}

/* ----------------------------------------------------------------
 * Rows
 * ----------------------------------------------------------------
 */

RelStore *
rel_store(RelSink *rs, int frame, int variant)
{
	RelStore   *st = &rs->frame[frame].store[variant];

	if (st->ts == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(rs->store_cxt);

		st->ts = tuplestore_begin_heap(rs->random_access, false, work_mem);
		MemoryContextSwitchTo(old);
	}
	return st;
}

void
rel_store_clear(RelStore *st)
{
	if (st->ts)
		tuplestore_clear(st->ts);
	st->rows = 0;
	st->looked_up = false;
	st->early_lookup = false;
}

void
rel_frame_reset(RelSink *rs, int fr)
{
	RelFrame   *f = &rs->frame[fr];

	for (int v = 0; v < NVARIANTS; v++)
	{
		f->seen_key[v] = false;
		rel_store_clear(&f->store[v]);
	}
	f->has_sqlflow = false;
	f->sqlflow_is_object = false;
	rel_map_reset(rs, f);
	f->dbobjs_seen = false;
	f->dbobjs_open = false;
}

/* a parent's name: parentName, else the dbobjs name of parentId */
static char *
rel_parent(RelSink *rs, RelStore *st, RelFrame *f, char *name, char *id)
{
	RelMapEntry *e;
	uint32		idlen;

	if (name != NULL || id == NULL)
		return name;
	if (!st->looked_up)
	{
		st->looked_up = true;
		st->map_gen = f->map_gen;
	}
	if (!f->dbobjs_seen || f->dbobjs_open)
		st->early_lookup = true;
	if (f->map_gen != st->map_gen)
		st->early_lookup = true;
	if (f->map_size == 0)
		return NULL;
	idlen = rel_text_len(id);
	e = rel_map_find(f, id, idlen, hash_bytes((const unsigned char *) id, idlen));
	return e->rec ? e->rec->name : NULL;
}

void
rel_emit(RelSink *rs)
{
	RelFrame   *f = &rs->frame[rs->rel_frame];
	RelStore   *st = rel_store(rs, rs->rel_frame, rs->rel_variant);
	Datum		values[RELATIONSHIPS_NCOLUMNS];
	bool		nulls[RELATIONSHIPS_NCOLUMNS];

	if (rs->nsrc == 0)
		return;
	/* what the rows of one relationship share, made once */
	values[0] = rel_datum(rs->rel_id, &nulls[0]);
	values[1] = rel_datum(rs->rel_type, &nulls[1]);
	values[2] = rel_datum(rs->rel_effect, &nulls[2]);
	values[5] = rel_datum(rel_parent(rs, st, f, rs->t_name, rs->t_id), &nulls[5]);
	values[6] = rel_datum(rs->t_column, &nulls[6]);
	values[7] = rel_datum(rs->rel_process, &nulls[7]);
	for (int i = 0; i < rs->nsrc; i++)
	{
		values[3] = rel_datum(rel_parent(rs, st, f, rs->src[i].name, rs->src[i].id),
							  &nulls[3]);
		values[4] = rel_datum(rs->src[i].column, &nulls[4]);
		tuplestore_putvalues(st->ts, rs->tupdesc, values, nulls);
		st->rows++;
	}
}

void
rel_begin(RelSink *rs, int frame, int variant, uint64 offset)
{
	rel_reset_relcxt(rs);
	rs->in_rel = true;
	rs->rel_frame = frame;
	rs->rel_variant = variant;
	rs->rel_offset = offset;
	rs->rel_bytes = 0;
	rs->rel_id = rs->rel_type = rs->rel_effect = rs->rel_process = NULL;
	rs->t_name = rs->t_id = rs->t_column = NULL;
	rs->src = NULL;
	rs->nsrc = rs->maxsrc = 0;
}

void
rel_add_source(RelSink *rs)
{
	if (rs->nsrc == rs->maxsrc)
	{
		int			n = Max(4, rs->maxsrc * 2);

		rs->src = rs->src
			? repalloc(rs->src, n * sizeof(RelSource))
			: MemoryContextAlloc(rs->relcxt, n * sizeof(RelSource));
		rs->maxsrc = n;
	}
	memset(&rs->src[rs->nsrc], 0, sizeof(RelSource));
	rs->nsrc++;
	rs->rel_bytes += sizeof(RelSource);
}
