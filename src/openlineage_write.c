/*-------------------------------------------------------------------------
 *
 * openlineage_write.c
 *	  Writing OpenLineage RunEvents (jsonb) from the flows of a walked
 *	  export (see openlineage_events.c): one event per process, its inputs
 *	  and outputs with their schema and columnLineage facets, the job's sql
 *	  facet, the run's name-based id.
 *
 * Lists are ordered as the SQL builder of the first version ordered them,
 * so the events equal that builder's (the openlineage suite keeps it as
 * its oracle): processes, datasets and fields by the database's default
 * collation (the job's own event first), the transformations of an input
 * field by their text, those of the dataset list by jsonb order.  Within
 * columnLineage, members that would be null are left out.
 *
 * Must not: change an order the oracle fixes (the suite compares events
 * byte for byte), or write a member the spec does not define.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_collation.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"
#include "utils/varlena.h"

#include "jsonb_writer.h"
#include "openlineage.h"
#include "openlineage_int.h"

#define OL_SCHEMA_URL_RUN "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
#define OL_SCHEMA_URL_SCHEMA "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
#define OL_SCHEMA_URL_COLUMNS "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
#define OL_SCHEMA_URL_SQL "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet"
#define OL_PRODUCER "https://pgxn.org/dist/sqlflow_export/" SQLFLOW_EXPORT_VERSION
/* the URL namespace of RFC 9562 */
#define OL_RUN_NAMESPACE "6ba7b811-9dad-11d1-80b4-00c04fd430c8"

static const char *const ol_subtype[OL_NTR] = {NULL, NULL, "FILTER", "JOIN", "AGGREGATION"};

/* ordering ----------------------------------------------------------------- */

static const char *const *ol_rank_str;

static int
ol_collate_cmp(const void *a, const void *b)
{
	const char *x = ol_rank_str[*(const int *) a];
	const char *y = ol_rank_str[*(const int *) b];

	return varstr_cmp(x, strlen(x), y, strlen(y), DEFAULT_COLLATION_OID);
}

/* each string's place in the database's default collation */
static void
ol_rank_strings(OlBuild *b)
{
	int		   *order = palloc(sizeof(int) * b->nstr);

	for (int i = 1; i < b->nstr; i++)
		order[i - 1] = i;
	ol_rank_str = b->str;
	qsort(order, b->nstr - 1, sizeof(int), ol_collate_cmp);
	b->rank = palloc0(sizeof(int) * b->nstr);
	for (int i = 0; i < b->nstr - 1; i++)
		b->rank[order[i]] = i + 1;
}

static const char *
ol_tr_text(int tr)
{
	static const char *const text[OL_NTR] = {
		"{\"type\": \"DIRECT\"}",
		"{\"type\": \"INDIRECT\"}",
		"{\"type\": \"INDIRECT\", \"subtype\": \"FILTER\"}",
		"{\"type\": \"INDIRECT\", \"subtype\": \"JOIN\"}",
		"{\"type\": \"INDIRECT\", \"subtype\": \"AGGREGATION\"}"
	};

	return text[tr];
}

/* the transformations' order as text and as jsonb */
static void
ol_rank_transformations(OlBuild *b)
{
	Jsonb	   *jb[OL_NTR];

	for (int i = 0; i < OL_NTR; i++)
		jb[i] = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
												   CStringGetDatum(ol_tr_text(i))));
	for (int i = 0; i < OL_NTR; i++)
	{
		b->tr_text_rank[i] = 0;
		b->tr_jsonb_rank[i] = 0;
		for (int j = 0; j < OL_NTR; j++)
		{
			const char *x = ol_tr_text(i);
			const char *y = ol_tr_text(j);

			if (varstr_cmp(y, strlen(y), x, strlen(x), DEFAULT_COLLATION_OID) < 0)
				b->tr_text_rank[i]++;
			if (compareJsonbContainers(&jb[j]->root, &jb[i]->root) < 0)
				b->tr_jsonb_rank[i]++;
		}
	}
}

static OlBuild *ol_cmp_build;

/* rank of a string id; NULL first or last */
static inline int
ol_rank(int id, bool nulls_first)
{
	if (id == 0)
		return nulls_first ? -1 : INT_MAX;
	return ol_cmp_build->rank[id];
}

