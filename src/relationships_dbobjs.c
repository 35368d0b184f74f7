/*-------------------------------------------------------------------------
 *
 * relationships_dbobjs.c
 *	  The relationships sink's dbobjs map: from object id to name, the first
 *	  in document order, for sources without parentName.
 *
 * An open-addressing hash table whose records are cut from large blocks
 * of one memory context (no chunk header, no rounding up); the whole map
 * is bounded by sqlflow.max_response_size.
 *
 * What it must not do: read the document (relationships.c hands it each
 * object), or free a record before the map is reset.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "relationships_int.h"

/* ----------------------------------------------------------------
 * The dbobjs map: id -> name, the first in document order
 * ----------------------------------------------------------------
 */

void
rel_map_reset(RelSink *rs, RelFrame *f)
{
	if (f->mapcxt)
		MemoryContextReset(f->mapcxt);
	rel_bump_forget(&f->recs);
	f->map_bytes = 0;
	f->map = NULL;
	f->map_size = 0;
	f->map_n = 0;
	f->map_gen++;
}

RelMapEntry *
rel_map_find(RelFrame *f, const char *id, uint32 idlen, uint32 hash)
{
	uint32		mask = f->map_size - 1;

	for (uint32 i = hash & mask;; i = (i + 1) & mask)
	{
		RelMapEntry *e = &f->map[i];

		if (e->rec == NULL ||
			(e->hash == hash && e->idlen == idlen && memcmp(e->rec->id, id, idlen) == 0))
			return e;
	}
}

static void
rel_map_limit(RelSink *rs)
{
	size_t		bytes = 0;

	for (int fr = 0; fr < NFRAMES; fr++)
		bytes += rs->frame[fr].map_bytes;
	if (bytes > rs->max_record)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s names more objects in dbobjs than sqlflow.max_response_size allows", rs->what),
				 errdetail("The map from object id to name would take more than %zu kB.",
						   rs->max_record / 1024),
				 errhint("Raise sqlflow.max_response_size, or use sqlflow_relationships(sqlflow_export_json(...)).")));
}

/*
 * An object with an id and a name.  Like the jsonpath $.** the jsonb route
 * uses, an object comes before what it contains: it replaces an entry one
 * of its own descendants made (seq >= seq_start), not an earlier one.
 */
void
rel_map_insert(RelSink *rs, RelFrame *f, const char *id, const char *name,
			   uint64 seq_start)
{
	uint32		idlen = strlen(id);
	uint32		hash = hash_bytes((const unsigned char *) id, idlen);
	size_t		namelen = name ? strlen(name) : 0;
	size_t		nameoff = INTALIGN(offsetof(RelMapRec, id) + idlen + 1);
	size_t		size = MAXALIGN(nameoff + (name ? VARHDRSZ + namelen + 1 : 0));
	RelMapEntry *e;
	RelMapRec  *rec;

	if (f->mapcxt == NULL)
	{
		f->mapcxt = AllocSetContextCreate(rs->cxt, "sqlflow dbobjs map",
										  ALLOCSET_DEFAULT_SIZES);
		f->recs.cxt = f->mapcxt;
		f->recs.block = REL_MAP_BLOCK;
	}
	/* at most three quarters full */
	if ((uint64) f->map_n * 4 >= (uint64) f->map_size * 3)
	{
		uint32		oldsize = f->map_size;
		RelMapEntry *oldmap = f->map;
		uint32		newsize = Max(1024, oldsize * 2);

		f->map_bytes += (size_t) (newsize - oldsize) * sizeof(RelMapEntry);
		rel_map_limit(rs);
		f->map = MemoryContextAllocZero(f->mapcxt, newsize * sizeof(RelMapEntry));
		f->map_size = newsize;
		for (uint32 i = 0; i < oldsize; i++)
			if (oldmap[i].rec)
				*rel_map_find(f, oldmap[i].rec->id, oldmap[i].idlen, oldmap[i].hash) = oldmap[i];
		if (oldmap)
			pfree(oldmap);
	}
	e = rel_map_find(f, id, idlen, hash);
	if (e->rec != NULL && e->rec->seq < seq_start)
		return;
	if (e->rec == NULL)
	{
		e->hash = hash;
		e->idlen = idlen;
		f->map_n++;
	}
	/* a replaced record stays until the map is reset; it is counted */
	rec = rel_bump_alloc(&f->recs, size);
	memcpy(rec->id, id, idlen + 1);
	rec->name = name ? rel_text_put((char *) rec + nameoff, name, namelen) : NULL;
	rec->seq = ++rs->map_seq;
	e->rec = rec;
	f->map_bytes += size;
	rel_map_limit(rs);
}
