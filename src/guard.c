/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  The lineage guard: before a change to a table or a column, say what
 *	  lineage knows depends on it downstream, and in error mode refuse it.
 *
 * The extension installs an event trigger at ddl_command_start whose
 * function (sqlflow_guard_ddl in sqlflow_export.c) hands the command's parse
 * tree here.  This file owns which commands are watched and what they
 * change (guard_targets), the question asked for each changed object
 * (sqlflow_impact over the table named by sqlflow.guard_lineage, through
 * SPI, inside a subtransaction) and the message.
 *
 * What it must not do: write anything, or block a change because it cannot
 * work.  A missing or unreadable lineage table, a trace that fails, a
 * lineage table of the wrong shape: one WARNING saying why, and the command
 * goes on, in both modes; only a cancel is passed through.  It is a safety
 * net, not a security boundary: any role may set sqlflow.guard for itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"	/* get_database_name() from 19 on */
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "config.h"
#include "guard.h"
#include "subxact.h"

/* how many downstream objects a message names before it only counts */
#define GUARD_LIST_MAX 10

/* one object a command changes */
typedef struct GuardTarget
{
	Oid			relid;
	const char *action;			/* what the command does, "%s" the object */
	char	   *nspname;
	char	   *relname;
	char	   *attname;		/* NULL: the relation itself */
} GuardTarget;

/* what lineage says depends on one target */
typedef struct GuardFinding
{
	GuardTarget *target;
	int			count;			/* distinct downstream objects */
	StringInfoData list;		/* the nearest GUARD_LIST_MAX of them */
} GuardFinding;

static const char *
relkind_noun(char relkind)
{
	switch (relkind)
	{
		case RELKIND_VIEW:
			return "view";
		case RELKIND_MATVIEW:
			return "materialized view";
		case RELKIND_FOREIGN_TABLE:
			return "foreign table";
		default:
			return "table";
	}
}

/*
 * Add relid (and, with recurse, every relation that inherits from it: the
 * partitions a command on a partitioned table reaches) to *targets, unless
 * it is temporary, belongs to an extension or is not a relation with
 * columns.
 */
static void
guard_add(List **targets, Oid relid, bool recurse, const char *action, const char *attname)
{
	List	   *rels;
	ListCell   *lc;

	if (!OidIsValid(relid))
		return;
	rels = recurse ? find_all_inheritors(relid, NoLock, NULL) : list_make1_oid(relid);
	foreach(lc, rels)
	{
		Oid			rel = lfirst_oid(lc);
		char		relkind = get_rel_relkind(rel);
		GuardTarget *t;

		if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
			relkind != RELKIND_FOREIGN_TABLE)
			continue;
		if (get_rel_persistence(rel) == RELPERSISTENCE_TEMP)
			continue;
		if (OidIsValid(getExtensionOfObject(RelationRelationId, rel)))
			continue;
		t = palloc0(sizeof(GuardTarget));
		t->relid = rel;
		t->action = action;
		t->nspname = get_namespace_name(get_rel_namespace(rel));
		t->relname = get_rel_name(rel);
		t->attname = attname ? pstrdup(attname) : NULL;
		if (t->nspname == NULL || t->relname == NULL)
			continue;			/* dropped meanwhile */
		*targets = lappend(*targets, t);
	}
}

/* the relation a rewrite rule belongs to (a view's _RETURN rule) */
static Oid
guard_rule_relation(Oid ruleoid)
{
	Relation	rw = table_open(RewriteRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			relid = InvalidOid;

	ScanKeyInit(&key, Anum_pg_rewrite_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ruleoid));
	scan = systable_beginscan(rw, RewriteOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		relid = ((Form_pg_rewrite) GETSTRUCT(tup))->ev_class;
	systable_endscan(scan);
	table_close(rw, AccessShareLock);
	return relid;
}

/*
 * What a CASCADE drops with relid (with its column attnum, when not 0):
 * the views and materialized views whose rules read it, and theirs in
 * turn, each added to *targets as dropped.  seen: relations met so far.
 */
static void
guard_add_cascade(List **targets, Oid relid, AttrNumber attnum, List **seen)
{
	Relation	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[3];
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *views = NIL;
	ListCell   *lc;

	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber,
				F_INT4EQ, Int32GetDatum((int32) attnum));
	scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL,
							  attnum != 0 ? 3 : 2, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
		Oid			view;

		if (d->classid != RewriteRelationId)
			continue;
		view = guard_rule_relation(d->objid);
		if (!OidIsValid(view) || view == relid || list_member_oid(*seen, view))
			continue;
		*seen = lappend_oid(*seen, view);
		views = lappend_oid(views, view);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);

	foreach(lc, views)
	{
		CHECK_FOR_INTERRUPTS();
		guard_add(targets, lfirst_oid(lc), false, "drop %s with CASCADE", NULL);
		guard_add_cascade(targets, lfirst_oid(lc), 0, seen);
	}
}

