/*-------------------------------------------------------------------------
 *
 * relationships.c
 *	  The JSON export as relationship rows, read as it streams in: the
 *	  same rows sqlflow_relationships(jsonb) gives for the whole document,
 *	  without ever holding the document.
 *
 * libcurl's write callback only appends bytes to the streaming JSON reader
 * (pure C, src/jsonstream.c); between chunks the transport calls our drain
 * function, which takes the tokens and follows the document with a small
 * stack of roles.  A relationship is collected while its object is open
 * and becomes rows (one per source) when it closes; rows go straight into
 * a tuplestore, which spills to disk past work_mem.  Its ends (target and
 * sources), most of the document, are taken whole from the reader when
 * they are of the common kind (jstream_reader_members): only the three
 * members rows show come out, the rest is checked and passed over.
 *
 * Which rows: those of sqlflow_relationships(jsonb).  The payload is
 * "data" when that is an object, else the document; the lineage is the
 * payload's "sqlflow" when present, else the payload; its relationships
 * are "relationships", else "relationship", else "relations" (an array, or
 * one object); of a repeated key the last one counts, as in jsonb.  Since
 * which of these applies is known only at the end, rows are kept per
 * place they came from (at most 4 lineages x 3 keys, in practice one) and
 * the others are dropped at the end.  A source without parentName is named
 * from dbobjs: every object inside the lineage's dbobjs (a list or a
 * servers tree) that has both an id and a name.
 *
 * What is held: the reader's unparsed tail and the token being read (one
 * string at most sqlflow.max_response_size), the relationship being read
 * (bounded the same way), and the map from id to name of the dbobjs
 * (bounded the same way; about 60 bytes per named object).
 *
 * Two corners where the jsonb route differs, both refused rather than
 * answered differently: dbobjs that arrive after relationships whose
 * sources need them (SQLFlow writes dbobjs first), or that repeat after
 * such a lookup.  Ids and names inside a dbobjs value that is itself the
 * id or name of an object are not looked into.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "encoding.h"
#include "jsonb_writer.h"
#include "relationships.h"
#include "stream_in.h"

/* the places a lineage can be: the document, data, and their "sqlflow" */
#define FR_ROOT 0
#define FR_DATA 1
#define FR_ROOT_SQLFLOW 2
#define FR_DATA_SQLFLOW 3
#define NFRAMES 4

/* its relationships, in order of preference */
#define NVARIANTS 3
static const char *const variant_key[NVARIANTS] = {"relationships", "relationship", "relations"};
static const size_t variant_len[NVARIANTS] = {13, 12, 9};

/* the members of an end (target or source) that rows show, in RelField order */
#define NENDKEYS 3
static const char *const end_key[NENDKEYS] = {"parentName", "parentId", "column"};
static const size_t end_keylen[NENDKEYS] = {10, 8, 6};

/* a member name, compared by length first */
#define KEY_IS_N(ev, lit, n) ((ev)->len == (n) && memcmp((ev)->data, (lit), (n)) == 0)
#define KEY_IS(ev, lit) KEY_IS_N(ev, lit, sizeof(lit) - 1)

typedef enum RelRole
{
	ROLE_SKIP,					/* nothing of interest inside */
	ROLE_FRAME,					/* an object that may hold a lineage */
	ROLE_RELS,					/* an array of relationships */
	ROLE_REL,					/* one relationship */
	ROLE_TARGET,
	ROLE_SOURCES,
	ROLE_SOURCE,
	ROLE_DBOBJS,				/* inside dbobjs */
	ROLE_SUMMARY				/* data.summary */
} RelRole;

/* where the next value goes */
typedef enum RelField
{
	RF_NONE,
	RF_REL_ID,
	RF_REL_TYPE,
	RF_REL_EFFECT,
	RF_REL_PROCESS,
	RF_TARGET_NAME,
	RF_TARGET_ID,
	RF_TARGET_COLUMN,
	RF_SOURCE_NAME,
	RF_SOURCE_ID,
	RF_SOURCE_COLUMN,
	RF_OBJ_ID,
	RF_OBJ_NAME
} RelField;

