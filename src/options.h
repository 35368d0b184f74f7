/*-------------------------------------------------------------------------
 *
 * options.h
 *	  Foreign server and user mapping options: validation and lookup.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_OPTIONS_H
#define SQLFLOW_OPTIONS_H

/* Where to send a request and as whom: one server plus one user mapping. */
typedef struct SqlflowEndpoint
{
	Oid			serverid;
	Oid			umid;			/* the user mapping's OID */
	char	   *server_name;
	char	   *api_url;		/* base URL, without trailing slashes */
	char	   *ca_file;		/* NULL: the system's CA store */
	char	   *user_id;
	char	   *token;			/* NULL unless given in the mapping */
	char	   *secret_key;		/* NULL unless given in the mapping */
} SqlflowEndpoint;

/*
 * Resolve a server name (NULL: sqlflow.server) for the current user,
 * checking USAGE and the credential rules.  Raises an error if anything is
 * missing.
 */
extern SqlflowEndpoint *sqlflow_endpoint_lookup(const char *server_name);

/* an OpenLineage receiver: a server with openlineage_url */
typedef struct SqlflowOpenLineageTarget
{
	char	   *server_name;
	char	   *url;			/* the full URL of the lineage endpoint */
	char	   *ca_file;		/* NULL: the system's CA store */
	char	   *api_key;		/* NULL: no Authorization header; a secret */
} SqlflowOpenLineageTarget;

extern SqlflowOpenLineageTarget *sqlflow_openlineage_target_lookup(const char *server_name);

#endif							/* SQLFLOW_OPTIONS_H */
