/*
 * libFuzzer harness for the incremental JSON reader (src/jsonstream.c).
 *
 * The first input byte picks the limits, the second the chunk sizes; the
 * rest is the JSON.  The input is parsed twice, whole and in chunks of
 * varying size, and both runs must give the same events or the same error
 * at the same offset.  Every event must be sane: offsets increasing and
 * inside the input, depths within the limit, strings valid UTF-8 of the
 * stated length without NUL, numbers equal to the input at their offset.
 * Bits 3-4 of the first byte also pick a skipping mode (none, the
 * containers that are members of the top-level value, the values of the
 * top-level object's members): skipping, whole and chunked runs agree too,
 * and they end (the same error at the same offset, or eof) as reading
 * everything does.  A fourth mode reads every object with
 * jstream_reader_members (wanted keys "a" and "bb"), and where that gives
 * -1, member by member (the other keys' values skipped): a member read
 * either way counts the same, so whole and chunked runs, where objects lie
 * whole in the buffer far more often, must still agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstream.h"

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

/* strict UTF-8, written apart from the reader's own check */
static int
valid_utf8(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		unsigned	c = s[i];
		unsigned	cp;
		int			k;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
		{
			k = 1;
			cp = c & 0x1F;
		}
		else if ((c & 0xF0) == 0xE0)
		{
			k = 2;
			cp = c & 0x0F;
		}
		else if ((c & 0xF8) == 0xF0)
		{
			k = 3;
			cp = c & 0x07;
		}
		else
			return 0;
		for (int j = 1; j <= k; j++)
		{
			if (i + j >= n || (s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
			(k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

static const char *const wanted[2] = {"a", "bb"};
static const size_t wantedlen[2] = {1, 2};

/* a string's or a number's text, checked against the input */
static uint64_t
check_text(uint64_t h, const JStreamEvent *ev, const uint8_t *data, size_t len,
		   size_t max_token)
{
	if (ev->token == JS_KEY || ev->token == JS_STRING)
	{
		if (ev->len > max_token || strlen(ev->data) != ev->len ||
			!valid_utf8((const unsigned char *) ev->data, ev->len) ||
			data[ev->offset] != '"')
			abort();
		h = mix(h, ev->data, ev->len);
	}
	else if (ev->token == JS_NUMBER)
	{
		if (ev->len > max_token || strlen(ev->data) != ev->len ||
			ev->offset + ev->len > len ||
			memcmp(ev->data, data + ev->offset, ev->len) != 0)
			abort();
		h = mix(h, ev->data, ev->len);
	}
	else if (ev->data != NULL)
		abort();
	return h;
}

/* a wanted member, however it was read */
static uint64_t
member(uint64_t h, int key, const JStreamEvent *ev, const uint8_t *data, size_t len,
	   size_t max_token)
{
	h = mix(h, "M", 1);
	h = mix(h, &key, sizeof(key));
	h = mix(h, &ev->token, sizeof(ev->token));
	h = mix(h, &ev->offset, sizeof(ev->offset));
	h = mix(h, &ev->depth, sizeof(ev->depth));
	return check_text(h, ev, data, len, max_token);
}

static uint64_t
run(const uint8_t *data, size_t len, uint8_t mode, uint8_t seed, int chunked,
	int skip, long *events, uint64_t *end)
{
	JStreamReader *r = jstream_reader_create(NULL);
	uint64_t	h = 1469598103934665603ULL;
	uint32_t	rng = seed * 2654435761u + 1;
	size_t		max_token = (mode & 3) == 0 ? 8 : (mode & 3) == 1 ? 100 : 1 << 20;
	int			max_depth = (mode & 4) ? 5 : 1000;
	size_t		off = 0;
	unsigned long long last = 0;
	int			done = 0;
	int			pending = -1;	/* skip 3: the wanted key whose value comes next */
	int			max_members = 1 + (seed >> 5);

	*events = 0;
	if (r == NULL)
		abort();
	jstream_reader_set_max_token(r, max_token);
	jstream_reader_set_max_depth(r, max_depth);
	while (!done)
	{
		JStreamEvent ev;
		JStreamResult res;

		if (off < len)
		{
			size_t		k = len - off;

			if (chunked)
			{
				rng = rng * 1103515245u + 12345u;
				k = 1 + (rng >> 16) % (seed & 1 ? 3 : 40);
				if (k > len - off)
					k = len - off;
			}
			if (jstream_reader_feed(r, (const char *) data + off, k) != 0)
				abort();
			off += k;
		}
		else
			jstream_reader_finish(r);

		while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
		{
			if ((*events > 0 && ev.offset <= last) || ev.offset >= len ||
				ev.depth < 0 || ev.depth > max_depth)
				abort();
			last = ev.offset;
			if (skip == 3)
			{
				int			key = pending;

				pending = -1;
				if (ev.token == JS_KEY)
				{
					for (int k = 0; k < 2; k++)
						if (ev.len == wantedlen[k] && memcmp(ev.data, wanted[k], ev.len) == 0)
							pending = k;
					check_text(0, &ev, data, len, max_token);
					if (pending < 0)
						jstream_reader_skip_value(r);
					continue;	/* counted with its value */
				}
				if (key >= 0 && (ev.token == JS_STRING || ev.token == JS_TRUE ||
								 ev.token == JS_FALSE || ev.token == JS_NULL))
				{
					h = member(h, key, &ev, data, len, max_token);
					(*events)++;
					continue;
				}
				if (ev.token == JS_OBJECT_END)
				{
					h = mix(h, "}", 1);		/* its offset is not known otherwise */
					(*events)++;
					continue;
				}
			}
			(*events)++;
			h = mix(h, &ev.token, sizeof(ev.token));
			h = mix(h, &ev.offset, sizeof(ev.offset));
			h = mix(h, &ev.depth, sizeof(ev.depth));
			h = check_text(h, &ev, data, len, max_token);
			if (skip == 3 && ev.token == JS_OBJECT_START)
			{
				JStreamMember m[8];
				int			n = jstream_reader_members(r, wanted, wantedlen, 2, m, max_members);

				if (n > max_members)
					abort();
				for (int i = 0; i < n; i++)
				{
					if (m[i].value.offset <= last || m[i].value.offset >= len ||
						m[i].key < 0 || m[i].key > 1 || m[i].value.depth != ev.depth + 1)
						abort();
					last = m[i].value.offset;
					h = member(h, m[i].key, &m[i].value, data, len, max_token);
					(*events)++;
				}
				if (n >= 0)
				{
					h = mix(h, "}", 1);
					(*events)++;
				}
			}
			if (skip == 1 && ev.depth == 1 &&
				(ev.token == JS_OBJECT_START || ev.token == JS_ARRAY_START))
				jstream_reader_skip(r);
			else if (skip == 2 && ev.depth == 1 && ev.token == JS_KEY)
				jstream_reader_skip_value(r);
		}
		if (res == JS_ERROR)
		{
			unsigned long long eo = jstream_reader_error_offset(r);
			const char *msg = jstream_reader_error(r);

			if (msg == NULL || eo > len || (*events > 0 && eo < last))
				abort();
			h = mix(h, "E", 1);
			h = mix(h, &eo, sizeof(eo));
			h = mix(h, msg, strlen(msg));
			*end = mix(mix(1, &eo, sizeof(eo)), msg, strlen(msg));
			if (jstream_reader_next(r, &ev) != JS_ERROR)
				abort();
			done = 1;
		}
		else if (res == JS_EOF)
		{
			if (off < len || jstream_reader_error(r) != NULL)
				abort();
			h = mix(h, "Z", 1);
			*end = 0;
			done = 1;
		}
	}
	jstream_reader_destroy(r);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long		e1,
				e2;
	uint64_t	end0,
				end1,
				end2;
	int			skip;

	if (size < 2)
		return 0;
	skip = (data[0] >> 3) % 4;
	if (run(data + 2, size - 2, data[0], data[1], 0, skip, &e1, &end1) !=
		run(data + 2, size - 2, data[0], data[1], 1, skip, &e2, &end2) || e1 != e2 ||
		end1 != end2)
		abort();
	if (skip != 0)
	{
		(void) run(data + 2, size - 2, data[0], data[1], 0, 0, &e1, &end0);
		if (end0 != end1)
			abort();
	}
	return 0;
}