typedef enum RelPendKind
{
	PK_NONE,
	PK_CAPTURE,					/* a field: its text */
	PK_DATA,					/* the document's "data" */
	PK_SQLFLOW,					/* a payload's "sqlflow" */
	PK_RELS,					/* a lineage's relationships */
	PK_DBOBJS,					/* a lineage's dbobjs */
	PK_TARGET,
	PK_SOURCES,
	PK_SOURCE,					/* an element of sources */
	PK_REL,						/* an element of a relationships array */
	PK_DBOBJ,					/* a container inside dbobjs */
	PK_SUMMARY,
	PK_ENVELOPE					/* a member of the envelope (envfield) */
} RelPendKind;

typedef struct RelPending
{
	RelPendKind kind;
	RelField	field;
	SqlflowEnvelopeField envfield;
	int			frame;
	int			variant;
} RelPending;

typedef struct RelLevel
{
	RelRole		role;
	bool		is_object;
	int			frame;
	int			variant;
	/* objects inside dbobjs */
	bool		dbobjs_top;		/* the dbobjs value itself */
	uint64		seq_start;
	char	   *id;
	char	   *name;
	bool		has_id;
	bool		has_name;
} RelLevel;

/*
 * One object: its id and name in one record, so a lookup touches one place.
 * The records are cut from blocks of REL_MAP_BLOCK: no chunk header, no
 * rounding up to a power of 2, fewer pages.
 */
#define REL_MAP_BLOCK (64 * 1024)

typedef struct RelMapRec
{
	uint64		seq;
	char	   *name;			/* NULL: the name was JSON null; else as rel_text */
	char		id[FLEXIBLE_ARRAY_MEMBER];	/* then, 4-byte aligned, the name's text */
} RelMapRec;

typedef struct RelMapEntry
{
	uint32		hash;
	uint32		idlen;
	RelMapRec  *rec;			/* NULL: a free slot */
} RelMapEntry;

/* memory cut from larger blocks of one context, given back only with it */
typedef struct RelBump
{
	MemoryContext cxt;
	size_t		block;			/* the size of a block */
	char	   *next;
	size_t		left;
} RelBump;

typedef struct RelStore
{
	Tuplestorestate *ts;
	int64		rows;
	bool		looked_up;		/* a parent was named from dbobjs */
	bool		early_lookup;	/* ... before the dbobjs were complete */
	uint32		map_gen;		/* ... from this generation of them */
} RelStore;

typedef struct RelFrame
{
	bool		seen_key[NVARIANTS];
	RelStore	store[NVARIANTS];
	bool		has_sqlflow;
	bool		sqlflow_is_object;
	/* the dbobjs map */
	MemoryContext mapcxt;
	RelBump		recs;			/* its records, in mapcxt */
	RelMapEntry *map;
	uint32		map_size;		/* a power of 2, or 0 */
	uint32		map_n;
	uint32		map_gen;
	size_t		map_bytes;
	bool		dbobjs_seen;
	bool		dbobjs_open;
} RelFrame;

typedef struct RelSource
{
	char	   *name;
	char	   *id;
	char	   *column;
} RelSource;

struct RelSink
{
	StreamIn   *in;				/* the input side, which hands tokens over */
	const char *what;
	size_t		max_record;
	MemoryContext cxt;			/* the reader, levels, map sizes */
	MemoryContext relcxt;		/* the relationship being read */
	RelBump		texts;			/* its texts (rel_text), in relcxt */
	MemoryContext capcxt;		/* a value being captured whole */
	MemoryContext store_cxt;
	bool		random_access;
	TupleDesc	tupdesc;
	bool		no_conversion;	/* the database takes UTF-8 as it is */

	RelLevel   *level;
	int			depth;
	int			maxdepth;
	RelPending	pend;
	bool		root_done;
	bool		data_is_object;

	/* a container value being captured as a whole */
	SqlflowJsonbWriter *capw;
	int			cap_depth;
	RelPending	cap_pend;

	/* the relationship being read */
	bool		in_rel;
	int			rel_frame;
	int			rel_variant;
	uint64		rel_offset;
	size_t		rel_bytes;
	char	   *rel_id;
	char	   *rel_type;
	char	   *rel_effect;
	char	   *rel_process;
	char	   *t_name;
	char	   *t_id;
	char	   *t_column;
	RelSource  *src;
	int			nsrc;
	int			maxsrc;

