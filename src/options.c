/*-------------------------------------------------------------------------
 *
 * options.c
 *	  Foreign server and user mapping options: validation and lookup.
 *
 * The extension keeps its configuration where PostgreSQL keeps it for
 * postgres_fdw and dblink: the foreign server holds the endpoint, the user
 * mapping holds the credentials.  pg_user_mappings hides mapping options
 * from other roles, so a token or secret key stays with its owner.
 *
 * Who may point the extension at an address: whoever may create a server
 * of the "sqlflow" wrapper, that is superusers and roles granted USAGE on
 * it.  Who may use a server: roles with USAGE on it.  A non-superuser must
 * bring a credential of their own in the mapping (as postgres_fdw insists
 * on a password), unless a superuser set token_required 'false' on it.
 *
 * What it must not do: make a request, or put a credential into a message.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "compat.h"
#include "config.h"
#include "http.h"
#include "options.h"

#define SQLFLOW_FDW_NAME "sqlflow"

/* what an on-premise server without authentication accepts as the token */
#define SQLFLOW_ONPREM_TOKEN "token"

typedef struct SqlflowOption
{
	const char *name;
	Oid			context;		/* catalog where it may appear */
	bool		superuser_only;
} SqlflowOption;

static const SqlflowOption sqlflow_options[] = {
	{"api_url", ForeignServerRelationId, false},
	{"ca_file", ForeignServerRelationId, true},
	{"user_id", UserMappingRelationId, false},
	{"token", UserMappingRelationId, false},
	{"secret_key", UserMappingRelationId, false},
	{"token_required", UserMappingRelationId, false},	/* false: superuser only */
	{"openlineage_url", ForeignServerRelationId, false},	/* an OpenLineage receiver */
	{"api_key", UserMappingRelationId, false},	/* its bearer key: a secret */
	{NULL, InvalidOid, false}
};

/*
 * Whether a token is the on-premise placeholder: "token" in any case, or
 * nothing, once the white space around it is taken away.
 */
static bool
token_is_placeholder(const char *token)
{
	const char *start = token;
	const char *end = token + strlen(token);

	while (start < end && isspace((unsigned char) *start))
		start++;
	while (end > start && isspace((unsigned char) end[-1]))
		end--;
	return end == start ||
		((size_t) (end - start) == strlen(SQLFLOW_ONPREM_TOKEN) &&
		 pg_strncasecmp(start, SQLFLOW_ONPREM_TOKEN, end - start) == 0);
}

static const char *
sqlflow_catalog_name(Oid context)
{
	if (context == ForeignServerRelationId)
		return "foreign server";
	if (context == UserMappingRelationId)
		return "user mapping";
	if (context == ForeignDataWrapperRelationId)
		return "foreign-data wrapper";
	return "object";
}

static void
sqlflow_reject_option(const char *name, Oid context)
{
	StringInfoData valid;

	initStringInfo(&valid);
	for (const SqlflowOption *o = sqlflow_options; o->name; o++)
	{
		if (o->context != context)
			continue;
		appendStringInfo(&valid, "%s%s", valid.len ? ", " : "", o->name);
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
			 errmsg("invalid option \"%s\" for a sqlflow %s", name,
					sqlflow_catalog_name(context)),
			 valid.len > 0
			 ? errhint("Valid options here are: %s.", valid.data)
			 : errhint("There are no valid options here.")));
}

/*
 * ca_file must name a regular file that the server process can read, so
 * that a mistake shows when the server is created or altered rather than at
 * the first call.  The messages name the option, never the path or the
 * file's contents (nothing is read here).
 */
