/*-------------------------------------------------------------------------
 *
 * jsonb_writer.c
 *	  Write PostgreSQL's binary jsonb format directly from a stream of
 *	  values, without the JsonbValue tree (see jsonb_writer.h).
 *
 * The format (utils/jsonb.h): a container is a uint32 header (count and
 * flags), one JEntry per child (objects: all keys, then all values), then
 * the children's data in the same order.  A JEntry holds the child's type
 * and its length, or, every JB_OFFSET_STRIDE'th child, the end offset of
 * its data.  Numerics and containers start at a 4-byte boundary; the zero
 * padding before them counts as part of their length.  Keys are sorted by
 * length, then bytes, and of equal keys only the last one given stays.
 *
 * Padding depends on where a value lands, so each open container keeps its
 * children's bytes unpadded and where they start; when the container
 * closes, it is laid out as a whole into its parent (or into the result)
 * from a 4-byte aligned start.  A container written that way is correct
 * wherever its parent puts it, since its parent aligns it in turn.
 *
 * What it must not do: parse text or convert encodings (it is handed keys
 * and strings already in the database encoding), or build JsonbValue trees.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "jsonb_writer.h"

/* one child of an open container */
typedef struct JbwChild
{
	uint32		type;			/* JENTRY_IS... */
	uint32		off;			/* its data: level->data + off */
	uint32		len;			/* without padding */
	uint32		koff;			/* objects: the key, level->keys + koff */
	uint32		klen;
	uint32		order;			/* objects: position among the members */
} JbwChild;

typedef struct JbwLevel
{
	bool		is_object;
	bool		raw_scalar;		/* the one-element array of a scalar document */
	bool		key_pending;	/* objects: a key waits for its value */
	JbwChild   *child;
	int			nchild;
	int			maxchild;
	char	   *data;			/* the children's bytes */
	size_t		len;
	size_t		cap;
	char	   *keys;			/* objects: the keys' bytes */
	size_t		klen;
	size_t		kcap;
} JbwLevel;

struct SqlflowJsonbWriter
{
	MemoryContext cxt;
	JbwLevel   *level;			/* level[0 .. depth-1] are open */
	int			depth;
	int			maxdepth;
	Jsonb	   *result;
};

/* a level's buffers above these sizes are freed on close, not kept */
#define JBW_KEEP_BYTES	(64 * 1024)
#define JBW_KEEP_CHILDREN 1024

/* the largest number of children a container may have, as in jsonb_util.c */
#define JBW_MAX_CHILDREN \
	((int) Min(MaxAllocSize / sizeof(JsonbValue), JB_CMASK))

SqlflowJsonbWriter *
sqlflow_jbw_create(void)
{
	SqlflowJsonbWriter *w = palloc0(sizeof(SqlflowJsonbWriter));

	w->cxt = CurrentMemoryContext;
	return w;
}

/* make room for "need" bytes in all */
static void
jbw_grow(MemoryContext cxt, char **buf, size_t *cap, size_t need)
{
	size_t		newcap;

	if (need <= *cap)
		return;
	if (need > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("jsonb value too large"),
				 errdetail("A container would take more than %zu bytes.",
						   (size_t) MaxAllocSize)));
	/* doubling: untouched capacity costs address space, not memory */
	newcap = Max(need, Max(*cap * 2, 256));
	newcap = Min(newcap, MaxAllocSize);
	*buf = *buf ? repalloc(*buf, newcap) : MemoryContextAlloc(cxt, newcap);
	*cap = newcap;
}

static void
jbw_too_big(bool is_object)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 is_object
			 ? errmsg("total size of jsonb object elements exceeds the maximum of %d bytes",
					  JENTRY_OFFLENMASK)
			 : errmsg("total size of jsonb array elements exceeds the maximum of %d bytes",
					  JENTRY_OFFLENMASK)));
}