static Oid
guard_relid(RangeVar *rv)
{
	if (rv == NULL)
		return InvalidOid;
	return RangeVarGetRelid(rv, NoLock, true);
}

static bool
is_relation_objtype(ObjectType type)
{
	return type == OBJECT_TABLE || type == OBJECT_VIEW ||
		type == OBJECT_MATVIEW || type == OBJECT_FOREIGN_TABLE;
}

/*
 * The objects a watched command changes, from its parse tree, before it
 * runs (names are still the old ones).  Commands that change nothing a
 * reader depends on give NIL.
 */
static List *
guard_targets(Node *parsetree)
{
	List	   *targets = NIL;

	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
			{
				AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
				ListCell   *lc;
				Oid			relid = InvalidOid;

				foreach(lc, stmt->cmds)
				{
					AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
					const char *action;

					if (cmd->subtype == AT_DropColumn)
						action = "drop %s";
					else if (cmd->subtype == AT_AlterColumnType)
						action = "change the type of %s";
					else
						continue;
					if (!OidIsValid(relid))
						relid = guard_relid(stmt->relation);
					guard_add(&targets, relid, stmt->relation->inh, action, cmd->name);
					/* DROP COLUMN ... CASCADE drops the views that read it */
					if (cmd->subtype == AT_DropColumn &&
						cmd->behavior == DROP_CASCADE && OidIsValid(relid))
					{
						AttrNumber	attnum = get_attnum(relid, cmd->name);

						if (attnum != InvalidAttrNumber)
						{
							List	   *seen = list_make1_oid(relid);

							guard_add_cascade(&targets, relid, attnum, &seen);
						}
					}
				}
				break;
			}
		case T_RenameStmt:
			{
				RenameStmt *stmt = (RenameStmt *) parsetree;

				if (stmt->renameType == OBJECT_COLUMN && is_relation_objtype(stmt->relationType))
					guard_add(&targets, guard_relid(stmt->relation), stmt->relation->inh,
							  "rename %s", stmt->subname);
				else if (is_relation_objtype(stmt->renameType))
					guard_add(&targets, guard_relid(stmt->relation), false, "rename %s", NULL);
				break;
			}
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *stmt = (AlterObjectSchemaStmt *) parsetree;

				if (is_relation_objtype(stmt->objectType))
					guard_add(&targets, guard_relid(stmt->relation), false,
							  "move %s to another schema", NULL);
				break;
			}
		case T_DropStmt:
			{
				DropStmt   *stmt = (DropStmt *) parsetree;
				ListCell   *lc;

				List	   *seen = NIL;

				if (!is_relation_objtype(stmt->removeType))
					break;
				foreach(lc, stmt->objects)
				{
					RangeVar   *rv = makeRangeVarFromNameList((List *) lfirst(lc));
					Oid			relid = guard_relid(rv);

					/* dropping a partitioned table drops its partitions */
					guard_add(&targets, relid, true, "drop %s", NULL);
					if (OidIsValid(relid))
						seen = lappend_oid(seen, relid);
				}
				/* and CASCADE the views that read what is dropped */
				if (stmt->behavior == DROP_CASCADE)
				{
					List	   *dropped = list_copy(seen);
					ListCell   *lc2;

					foreach(lc2, dropped)
						guard_add_cascade(&targets, lfirst_oid(lc2), 0, &seen);
				}
				break;
			}
		default:
			break;
	}
	return targets;
}

/* a name as sqlflow_trace reads a dotted name: quoted where it has a dot */
static void
append_name_part(StringInfo buf, const char *name)
{
	if (buf->len > 0)
		appendStringInfoChar(buf, '.');
	if (strchr(name, '.') != NULL && strchr(name, '"') == NULL)
		appendStringInfo(buf, "\"%s\"", name);
	else
		appendStringInfoString(buf, name);
}

/* a downstream object as people write it: DEFAULT and empty parts left out */
static void
append_object(StringInfo buf, HeapTuple tup, TupleDesc desc, bool with_column)
{
	int			first = buf->len;

	for (int i = 2; i <= (with_column ? 5 : 4); i++)
	{
		char	   *v = SPI_getvalue(tup, desc, i);

		if (v == NULL || v[0] == '\0' || (i < 4 && pg_strcasecmp(v, "DEFAULT") == 0))
			continue;
		if (buf->len > first)
			appendStringInfoChar(buf, '.');
		appendStringInfoString(buf, v);
	}
}