static void
sqlflow_check_ca_file(const char *path)
{
	struct stat st;

	if (path[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"ca_file\" must not be empty")));
	if (stat(path, &st) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"ca_file\""),
				 errdetail("The server process cannot find the file: %m."),
				 errhint("Give the absolute path of a PEM file of CA certificates that the database server's operating-system user can read.")));
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"ca_file\""),
				 errdetail("It is not a regular file."),
				 errhint("Give the absolute path of a PEM file of CA certificates that the database server's operating-system user can read.")));
	if (access(path, R_OK) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"ca_file\""),
				 errdetail("The server process cannot read the file: %m."),
				 errhint("Give the absolute path of a PEM file of CA certificates that the database server's operating-system user can read.")));
}

PG_FUNCTION_INFO_V1(sqlflow_fdw_validator);

/*
 * Validate the options of a sqlflow server or user mapping (CREATE and
 * ALTER pass the complete resulting list).
 */
Datum
sqlflow_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			context = PG_GETARG_OID(1);
	ListCell   *cell;
	bool		have_url = false;
	bool		have_user = false;
	bool		have_token = false;
	bool		have_secret = false;
	bool		have_openlineage = false;
	bool		have_api_key = false;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		const SqlflowOption *opt;
		const char *value;

		for (opt = sqlflow_options; opt->name; opt++)
			if (opt->context == context && strcmp(opt->name, def->defname) == 0)
				break;
		if (opt->name == NULL)
			sqlflow_reject_option(def->defname, context);

		/* note: error messages below never repeat a value; it may be secret */
		value = defGetString(def);
		if (opt->superuser_only && !superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to set option \"%s\"", opt->name),
					 errdetail("Only superusers may set this option.")));

		if (strcmp(opt->name, "api_url") == 0)
		{
			const char *why;

			if (!http_url_acceptable(value, &why))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"api_url\""),
						 errdetail("%s", why),
						 errhint("Give the base URL, for example 'https://api.gudusoft.com/gspLive_backend'.")));
			have_url = true;
		}
		else if (strcmp(opt->name, "token_required") == 0)
		{
			/*
			 * As postgres_fdw's password_required: anyone may insist on a
			 * credential, only a superuser may waive it.  CREATE and ALTER
			 * pass the whole resulting list, so a non-superuser cannot alter
			 * a mapping that carries the waiver either.
			 */
			if (!defGetBoolean(def) && !superuser())
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to set option \"token_required\""),
						 errdetail("Only superusers may set token_required to false, or change a user mapping that has it."),
						 errhint("Give the user mapping a token or secret_key of its own, or ask a superuser to make this change.")));
		}
		else if (strcmp(opt->name, "ca_file") == 0)
			sqlflow_check_ca_file(value);
		else if (strcmp(opt->name, "openlineage_url") == 0)
		{
			const char *why;

			if (!http_url_acceptable(value, &why))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"openlineage_url\""),
						 errdetail("%s", why),
						 errhint("Give the full URL of the lineage endpoint, for example 'http://marquez.example.com:5000/api/v1/lineage'.")));
			have_openlineage = true;
		}
		else
		{
			if (value[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must not be empty", opt->name)));
			if (strcmp(opt->name, "user_id") == 0)
				have_user = true;
			else if (strcmp(opt->name, "token") == 0)
				have_token = true;
			else if (strcmp(opt->name, "secret_key") == 0)
				have_secret = true;
			else if (strcmp(opt->name, "api_key") == 0)
				have_api_key = true;
		}
	}

	if (context == ForeignServerRelationId && !have_url && !have_openlineage)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("a sqlflow server needs the option \"api_url\""),
				 errhint("For example OPTIONS (api_url 'http://sqlflow.example.com:8165/api/gspLive_backend').")));
	if (context == UserMappingRelationId && !have_user && !have_api_key)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("a sqlflow user mapping needs the option \"user_id\"")));
	if (have_token && have_secret)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("options \"token\" and \"secret_key\" cannot be used together"),
				 errhint("Give secret_key to have a token generated, or a token you obtained yourself.")));

	PG_RETURN_VOID();
}

