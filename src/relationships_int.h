/*-------------------------------------------------------------------------
 *
 * relationships_int.h
 *	  The state of the relationships sink, as its three files share it:
 *	  relationships.c (following the document), relationships_rows.c
 *	  (values as text, rows), relationships_dbobjs.c (the dbobjs map).
 *	  Not for anyone else: the rest of the extension goes through
 *	  relationships.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_RELATIONSHIPS_INT_H
#define SQLFLOW_RELATIONSHIPS_INT_H

#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "jsonb_writer.h"
#include "relationships.h"
#include "stream_in.h"

/* the places a lineage can be: the document, data, and their "sqlflow" */
#define FR_ROOT 0
#define FR_DATA 1
#define FR_ROOT_SQLFLOW 2
#define FR_DATA_SQLFLOW 3
#define NFRAMES 4

/* its relationships, in order of preference (relationships.c) */
#define NVARIANTS 3

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

/* where a text goes */
typedef enum RelKeep
{
	KEEP_CHECK,					/* nowhere: a string only checked */
	KEEP_HERE,					/* palloc'd in the current context */
	KEEP_REL					/* the relationship's block (lives until it closes) */
} RelKeep;

/* the length of what rel_text_put made */
static inline size_t
rel_text_len(const char *data)
{
	return VARSIZE(data - VARHDRSZ) - VARHDRSZ;
}

/* a column's value, from what rel_text made: NULL is SQL NULL */
static inline Datum
rel_datum(const char *data, bool *isnull)
{
	*isnull = (data == NULL);
	return data ? PointerGetDatum(data - VARHDRSZ) : (Datum) 0;
}

/* relationships_rows.c: values as text */
extern void *rel_bump_alloc(RelBump *b, size_t size);
extern void rel_bump_forget(RelBump *b);
extern char *rel_text_put(void *at, const char *s, size_t len);
extern char *rel_text(RelSink *rs, const char *s, size_t len, RelKeep keep);
extern char *rel_string(RelSink *rs, const char *s, size_t len, uint64 offset, RelKeep keep);
extern void rel_reset_relcxt(RelSink *rs);
extern Numeric rel_numeric(const char *token);
extern char *rel_scalar_text(RelSink *rs, const JStreamEvent *ev, RelKeep keep);

/* relationships_rows.c: rows */
extern RelStore *rel_store(RelSink *rs, int frame, int variant);
extern void rel_store_clear(RelStore *st);
extern void rel_frame_reset(RelSink *rs, int fr);
extern void rel_emit(RelSink *rs);
extern void rel_begin(RelSink *rs, int frame, int variant, uint64 offset);
extern void rel_add_source(RelSink *rs);

/* relationships_dbobjs.c */
extern void rel_map_reset(RelSink *rs, RelFrame *f);
extern RelMapEntry *rel_map_find(RelFrame *f, const char *id, uint32 idlen, uint32 hash);
extern void rel_map_insert(RelSink *rs, RelFrame *f, const char *id, const char *name,
						   uint64 seq_start);

#endif							/* SQLFLOW_RELATIONSHIPS_INT_H */