	uint64		map_seq;
	RelFrame	frame[NFRAMES];
	SqlflowEnvelope env;
};

/* ----------------------------------------------------------------
 * Values as text, as ->> gives them
 * ----------------------------------------------------------------
 */

/*
 * Every value a row may show is kept as the data of a text datum that is
 * also NUL-terminated: a C string for lookups and messages, and a column
 * value without another copy (rel_datum).  Those of the relationship being
 * read are cut from one block of relcxt, since they all go together when
 * it closes; relcxt keeps its first block over resets (REL_CXT_SIZE), so
 * the texts of a relationship of ordinary size cost no allocation at all.
 */
#define REL_TEXT_BLOCK 4096
#define REL_CXT_SIZE (16 * 1024)

/*
 * size bytes (a multiple of MAXALIGN) from the current block, or from a new
 * one; what is left of the old block is not used again
 */
static void *
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
static void
rel_bump_forget(RelBump *b)
{
	b->next = NULL;
	b->left = 0;
}

/* where a text goes */
typedef enum RelKeep
{
	KEEP_CHECK,					/* nowhere: a string only checked */
	KEEP_HERE,					/* palloc'd in the current context */
	KEEP_REL					/* the relationship's block (lives until it closes) */
} RelKeep;

/* a text datum of s made at "at" (int-aligned, VARHDRSZ + len + 1 bytes); its data */
static char *
rel_text_put(void *at, const char *s, size_t len)
{
	text	   *t = (text *) at;

	SET_VARSIZE(t, VARHDRSZ + len);
	memcpy(VARDATA(t), s, len);
	VARDATA(t)[len] = '\0';
	return VARDATA(t);
}

/* the length of what rel_text_put made */
static inline size_t
rel_text_len(const char *data)
{
	return VARSIZE(data - VARHDRSZ) - VARHDRSZ;
}

static char *
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
static char *
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
static void
rel_reset_relcxt(RelSink *rs)
{
	MemoryContextReset(rs->relcxt);
	rel_bump_forget(&rs->texts);
}

static Numeric
rel_numeric(const char *token)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(token),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* a scalar's text, kept as rel_text does; NULL for null */
static char *
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

/* a column's value, from what rel_text made: NULL is SQL NULL */
static inline Datum
rel_datum(const char *data, bool *isnull)
{
	*isnull = (data == NULL);
	return data ? PointerGetDatum(data - VARHDRSZ) : (Datum) 0;
}

/* ----------------------------------------------------------------
 * The dbobjs map: id -> name, the first in document order
 * ----------------------------------------------------------------
 */

static void
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

static RelMapEntry *
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
static void
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

/* ----------------------------------------------------------------
 * Rows
 * ----------------------------------------------------------------
 */

static RelStore *
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

static void
rel_store_clear(RelStore *st)
{
	if (st->ts)
		tuplestore_clear(st->ts);
	st->rows = 0;
	st->looked_up = false;
	st->early_lookup = false;
}

static void
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

static void
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

static void
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

static void
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

/* ----------------------------------------------------------------
 * Following the document
 * ----------------------------------------------------------------
 */

static void
rel_count(RelSink *rs, const char *text)
{
	if (!rs->in_rel || text == NULL)
		return;
	rs->rel_bytes += rel_text_len(text) + 1;
	if (rs->rel_bytes > rs->max_record)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has a relationship larger than sqlflow.max_response_size", rs->what),
				 errdetail("The relationship starts at byte %llu; the limit is %zu kB.",
						   (unsigned long long) rs->rel_offset, rs->max_record / 1024),
				 errhint("Rows are streamed: the limit applies to one relationship, not to the whole export.")));
}