/*
 * Find the user mapping for the current user, or PUBLIC, like
 * GetUserMapping() but with an error that says what to do.
 */
static UserMapping *
sqlflow_user_mapping(ForeignServer *server)
{
	Oid			userid = GetUserId();
	HeapTuple	tp;
	UserMapping *um;
	Datum		datum;
	bool		isnull;

	tp = SearchSysCache2(USERMAPPINGUSERSERVER,
						 ObjectIdGetDatum(userid),
						 ObjectIdGetDatum(server->serverid));
	if (!HeapTupleIsValid(tp))
		tp = SearchSysCache2(USERMAPPINGUSERSERVER,
							 ObjectIdGetDatum(InvalidOid),
							 ObjectIdGetDatum(server->serverid));
	if (!HeapTupleIsValid(tp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user mapping not found for user \"%s\" and server \"%s\"",
						GetUserNameFromId(userid, false), server->servername),
				 errhint("Create one with CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (user_id '...', secret_key '...').",
						 quote_identifier(server->servername))));

	um = (UserMapping *) palloc0(sizeof(UserMapping));
	um->umid = ((Form_pg_user_mapping) GETSTRUCT(tp))->oid;
	um->userid = ((Form_pg_user_mapping) GETSTRUCT(tp))->umuser;
	um->serverid = server->serverid;
	datum = SysCacheGetAttr(USERMAPPINGUSERSERVER, tp,
							Anum_pg_user_mapping_umoptions, &isnull);
	um->options = isnull ? NIL : untransformRelOptions(datum);
	ReleaseSysCache(tp);
	return um;
}

/*
 * A server of the sqlflow wrapper the current role has USAGE on, by name;
 * url_option names the option its CREATE SERVER hint shows.
 */
static ForeignServer *
sqlflow_usable_server(const char *server_name, const char *url_option)
{
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	AclResult	aclresult;

	server = GetForeignServerByName(server_name, true);
	if (server == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("server \"%s\" does not exist", server_name),
				 errhint("Create it with CREATE SERVER %s FOREIGN DATA WRAPPER sqlflow OPTIONS (%s '...').",
						 quote_identifier(server_name), url_option)));
	fdw = GetForeignDataWrapper(server->fdwid);
	if (strcmp(fdw->fdwname, SQLFLOW_FDW_NAME) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a sqlflow server", server_name),
				 errdetail("It uses the foreign-data wrapper \"%s\".", fdw->fdwname)));
	aclresult = sqlflow_server_aclcheck(server->serverid, GetUserId(), ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);
	return server;
}

