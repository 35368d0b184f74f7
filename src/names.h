/*-------------------------------------------------------------------------
 *
 * names.h
 *	  The form in which traces compare names (sqlflow_name_key).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_NAMES_H
#define SQLFLOW_NAMES_H

/*
 * The key of a name of len bytes: without one pair of surrounding double
 * quotes or brackets, lower case as SQL lower() makes it with the default
 * collation.  palloc'd, NUL-terminated.
 */
extern char *name_key(const char *name, int len);

/*
 * The name parts of a dotted name (db.schema.table): tokens "...", [...]
 * or runs of non-dots, the longest at each place, as the regular
 * expression ("[^"]*"|\[[^\]]*\]|[^.]+) finds them.  Each part is keyed;
 * returns the number of parts, *parts a palloc'd array of keys.
 */
extern int	name_key_parts(const char *name, char ***parts);

#endif							/* SQLFLOW_NAMES_H */