/* store a field's text (as rel_text made it; NULL: JSON null) */
static void
rel_assign(RelSink *rs, RelField field, char *text)
{
	RelLevel   *lv = &rs->level[rs->depth - 1];
	RelSource  *s = rs->nsrc > 0 ? &rs->src[rs->nsrc - 1] : NULL;

	rel_count(rs, text);
	switch (field)
	{
		case RF_REL_ID:
			rs->rel_id = text;
			break;
		case RF_REL_TYPE:
			rs->rel_type = text;
			break;
		case RF_REL_EFFECT:
			rs->rel_effect = text;
			break;
		case RF_REL_PROCESS:
			rs->rel_process = text;
			break;
		case RF_TARGET_NAME:
			rs->t_name = text;
			break;
		case RF_TARGET_ID:
			rs->t_id = text;
			break;
		case RF_TARGET_COLUMN:
			rs->t_column = text;
			break;
		case RF_SOURCE_NAME:
			s->name = text;
			break;
		case RF_SOURCE_ID:
			s->id = text;
			break;
		case RF_SOURCE_COLUMN:
			s->column = text;
			break;
		case RF_OBJ_ID:
			if (lv->id)
				pfree(lv->id);
			lv->id = text ? MemoryContextStrdup(rs->cxt, text) : NULL;
			lv->has_id = true;
			break;
		case RF_OBJ_NAME:
			if (lv->name)
				pfree(lv->name);
			lv->name = text ? MemoryContextStrdup(rs->cxt, text) : NULL;
			lv->has_name = true;
			break;
		case RF_NONE:
			break;
	}
}

/* a relationship's field lives with it; a dbobjs id or name is copied on (rel_assign) */
static RelKeep
rel_field_keep(RelField field)
{
	return (field == RF_OBJ_ID || field == RF_OBJ_NAME) ? KEEP_HERE : KEEP_REL;
}

/* a container value of a field: its jsonb text, built with the writer */
static void
rel_capture_event(RelSink *rs, const JStreamEvent *ev)
{
	MemoryContext old = MemoryContextSwitchTo(rs->capcxt);

	switch (ev->token)
	{
		case JS_OBJECT_START:
			sqlflow_jbw_begin_object(rs->capw);
			break;
		case JS_ARRAY_START:
			sqlflow_jbw_begin_array(rs->capw);
			break;
		case JS_OBJECT_END:
		case JS_ARRAY_END:
			sqlflow_jbw_end(rs->capw);
			break;
		case JS_KEY:
		case JS_STRING:
			{
				char	   *s = rel_string(rs, ev->data, ev->len, ev->offset, KEEP_HERE);

				if (ev->token == JS_KEY)
					sqlflow_jbw_key(rs->capw, s, rel_text_len(s));
				else
					sqlflow_jbw_string(rs->capw, s, rel_text_len(s));
			}
			break;
		case JS_NUMBER:
			sqlflow_jbw_numeric(rs->capw, rel_numeric(ev->data));
			break;
		case JS_TRUE:
		case JS_FALSE:
			sqlflow_jbw_bool(rs->capw, ev->token == JS_TRUE);
			break;
		case JS_NULL:
			sqlflow_jbw_null(rs->capw);
			break;
	}
	MemoryContextSwitchTo(old);

	if ((ev->token == JS_OBJECT_END || ev->token == JS_ARRAY_END) &&
		ev->depth == rs->cap_depth)
	{
		Jsonb	   *jb;
		char	   *text;

		old = MemoryContextSwitchTo(rs->capcxt);
		jb = sqlflow_jbw_finish(rs->capw);
		text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
		text = rel_text(rs, text, strlen(text), rel_field_keep(rs->cap_pend.field));
		MemoryContextSwitchTo(old);
		rs->capw = NULL;
		rel_assign(rs, rs->cap_pend.field, text);
		MemoryContextReset(rs->capcxt);
	}
}

static void
rel_push(RelSink *rs, RelRole role, bool is_object, int frame, int variant)
{
	RelLevel   *lv;

	if (rs->depth == rs->maxdepth)
	{
		int			n = Max(16, rs->maxdepth * 2);

		rs->level = rs->level
			? repalloc(rs->level, n * sizeof(RelLevel))
			: MemoryContextAlloc(rs->cxt, n * sizeof(RelLevel));
		rs->maxdepth = n;
	}
	lv = &rs->level[rs->depth++];
	memset(lv, 0, sizeof(RelLevel));
	lv->role = role;
	lv->is_object = is_object;
	lv->frame = frame;
	lv->variant = variant;
	lv->seq_start = rs->map_seq + 1;
}

