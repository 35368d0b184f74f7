/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  What differs between the PostgreSQL majors sqlflow_export builds
 *	  against (15 and later), in one place.
 *
 * Each difference is one macro or typedef named after what it does; the
 * code calls that and never tests PG_VERSION_NUM itself.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_COMPAT_H
#define SQLFLOW_COMPAT_H

#include "common/jsonapi.h"
#include "utils/acl.h"

/*
 * USAGE on a foreign server: 16 replaced the per-kind aclcheck functions
 * with object_aclcheck() on the catalog's relation id.
 */
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_foreign_server.h"
#define sqlflow_server_aclcheck(serverid, roleid, mode) \
	object_aclcheck(ForeignServerRelationId, (serverid), (roleid), (mode))
#else
#define sqlflow_server_aclcheck(serverid, roleid, mode) \
	pg_foreign_server_aclcheck((serverid), (roleid), (mode))
#endif

/*
 * JSON semantic actions return a JsonParseErrorType from 16 on (void
 * before): declare them as JsonActionResult and end them with
 * JSON_ACTION_RETURN.
 */
#if PG_VERSION_NUM >= 160000
typedef JsonParseErrorType JsonActionResult;
#define JSON_ACTION_RETURN return JSON_SUCCESS
#else
typedef void JsonActionResult;
#define JSON_ACTION_RETURN return
#endif

/*
 * A lexer over a counted string: 17 added a first argument, a context to
 * initialise (NULL: allocate one).
 */
#if PG_VERSION_NUM >= 170000
#define sqlflow_json_lexer(json, len, encoding) \
	makeJsonLexContextCstringLen(NULL, (json), (len), (encoding), true)
#else
#define sqlflow_json_lexer(json, len, encoding) \
	makeJsonLexContextCstringLen((json), (len), (encoding), true)
#endif

#endif							/* SQLFLOW_COMPAT_H */