static void
jbw_open(SqlflowJsonbWriter *w, bool is_object, bool raw_scalar)
{
	JbwLevel   *lv;

	if (w->result != NULL)
		elog(ERROR, "jsonb writer: a second top-level value");
	if (w->depth == w->maxdepth)
	{
		int			n = Max(8, w->maxdepth * 2);

		if (w->level == NULL)
			w->level = MemoryContextAllocZero(w->cxt, n * sizeof(JbwLevel));
		else
		{
			w->level = repalloc(w->level, n * sizeof(JbwLevel));
			memset(w->level + w->maxdepth, 0, (n - w->maxdepth) * sizeof(JbwLevel));
		}
		w->maxdepth = n;
	}
	lv = &w->level[w->depth++];
	lv->is_object = is_object;
	lv->raw_scalar = raw_scalar;
	lv->key_pending = false;
	lv->nchild = 0;
	lv->len = 0;
	lv->klen = 0;
}

/* a new child of the container lv: an array element, or an object member */
static JbwChild *
jbw_new_child(SqlflowJsonbWriter *w, JbwLevel *lv)
{
	if (lv->nchild == lv->maxchild)
	{
		int			n = Max(16, lv->maxchild * 2);

		lv->child = lv->child
			? repalloc(lv->child, n * sizeof(JbwChild))
			: MemoryContextAlloc(w->cxt, n * sizeof(JbwChild));
		lv->maxchild = n;
	}
	if (lv->nchild >= JBW_MAX_CHILDREN)
	{
		if (lv->is_object)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("number of jsonb object pairs exceeds the maximum allowed (%d)",
							JBW_MAX_CHILDREN)));
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of jsonb array elements exceeds the maximum allowed (%d)",
						JBW_MAX_CHILDREN)));
	}
	return &lv->child[lv->nchild++];
}

/* the slot for the next value of the innermost container */
static JbwChild *
jbw_slot(SqlflowJsonbWriter *w)
{
	JbwLevel   *lv = &w->level[w->depth - 1];

	if (lv->is_object)
	{
		if (!lv->key_pending)
			elog(ERROR, "jsonb writer: an object member without a key");
		lv->key_pending = false;
		return &lv->child[lv->nchild - 1];
	}
	return jbw_new_child(w, lv);
}

/* append a value's bytes to the innermost container */
static void
jbw_add(SqlflowJsonbWriter *w, uint32 type, const void *bytes, size_t len)
{
	JbwLevel   *lv;
	JbwChild   *c;

	if (w->depth == 0)
	{
		/* a scalar document: a one-element array marked as a scalar */
		jbw_open(w, false, true);
		jbw_add(w, type, bytes, len);
		sqlflow_jbw_end(w);
		return;
	}
	lv = &w->level[w->depth - 1];
	if (lv->len + len > JENTRY_OFFLENMASK)
		jbw_too_big(lv->is_object);
	c = jbw_slot(w);
	c->type = type;
	c->off = (uint32) lv->len;
	c->len = (uint32) len;
	if (len > 0)
	{
		jbw_grow(w->cxt, &lv->data, &lv->cap, lv->len + len);
		memcpy(lv->data + lv->len, bytes, len);
		lv->len += len;
	}
}

void
sqlflow_jbw_begin_object(SqlflowJsonbWriter *w)
{
	jbw_open(w, true, false);
}

void
sqlflow_jbw_begin_array(SqlflowJsonbWriter *w)
{
	jbw_open(w, false, false);
}

bool
sqlflow_jbw_in_array(SqlflowJsonbWriter *w)
{
	return w->depth > 0 && !w->level[w->depth - 1].is_object;
}