/*
 * Ask the trace what depends on t downstream; fills f.  Runs inside the
 * caller's subtransaction, SPI connected; errors propagate to the caller.
 */
/* the objects a finding has listed: a hash of their names */
static uint32
guard_seen_hash(const void *key, Size keysize)
{
	const char *name = *(const char *const *) key;

	return hash_bytes((const unsigned char *) name, (int) strlen(name));
}

static int
guard_seen_match(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

static void
guard_ask(SPIPlanPtr plan, Oid lineage, GuardTarget *t, GuardFinding *f,
		  MemoryContext keep)
{
	StringInfoData name;
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	MemoryContext oldcxt;
	HTAB	   *seen;
	HASHCTL		ctl;
	StringInfoData obj;

	initStringInfo(&name);
	append_name_part(&name, get_database_name(MyDatabaseId));
	append_name_part(&name, t->nspname);
	append_name_part(&name, t->relname);

	values[0] = ObjectIdGetDatum(lineage);
	values[1] = CStringGetTextDatum(name.data);
	if (t->attname)
		values[2] = CStringGetTextDatum(t->attname);
	else
		nulls[2] = 'n';
	values[3] = Int32GetDatum(sqlflow_guard_depth);

	if (SPI_execute_plan(plan, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "the lineage guard's trace failed");

	/*
	 * Rows come ordered by depth, then path: the first time an object is
	 * met is its nearest.  Objects are told apart by their text, those seen
	 * kept in a hash (a DROP COLUMN can reach thousands).
	 */
	oldcxt = MemoryContextSwitchTo(keep);
	f->target = t;
	f->count = 0;
	initStringInfo(&f->list);
	MemoryContextSwitchTo(oldcxt);
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(char *);
	ctl.hash = guard_seen_hash;
	ctl.match = guard_seen_match;
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("sqlflow guard seen", 256, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	initStringInfo(&obj);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *copy;
		bool		found;

		resetStringInfo(&obj);
		append_object(&obj, tup, desc, t->attname != NULL);
		if (obj.len == 0)
			continue;
		copy = pstrdup(obj.data);
		hash_search(seen, &copy, HASH_ENTER, &found);
		if (found)
		{
			pfree(copy);
			continue;
		}
		f->count++;
		if (f->count <= GUARD_LIST_MAX)
		{
			char	   *depth = SPI_getvalue(tup, desc, 1);
			char	   *kind = SPI_getvalue(tup, desc, 6);

			oldcxt = MemoryContextSwitchTo(keep);
			appendStringInfo(&f->list, "%s%s (depth %s%s%s)",
							 f->count > 1 ? ", " : "", obj.data, depth,
							 kind && kind[0] ? ", " : "", kind ? kind : "");
			MemoryContextSwitchTo(oldcxt);
		}
	}
	if (f->count > GUARD_LIST_MAX)
	{
		oldcxt = MemoryContextSwitchTo(keep);
		appendStringInfo(&f->list, ", and %d more", f->count - GUARD_LIST_MAX);
		MemoryContextSwitchTo(oldcxt);
	}
	hash_destroy(seen);
}

/* the one warning of a guard that cannot work; the change goes on */
static void
guard_cannot_check(const char *why_detail)
{
	ereport(WARNING,
			(errmsg("the lineage guard cannot check this change"),
			 errdetail_internal("%s", why_detail),
			 errhint("The change goes on unchecked.")));
}

/*
 * The event trigger's work for one command.  extnsp: the extension's
 * schema, where sqlflow_impact is.  Only reads; never raises an error of
 * its own except the refusal in error mode.
 */
/* what the guard's checking step needs and gives back */
typedef struct GuardCheck
{
	List	   *targets;
	Oid			extnsp;
	MemoryContext keep;			/* the command's context: findings live here */
	GuardFinding *findings;
	int			nfindings;
	char	   *lineage_name;
} GuardCheck;

/*
 * Everything that can fail (the name, the table, privileges, its columns,
 * the trace): run in a subtransaction by sqlflow_guard_command.
 */
static void
guard_check(void *arg)
{
	GuardCheck *gc = (GuardCheck *) arg;
	Oid			argtypes[4] = {REGCLASSOID, TEXTOID, TEXTOID, INT4OID};
	Oid			lineage;
	SPIPlanPtr	plan;
	StringInfoData q;
	Datum		name;
	bool		isnull;
	ListCell   *lc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* the name is resolved as a regclass is, at each command */
	name = CStringGetTextDatum(sqlflow_guard_lineage);
	if (SPI_execute_with_args("SELECT pg_catalog.to_regclass($1)", 1,
							  (Oid[]) {TEXTOID}, &name, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not resolve sqlflow.guard_lineage");
	lineage = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("lineage table \"%s\" does not exist", sqlflow_guard_lineage)));
	gc->lineage_name = MemoryContextStrdup(gc->keep,
										   quote_qualified_identifier(get_namespace_name(get_rel_namespace(lineage)),
																	  get_rel_name(lineage)));

	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT depth, target_db, target_schema, target_table, target_column, relation_type "
					 "FROM %s.sqlflow_impact($1, $2, $3, $4)",
					 quote_identifier(get_namespace_name(gc->extnsp)));
	plan = SPI_prepare(q.data, 4, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));

	foreach(lc, gc->targets)
	{
		CHECK_FOR_INTERRUPTS();
		guard_ask(plan, lineage, (GuardTarget *) lfirst(lc),
				  &gc->findings[gc->nfindings], gc->keep);
		gc->nfindings++;
	}
	SPI_finish();
}