/* a member name: what its value will be */
static void
rel_key(RelSink *rs, const JStreamEvent *ev)
{
	RelLevel   *lv = &rs->level[rs->depth - 1];
	RelPending *p = &rs->pend;

	/* keys are checked like every string (the jsonb route converts them) */
	if (!rs->no_conversion)
		(void) rel_string(rs, ev->data, ev->len, ev->offset, KEEP_CHECK);
	memset(p, 0, sizeof(RelPending));
	p->frame = lv->frame;
	p->variant = lv->variant;
	switch (lv->role)
	{
		case ROLE_FRAME:
			for (int v = 0; v < NVARIANTS; v++)
				if (KEY_IS_N(ev, variant_key[v], variant_len[v]))
				{
					p->kind = PK_RELS;
					p->variant = v;
					return;
				}
			if (KEY_IS(ev, "dbobjs"))
				p->kind = PK_DBOBJS;
			else if (KEY_IS(ev, "sqlflow") &&
					 (lv->frame == FR_ROOT || lv->frame == FR_DATA))
				p->kind = PK_SQLFLOW;
			else if (lv->frame == FR_ROOT && KEY_IS(ev, "data"))
				p->kind = PK_DATA;
			else if (lv->frame == FR_DATA && KEY_IS(ev, "summary"))
				p->kind = PK_SUMMARY;
			else if (lv->frame == FR_ROOT || lv->frame == FR_DATA)
			{
				/* "code" and "error" at the top, data.mode */
				const char *path[2] = {"data", ev->data};

				p->envfield = (lv->frame == FR_ROOT)
					? sqlflow_envelope_field(1, &path[1])
					: sqlflow_envelope_field(2, path);
				if (p->envfield != ENVELOPE_NONE)
					p->kind = PK_ENVELOPE;
			}
			break;
		case ROLE_REL:
			p->kind = PK_CAPTURE;
			if (KEY_IS(ev, "id"))
				p->field = RF_REL_ID;
			else if (KEY_IS(ev, "type"))
				p->field = RF_REL_TYPE;
			else if (KEY_IS(ev, "effectType"))
				p->field = RF_REL_EFFECT;
			else if (KEY_IS(ev, "processId"))
				p->field = RF_REL_PROCESS;
			else if (KEY_IS(ev, "target"))
				p->kind = PK_TARGET;
			else if (KEY_IS(ev, "sources"))
				p->kind = PK_SOURCES;
			else
				p->kind = PK_NONE;
			break;
		case ROLE_TARGET:
		case ROLE_SOURCE:
			{
				bool		target = (lv->role == ROLE_TARGET);

				p->kind = PK_CAPTURE;
				if (KEY_IS(ev, "parentName"))
					p->field = target ? RF_TARGET_NAME : RF_SOURCE_NAME;
				else if (KEY_IS(ev, "parentId"))
					p->field = target ? RF_TARGET_ID : RF_SOURCE_ID;
				else if (KEY_IS(ev, "column"))
					p->field = target ? RF_TARGET_COLUMN : RF_SOURCE_COLUMN;
				else
					p->kind = PK_NONE;
			}
			break;
		case ROLE_DBOBJS:
			if (KEY_IS(ev, "id"))
			{
				p->kind = PK_CAPTURE;
				p->field = RF_OBJ_ID;
			}
			else if (KEY_IS(ev, "name"))
			{
				p->kind = PK_CAPTURE;
				p->field = RF_OBJ_NAME;
			}
			else
				p->kind = PK_DBOBJ;
			break;
		case ROLE_SUMMARY:
			{
				const char *path[3] = {"data", "summary", ev->data};

				p->envfield = sqlflow_envelope_field(3, path);
				if (p->envfield != ENVELOPE_NONE)
					p->kind = PK_ENVELOPE;
			}
			break;
		default:
			break;
	}
}

/* an array element: what it is, from the array's role */
static void
rel_element(RelSink *rs)
{
	RelLevel   *lv = &rs->level[rs->depth - 1];
	RelPending *p = &rs->pend;

	memset(p, 0, sizeof(RelPending));
	p->frame = lv->frame;
	p->variant = lv->variant;
	if (lv->role == ROLE_RELS)
		p->kind = PK_REL;
	else if (lv->role == ROLE_SOURCES)
		p->kind = PK_SOURCE;
	else if (lv->role == ROLE_DBOBJS)
		p->kind = PK_DBOBJ;
}