#define OL_CMP(x, y) do { if ((x) != (y)) return (x) < (y) ? -1 : 1; } while (0)

/* outputs: pid (nulls first), tds, tcol, sds, scol, transformation text */
static int
ol_flow_out_cmp(const void *a, const void *b)
{
	const OlFlow *x = a;
	const OlFlow *y = b;

	OL_CMP(ol_rank(x->pid, true), ol_rank(y->pid, true));
	OL_CMP(ol_rank(x->tds, false), ol_rank(y->tds, false));
	OL_CMP(ol_rank(x->tcol, false), ol_rank(y->tcol, false));
	OL_CMP(ol_rank(x->sds, false), ol_rank(y->sds, false));
	OL_CMP(ol_rank(x->scol, false), ol_rank(y->scol, false));
	OL_CMP(ol_cmp_build->tr_text_rank[x->tr], ol_cmp_build->tr_text_rank[y->tr]);
	return 0;
}

/* inputs: sds, scol */
static int
ol_flow_in_cmp(const void *a, const void *b)
{
	const OlFlow *x = a;
	const OlFlow *y = b;

	OL_CMP(ol_rank(x->sds, false), ol_rank(y->sds, false));
	OL_CMP(ol_rank(x->scol, false), ol_rank(y->scol, false));
	return 0;
}

/* the dataset list: sds, scol, transformation as jsonb */
static int
ol_flow_dataset_cmp(const void *a, const void *b)
{
	const OlFlow *x = a;
	const OlFlow *y = b;

	OL_CMP(ol_rank(x->sds, false), ol_rank(y->sds, false));
	OL_CMP(ol_rank(x->scol, false), ol_rank(y->scol, false));
	OL_CMP(ol_cmp_build->tr_jsonb_rank[x->tr], ol_cmp_build->tr_jsonb_rank[y->tr]);
	return 0;
}

/* writing ------------------------------------------------------------------ */

static void
ol_key(SqlflowJsonbWriter *w, const char *key)
{
	sqlflow_jbw_key(w, key, strlen(key));
}

static void
ol_string(SqlflowJsonbWriter *w, const char *s)
{
	if (s == NULL)
		sqlflow_jbw_null(w);
	else
		sqlflow_jbw_string(w, s, strlen(s));
}

static void
ol_member(SqlflowJsonbWriter *w, const char *key, const char *value)
{
	ol_key(w, key);
	ol_string(w, value);
}

static bool
ol_whole_dataset(OlBuild *b, int col)
{
	const char *c = b->str[col];

	return col != 0 && (strcmp(c, "TABLE") == 0 || strcmp(c, "PseudoRows") == 0 ||
						strcmp(c, "*") == 0);
}

static void
ol_transformation(SqlflowJsonbWriter *w, int tr)
{
	sqlflow_jbw_begin_object(w);
	ol_member(w, "type", tr == 0 ? "DIRECT" : "INDIRECT");
	if (ol_subtype[tr] != NULL)
		ol_member(w, "subtype", ol_subtype[tr]);
	sqlflow_jbw_end(w);
}

/* an InputField without its transformations' closing (nulls left out) */
static void
ol_input_field_begin(SqlflowJsonbWriter *w, OlBuild *b, const char *ns,
					 const OlFlow *f)
{
	sqlflow_jbw_begin_object(w);
	if (ns != NULL)
		ol_member(w, "namespace", ns);
	ol_member(w, "name", b->str[f->sds]);
	if (f->scol != 0)
		ol_member(w, "field", b->str[f->scol]);
	ol_key(w, "transformations");
	sqlflow_jbw_begin_array(w);
}

/* the schema facet of names (non-null, not a whole-dataset column), given in order */
static void
ol_schema_facet(SqlflowJsonbWriter *w, OlBuild *b, const OlFlow *f, int n, bool target)
{
	int			last = 0;

	ol_key(w, "schema");
	sqlflow_jbw_begin_object(w);
	ol_member(w, "_producer", OL_PRODUCER);
	ol_member(w, "_schemaURL", OL_SCHEMA_URL_SCHEMA);
	ol_key(w, "fields");
	sqlflow_jbw_begin_array(w);
	for (int i = 0; i < n; i++)
	{
		int			col = target ? f[i].tcol : f[i].scol;

		if (col == 0 || col == last || ol_whole_dataset(b, col))
			continue;
		last = col;
		sqlflow_jbw_begin_object(w);
		ol_member(w, "name", b->str[col]);
		sqlflow_jbw_end(w);
	}
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);
}

