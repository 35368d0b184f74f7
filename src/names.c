/*-------------------------------------------------------------------------
 *
 * names.c
 *	  Name keys: how traces compare the names SQLFlow writes.
 *
 * SQLFlow spells one object in several ways (EMP, emp, "EMP", [EMP]); a
 * trace compares them by key.  The rule is the one the SQL function of
 * 1.2 had, so that expression indexes built on sqlflow_name_key stay
 * valid: a name of at least two characters that starts with " and ends
 * with ", or starts with [ and ends with ], loses its first and last
 * character; then it is lower-cased as lower() does with the default
 * collation.  The delimiters are ASCII, which no byte of a multibyte
 * character in a server encoding is, so bytes are compared.
 *
 * lower() with a libc or ICU locale other than C goes through wide
 * characters, which costs more than the rest of a trace's work per row.
 * A name of ASCII bytes only is lower-cased byte by byte instead, once
 * this backend has checked that the default collation lower-cases every
 * ASCII character as ASCII does (it does not in Turkish and Azeri, where
 * I becomes a dotless i; there every name takes lower()'s path).
 *
 * Must not: change the rule (indexes on sqlflow_name_key depend on it), or
 * touch the database: the key is IMMUTABLE and PARALLEL SAFE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "utils/formatting.h"

#include "names.h"

/* does lower() with the default collation map ASCII as ASCII does? */
static bool
name_ascii_lower_is_plain(void)
{
	static int	plain = -1;

	if (plain < 0)
	{
		char		all[128];
		char	   *lowered;
		int			i;

		for (i = 1; i < 128; i++)
			all[i - 1] = (char) i;
		all[127] = '\0';
		lowered = str_tolower(all, 127, DEFAULT_COLLATION_OID);
		plain = 1;
		for (i = 1; i < 128; i++)
			if (lowered[i - 1] != pg_ascii_tolower((unsigned char) i))
				plain = 0;
		if (lowered[127] != '\0')
			plain = 0;
		pfree(lowered);
	}
	return plain == 1;
}

char *
name_key(const char *name, int len)
{
	int			i;
	if (len >= 2 &&
		((name[0] == '"' && name[len - 1] == '"') ||
		 (name[0] == '[' && name[len - 1] == ']')))
	{
		name++;
		len -= 2;
	}
	for (i = 0; i < len; i++)
		if (IS_HIGHBIT_SET(name[i]) || name[i] == '\0')
			break;
	if (i == len && name_ascii_lower_is_plain())
	{
		char	   *key = palloc(len + 1);

		for (i = 0; i < len; i++)
			key[i] = pg_ascii_tolower((unsigned char) name[i]);
		key[len] = '\0';
		return key;
	}
	return str_tolower(name, len, DEFAULT_COLLATION_OID);
}

/* length of the longest token at s (not a dot), as the alternation finds it */
static int
name_token_len(const char *s, int len)
{
	int			best;
	int			i;

	/* [^.]+ */
	for (best = 0; best < len && s[best] != '.'; best++)
		;
	/* "[^"]*" */
	if (s[0] == '"')
	{
		for (i = 1; i < len && s[i] != '"'; i++)
			;
		if (i < len && i + 1 > best)
			best = i + 1;
	}
	/* \[[^\]]*\] */
	else if (s[0] == '[')
	{
		for (i = 1; i < len && s[i] != ']'; i++)
			;
		if (i < len && i + 1 > best)
			best = i + 1;
	}
	return best;
}

int
name_key_parts(const char *name, char ***parts)
{
	int			len = strlen(name);
	int			n = 0;
	int			pos = 0;
	char	  **out = palloc(sizeof(char *) * (len + 1));

	while (pos < len)
	{
		int			tok;

		if (name[pos] == '.')
		{
			pos++;
			continue;
		}
		tok = name_token_len(name + pos, len - pos);
		out[n++] = name_key(name + pos, tok);
		pos += tok;
	}
	*parts = out;
	return n;
}