/*
 * An end (target or source) that just opened, read whole when it is of the
 * common kind: its fields set as its members' events would set them (in
 * document order, so of a repeated key the last counts), the rest of it
 * checked and passed over.  false when it is to come token by token.
 */
static bool
rel_end_whole(RelSink *rs, RelField first)
{
	JStreamMember m[8];
	int			n;

	n = stream_in_members(rs->in, end_key, end_keylen, NENDKEYS, m, lengthof(m));
	for (int i = 0; i < n; i++)
		rel_assign(rs, (RelField) (first + m[i].key),
				   rel_scalar_text(rs, &m[i].value, KEEP_REL));
	return n >= 0;
}

/* a value starts: a scalar, or a container to push */
static void
rel_value(RelSink *rs, const JStreamEvent *ev)
{
	bool		is_object = (ev->token == JS_OBJECT_START);
	bool		is_container = is_object || ev->token == JS_ARRAY_START;
	RelPending	p;

	if (rs->depth == 0)
	{
		if (!is_object)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s is not a JSON object", rs->what)));
		rel_push(rs, ROLE_FRAME, true, FR_ROOT, 0);
		return;
	}
	if (!rs->level[rs->depth - 1].is_object)
		rel_element(rs);
	p = rs->pend;
	memset(&rs->pend, 0, sizeof(RelPending));

	/* every string is checked (the jsonb route converts them); a field's text is converted below */
	if (ev->token == JS_STRING && !rs->no_conversion && p.kind != PK_CAPTURE)
		(void) rel_string(rs, ev->data, ev->len, ev->offset, KEEP_CHECK);

	switch (p.kind)
	{
		case PK_CAPTURE:
			if (is_container)
			{
				MemoryContext old = MemoryContextSwitchTo(rs->capcxt);

				rs->capw = sqlflow_jbw_create();
				MemoryContextSwitchTo(old);
				rs->cap_depth = ev->depth;
				rs->cap_pend = p;
				rel_capture_event(rs, ev);
				return;
			}
			rel_assign(rs, p.field, rel_scalar_text(rs, ev, rel_field_keep(p.field)));
			break;
		case PK_DATA:
			rs->data_is_object = is_object;
			if (is_object)
			{
				rel_frame_reset(rs, FR_DATA);
				rel_frame_reset(rs, FR_DATA_SQLFLOW);
				rel_push(rs, ROLE_FRAME, true, FR_DATA, 0);
				return;
			}
			break;
		case PK_SQLFLOW:
			{
				int			sf = (p.frame == FR_ROOT) ? FR_ROOT_SQLFLOW : FR_DATA_SQLFLOW;

				rs->frame[p.frame].has_sqlflow = true;
				rs->frame[p.frame].sqlflow_is_object = is_object;
				if (is_object)
				{
					rel_frame_reset(rs, sf);
					rel_push(rs, ROLE_FRAME, true, sf, 0);
					return;
				}
			}
			break;
		case PK_RELS:
			rs->frame[p.frame].seen_key[p.variant] = true;
			rel_store_clear(&rs->frame[p.frame].store[p.variant]);
			if (is_object)
			{
				rel_begin(rs, p.frame, p.variant, ev->offset);
				rel_push(rs, ROLE_REL, true, p.frame, p.variant);
				return;
			}
			if (is_container)
			{
				rel_push(rs, ROLE_RELS, false, p.frame, p.variant);
				return;
			}
			break;
		case PK_REL:
			if (is_object)
			{
				rel_begin(rs, p.frame, p.variant, ev->offset);
				rel_push(rs, ROLE_REL, true, p.frame, p.variant);
				return;
			}
			break;
		case PK_TARGET:
			rs->t_name = rs->t_id = rs->t_column = NULL;
			if (is_object)
			{
				if (!rel_end_whole(rs, RF_TARGET_NAME))
					rel_push(rs, ROLE_TARGET, true, p.frame, p.variant);
				return;
			}
			break;
		case PK_SOURCES:
			rs->nsrc = 0;
			if (is_container && !is_object)
			{
				rel_push(rs, ROLE_SOURCES, false, p.frame, p.variant);
				return;
			}
			break;
		case PK_SOURCE:
			rel_add_source(rs);
			if (is_object)
			{
				if (!rel_end_whole(rs, RF_SOURCE_NAME))
					rel_push(rs, ROLE_SOURCE, true, p.frame, p.variant);
				return;
			}
			break;
		case PK_DBOBJS:
			{
				RelFrame   *f = &rs->frame[p.frame];

				rel_map_reset(rs, f);
				f->dbobjs_seen = true;
				if (is_container)
				{
					f->dbobjs_open = true;
					rel_push(rs, ROLE_DBOBJS, is_object, p.frame, p.variant);
					rs->level[rs->depth - 1].dbobjs_top = true;
					return;
				}
			}
			break;
		case PK_DBOBJ:
			if (is_container)
			{
				rel_push(rs, ROLE_DBOBJS, is_object, p.frame, p.variant);
				return;
			}
			break;
		case PK_SUMMARY:
			if (is_object)
			{
				rel_push(rs, ROLE_SUMMARY, true, p.frame, p.variant);
				return;
			}
			break;
		case PK_ENVELOPE:
			if (!is_container)
				sqlflow_envelope_note(&rs->env, p.envfield, ev->data,
									  ev->token == JS_STRING, ev->token == JS_NUMBER,
									  rs->cxt);
			break;
		default:
			break;
	}
	if (is_container)
	{
		rel_push(rs, ROLE_SKIP, is_object, p.frame, p.variant);
		/* nothing inside is wanted; in other encodings its strings are checked here */
		if (rs->no_conversion)
			stream_in_skip(rs->in);
	}
}