/* one output dataset: flows f[0..n) of one process and one tds, in out order */
static void
ol_output(SqlflowJsonbWriter *w, OlBuild *b, const char *ns, const OlFlow *f, int n)
{
	OlFlow	   *whole = palloc(sizeof(OlFlow) * n);
	int			nwhole = 0;

	sqlflow_jbw_begin_object(w);
	ol_member(w, "namespace", ns);
	ol_member(w, "name", b->str[f[0].tds]);
	ol_key(w, "facets");
	sqlflow_jbw_begin_object(w);
	ol_schema_facet(w, b, f, n, true);
	ol_key(w, "columnLineage");
	sqlflow_jbw_begin_object(w);
	ol_member(w, "_producer", OL_PRODUCER);
	ol_member(w, "_schemaURL", OL_SCHEMA_URL_COLUMNS);
	ol_key(w, "fields");
	sqlflow_jbw_begin_object(w);
	for (int i = 0; i < n;)
	{
		int			j = i;

		CHECK_FOR_INTERRUPTS();
		if (f[i].tcol == 0 || ol_whole_dataset(b, f[i].tcol))
		{
			if (f[i].tcol != 0)
				whole[nwhole++] = f[i];
			i++;
			continue;
		}
		ol_key(w, b->str[f[i].tcol]);
		sqlflow_jbw_begin_object(w);
		ol_key(w, "inputFields");
		sqlflow_jbw_begin_array(w);
		while (j < n && f[j].tcol == f[i].tcol)
		{
			int			k = j;

			ol_input_field_begin(w, b, ns, &f[j]);
			while (k < n && f[k].tcol == f[j].tcol && f[k].sds == f[j].sds &&
				   f[k].scol == f[j].scol)
				ol_transformation(w, f[k++].tr);
			sqlflow_jbw_end(w);
			sqlflow_jbw_end(w);
			j = k;
		}
		sqlflow_jbw_end(w);
		sqlflow_jbw_end(w);
		i = j;
	}
	sqlflow_jbw_end(w);
	if (nwhole > 0)
	{
		qsort(whole, nwhole, sizeof(OlFlow), ol_flow_dataset_cmp);
		ol_key(w, "dataset");
		sqlflow_jbw_begin_array(w);
		for (int i = 0; i < nwhole;)
		{
			int			k = i;
			int			last = -1;

			ol_input_field_begin(w, b, ns, &whole[i]);
			while (k < nwhole && whole[k].sds == whole[i].sds && whole[k].scol == whole[i].scol)
			{
				if (whole[k].tr != last)
					ol_transformation(w, whole[k].tr);
				last = whole[k++].tr;
			}
			sqlflow_jbw_end(w);
			sqlflow_jbw_end(w);
			i = k;
		}
		sqlflow_jbw_end(w);
	}
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);
	pfree(whole);
}

/* one input dataset: flows f[0..n) of one process and one sds, in in order */
static void
ol_input(SqlflowJsonbWriter *w, OlBuild *b, const char *ns, const OlFlow *f, int n)
{
	sqlflow_jbw_begin_object(w);
	ol_member(w, "namespace", ns);
	ol_member(w, "name", b->str[f[0].sds]);
	ol_key(w, "facets");
	sqlflow_jbw_begin_object(w);
	ol_schema_facet(w, b, f, n, false);
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);
}