void
sqlflow_guard_command(Node *parsetree, Oid extnsp)
{
	List	   *targets;
	GuardCheck	gc;
	ErrorData  *edata;
	const char *lineage_name;
	GuardFinding *findings;
	int			nfindings;

	if (sqlflow_guard == SQLFLOW_GUARD_OFF || creating_extension || parsetree == NULL)
		return;

	targets = guard_targets(parsetree);
	if (targets == NIL)
		return;

	if (sqlflow_guard_lineage == NULL || sqlflow_guard_lineage[0] == '\0')
	{
		guard_cannot_check("sqlflow.guard is on, but sqlflow.guard_lineage names no lineage table.");
		return;
	}

	/*
	 * A failure to check is rolled back and becomes a WARNING, as a
	 * PL/pgSQL exception block would make it (a cancel still cancels).
	 */
	memset(&gc, 0, sizeof(gc));
	gc.targets = targets;
	gc.extnsp = extnsp;
	gc.keep = CurrentMemoryContext;
	gc.findings = palloc0(sizeof(GuardFinding) * list_length(targets));
	edata = sqlflow_subxact_try(guard_check, &gc);
	lineage_name = gc.lineage_name;
	findings = gc.findings;
	nfindings = gc.nfindings;

	if (edata != NULL)
	{
		StringInfoData why;

		initStringInfo(&why);
		appendStringInfo(&why, "Asking the lineage in \"%s\" failed: %s",
						 sqlflow_guard_lineage, edata->message);
		if (why.data[why.len - 1] != '.')
			appendStringInfoChar(&why, '.');
		guard_cannot_check(why.data);
		return;
	}

	for (int i = 0; i < nfindings; i++)
	{
		GuardFinding *f = &findings[i];
		GuardTarget *t = f->target;
		StringInfoData what;

		if (f->count == 0)
			continue;
		initStringInfo(&what);
		if (t->attname)
			appendStringInfo(&what, "column %s of %s %s", quote_identifier(t->attname),
							 relkind_noun(get_rel_relkind(t->relid)),
							 quote_qualified_identifier(t->nspname, t->relname));
		else
			appendStringInfo(&what, "%s %s", relkind_noun(get_rel_relkind(t->relid)),
							 quote_qualified_identifier(t->nspname, t->relname));

		if (sqlflow_guard == SQLFLOW_GUARD_ERROR)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("cannot %s because lineage shows objects that depend on it",
							psprintf(t->action, what.data)),
					 errdetail_plural("Downstream in %s (%d object): %s.",
									  "Downstream in %s (%d objects): %s.",
									  f->count, lineage_name, f->count, f->list.data),
					 errhint("To make the change anyway, run SET LOCAL sqlflow.guard = warn in its transaction first.")));
		ereport(WARNING,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg_plural("%d object depends on %s in lineage",
							   "%d objects depend on %s in lineage",
							   f->count, f->count, what.data),
				 errdetail_plural("Downstream in %s (%d object): %s.",
								  "Downstream in %s (%d objects): %s.",
								  f->count, lineage_name, f->count, f->list.data),
				 errhint("The change to %s goes on (sqlflow.guard = warn): check what is listed.", what.data)));
	}
}