static void
rel_close(RelSink *rs)
{
	RelLevel   *lv = &rs->level[rs->depth - 1];

	if (lv->role == ROLE_REL)
	{
		rel_emit(rs);
		rs->in_rel = false;
		rel_reset_relcxt(rs);
	}
	else if (lv->role == ROLE_DBOBJS)
	{
		RelFrame   *f = &rs->frame[lv->frame];

		if (lv->is_object && lv->has_id && lv->has_name && lv->id != NULL)
			rel_map_insert(rs, f, lv->id, lv->name, lv->seq_start);
		if (lv->id)
			pfree(lv->id);
		if (lv->name)
			pfree(lv->name);
		if (lv->dbobjs_top)
			f->dbobjs_open = false;
	}
	rs->depth--;
	if (rs->depth == 0)
		rs->root_done = true;
}

/* ----------------------------------------------------------------
 * The sink
 * ----------------------------------------------------------------
 */

/* one token, as the input side hands it over */
static void
rel_token(void *arg, StreamIn *in, const JStreamEvent *ev)
{
	RelSink    *rs = (RelSink *) arg;

	if (rs->capw)
		rel_capture_event(rs, ev);
	else if (ev->token == JS_KEY)
	{
		rel_key(rs, ev);
		/* a value nobody reads is not handed out (in other encodings its strings are checked) */
		if (rs->pend.kind == PK_NONE && rs->no_conversion)
			stream_in_skip_value(in);
	}
	else if (ev->token == JS_OBJECT_END || ev->token == JS_ARRAY_END)
		rel_close(rs);
	else
		rel_value(rs, ev);
}

/*
 * A redirect or a token renewal starts the body over: possible as long as
 * no row was made (an in-body 401 is a small envelope without any).
 */
static void
rel_restart(void *arg)
{
	RelSink    *rs = (RelSink *) arg;

	for (int fr = 0; fr < NFRAMES; fr++)
		for (int v = 0; v < NVARIANTS; v++)
			if (rs->frame[fr].store[v].rows > 0)
				elog(ERROR, "cannot restart a JSON export after its rows were read");
	for (int fr = 0; fr < NFRAMES; fr++)
		rel_frame_reset(rs, fr);
	rs->depth = 0;
	memset(&rs->pend, 0, sizeof(RelPending));
	rs->root_done = false;
	rs->data_is_object = false;
	rs->capw = NULL;
	MemoryContextReset(rs->capcxt);
	rs->in_rel = false;
	rel_reset_relcxt(rs);
	memset(&rs->env, 0, sizeof(SqlflowEnvelope));
}