SqlflowEndpoint *
sqlflow_endpoint_lookup(const char *server_name)
{
	SqlflowEndpoint *ep = palloc0(sizeof(SqlflowEndpoint));
	ForeignServer *server;
	UserMapping *um;
	ListCell   *cell;
	bool		token_required = true;
	size_t		len;

	if (server_name == NULL)
		server_name = sqlflow_default_server;
	if (server_name == NULL || server_name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no sqlflow server given"),
				 errhint("Pass a server name or set sqlflow.server.")));

	server = sqlflow_usable_server(server_name, "api_url");

	ep->serverid = server->serverid;
	ep->server_name = pstrdup(server->servername);
	foreach(cell, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, "api_url") == 0)
			ep->api_url = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "ca_file") == 0)
			ep->ca_file = pstrdup(defGetString(def));
	}
	if (ep->api_url == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no option \"api_url\"", server_name)));
	/* the endpoint paths are appended to the base */
	len = strlen(ep->api_url);
	while (len > 0 && ep->api_url[len - 1] == '/')
		ep->api_url[--len] = '\0';

	um = sqlflow_user_mapping(server);
	ep->umid = um->umid;
	foreach(cell, um->options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, "user_id") == 0)
			ep->user_id = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "token") == 0)
			ep->token = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "secret_key") == 0)
			ep->secret_key = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "token_required") == 0)
			token_required = defGetBoolean(def);
	}
	if (ep->user_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("user mapping for server \"%s\" has no option \"user_id\"",
						server_name)));

	/*
	 * Without a credential the on-premise convention sends the literal token
	 * "token".  Like postgres_fdw's password rule, a non-superuser may not
	 * ride on a server that trusts whoever connects, unless a superuser said
	 * so on the mapping.
	 */
	if (ep->token == NULL && ep->secret_key == NULL && token_required &&
		!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("a token or secret_key is required for non-superusers"),
				 errdetail("The user mapping for server \"%s\" has neither.", server_name),
				 errhint("Add token or secret_key to the user mapping, or have a superuser set token_required 'false' on it.")));

	/*
	 * The literal on-premise token is accepted by such a server from anyone:
	 * written into a mapping (in any case, with white space around it), it
	 * is no more a credential of the user's own than no credential at all.
	 * That is all that can be checked here: unlike libpq, which tells
	 * postgres_fdw whether the server asked for the password, SQLFlow gives
	 * no sign of whether it checked a token, so any other value passes.
	 */
	if (ep->token != NULL && token_is_placeholder(ep->token) &&
		token_required && !superuser())
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("the on-premise token \"%s\" is not a credential of one's own", SQLFLOW_ONPREM_TOKEN),
				 errdetail("The user mapping for server \"%s\" gives the placeholder token '%s' (in some case) or a blank one, which servers without authentication accept from anyone. token_required refuses only these: whether the server checks any other token cannot be told.",
						   server_name, SQLFLOW_ONPREM_TOKEN),
				 errhint("Add a token or secret_key of your own to the user mapping, or have a superuser set token_required 'false' on it.")));

	return ep;
}

/*
 * The OpenLineage receiver behind a server of the wrapper: its
 * openlineage_url, ca_file and, from the user mapping if there is one, its
 * api_key.  A receiver without authentication needs no mapping.
 */
SqlflowOpenLineageTarget *
sqlflow_openlineage_target_lookup(const char *server_name)
{
	SqlflowOpenLineageTarget *t = palloc0(sizeof(SqlflowOpenLineageTarget));
	ForeignServer *server;
	ListCell   *cell;
	HeapTuple	tp;

	if (server_name == NULL || server_name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no OpenLineage target given"),
				 errhint("Pass the name of a sqlflow server with the option openlineage_url.")));
	server = sqlflow_usable_server(server_name, "openlineage_url");

	t->server_name = pstrdup(server->servername);
	foreach(cell, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, "openlineage_url") == 0)
			t->url = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "ca_file") == 0)
			t->ca_file = pstrdup(defGetString(def));
	}
	if (t->url == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no option \"openlineage_url\"", server_name),
				 errhint("ALTER SERVER %s OPTIONS (ADD openlineage_url 'http://.../api/v1/lineage').",
						 quote_identifier(server_name))));

	tp = SearchSysCache2(USERMAPPINGUSERSERVER,
						 ObjectIdGetDatum(GetUserId()),
						 ObjectIdGetDatum(server->serverid));
	if (!HeapTupleIsValid(tp))
		tp = SearchSysCache2(USERMAPPINGUSERSERVER,
							 ObjectIdGetDatum(InvalidOid),
							 ObjectIdGetDatum(server->serverid));
	if (HeapTupleIsValid(tp))
	{
		Datum		datum;
		bool		isnull;

		datum = SysCacheGetAttr(USERMAPPINGUSERSERVER, tp,
								Anum_pg_user_mapping_umoptions, &isnull);
		if (!isnull)
		{
			foreach(cell, untransformRelOptions(datum))
			{
				DefElem    *def = (DefElem *) lfirst(cell);

				if (strcmp(def->defname, "api_key") == 0)
					t->api_key = pstrdup(defGetString(def));
			}
		}
		ReleaseSysCache(tp);
	}
	return t;
}