/* one event: flows f[0..n) of one process (pid 0: the job's own) */
static Jsonb *
ol_event(OlBuild *b, const OpenLineageArgs *a, const char *jid, const char *jname,
		 const char *vendor, const char *etime, OlFlow *f, int n)
{
	SqlflowJsonbWriter *w = sqlflow_jbw_create();
	int			pid = f[0].pid;
	OlProc	   *proc = NULL;
	StringInfoData name;
	pg_uuid_t	ns;
	pg_uuid_t	run;
	char	   *utf8;
	OlFlow	   *in;

	for (int i = 0; pid != 0 && i < b->nprocs && proc == NULL; i++)
		if (b->procs[i].id == pid)
			proc = &b->procs[i];

	sqlflow_jbw_begin_object(w);
	ol_member(w, "eventType", "COMPLETE");
	ol_member(w, "eventTime", etime);
	ol_member(w, "producer", OL_PRODUCER);
	ol_member(w, "schemaURL", OL_SCHEMA_URL_RUN);

	/* run: the name-based UUID of the job and the process */
	initStringInfo(&name);
	appendStringInfo(&name, "sqlflow_export:job/%s", jid ? jid : jname);
	if (pid != 0)
		appendStringInfo(&name, "/process/%s", b->str[pid]);
	memcpy(ns.data, DatumGetUUIDP(DirectFunctionCall1(uuid_in,
													  CStringGetDatum(OL_RUN_NAMESPACE)))->data,
		   UUID_LEN);
	utf8 = (char *) pg_do_encoding_conversion((unsigned char *) name.data, name.len,
											  GetDatabaseEncoding(), PG_UTF8);
	openlineage_uuid_v5(&ns, utf8, strlen(utf8), &run);
	ol_key(w, "run");
	sqlflow_jbw_begin_object(w);
	ol_member(w, "runId", DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&run))));
	sqlflow_jbw_end(w);

	/* job: its name, and the statement when SQLFlow gives it */
	resetStringInfo(&name);
	appendStringInfoString(&name, jname);
	if (pid != 0)
	{
		if (proc != NULL && proc->name != 0)
			appendStringInfo(&name, ".%s", b->str[proc->name]);
		else
			appendStringInfo(&name, ".process-%s", b->str[pid]);
	}
	ol_key(w, "job");
	sqlflow_jbw_begin_object(w);
	ol_member(w, "namespace", a->job_namespace);
	ol_member(w, "name", name.data);
	ol_key(w, "facets");
	sqlflow_jbw_begin_object(w);
	if (proc != NULL && proc->query != 0)
	{
		ol_key(w, "sql");
		sqlflow_jbw_begin_object(w);
		ol_member(w, "_producer", OL_PRODUCER);
		ol_member(w, "_schemaURL", OL_SCHEMA_URL_SQL);
		ol_member(w, "query", b->str[proc->query]);
		ol_member(w, "dialect", strncmp(vendor, "dbv", 3) == 0 ? vendor + 3 : vendor);
		sqlflow_jbw_end(w);
	}
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);

	/* inputs, by name */
	in = palloc(sizeof(OlFlow) * n);
	memcpy(in, f, sizeof(OlFlow) * n);
	qsort(in, n, sizeof(OlFlow), ol_flow_in_cmp);
	ol_key(w, "inputs");
	sqlflow_jbw_begin_array(w);
	for (int i = 0; i < n;)
	{
		int			j = i;

		while (j < n && in[j].sds == in[i].sds)
			j++;
		ol_input(w, b, a->namespace, &in[i], j - i);
		i = j;
	}
	sqlflow_jbw_end(w);
	pfree(in);

	/* outputs, by name (f is in output order) */
	ol_key(w, "outputs");
	sqlflow_jbw_begin_array(w);
	for (int i = 0; i < n;)
	{
		int			j = i;

		while (j < n && f[j].tds == f[i].tds)
			j++;
		ol_output(w, b, a->namespace, &f[i], j - i);
		i = j;
	}
	sqlflow_jbw_end(w);
	sqlflow_jbw_end(w);
	return sqlflow_jbw_finish(w);
}

Jsonb **
openlineage_write_events(OlBuild *b, const OpenLineageArgs *a,
						 const char *jid, const char *jname,
						 const char *vendor, const char *etime,
						 OlFlow *flows, int nflows, int *nevents)
{
	Jsonb	  **events = palloc(sizeof(Jsonb *) * Max(nflows, 1));
	int			n = 0;

	ol_rank_strings(b);
	ol_rank_transformations(b);
	ol_cmp_build = b;
	qsort(flows, nflows, sizeof(OlFlow), ol_flow_out_cmp);
	for (int i = 0; i < nflows;)
	{
		int			j = i;

		CHECK_FOR_INTERRUPTS();
		while (j < nflows && flows[j].pid == flows[i].pid)
			j++;
		events[n++] = ol_event(b, a, jid, jname, vendor, etime, &flows[i], j - i);
		i = j;
	}
	*nevents = n;
	return events;
}
