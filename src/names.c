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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "utils/formatting.h"

#include "names.h"

char *
name_key(const char *name, int len)
{
	if (len >= 2 &&
		((name[0] == '"' && name[len - 1] == '"') ||
		 (name[0] == '[' && name[len - 1] == ']')))
	{
		name++;
		len -= 2;
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