static const StreamSinkOps rel_sink_ops = {
	.token = rel_token,
	.restart = rel_restart
};

RelSink *
rel_sink_create(const char *what, size_t max_record, MemoryContext store_cxt,
				bool random_access, TupleDesc tupdesc)
{
	RelSink    *rs = palloc0(sizeof(RelSink));

	rs->what = what;
	rs->max_record = max_record;
	rs->store_cxt = store_cxt;
	rs->random_access = random_access;
	rs->tupdesc = tupdesc;
	rs->cxt = AllocSetContextCreate(CurrentMemoryContext, "sqlflow JSON relationships",
									ALLOCSET_DEFAULT_SIZES);
	rs->relcxt = AllocSetContextCreate(rs->cxt, "sqlflow relationship",
									   REL_CXT_SIZE, REL_CXT_SIZE,
									   ALLOCSET_DEFAULT_MAXSIZE);
	rs->texts.cxt = rs->relcxt;
	rs->texts.block = REL_TEXT_BLOCK;
	rs->capcxt = AllocSetContextCreate(rs->cxt, "sqlflow JSON value",
									   ALLOCSET_DEFAULT_SIZES);
	rs->in = stream_in_json(what, max_record, &rel_sink_ops, rs);
	rs->no_conversion = !stream_in_converts(rs->in);
	return rs;
}

HttpSink *
rel_sink_http(RelSink *rs)
{
	return stream_in_http(rs->in);
}

void
rel_sink_envelope(RelSink *rs, SqlflowEnvelope *env)
{
	if (!rs->root_done)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("%s is not valid JSON", rs->what),
				 errdetail("The document ended early.")));
	*env = rs->env;
}

Tuplestorestate *
rel_sink_result(RelSink *rs, int64 *rows)
{
	int			payload = rs->data_is_object ? FR_DATA : FR_ROOT;
	int			lineage = payload;
	RelStore   *win = NULL;
	Tuplestorestate *result;

	/* the lineage: the payload's "sqlflow" if it has one, else the payload */
	if (rs->frame[payload].has_sqlflow)
		lineage = rs->frame[payload].sqlflow_is_object
			? (payload == FR_ROOT ? FR_ROOT_SQLFLOW : FR_DATA_SQLFLOW)
			: -1;
	if (lineage >= 0)
	{
		RelFrame   *f = &rs->frame[lineage];

		for (int v = 0; v < NVARIANTS && win == NULL; v++)
			if (f->seen_key[v])
				win = &f->store[v];
		if (win && win->looked_up &&
			(win->map_gen != f->map_gen || (win->early_lookup && f->map_n > 0)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot stream the relationships of %s", rs->what),
					 errdetail("Its dbobjs come after relationships whose parents are named there."),
					 errhint("Use sqlflow_relationships(sqlflow_export_json(...)) for this export.")));
	}

	/* the others are dropped */
	for (int fr = 0; fr < NFRAMES; fr++)
		for (int v = 0; v < NVARIANTS; v++)
		{
			RelStore   *st = &rs->frame[fr].store[v];

			if (st != win && st->ts)
			{
				tuplestore_end(st->ts);
				st->ts = NULL;
			}
		}
	if (win == NULL || win->ts == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(rs->store_cxt);

		result = tuplestore_begin_heap(rs->random_access, false, work_mem);
		MemoryContextSwitchTo(old);
		*rows = 0;
	}
	else
	{
		result = win->ts;
		*rows = win->rows;
		win->ts = NULL;
	}
	return result;
}

void
rel_sink_destroy(RelSink *rs)
{
	for (int fr = 0; fr < NFRAMES; fr++)
		for (int v = 0; v < NVARIANTS; v++)
			if (rs->frame[fr].store[v].ts)
				tuplestore_end(rs->frame[fr].store[v].ts);
	stream_in_destroy(rs->in);
	MemoryContextDelete(rs->cxt);
	pfree(rs);
}
