/*-------------------------------------------------------------------------
 *
 * scrub.c
 *	  Blanking the credentials of a call out of text a server sent back
 *	  (see scrub.h for the guarantee).
 *
 * A run of SCRUB_PIECE or more bytes is part of a secret exactly when
 * each of its windows of SCRUB_PIECE bytes is a window of the secret, so
 * one set of the secret's windows answers the question for every length
 * at once: each window of the text found in the set is blanked, and the
 * blanked windows together cover every such run and nothing else.  A
 * window of 8 bytes is a uint64, so the set is a sorted array searched by
 * bisection: O((m + n) log m) for a secret of m bytes and a text of n,
 * whatever the secret's length.  Secrets shorter than a window are blanked
 * where they occur whole.
 *
 * Matches are marked on the unchanged text and blanked at the end, so
 * that overlapping pieces, and pieces of different secrets, are all found.
 *
 * What it must not do: leave a piece of SCRUB_PIECE bytes or more of a
 * secret in the text, copy a secret anywhere but its own scratch memory,
 * or log anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "scrub.h"

StaticAssertDecl(SCRUB_PIECE == sizeof(uint64),
				 "a window of the text is one uint64");

void
scrub_add(ScrubSecrets *ss, const char *secret, size_t len)
{
	if (secret == NULL || len == 0 || ss->n >= SCRUB_MAX_SECRETS)
		return;
	for (int i = 0; i < ss->n; i++)
		if (ss->len[i] == len && memcmp(ss->secret[i], secret, len) == 0)
			return;
	ss->secret[ss->n] = secret;
	ss->len[ss->n] = len;
	ss->n++;
}

static int
scrub_cmp(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return (x > y) - (x < y);
}

static inline uint64
scrub_window(const char *p)
{
	uint64		w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* mark every window of buf that is a window of the secret */
static void
scrub_mark_windows(const char *secret, size_t m, const char *buf, size_t len,
				   bool *mark)
{
	size_t		nwin = m - SCRUB_PIECE + 1;
	uint64	   *set;

	if (len < SCRUB_PIECE)
		return;
	set = palloc(nwin * sizeof(uint64));
	for (size_t i = 0; i < nwin; i++)
		set[i] = scrub_window(secret + i);
	qsort(set, nwin, sizeof(uint64), scrub_cmp);

	for (size_t i = 0; i + SCRUB_PIECE <= len; i++)
	{
		uint64		w = scrub_window(buf + i);

		if (bsearch(&w, set, nwin, sizeof(uint64), scrub_cmp) != NULL)
			memset(mark + i, true, SCRUB_PIECE);
	}
	pfree(set);
}

/* mark every whole occurrence of a short secret */
static void
scrub_mark_whole(const char *secret, size_t m, const char *buf, size_t len,
				 bool *mark)
{
	for (size_t i = 0; i + m <= len; i++)
		if (buf[i] == secret[0] && memcmp(buf + i, secret, m) == 0)
			memset(mark + i, true, m);
}

size_t
scrub_blank(const ScrubSecrets *ss, char *buf, size_t len, bool cut)
{
	bool	   *mark;
	size_t		blanked = 0;

	if (ss->n == 0 || len == 0)
		return 0;
	mark = palloc0(len * sizeof(bool));

	for (int k = 0; k < ss->n; k++)
	{
		const char *secret = ss->secret[k];
		size_t		m = ss->len[k];

		if (m >= SCRUB_PIECE)
			scrub_mark_windows(secret, m, buf, len, mark);
		else
			scrub_mark_whole(secret, m, buf, len, mark);

		/*
		 * Text cut short may end in the first bytes of a secret whose rest
		 * was never kept: blank the longest such tail, however short.
		 */
		if (cut)
		{
			for (size_t l = Min(m, len); l > 0; l--)
			{
				if (memcmp(buf + len - l, secret, l) == 0)
				{
					memset(mark + len - l, true, l);
					break;
				}
			}
		}
	}

	for (size_t i = 0; i < len; i++)
	{
		if (mark[i])
		{
			buf[i] = '*';
			blanked++;
		}
	}
	pfree(mark);
	return blanked;
}
