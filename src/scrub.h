/*-------------------------------------------------------------------------
 *
 * scrub.h
 *	  Blanking the credentials of a call out of text a server sent back.
 *
 * The guarantee: after scrub_blank(), no run of SCRUB_PIECE or more bytes
 * of the text equals a run of bytes of any secret given (a secret shorter
 * than that: no occurrence of it whole), and, for text that was cut, no
 * tail of the text is the start of a secret.  Callers blank the raw bytes
 * first and again after every step that can join bytes (dropping tags,
 * collapsing white space, removing characters), so that no step can put
 * pieces back together.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_SCRUB_H
#define SQLFLOW_SCRUB_H

/* the longest piece of a secret that may survive is one byte shorter */
#define SCRUB_PIECE 8

/* a call has at most a token, a secret key and a cached token, in 4 forms */
#define SCRUB_MAX_SECRETS 12

typedef struct ScrubSecrets
{
	int			n;
	const char *secret[SCRUB_MAX_SECRETS];
	size_t		len[SCRUB_MAX_SECRETS];
} ScrubSecrets;

/* add one secret (not copied; ignored when empty, a duplicate, or no room) */
extern void scrub_add(ScrubSecrets *ss, const char *secret, size_t len);

/*
 * Overwrite with '*' every byte of buf[0..len) that is part of a piece of a
 * secret (see above); "cut" says the text is the start of something longer.
 * Returns the number of bytes blanked.
 */
extern size_t scrub_blank(const ScrubSecrets *ss, char *buf, size_t len,
						  bool cut);

#endif							/* SQLFLOW_SCRUB_H */
