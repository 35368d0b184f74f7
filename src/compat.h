/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  What differs between the PostgreSQL majors sqlflow_export builds
 *	  against (15 and later), in one place.
 *
 * Each difference is one macro named after what it does; the code uses it
 * and never tests PG_VERSION_NUM itself.  Include after postgres.h.  The
 * macros only expand where they are used, so this header includes nothing:
 * the file that uses one includes what its expansion names (utils/acl.h
 * and catalog/pg_foreign_server.h, common/jsonapi.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_COMPAT_H
#define SQLFLOW_COMPAT_H

/*
 * A function that does not return: 18 replaced the suffix
 * pg_attribute_noreturn() with the prefix pg_noreturn (C11 _Noreturn).
 * Before 18 the attribute is GCC's, which may stand first as well.
 */
#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

/*
 * USAGE on a foreign server: 16 replaced the per-kind aclcheck functions
 * with object_aclcheck() on the catalog's relation id.
 */
#if PG_VERSION_NUM >= 160000
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
#define JsonActionResult JsonParseErrorType
#define JSON_ACTION_RETURN return JSON_SUCCESS
#else
#define JsonActionResult void
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

/*
 * An index scan, no ordering operators: 18 added an instrumentation
 * argument after the snapshot (NULL: none), 19 a last one of scan options
 * (0: none).  Needs access/genam.h.
 */
#if PG_VERSION_NUM >= 190000
#define sqlflow_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0, 0)
#elif PG_VERSION_NUM >= 180000
#define sqlflow_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0)
#else
#define sqlflow_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), 0)
#endif

/*
 * dynahash with an allocator of the caller's (HASH_ALLOC) and a directory
 * of a fixed size (HASH_DIRSIZE), so that it never frees what it did not
 * allocate itself: up to 18.  19 reworked both (the allocator takes an
 * argument, the directory is dynahash's own); there the walk's hashes
 * keep dynahash's private context.
 */
#if PG_VERSION_NUM < 190000
#define SQLFLOW_HASH_OWN_ALLOC 1
#endif

#endif							/* SQLFLOW_COMPAT_H */
