/*-------------------------------------------------------------------------
 *
 * relationships.c
 *	  The JSON export as relationship rows, read as it streams in: the
 *	  same rows sqlflow_relationships(jsonb) gives for the whole document,
 *	  without ever holding the document.
 *
 * It plugs into the input side (stream_in.c), which reads the body with
 * the streaming JSON reader as it arrives and hands the tokens over one by
 * one, outside libcurl.  This file follows the document with a small stack
 * of roles.  A relationship is collected while its object is open and
 * becomes rows (one per source) when it closes (relationships_rows.c);
 * rows go straight into a tuplestore, which spills to disk past work_mem.
 * Its ends (target and sources), most of the document, are taken whole
 * from the reader when they are of the common kind (stream_in_members):
 * only the three members rows show come out, the rest is checked and
 * passed over.
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
 * servers tree) that has both an id and a name (relationships_dbobjs.c).
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
 * What it must not do: see HTTP or libcurl, read bytes itself (the input
 * side does), hold the document, or give rows that differ from those of
 * sqlflow_relationships(jsonb) (a corner it cannot answer the same way is
 * an error).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "relationships_int.h"

/* its relationships, in order of preference */
static const char *const variant_key[NVARIANTS] = {"relationships", "relationship", "relations"};
static const size_t variant_len[NVARIANTS] = {13, 12, 9};

/* the members of an end (target or source) that rows show, in RelField order */
#define NENDKEYS 3
static const char *const end_key[NENDKEYS] = {"parentName", "parentId", "column"};
static const size_t end_keylen[NENDKEYS] = {10, 8, 6};

/* a member name, compared by length first */
#define KEY_IS_N(ev, lit, n) ((ev)->len == (n) && memcmp((ev)->data, (lit), (n)) == 0)
#define KEY_IS(ev, lit) KEY_IS_N(ev, lit, sizeof(lit) - 1)

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