void
sqlflow_jbw_key(SqlflowJsonbWriter *w, const char *s, size_t len)
{
	JbwLevel   *lv;
	JbwChild   *c;

	if (w->depth == 0 || !w->level[w->depth - 1].is_object ||
		w->level[w->depth - 1].key_pending)
		elog(ERROR, "jsonb writer: a key outside an object");
	lv = &w->level[w->depth - 1];
	if (lv->klen + len > JENTRY_OFFLENMASK)
		jbw_too_big(true);
	c = jbw_new_child(w, lv);
	c->koff = (uint32) lv->klen;
	c->klen = (uint32) len;
	c->order = (uint32) (lv->nchild - 1);
	if (len > 0)
	{
		jbw_grow(w->cxt, &lv->keys, &lv->kcap, lv->klen + len);
		memcpy(lv->keys + lv->klen, s, len);
		lv->klen += len;
	}
	lv->key_pending = true;
}

void
sqlflow_jbw_string(SqlflowJsonbWriter *w, const char *s, size_t len)
{
	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string too long to represent as jsonb string"),
				 errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
						   JENTRY_OFFLENMASK)));
	jbw_add(w, JENTRY_ISSTRING, s, len);
}

void
sqlflow_jbw_numeric(SqlflowJsonbWriter *w, Numeric n)
{
	jbw_add(w, JENTRY_ISNUMERIC, n, VARSIZE_ANY(n));
}

void
sqlflow_jbw_bool(SqlflowJsonbWriter *w, bool b)
{
	jbw_add(w, b ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE, NULL, 0);
}

void
sqlflow_jbw_null(SqlflowJsonbWriter *w)
{
	jbw_add(w, JENTRY_ISNULL, NULL, 0);
}

/* key order of jsonb: shorter first, then bytewise; equal keys latest first */
static int
jbw_key_cmp(const void *a, const void *b, void *arg)
{
	const JbwChild *ca = a;
	const JbwChild *cb = b;
	const char *keys = arg;

	if (ca->klen != cb->klen)
		return ca->klen > cb->klen ? 1 : -1;
	if (ca->klen > 0)
	{
		int			r = memcmp(keys + ca->koff, keys + cb->koff, ca->klen);

		if (r != 0)
			return r;
	}
	return ca->order > cb->order ? -1 : 1;
}

/* values that start at a 4-byte boundary */
static inline bool
jbw_aligned_type(uint32 type)
{
	return type == JENTRY_ISNUMERIC || type == JENTRY_ISCONTAINER;
}

static inline void
jbw_put_uint32(char *p, uint32 v)
{
	memcpy(p, &v, sizeof(uint32));
}

void
sqlflow_jbw_end(SqlflowJsonbWriter *w)
{
	JbwLevel   *lv;
	int			n;
	size_t		hdr;
	size_t		pos;
	size_t		total;
	char	   *out;
	char	   *je;
	char	   *p;
	uint32		totallen;
	uint32		header;
	JbwLevel   *parent = NULL;
	size_t		base;

	if (w->depth == 0)
		elog(ERROR, "jsonb writer: nothing to close");
	lv = &w->level[w->depth - 1];
	if (lv->key_pending)
		elog(ERROR, "jsonb writer: an object member without a value");

	/* objects: sort the members, keep the last of equal keys */
	n = lv->nchild;
	if (lv->is_object && n > 1)
	{
		int			j = 0;

		qsort_arg(lv->child, n, sizeof(JbwChild), jbw_key_cmp, lv->keys);
		for (int i = 1; i < n; i++)
		{
			JbwChild   *prev = &lv->child[j];
			JbwChild   *cur = &lv->child[i];

			if (cur->klen == prev->klen &&
				(cur->klen == 0 ||
				 memcmp(lv->keys + cur->koff, lv->keys + prev->koff, cur->klen) == 0))
				continue;
			lv->child[++j] = *cur;
		}
		n = j + 1;
	}

	/* the size: header, JEntries, keys, then values with their padding */
	hdr = sizeof(uint32) + sizeof(JEntry) * (lv->is_object ? 2 * (size_t) n : (size_t) n);
	pos = hdr;
	if (lv->is_object)
		for (int i = 0; i < n; i++)
			pos += lv->child[i].klen;
	for (int i = 0; i < n; i++)
	{
		if (jbw_aligned_type(lv->child[i].type))
			pos = INTALIGN(pos);
		pos += lv->child[i].len;
	}
	total = pos;
	if (total - hdr > JENTRY_OFFLENMASK)
		jbw_too_big(lv->is_object);

	/* where it goes: the parent's data, or the result after a varlena header */
	if (w->depth >= 2)
	{
		parent = &w->level[w->depth - 2];
		if (parent->len + total > JENTRY_OFFLENMASK)
			jbw_too_big(parent->is_object);
		jbw_grow(w->cxt, &parent->data, &parent->cap, parent->len + total);
		base = parent->len;
		out = parent->data + base;
	}
	else
	{
		w->result = MemoryContextAlloc(w->cxt, VARHDRSZ + total);
		SET_VARSIZE(w->result, VARHDRSZ + total);
		base = 0;
		out = (char *) w->result + VARHDRSZ;
	}

	header = (uint32) n | (lv->is_object ? JB_FOBJECT : JB_FARRAY);
	if (lv->raw_scalar)
		header |= JB_FSCALAR;
	jbw_put_uint32(out, header);
	je = out + sizeof(uint32);
	p = out + hdr;
	totallen = 0;

	/* keys (objects): JEntries 0 .. n-1 */
	if (lv->is_object)
	{
		for (int i = 0; i < n; i++)
		{
			JbwChild   *c = &lv->child[i];
			uint32		meta = JENTRY_ISSTRING | c->klen;

			totallen += c->klen;
			if (i % JB_OFFSET_STRIDE == 0)
				meta = JENTRY_ISSTRING | totallen | JENTRY_HAS_OFF;
			jbw_put_uint32(je, meta);
			je += sizeof(JEntry);
			memcpy(p, lv->keys + c->koff, c->klen);
			p += c->klen;
		}
	}
	/* values */
	for (int i = 0; i < n; i++)
	{
		JbwChild   *c = &lv->child[i];
		int			index = lv->is_object ? i + n : i;
		uint32		pad = 0;
		uint32		meta;

		if (jbw_aligned_type(c->type))
		{
			pad = (uint32) (INTALIGN(p - out) - (p - out));
			memset(p, 0, pad);
			p += pad;
		}
		totallen += pad + c->len;
		meta = c->type | (pad + c->len);
		if (index % JB_OFFSET_STRIDE == 0)
			meta = c->type | totallen | JENTRY_HAS_OFF;
		jbw_put_uint32(je, meta);
		je += sizeof(JEntry);
		if (c->len > 0)
			memcpy(p, lv->data + c->off, c->len);
		p += c->len;
	}
	Assert((size_t) (p - out) == total);

	/* keep small buffers for the next container at this depth */
	if (lv->cap > JBW_KEEP_BYTES)
	{
		pfree(lv->data);
		lv->data = NULL;
		lv->cap = 0;
	}
	if (lv->kcap > JBW_KEEP_BYTES)
	{
		pfree(lv->keys);
		lv->keys = NULL;
		lv->kcap = 0;
	}
	if (lv->maxchild > JBW_KEEP_CHILDREN)
	{
		pfree(lv->child);
		lv->child = NULL;
		lv->maxchild = 0;
	}
	w->depth--;

	if (parent != NULL)
	{
		JbwChild   *c = jbw_slot(w);

		c->type = JENTRY_ISCONTAINER;
		c->off = (uint32) base;
		c->len = (uint32) total;
		parent->len += total;
	}
}

Jsonb *
sqlflow_jbw_finish(SqlflowJsonbWriter *w)
{
	Jsonb	   *result = w->result;

	if (w->depth != 0 || result == NULL)
		elog(ERROR, "jsonb writer: the document is not complete");
	for (int d = 0; d < w->maxdepth; d++)
	{
		if (w->level[d].data)
			pfree(w->level[d].data);
		if (w->level[d].keys)
			pfree(w->level[d].keys);
		if (w->level[d].child)
			pfree(w->level[d].child);
	}
	if (w->level)
		pfree(w->level);
	pfree(w);
	return result;
}
